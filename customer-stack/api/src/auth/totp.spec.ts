import { describe, expect, it } from '@jest/globals';
import { matchStep, newTotpSecret, stepAt, totpCode, totpUri } from './totp.js';

// RFC 6238 appendix B, SHA-1: the seed is ASCII "12345678901234567890" (base32 below); the RFC
// prints 8 digits, the 6-digit code is its last six.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const RFC_VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(RFC_VECTORS)('at %i s the code is the RFC vector %s', (seconds, eightDigits) => {
    expect(totpCode(RFC_SECRET, seconds * 1000)).toBe(eightDigits.slice(2));
    expect(matchStep(RFC_SECRET, eightDigits.slice(2), seconds * 1000)).toBe(stepAt(seconds * 1000));
  });

  const now = 1_763_810_000_000;
  const secret = newTotpSecret();
  it.each([
    ['the current step', 0, 0],
    ['one step behind (drift)', -1, -1],
    ['one step ahead (drift)', 1, 1],
    ['two steps behind', -2, null],
    ['two steps ahead', 2, null],
  ])('a code from %s matches step offset %s', (_name, offset, expected) => {
    const code = totpCode(secret, now + offset * 30_000);
    expect(matchStep(secret, code, now)).toBe(expected === null ? null : stepAt(now) + expected);
  });

  it.each(['', '12345', '1234567', 'abcdef', '12 456'])('refuses the malformed code %j', (code) => {
    expect(matchStep(secret, code, now)).toBeNull();
  });

  it('gives an otpauth URI authenticator apps read', () => {
    const uri = totpUri(secret, 'investor@example.lk', 'Bulwark');
    expect(uri).toMatch(/^otpauth:\/\/totp\/Bulwark:investor%40example\.lk\?issuer=Bulwark&secret=[A-Z2-7]+&algorithm=SHA1&digits=6&period=30$/);
  });
});
