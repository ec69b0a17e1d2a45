import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { BACKOFF_MS_MAX, backoffMs } from './backoff.js';

describe('delivery backoff', () => {
  it.each([
    [1, 5_000, 5_000],
    [2, 5_000, 10_000],
    [3, 5_000, 20_000],
    [8, 5_000, 640_000],
    [11, 5_000, BACKOFF_MS_MAX],
    [1_000, 5_000, BACKOFF_MS_MAX],
  ])('after %i failed attempts at base %i ms waits %i ms', (attempts, base, expected) => {
    expect(backoffMs(attempts, base)).toBe(expected);
  });

  it('never shrinks and never exceeds the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 600_000 }), (attempts, base) => {
        const delay = backoffMs(attempts, base);
        return delay <= BACKOFF_MS_MAX && delay >= Math.min(base, BACKOFF_MS_MAX) && backoffMs(attempts + 1, base) >= delay;
      }),
    );
  });

  it.each([0, -1, 1.5])('refuses %p attempts', (attempts) => {
    expect(() => backoffMs(attempts, 1_000)).toThrow();
  });
});
