// External order id → pool slot, in constant time and without allocation: open addressing with
// linear probing over typed arrays, and backward-shift deletion so no tombstones accumulate.
// Capacity is a power of two at least twice the pool size, so the load factor stays <= 0.5.

import { assert } from './assert.js';

const emptyKey = -1;

export class OrderIdMap {
  private readonly keys: Float64Array;
  private readonly slots: Int32Array;
  private readonly mask: number;
  /** 32 - log2(capacity): Fibonacci hashing keeps the high bits of the product. */
  private readonly shift: number;
  private readonly entriesMax: number;
  size = 0;

  constructor(entriesMax: number) {
    assert(Number.isInteger(entriesMax) && entriesMax > 0, 'entriesMax > 0');
    let capacity = 16;
    while (capacity < entriesMax * 2) capacity *= 2;
    this.keys = new Float64Array(capacity).fill(emptyKey);
    this.slots = new Int32Array(capacity);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity);
    this.entriesMax = entriesMax;
  }

  private home(id: number): number {
    // Mixes both 32-bit halves so ids above 2^32 still spread.
    return Math.imul((id | 0) ^ ((id / 4294967296) | 0), 0x9e3779b1) >>> this.shift;
  }

  /** The slot of `id`, or -1. */
  get(id: number): number {
    const keys = this.keys;
    let i = this.home(id);
    for (;;) {
      const key = keys[i];
      if (key === id) return this.slots[i] ?? -1;
      if (key === emptyKey) return -1;
      i = (i + 1) & this.mask;
    }
  }

  /** Inserts a new id (the caller checked it is absent). */
  insert(id: number, slot: number): void {
    assert(this.size < this.entriesMax, 'id map full');
    const keys = this.keys;
    let i = this.home(id);
    while (keys[i] !== emptyKey) {
      assert(keys[i] !== id, 'id map insert of a present id');
      i = (i + 1) & this.mask;
    }
    keys[i] = id;
    this.slots[i] = slot;
    this.size += 1;
  }

  /** Removes a present id. */
  remove(id: number): void {
    const keys = this.keys;
    const slots = this.slots;
    const mask = this.mask;
    let i = this.home(id);
    while (keys[i] !== id) {
      assert(keys[i] !== emptyKey, 'id map remove of an absent id');
      i = (i + 1) & mask;
    }
    // Backward shift: pull later entries of the probe run into the hole.
    let hole = i;
    let j = (i + 1) & mask;
    for (;;) {
      const key = keys[j] ?? emptyKey;
      if (key === emptyKey) break;
      const h = this.home(key);
      // The entry at j may move to the hole if its home is not cyclically within (hole, j].
      const distHole = (hole - h) & mask;
      const distJ = (j - h) & mask;
      if (distHole < distJ) {
        keys[hole] = key;
        slots[hole] = slots[j] ?? -1;
        hole = j;
      }
      j = (j + 1) & mask;
    }
    keys[hole] = emptyKey;
    this.size -= 1;
  }
}
