import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { WEBHOOK_BODY_BYTES_MAX, signWebhook, verifyWebhook, type WebhookVerdict } from './webhook-signature.js';

const current = Buffer.alloc(32, 7);
const previous = Buffer.alloc(32, 9);
const body = Buffer.from('{"id":"e1","type":"deposit.settled"}');
const now = Date.parse('2026-01-05T10:00:00.000Z');

function verify(headers: Record<string, string | undefined>, overrides: { body?: Buffer; nowMs?: number; secrets?: Buffer[] } = {}): WebhookVerdict {
  return verifyWebhook({
    secrets: overrides.secrets ?? [current, previous], timestamp: headers['webhook-timestamp'], signature: headers['webhook-signature'],
    body: overrides.body ?? body, nowMs: overrides.nowMs ?? now,
  });
}

describe('webhook signatures', () => {
  it('is HMAC-SHA256 over "{timestamp}.{body}" in hex, and verifies', () => {
    const headers = signWebhook(current, body, now);
    const expected = createHmac('sha256', current).update(`${Math.floor(now / 1000)}.${body.toString()}`).digest('hex');
    expect(headers).toEqual({ 'webhook-timestamp': String(now / 1000), 'webhook-signature': `v1=${expected}` });
    expect(verify(headers)).toEqual({ ok: true, timestampS: now / 1000, signature: expected });
  });

  it('accepts the previous secret during a rotation, and a header with several values', () => {
    const old = signWebhook(previous, body, now);
    expect(verify(old).ok).toBe(true);
    const fresh = signWebhook(current, body, now);
    expect(verify({ ...fresh, 'webhook-signature': `${old['webhook-signature']} ${fresh['webhook-signature']}` }).ok).toBe(true);
    expect(verify(old, { secrets: [current] })).toEqual({ ok: false, reason: 'signature_invalid' });
  });

  // One line per attack: what the headers or the body are → why it is refused.
  const signed = signWebhook(current, body, now);
  it.each([
    ['no headers', {}, {}, 'signature_missing'],
    ['an empty signature', { ...signed, 'webhook-signature': '' }, {}, 'signature_missing'],
    ['a signature without its scheme', { ...signed, 'webhook-signature': signed['webhook-signature']?.slice(3) }, {}, 'signature_malformed'],
    ['a short signature', { ...signed, 'webhook-signature': 'v1=abcd' }, {}, 'signature_malformed'],
    ['a non-numeric timestamp', { ...signed, 'webhook-timestamp': '1e9' }, {}, 'signature_malformed'],
    ['a body changed by one byte', signed, { body: Buffer.from(body.toString().replace('e1', 'e2')) }, 'signature_invalid'],
    ['a re-serialised body (spaces added)', signed, { body: Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 1)) }, 'signature_invalid'],
    ['the timestamp changed', { ...signed, 'webhook-timestamp': String(now / 1000 + 1) }, {}, 'signature_invalid'],
    ['another secret', signWebhook(Buffer.alloc(32, 1), body, now), {}, 'signature_invalid'],
    ['a timestamp 5 min 1 s old', signed, { nowMs: now + 301_000 }, 'timestamp_outside_window'],
    ['a timestamp 5 min 1 s ahead', signed, { nowMs: now - 301_000 }, 'timestamp_outside_window'],
    ['a body over the limit', signed, { body: Buffer.alloc(WEBHOOK_BODY_BYTES_MAX + 1) }, 'body_too_large'],
  ] as const)('refuses %s', (_name, headers, overrides, reason) => {
    expect(verify(headers as Record<string, string | undefined>, overrides)).toEqual({ ok: false, reason });
  });

  it('accepts a timestamp exactly at the edge of the window', () => {
    expect(verify(signed, { nowMs: now + 300_000 }).ok).toBe(true);
    expect(verify(signed, { nowMs: now - 300_000 }).ok).toBe(true);
  });
});
