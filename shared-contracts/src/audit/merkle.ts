// RFC 9162 (Certificate Transparency 2.0) Merkle trees, section 2.1: the tree head of any
// size, inclusion proofs and consistency proofs, and their verification. Pure functions over
// 32-byte SHA-256 hashes. Tree sizes and indices are plain numbers below 2^48 (JS bit operators
// are 32-bit, so every halving below is arithmetic, never `>>`).
import { createHash } from 'node:crypto';
import { assert } from '../assert.js';

export const MERKLE_HASH_BYTES = 32;
/** Trees larger than this are refused: far beyond any audit log, and exact in a JS number. */
export const MERKLE_TREE_SIZE_MAX = 2 ** 48;
/** A proof has at most one hash per level of the largest tree (plus one for consistency). */
export const MERKLE_PROOF_HASHES_MAX = 49;

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** The root of the empty tree: SHA-256 of the empty string. */
export const MERKLE_EMPTY_ROOT: Buffer = createHash('sha256').digest();

/** SHA-256(0x00 || leaf). */
export function merkleLeafHash(leaf: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(leaf).digest();
}

/** SHA-256(0x01 || left || right). */
export function merkleNodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

function assertSize(size: number, what: string): void {
  assert(Number.isSafeInteger(size) && size >= 0 && size <= MERKLE_TREE_SIZE_MAX, `${what} is a tree size within limit`);
}

