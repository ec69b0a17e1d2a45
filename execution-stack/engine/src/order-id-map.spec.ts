import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { OrderIdMap } from './order-id-map.js';

describe('OrderIdMap', () => {
  it('behaves like a Map under random inserts and removes, collisions included', () => {
    // A small id space forces collisions; huge ids exercise the mixing of the upper half.
    const idArb = fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), idArb, fc.nat(1000)), { maxLength: 300 }), (ops) => {
        const entriesMax = 24; // 64 buckets: long probe runs, wrap-around and backward shifts
        const map = new OrderIdMap(entriesMax);
        const model = new Map<number, number>();
        for (const [add, id, slot] of ops) {
          if (add && !model.has(id) && model.size < entriesMax) {
            map.insert(id, slot);
            model.set(id, slot);
          } else if (!add && model.has(id)) {
            map.remove(id);
            model.delete(id);
          }
          expect(map.size).toBe(model.size);
          for (const [k, v] of model) expect(map.get(k)).toBe(v);
          expect(map.get(id)).toBe(model.get(id) ?? -1);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('keeps a displaced id reachable after the id before it in the probe run is removed', () => {
    const map = new OrderIdMap(24);
    map.insert(0, 10);
    map.insert(64, 11); // same home bucket as 0 with 64 buckets
    map.insert(1, 12); // pushed one bucket on by 64
    map.remove(0);
    expect(map.get(64)).toBe(11);
    expect(map.get(1)).toBe(12);
    expect(map.get(0)).toBe(-1);
  });

  it('refuses to grow past entriesMax and to remove an absent id', () => {
    const map = new OrderIdMap(1);
    map.insert(7, 0);
    expect(() => map.insert(8, 1)).toThrow('id map full');
    expect(() => map.remove(9)).toThrow('absent id');
  });
});
