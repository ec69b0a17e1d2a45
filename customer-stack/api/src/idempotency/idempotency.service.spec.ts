import { describe, expect, it } from '@jest/globals';
import { requestHash, stableJson } from './idempotency.service.js';

describe('request hashing', () => {
  it.each([
    ['key order does not matter', { a: 1, b: [1, { y: 2, x: 1 }] }, { b: [1, { x: 1, y: 2 }], a: 1 }, true],
    ['undefined members are absent', { a: 1, b: undefined }, { a: 1 }, true],
    ['array order matters', { a: [1, 2] }, { a: [2, 1] }, false],
    ['a value change matters', { amount: '10.00' }, { amount: '10.01' }, false],
  ])('%s', (_name, left, right, same) => {
    expect(stableJson(left) === stableJson(right)).toBe(same);
    expect(requestHash('POST', '/x', left) === requestHash('POST', '/x', right)).toBe(same);
  });

  it('binds the method and path', () => {
    expect(requestHash('POST', '/a', {})).not.toBe(requestHash('POST', '/b', {}));
    expect(requestHash('POST', '/a', {})).not.toBe(requestHash('PUT', '/a', {}));
  });
});
