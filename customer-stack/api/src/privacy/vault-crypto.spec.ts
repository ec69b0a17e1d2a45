import { createSecretKey, randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { VaultIntegrityError, newDataKey, openWithDataKey, sealWithDataKey, unwrapDataKey, wrapDataKey } from './vault-crypto.js';

const master = createSecretKey(randomBytes(32));
const subject = randomUUID();

describe('vault cryptography', () => {
  it('round-trips any text through seal and open', () => {
    const key = newDataKey();
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (text) => openWithDataKey(key, subject, sealWithDataKey(key, subject, text)) === text));
  });

  it('round-trips a data key through wrap and unwrap', () => {
    const key = newDataKey();
    expect(unwrapDataKey(master, subject, wrapDataKey(master, subject, key))).toEqual(key);
  });

  it('never seals the same text to the same bytes (random IV)', () => {
    const key = newDataKey();
    expect(sealWithDataKey(key, subject, 'Jane Perera').equals(sealWithDataKey(key, subject, 'Jane Perera'))).toBe(false);
  });

  it.each([
    ['another person\'s key', (sealed: Buffer) => openWithDataKey(newDataKey(), subject, sealed)],
    ['another subject (value moved to another row)', (sealed: Buffer, key: Buffer) => openWithDataKey(key, randomUUID(), sealed)],
    ['a flipped ciphertext bit', (sealed: Buffer, key: Buffer) => openWithDataKey(key, subject, Buffer.from(sealed.map((b, i) => (i === sealed.length - 1 ? b ^ 1 : b))))],
    ['a flipped tag bit', (sealed: Buffer, key: Buffer) => openWithDataKey(key, subject, Buffer.from(sealed.map((b, i) => (i === 14 ? b ^ 1 : b))))],
    ['a truncated value', (sealed: Buffer, key: Buffer) => openWithDataKey(key, subject, sealed.subarray(0, 20))],
    ['an unknown format byte', (sealed: Buffer, key: Buffer) => openWithDataKey(key, subject, Buffer.concat([Buffer.of(9), sealed.subarray(1)]))],
  ])('refuses to open with %s', (_name, attempt) => {
    const key = newDataKey();
    const sealed = sealWithDataKey(key, subject, '199012345678');
    expect(() => attempt(sealed, key)).toThrow(VaultIntegrityError);
  });

  it('refuses to unwrap a key under another master key or for another subject', () => {
    const wrapped = wrapDataKey(master, subject, newDataKey());
    expect(() => unwrapDataKey(createSecretKey(randomBytes(32)), subject, wrapped)).toThrow(VaultIntegrityError);
    expect(() => unwrapDataKey(master, randomUUID(), wrapped)).toThrow(VaultIntegrityError);
  });
});