/** The largest power of two strictly smaller than `n` (n >= 2). */
function splitPoint(n: number): number {
  assert(n >= 2, 'only a tree of two or more leaves splits');
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export interface MerkleFrontierState {
  readonly size: number;
  readonly hashes: readonly string[];
  readonly sizes: readonly number[];
}

/**
 * A compact range of the tree's right edge: the roots of the perfect subtrees that make up the
 * first `size` leaves, largest first. Appending is amortised O(1) hashes, the root O(log n):
 * the streaming verifier and the anchoring job keep one instead of every leaf.
 */
export class MerkleFrontier {
  private readonly hashes: Buffer[] = [];
  private readonly sizes: number[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The compact range as plain data (hex hashes), to persist between batches. */
  state(): MerkleFrontierState {
    return { size: this.count, hashes: this.hashes.map((h) => h.toString('hex')), sizes: [...this.sizes] };
  }

  /** A frontier continuing from a persisted state; the state is checked to be a valid compact range. */
  static restore(state: MerkleFrontierState): MerkleFrontier {
    const frontier = new MerkleFrontier();
    assert(state.hashes.length === state.sizes.length, 'one size per frontier hash');
    let total = 0;
    state.sizes.forEach((size, i) => {
      assert(Number.isInteger(Math.log2(size)) && (i === 0 || size < (state.sizes[i - 1] as number)), 'frontier subtrees are decreasing powers of two');
      total += size;
    });
    assert(total === state.size, 'frontier subtrees add up to the tree size');
    frontier.hashes.push(...state.hashes.map((h) => Buffer.from(h, 'hex')));
    frontier.sizes.push(...state.sizes);
    assert(frontier.hashes.every((h) => h.length === MERKLE_HASH_BYTES), 'frontier hashes are 32 bytes');
    frontier.count = state.size;
    return frontier;
  }

  append(leafHash: Buffer): void {
    assert(leafHash.length === MERKLE_HASH_BYTES, 'a leaf hash is 32 bytes');
    assert(this.count < MERKLE_TREE_SIZE_MAX, 'tree stays within its size limit');
    let hash = leafHash;
    let size = 1;
    while (this.sizes.length > 0 && this.sizes[this.sizes.length - 1] === size) {
      hash = merkleNodeHash(this.hashes.pop() as Buffer, hash);
      size += this.sizes.pop() as number;
    }
    this.hashes.push(hash);
    this.sizes.push(size);
    this.count += 1;
  }

  /** The RFC 9162 tree head of the leaves appended so far. */
  root(): Buffer {
    if (this.hashes.length === 0) return MERKLE_EMPTY_ROOT;
    let root = this.hashes[this.hashes.length - 1] as Buffer;
    for (let i = this.hashes.length - 2; i >= 0; i -= 1) root = merkleNodeHash(this.hashes[i] as Buffer, root);
    return root;
  }
}

/** MTH(D[n]) over leaf hashes. */
export function merkleRoot(leafHashes: readonly Buffer[]): Buffer {
  const frontier = new MerkleFrontier();
  for (const leafHash of leafHashes) frontier.append(leafHash);
  return frontier.root();
}

/** MTH of leafHashes[from, to), to - from >= 1. */
function subtreeRoot(leafHashes: readonly Buffer[], from: number, to: number): Buffer {
  const n = to - from;
  if (n === 1) return leafHashes[from] as Buffer;
  const k = splitPoint(n);
  return merkleNodeHash(subtreeRoot(leafHashes, from, from + k), subtreeRoot(leafHashes, from + k, to));
}

/** PATH(m, D[n]) of RFC 9162 2.1.3.1: the inclusion proof of leaf `index` in the tree of all `leafHashes`. */
export function merkleInclusionProof(leafHashes: readonly Buffer[], index: number): Buffer[] {
  assertSize(leafHashes.length, 'tree size');
  assert(Number.isSafeInteger(index) && index >= 0 && index < leafHashes.length, 'leaf index inside the tree');
  const proof: Buffer[] = [];
  let from = 0;
  let to = leafHashes.length;
  let m = index;
  while (to - from > 1) {
    const k = splitPoint(to - from);
    if (m < k) {
      proof.push(subtreeRoot(leafHashes, from + k, to));
      to = from + k;
    } else {
      proof.push(subtreeRoot(leafHashes, from, from + k));
      from += k;
      m -= k;
    }
  }
  proof.reverse(); // PATH lists the sibling nearest the leaf first
  assert(proof.length < MERKLE_PROOF_HASHES_MAX, 'inclusion proof within limit');
  return proof;
}

/** PROOF(m, D[n]) of RFC 9162 2.1.4.1: proves the tree of the first `size1` leaves is a prefix of all `leafHashes`. */
export function merkleConsistencyProof(leafHashes: readonly Buffer[], size1: number): Buffer[] {
  assertSize(leafHashes.length, 'tree size');
  assert(Number.isSafeInteger(size1) && size1 >= 0 && size1 <= leafHashes.length, 'old size within the new tree');
  if (size1 === 0 || size1 === leafHashes.length) return [];
  // SUBPROOF(m, D[from:to], b), unrolled; the recursion appends right-most last, so collect then reverse.
  const proof: Buffer[] = [];
  let from = 0;
  let to = leafHashes.length;
  let m = size1;
  let complete = true;
  for (;;) {
    const n = to - from;
    if (m === n) {
      if (!complete) proof.push(subtreeRoot(leafHashes, from, to));
      break;
    }
    const k = splitPoint(n);
    if (m <= k) {
      proof.push(subtreeRoot(leafHashes, from + k, to));
      to = from + k;
    } else {
      proof.push(subtreeRoot(leafHashes, from, from + k));
      from += k;
      m -= k;
      complete = false;
    }
  }
  proof.reverse();
  assert(proof.length <= MERKLE_PROOF_HASHES_MAX, 'consistency proof within limit');
  return proof;
}

const isHash = (value: Uint8Array): boolean => value.length === MERKLE_HASH_BYTES;

/** RFC 9162 2.1.3.2: the root an inclusion proof leads to, or null when the proof has the wrong shape. */
export function merkleRootFromInclusionProof(index: number, size: number, leafHash: Uint8Array, proof: readonly Uint8Array[]): Buffer | null {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || size > MERKLE_TREE_SIZE_MAX) return null;
  if (index < 0 || index >= size || !isHash(leafHash) || proof.length > MERKLE_PROOF_HASHES_MAX) return null;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leafHash);
  for (const p of proof) {
    if (!isHash(p) || sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = merkleNodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = merkleNodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

export function merkleVerifyInclusion(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  const computed = merkleRootFromInclusionProof(index, size, leafHash, proof);
  return computed !== null && isHash(root) && computed.equals(root);
}

/** RFC 9162 2.1.4.2: does `proof` show the tree of `size1` leaves (root1) is a prefix of the tree of `size2` (root2)? */
export function merkleVerifyConsistency(
  size1: number,
  size2: number,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 0 || size2 > MERKLE_TREE_SIZE_MAX) return false;
  if (size1 > size2 || !isHash(root1) || !isHash(root2) || proof.length > MERKLE_PROOF_HASHES_MAX) return false;
  if (size1 === size2) return proof.length === 0 && Buffer.from(root1).equals(root2);
  if (size1 === 0) return proof.length === 0; // the empty tree is a prefix of every tree
  if (proof.length === 0 || !proof.every(isHash)) return false;
  // When size1 is an exact power of two, root1 is itself the first node of the path.
  const path = Number.isInteger(Math.log2(size1)) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr: Buffer = Buffer.from(path[0] as Uint8Array);
  let sr: Buffer = Buffer.from(path[0] as Uint8Array);
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = merkleNodeHash(c, fr);
      sr = merkleNodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = merkleNodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(root1) && sr.equals(root2);
}
