import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { HmacSha256, constantTimeEqual } from './hmac.js';

describe('HmacSha256', () => {
  // RFC 4231 test cases 1, 2, 6 and 7 (6 and 7 use a 131-byte key, longer than a block).
  it.each([
    ['0b'.repeat(20), Buffer.from('Hi There'), 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'],
    [Buffer.from('Jefe').toString('hex'), Buffer.from('what do ya want for nothing?'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
    ['aa'.repeat(131), Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First'), '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54'],
    [
      'aa'.repeat(131),
      Buffer.from('This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.'),
      '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
    ],
  ])('matches RFC 4231 (key %s)', (keyHex, message, expectedHex) => {
    const mac = new HmacSha256(Buffer.from(keyHex, 'hex')).base64url(message.toString('latin1'));
    expect(Buffer.from(mac, 'base64url').toString('hex')).toBe(expectedHex);
  });

  it('equals node:crypto createHmac for any key and any text, including multi-byte and long text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.array(fc.string({ unit: 'binary' }), { maxLength: 8 }), (key, parts) => {
        const hmac = new HmacSha256(key);
        for (const text of [...parts, parts.join('').repeat(50)]) {
          expect(hmac.base64url(text)).toBe(createHmac('sha256', key).update(text, 'utf8').digest('base64url'));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('constantTimeEqual', () => {
  it.each([
    ['abc', 'abc', true],
    ['abc', 'abd', false],
    ['abc', 'ab', false],
    ['', '', true],
  ])('%s vs %s is %s', (a, b, expected) => {
    expect(constantTimeEqual(a, b)).toBe(expected);
  });
});
