import { createSecretKey, randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { lookupHash, normaliseEmail, open, seal } from './secret-box.js';

const key = createSecretKey(randomBytes(32));
const otherKey = createSecretKey(randomBytes(32));

describe('secret box', () => {
  it('opens what it sealed, for any text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 500 }), fc.string({ maxLength: 40 }), (text, context) => open(key, seal(key, text, context), context) === text));
  });

  it('seals the same text differently each time (random nonce)', () => {
    expect(seal(key, 'JBSWY3DPEHPK3PXP', 'user-1').equals(seal(key, 'JBSWY3DPEHPK3PXP', 'user-1'))).toBe(false);
  });

  it.each([
    ['another key', (s: Buffer) => open(otherKey, s, 'user-1')],
    ['another context (moved to another row)', (s: Buffer) => open(key, s, 'user-2')],
    ['a flipped ciphertext bit', (s: Buffer) => open(key, Buffer.concat([s.subarray(0, -1), Buffer.from([s.at(-1)! ^ 1])]), 'user-1')],
    ['a flipped tag bit', (s: Buffer) => { const t = Buffer.from(s); t[14]! ^= 1; return open(key, t, 'user-1'); }],
    ['an unknown version', (s: Buffer) => { const t = Buffer.from(s); t[0] = 9; return open(key, t, 'user-1'); }],
    ['a truncated value', (s: Buffer) => open(key, s.subarray(0, 10), 'user-1')],
  ])('refuses %s', (_name, attempt) => {
    expect(() => attempt(seal(key, 'JBSWY3DPEHPK3PXP', 'user-1'))).toThrow();
  });

  it('lookup hashes are keyed, deterministic and unambiguous across part boundaries', () => {
    expect(lookupHash(key, 'a', 'b').equals(lookupHash(key, 'a', 'b'))).toBe(true);
    expect(lookupHash(key, 'a', 'b').equals(lookupHash(otherKey, 'a', 'b'))).toBe(false);
    expect(lookupHash(key, 'ab', 'c').equals(lookupHash(key, 'a', 'bc'))).toBe(false);
  });

  it('normalises emails for lookup', () => {
    expect(normaliseEmail('  Nimal.Perera@Example.LK ')).toBe('nimal.perera@example.lk');
  });
});
