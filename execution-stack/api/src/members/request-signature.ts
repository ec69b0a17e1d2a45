// Signed requests: every member and operator request carries a compact JWS (PS256) over a
// payload that binds the method, the path with its query, the SHA-256 of the exact body
// bytes, a timestamp and a nonce. The server refuses a bad signature, a payload that does not
// describe this very request, a timestamp outside the window and a nonce it has seen.
import { createHash, randomUUID } from 'node:crypto';
import { CompactSign, compactVerify, importJWK, type CryptoKey, type JWK, type KeyObject } from 'jose';
import { z } from 'zod';

export const SIGNATURE_HEADER = 'x-bulwark-signature';
export const KEY_HEADER = 'x-bulwark-key';
export const SIGNATURE_ALGORITHM = 'PS256';
export const SIGNATURE_BYTES_MAX = 4_096;

export const SignedPayload = z.strictObject({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
  path: z.string().min(1).max(2_048),
  bodySha256: z.string().regex(/^[0-9a-f]{64}$/),
  ts: z.number().int().positive(),
  nonce: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
});
export type SignedPayload = z.infer<typeof SignedPayload>;

export const sha256Hex = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

export interface SigningKey {
  readonly keyId: string;
  readonly privateKey: CryptoKey | KeyObject | JWK | Uint8Array;
}

/** The headers of a signed request (the client side: the market maker, tests, SDKs). */
export async function signRequest(
  key: SigningKey,
  request: { method: SignedPayload['method']; path: string; body: string; nowMs?: number; nonce?: string },
): Promise<Record<string, string>> {
  const payload: SignedPayload = {
    method: request.method,
    path: request.path,
    bodySha256: sha256Hex(request.body),
    ts: request.nowMs ?? Date.now(),
    nonce: request.nonce ?? randomUUID().replaceAll('-', ''),
  };
  const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: SIGNATURE_ALGORITHM, kid: key.keyId })
    .sign(key.privateKey as CryptoKey);
  return { [KEY_HEADER]: key.keyId, [SIGNATURE_HEADER]: jws };
}

export type SignatureRefusal = 'missing_signature' | 'bad_signature' | 'key_mismatch' | 'bad_payload' | 'wrong_request' | 'body_mismatch' | 'stale' | 'future';

/**
 * Verifies everything that needs no state: the signature under the key, and that the payload
 * describes this request at this time. The nonce (state) is the caller's to claim.
 */
export async function verifySignedRequest(
  publicKey: CryptoKey | KeyObject | Uint8Array,
  keyId: string,
  jws: string,
  request: { method: string; path: string; body: Uint8Array },
  nowMs: number,
  windowMs: number,
): Promise<{ ok: true; payload: SignedPayload } | { ok: false; refusal: SignatureRefusal }> {
  if (jws.length === 0 || jws.length > SIGNATURE_BYTES_MAX) return { ok: false, refusal: 'missing_signature' };
  let verified: Awaited<ReturnType<typeof compactVerify>>;
  try {
    verified = await compactVerify(jws, publicKey, { algorithms: [SIGNATURE_ALGORITHM] });
  } catch {
    return { ok: false, refusal: 'bad_signature' };
  }
  if (verified.protectedHeader.kid !== keyId) return { ok: false, refusal: 'key_mismatch' };
  let parsed: ReturnType<typeof SignedPayload.safeParse>;
  try {
    parsed = SignedPayload.safeParse(JSON.parse(new TextDecoder().decode(verified.payload)));
  } catch {
    return { ok: false, refusal: 'bad_payload' };
  }
  if (!parsed.success) return { ok: false, refusal: 'bad_payload' };
  const payload = parsed.data;
  if (payload.method !== request.method.toUpperCase() || payload.path !== request.path) return { ok: false, refusal: 'wrong_request' };
  if (payload.bodySha256 !== sha256Hex(request.body)) return { ok: false, refusal: 'body_mismatch' };
  if (payload.ts < nowMs - windowMs) return { ok: false, refusal: 'stale' };
  if (payload.ts > nowMs + windowMs) return { ok: false, refusal: 'future' };
  return { ok: true, payload };
}

export async function importPublicKey(jwk: JWK): Promise<CryptoKey | Uint8Array> {
  return importJWK(jwk, SIGNATURE_ALGORITHM);
}
