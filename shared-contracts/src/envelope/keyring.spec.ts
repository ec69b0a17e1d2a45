// The keyring: what it refuses to hold, and what it will and will not sign with.
import { describe, expect, it } from '@jest/globals';

import { ENVELOPE_SECRET_BYTES_MIN, createKeyring, decodeSecret, type DirectionKeys } from './keyring.js';

const secret32 = Buffer.alloc(32, 1);
const secretText = Buffer.alloc(32, 2).toString('base64url');

describe('createKeyring refuses a bad configuration', () => {
  it.each<[string, DirectionKeys[], RegExp]>([
    ['a 31-byte secret', [{ direction: 'c2e', current: { kid: 'c2e-1', secret: Buffer.alloc(31, 1) } }], /at least 32 bytes/],
    ['an empty secret', [{ direction: 'c2e', current: { kid: 'c2e-1', secret: '' } }], /at least 32 bytes/],
    ['a short base64url secret (16 bytes)', [{ direction: 'c2e', current: { kid: 'c2e-1', secret: Buffer.alloc(16).toString('base64url') } }], /at least 32 bytes/],
    ['a short previous secret', [{ direction: 'c2e', current: { kid: 'c2e-2', secret: secret32 }, previous: { kid: 'c2e-1', secret: Buffer.alloc(8) } }], /at least 32 bytes/],
    ['a kid used for current and previous', [{ direction: 'c2e', current: { kid: 'k-1', secret: secret32 }, previous: { kid: 'k-1', secret: secret32 } }], /used twice/],
    ['a kid used in both directions', [
      { direction: 'c2e', current: { kid: 'k-1', secret: secret32 } },
      { direction: 'e2c', current: { kid: 'k-1', secret: secretText } },
    ], /used twice/],
    ['two entries for one direction', [
      { direction: 'c2e', current: { kid: 'c2e-1', secret: secret32 } },
      { direction: 'c2e', current: { kid: 'c2e-2', secret: secret32 } },
    ], /duplicate keyring entry/],
    ['an empty kid', [{ direction: 'c2e', current: { kid: '', secret: secret32 } }], /invalid key id/],
    ['a kid with a space', [{ direction: 'c2e', current: { kid: 'c2e 1', secret: secret32 } }], /invalid key id/],
    ['a kid over 64 characters', [{ direction: 'c2e', current: { kid: 'k'.repeat(65), secret: secret32 } }], /invalid key id/],
  ])('%s', (_name, entries, message) => {
    expect(() => createKeyring(entries)).toThrow(message);
  });
});

describe('a keyring signs only with the current key of a direction it holds', () => {
  const ring = createKeyring([
    { direction: 'c2e', current: { kid: 'c2e-2026-02', secret: secret32 }, previous: { kid: 'c2e-2026-01', secret: secretText } },
  ]);

  it('signingKey for a direction without keys throws', () => {
    expect(() => ring.signingKey('e2c')).toThrow(/no signing key for direction e2c/);
  });

  it('signs with the current key, never the previous one', () => {
    expect(ring.signingKey('c2e')).toMatchObject({ kid: 'c2e-2026-02', direction: 'c2e' });
  });

  it('accepts both current and previous key ids, each scoped to its direction', () => {
    expect([...ring.byKid.values()].map((k) => [k.kid, k.direction])).toEqual([['c2e-2026-02', 'c2e'], ['c2e-2026-01', 'c2e']]);
  });

  it('an empty keyring holds nothing and signs nothing', () => {
    const empty = createKeyring([]);
    expect(empty.byKid.size).toBe(0);
    expect(() => empty.signingKey('c2e')).toThrow();
  });
});

describe('decodeSecret', () => {
  it.each([
    ['raw bytes are taken as they are', Buffer.alloc(32, 7), Buffer.alloc(32, 7)],
    ['base64url text is decoded', Buffer.alloc(48, 9).toString('base64url'), Buffer.alloc(48, 9)],
    ['standard base64 text is decoded too', Buffer.alloc(33, 0xfb).toString('base64'), Buffer.alloc(33, 0xfb)],
  ] as const)('%s', (_name, input, expected) => {
    expect(decodeSecret(input).equals(expected)).toBe(true);
  });

  it(`refuses anything under ${ENVELOPE_SECRET_BYTES_MIN} bytes`, () => {
    expect(() => decodeSecret(new Uint8Array(ENVELOPE_SECRET_BYTES_MIN - 1))).toThrow();
    expect(decodeSecret(new Uint8Array(ENVELOPE_SECRET_BYTES_MIN))).toHaveLength(ENVELOPE_SECRET_BYTES_MIN);
  });

  it('copies raw bytes, so a caller zeroing its buffer cannot change the key', () => {
    const raw = new Uint8Array(32).fill(5);
    const decoded = decodeSecret(raw);
    raw.fill(0);
    expect(decoded.every((b) => b === 5)).toBe(true);
  });
});
