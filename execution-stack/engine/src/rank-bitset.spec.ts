import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { RankBitset } from './rank-bitset.js';

describe('RankBitset', () => {
  it('finds the next set bit like a linear scan', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.array(fc.tuple(fc.boolean(), fc.nat()), { maxLength: 200 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (bits, ops, probes) => {
          const set = new RankBitset(bits);
          const model = new Set<number>();
          for (const [add, raw] of ops) {
            const bit = raw % bits;
            if (add) {
              set.set(bit);
              model.add(bit);
            } else {
              set.clear(bit);
              model.delete(bit);
            }
          }
          for (const raw of [0, ...probes]) {
            const from = raw % (bits + 1);
            let expected = -1;
            for (let b = from; b < bits; b++) {
              if (model.has(b)) {
                expected = b;
                break;
              }
            }
            expect(set.nextSetBit(from)).toBe(expected);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
