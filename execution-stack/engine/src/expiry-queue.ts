// GTD expiries as a binary min-heap on (expiryMs, seq) in typed arrays. Entries are never
// removed on cancel or fill: each carries the slot's generation, and a popped entry whose
// generation no longer matches is stale and skipped. Ordering by (expiryMs, seq) is total, so
// an engine restored from a snapshot expires orders in exactly the same order.

import { assert } from './assert.js';

export class ExpiryQueue {
  private expiryMs: Float64Array;
  private seq: Float64Array;
  private slot: Int32Array;
  private generation: Uint32Array;
  private readonly entriesMax: number;
  size = 0;

  constructor(entriesMax: number) {
    assert(Number.isInteger(entriesMax) && entriesMax > 0, 'entriesMax > 0');
    this.entriesMax = entriesMax;
    const initial = Math.min(entriesMax, 1024);
    this.expiryMs = new Float64Array(initial);
    this.seq = new Float64Array(initial);
    this.slot = new Int32Array(initial);
    this.generation = new Uint32Array(initial);
  }

  get topExpiryMs(): number {
    assert(this.size > 0, 'peek of an empty expiry queue');
    return this.expiryMs[0] ?? 0;
  }
  get topSlot(): number {
    return this.slot[0] ?? -1;
  }
  get topGeneration(): number {
    return this.generation[0] ?? 0;
  }

  /** `isLive(slot, generation)` lets a full queue drop its stale entries before growing. */
  push(expiryMs: number, seq: number, slot: number, generation: number, isLive: (slot: number, generation: number) => boolean): void {
    if (this.size === this.expiryMs.length) this.makeRoom(isLive);
    let i = this.size;
    this.size += 1;
    // Sift up.
    while (i > 0) {
      const parent = (i - 1) >>> 1;
      if (!this.less(expiryMs, seq, this.expiryMs[parent] ?? 0, this.seq[parent] ?? 0)) break;
      this.move(parent, i);
      i = parent;
    }
    this.write(i, expiryMs, seq, slot, generation);
  }

  pop(): void {
    assert(this.size > 0, 'pop of an empty expiry queue');
    this.size -= 1;
    const last = this.size;
    if (last === 0) return;
    const e = this.expiryMs[last] ?? 0;
    const s = this.seq[last] ?? 0;
    const sl = this.slot[last] ?? -1;
    const g = this.generation[last] ?? 0;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= last) break;
      const right = left + 1;
      let child = left;
      if (right < last && this.less(this.expiryMs[right] ?? 0, this.seq[right] ?? 0, this.expiryMs[left] ?? 0, this.seq[left] ?? 0)) {
        child = right;
      }
      if (!this.less(this.expiryMs[child] ?? 0, this.seq[child] ?? 0, e, s)) break;
      this.move(child, i);
      i = child;
    }
    this.write(i, e, s, sl, g);
  }

  private less(e1: number, s1: number, e2: number, s2: number): boolean {
    return e1 < e2 || (e1 === e2 && s1 < s2);
  }

  private move(from: number, to: number): void {
    this.write(to, this.expiryMs[from] ?? 0, this.seq[from] ?? 0, this.slot[from] ?? -1, this.generation[from] ?? 0);
  }

  private write(i: number, expiryMs: number, seq: number, slot: number, generation: number): void {
    this.expiryMs[i] = expiryMs;
    this.seq[i] = seq;
    this.slot[i] = slot;
    this.generation[i] = generation;
  }

  /** Drops stale entries; grows (doubling, bounded by 2 × entriesMax) only if still crowded. */
  private makeRoom(isLive: (slot: number, generation: number) => boolean): void {
    const entries: [number, number, number, number][] = [];
    for (let i = 0; i < this.size; i++) {
      const slot = this.slot[i] ?? -1;
      const generation = this.generation[i] ?? 0;
      if (isLive(slot, generation)) entries.push([this.expiryMs[i] ?? 0, this.seq[i] ?? 0, slot, generation]);
    }
    let capacity = this.expiryMs.length;
    if (entries.length * 2 >= capacity) {
      capacity = Math.min(capacity * 2, this.entriesMax * 2);
      assert(entries.length < capacity, 'expiry queue over capacity');
      this.expiryMs = new Float64Array(capacity);
      this.seq = new Float64Array(capacity);
      this.slot = new Int32Array(capacity);
      this.generation = new Uint32Array(capacity);
    }
    // Sorted order is a valid heap.
    entries.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    this.size = entries.length;
    entries.forEach(([e, s, sl, g], i) => this.write(i, e, s, sl, g));
  }
}
