// External order id → pool slot, in constant time and without allocation: open addressing with
// linear probing over one typed array of (key, slot) pairs (a probe touches one cache line),
// and backward-shift deletion so no tombstones accumulate. Capacity is a power of two at
// least twice the pool size, so the load factor stays <= 0.5.
//
// The home bucket keeps an id's low bits and mixes in its high bits: ids handed out in
// sequence (what a gateway does) land in neighbouring buckets without colliding, which keeps
// the working set in cache, while ids that differ only in high bits are still spread.

import { assert } from './assert.js';

const emptyKey = -1;

export class OrderIdMap {
  /** [key0, slot0, key1, slot1, …]; key -1 marks an empty bucket. */
  private readonly table: Float64Array;
  private readonly mask: number;
  private readonly bits: number;
  private readonly entriesMax: number;
  size = 0;

  constructor(entriesMax: number) {
    assert(Number.isInteger(entriesMax) && entriesMax > 0, 'entriesMax > 0');
    let capacity = 16;
    while (capacity < entriesMax * 2) capacity *= 2;
    assert(capacity <= 2 ** 30, 'id map capacity');
    this.table = new Float64Array(capacity * 2).fill(emptyKey);
    this.mask = capacity - 1;
    this.bits = Math.log2(capacity);
    this.entriesMax = entriesMax;
  }

  private home(id: number): number {
    const low = id >>> 0;
    const high = (id / 4294967296) >>> 0;
    const upper = (low >>> this.bits) ^ Math.imul(high, 0x85ebca6b);
    return (low ^ (Math.imul(upper, 0x9e3779b1) >>> (32 - this.bits))) & this.mask;
  }

  /** The slot of `id`, or -1. */
  get(id: number): number {
    const table = this.table;
    let i = this.home(id);
    for (;;) {
      const key = table[2 * i];
      if (key === id) return table[2 * i + 1] ?? -1;
      if (key === emptyKey) return -1;
      i = (i + 1) & this.mask;
    }
  }

  /** Inserts a new id (the caller checked it is absent). */
  insert(id: number, slot: number): void {
    assert(this.size < this.entriesMax, 'id map full');
    const table = this.table;
    let i = this.home(id);
    while (table[2 * i] !== emptyKey) {
      assert(table[2 * i] !== id, 'id map insert of a present id');
      i = (i + 1) & this.mask;
    }
    table[2 * i] = id;
    table[2 * i + 1] = slot;
    this.size += 1;
  }

  /** Removes a present id. */
  remove(id: number): void {
    const table = this.table;
    const mask = this.mask;
    let i = this.home(id);
    while (table[2 * i] !== id) {
      assert(table[2 * i] !== emptyKey, 'id map remove of an absent id');
      i = (i + 1) & mask;
    }
    // Backward shift: pull later entries of the probe run into the hole.
    let hole = i;
    let j = (i + 1) & mask;
    for (;;) {
      const key = table[2 * j] ?? emptyKey;
      if (key === emptyKey) break;
      const h = this.home(key);
      // The entry at j may move to the hole if the hole lies on its probe path (h … j).
      if (((hole - h) & mask) < ((j - h) & mask)) {
        table[2 * hole] = key;
        table[2 * hole + 1] = table[2 * j + 1] ?? -1;
        hole = j;
      }
      j = (j + 1) & mask;
    }
    table[2 * hole] = emptyKey;
    this.size -= 1;
  }
}
