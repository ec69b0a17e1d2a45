// A two-level bitset over level ranks: finding the next non-empty price level after the best
// one empties costs a few word operations instead of a scan over every tick. Bit i of the
// summary says whether word i of the bitset has any bit set.

import { assert } from './assert.js';

function lowestBit(word: number): number {
  return 31 - Math.clz32(word & -word);
}

export class RankBitset {
  readonly bitsCount: number;
  private readonly words: Uint32Array;
  private readonly summary: Uint32Array;

  constructor(bitsCount: number) {
    assert(Number.isInteger(bitsCount) && bitsCount > 0, 'bitset size > 0');
    this.bitsCount = bitsCount;
    this.words = new Uint32Array((bitsCount + 31) >>> 5);
    this.summary = new Uint32Array((this.words.length + 31) >>> 5);
  }

  has(bit: number): boolean {
    return ((this.words[bit >>> 5] ?? 0) & (1 << (bit & 31))) !== 0;
  }

  set(bit: number): void {
    const w = bit >>> 5;
    this.words[w] = (this.words[w] ?? 0) | (1 << (bit & 31));
    this.summary[w >>> 5] = (this.summary[w >>> 5] ?? 0) | (1 << (w & 31));
  }

  clear(bit: number): void {
    const w = bit >>> 5;
    const word = (this.words[w] ?? 0) & ~(1 << (bit & 31));
    this.words[w] = word;
    if (word === 0) this.summary[w >>> 5] = (this.summary[w >>> 5] ?? 0) & ~(1 << (w & 31));
  }

  /** Smallest set bit >= from, or -1. */
  nextSetBit(from: number): number {
    if (from >= this.bitsCount) return -1;
    const words = this.words;
    const summary = this.summary;
    let w = from >>> 5;
    const bits = (words[w] ?? 0) & (-1 << (from & 31));
    if (bits !== 0) return (w << 5) + lowestBit(bits);
    w += 1;
    let s = w >>> 5;
    if (s >= summary.length) return -1;
    let sbits = (summary[s] ?? 0) & (-1 << (w & 31));
    while (sbits === 0) {
      s += 1;
      if (s >= summary.length) return -1;
      sbits = summary[s] ?? 0;
    }
    const word = (s << 5) + lowestBit(sbits);
    const found = (word << 5) + lowestBit(words[word] ?? 0);
    assert(found >= from && found < this.bitsCount, 'bitset summary out of sync');
    return found;
  }
}
