// Operators authenticate the way members do: each request carries a compact JWS (PS256) over
// { method, path, bodySha256, ts, nonce } made with the operator's private key. The key file is
// read in the browser and the key kept in this tab's memory only (never stored, never sent).
import { CompactSign, importJWK, type JWK } from 'jose';

export const KEY_HEADER = 'x-bulwark-key';
export const SIGNATURE_HEADER = 'x-bulwark-signature';
const KEY_FILE_BYTES_MAX = 16_384;

export interface OperatorKey {
  readonly keyId: string;
  readonly privateKey: CryptoKey | Uint8Array;
}

export type KeyFileResult = { readonly ok: true; readonly keyId: string; readonly jwk: JWK } | { readonly ok: false; readonly reason: string };

/** Reads an operator key file: `{ "keyId": "...", "privateJwk": { "kty": "RSA", ... } }`. */
export function parseKeyFile(text: string): KeyFileResult {
  if (text.length > KEY_FILE_BYTES_MAX) return { ok: false, reason: 'The file is too large to be a key file.' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'The file is not JSON.' };
  }
  const record = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const keyId = record.keyId;
  const jwk = record.privateJwk as JWK | undefined;
  if (typeof keyId !== 'string' || keyId.length === 0 || keyId.length > 200) return { ok: false, reason: 'The file has no keyId.' };
  if (!jwk || typeof jwk !== 'object' || jwk.kty !== 'RSA' || typeof jwk.d !== 'string') return { ok: false, reason: 'The file holds no RSA private key (privateJwk).' };
  return { ok: true, keyId, jwk };
}

export async function loadOperatorKey(text: string): Promise<OperatorKey> {
  const parsed = parseKeyFile(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return { keyId: parsed.keyId, privateKey: await importJWK(parsed.jwk, 'PS256') };
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function nonce(): string {
  return crypto.randomUUID().replaceAll('-', '');
}

/** The two headers that authenticate one request; `body` is the exact text that will be sent. */
export async function signedHeaders(key: OperatorKey, method: 'GET' | 'POST', path: string, body: string): Promise<Record<string, string>> {
  const payload = { method, path, bodySha256: await sha256Hex(body), ts: Date.now(), nonce: nonce() };
  const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg: 'PS256', kid: key.keyId }).sign(key.privateKey);
  return { [KEY_HEADER]: key.keyId, [SIGNATURE_HEADER]: jws };
}

/** What an approver signs: binds the batch id to its content hash (the stack's approvalPayload). */
export function approvalPayload(batchId: string, contentHash: string): string {
  return `bulwark-settlement-batch:${batchId}:${contentHash}`;
}

/**
 * The operator's approval of a settlement batch: a compact JWS (PS256) over approvalPayload,
 * made in this tab with the operator's own key; the stack verifies it against that key.
 */
export async function signApproval(key: OperatorKey, batchId: string, contentHash: string): Promise<string> {
  if (!/^[0-9a-f]{64}$/.test(contentHash)) throw new Error('The batch has no valid content hash to sign.');
  return new CompactSign(new TextEncoder().encode(approvalPayload(batchId, contentHash))).setProtectedHeader({ alg: 'PS256', kid: key.keyId }).sign(key.privateKey);
}

/** Base64 SHA-256 of bytes, as Repr-Digest carries it (an export checked against what the stack declared). */
export async function sha256Base64(bytes: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return btoa(String.fromCharCode(...digest));
}
