import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { slidingWindow } from './sliding-window.js';

const limit = { hitsMax: 3, windowMs: 1_000 };

describe('slidingWindow', () => {
  it.each([
    ['the first attempt', [], 0, true],
    ['the third within the window', [0, 100], 200, true],
    ['the fourth within the window', [0, 100, 200], 300, false],
    ['the fourth once the oldest aged out', [0, 100, 200], 1_000, true],
    ['a burst across a fixed-window boundary', [990, 995, 999], 1_001, false],
  ])('%s', (_name, log, now, allowed) => {
    expect(slidingWindow(log, now, limit).allowed).toBe(allowed);
  });

  it('tells a refused caller when the oldest attempt leaves the window', () => {
    expect(slidingWindow([100, 400, 900], 950, limit)).toEqual({ allowed: false, log: [100, 400, 900], retryAfterMs: 150 });
  });

  it('never allows more than hitsMax attempts in any interval of windowMs, and keeps at most hitsMax entries', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 10, max: 2_000 }),
        fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 80 }),
        (hitsMax, windowMs, gaps) => {
          let now = 0;
          let log: number[] = [];
          const allowedAt: number[] = [];
          for (const gap of gaps) {
            now += gap;
            const decision = slidingWindow(log, now, { hitsMax, windowMs });
            log = decision.log;
            if (decision.allowed) allowedAt.push(now);
            if (log.length > hitsMax) return false;
          }
          return allowedAt.every((start, i) => allowedAt.slice(i).filter((t) => t < start + windowMs).length <= hitsMax);
        },
      ),
    );
  });
});
