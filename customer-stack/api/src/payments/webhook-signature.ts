// Payment-provider webhooks are signed: HMAC-SHA256 over `{timestamp}.{body}` with the shared
// secret, the timestamp in Unix seconds, both sent as headers. The receiver checks the exact
// bytes it received (never a re-serialised body), accepts a timestamp at most five minutes
// away from its clock either way, compares in constant time, and takes the current secret or,
// during a rotation, the previous one. Replays inside the window are refused by the receiver's
// durable store of event ids and signatures (payments.service.ts).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { assert } from '@bulwark/shared-contracts';

export const WEBHOOK_TIMESTAMP_HEADER = 'webhook-timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'webhook-signature';
export const WEBHOOK_TOLERANCE_MS = 5 * 60_000;
/** A signature header carries at most this many `v1=` values (one per secret during a rotation). */
export const WEBHOOK_SIGNATURES_MAX = 4;
export const WEBHOOK_BODY_BYTES_MAX = 64 * 1024;
export const WEBHOOK_SECRET_BYTES_MIN = 32;

const SIGNATURE_HEX_LENGTH = 64;
const TIMESTAMP = /^\d{1,12}$/;
const SIGNATURE = /^v1=([0-9a-f]{64})$/;

export type WebhookRejection = 'signature_missing' | 'signature_malformed' | 'timestamp_outside_window' | 'signature_invalid' | 'body_too_large';
export type WebhookVerdict = { readonly ok: true; readonly timestampS: number; readonly signature: string } | { readonly ok: false; readonly reason: WebhookRejection };

function mac(secret: Buffer, timestampS: number, body: Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestampS}.`).update(body).digest();
}

/** The headers a sender puts on a webhook whose body is exactly `body`. */
export function signWebhook(secret: Buffer, body: Buffer, nowMs: number): Record<string, string> {
  assert(secret.length >= WEBHOOK_SECRET_BYTES_MIN, 'a webhook secret of at least 32 bytes');
  const timestampS = Math.floor(nowMs / 1000);
  return { [WEBHOOK_TIMESTAMP_HEADER]: String(timestampS), [WEBHOOK_SIGNATURE_HEADER]: `v1=${mac(secret, timestampS, body).toString('hex')}` };
}

/**
 * Verifies a webhook against the receiver's secrets (current first, then previous). Never
 * throws on what the sender controls: every malformed input is a rejection with its reason.
 */
export function verifyWebhook(input: {
  secrets: readonly Buffer[];
  timestamp: string | undefined;
  signature: string | undefined;
  body: Buffer;
  nowMs: number;
}): WebhookVerdict {
  assert(input.secrets.length >= 1 && input.secrets.length <= 2, 'a current and at most one previous secret');
  if (input.timestamp === undefined || input.signature === undefined || input.timestamp === '' || input.signature === '') return { ok: false, reason: 'signature_missing' };
  if (input.body.length > WEBHOOK_BODY_BYTES_MAX) return { ok: false, reason: 'body_too_large' };
  if (!TIMESTAMP.test(input.timestamp)) return { ok: false, reason: 'signature_malformed' };
  const values = input.signature.split(' ').filter((part) => part.length > 0);
  if (values.length === 0 || values.length > WEBHOOK_SIGNATURES_MAX) return { ok: false, reason: 'signature_malformed' };
  const offered: Buffer[] = [];
  for (const value of values) {
    const match = SIGNATURE.exec(value);
    if (!match?.[1]) return { ok: false, reason: 'signature_malformed' };
    offered.push(Buffer.from(match[1], 'hex'));
  }
  const timestampS = Number(input.timestamp);
  if (Math.abs(input.nowMs - timestampS * 1000) > WEBHOOK_TOLERANCE_MS) return { ok: false, reason: 'timestamp_outside_window' };
  for (const secret of input.secrets) {
    const expected = mac(secret, timestampS, input.body);
    for (const candidate of offered) {
      assert(candidate.length * 2 === SIGNATURE_HEX_LENGTH && expected.length === candidate.length, 'equal-length MACs before the constant-time compare');
      if (timingSafeEqual(expected, candidate)) return { ok: true, timestampS, signature: candidate.toString('hex') };
    }
  }
  return { ok: false, reason: 'signature_invalid' };
}
