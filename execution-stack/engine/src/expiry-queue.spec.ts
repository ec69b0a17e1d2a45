import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ExpiryQueue } from './expiry-queue.js';

describe('ExpiryQueue', () => {
  it('pops live entries in (expiryMs, seq) order, dropping stale ones when it fills up', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.boolean()), { minLength: 50, maxLength: 400 }), (draws) => {
        const live = new Set<number>();
        const isLive = (slot: number): boolean => live.has(slot);
        // A small queue so compaction and growth happen; at most entriesMax entries are live.
        const entriesMax = 64;
        const queue = new ExpiryQueue(entriesMax);
        draws.forEach(([expiryMs, stays], seq) => {
          if (live.size === entriesMax) live.delete(Math.min(...live));
          live.add(seq);
          queue.push(expiryMs, seq, seq, 0, isLive);
          if (!stays) live.delete(seq);
        });
        const popped: [number, number][] = [];
        while (queue.size > 0) {
          const slot = queue.topSlot;
          const expiryMs = queue.topExpiryMs;
          queue.pop();
          if (live.has(slot)) popped.push([expiryMs, slot]);
        }
        const expected = draws
          .map(([expiryMs], seq) => [expiryMs, seq] as [number, number])
          .filter(([, seq]) => live.has(seq))
          .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        expect(popped).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });
});
