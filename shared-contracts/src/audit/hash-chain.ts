// The audit hash chain both stacks keep: each entry's hash commits to the previous entry's
// hash and to the entry's own fields in one canonical spelling, so any edit, deletion or
// reordering breaks every later link. Pure functions: the stacks store, the verifier recomputes.
import { createHash } from 'node:crypto';
import { assert } from '../assert.js';

/** The `prevHash` of the first entry of a chain. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);
export const AUDIT_CANONICAL_DEPTH_MAX = 32;

export type CanonicalValue = string | number | boolean | null | readonly CanonicalValue[] | { readonly [key: string]: CanonicalValue | undefined };

/**
 * JSON with object keys sorted by code unit and no whitespace (the RFC 8785 ordering for the
 * values an audit entry holds). Integers only: an amount is a decimal string, never a float.
 */
export function canonicalJson(value: CanonicalValue, depth = 0): string {
  assert(depth <= AUDIT_CANONICAL_DEPTH_MAX, 'canonical value nested within limit');
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    assert(Number.isSafeInteger(value), 'canonical numbers are safe integers');
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map((item: CanonicalValue) => canonicalJson(item, depth + 1)).join(',')}]`;
  const object = value as { readonly [key: string]: CanonicalValue | undefined };
  const keys = Object.keys(object)
    .filter((key) => object[key] !== undefined)
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key] as CanonicalValue, depth + 1)}`).join(',')}}`;
}

const HASH_HEX = /^[0-9a-f]{64}$/;

/** sha-256 (hex) of `prevHash`, a newline and the canonical entry. */
export function auditEntryHash(prevHash: string, entry: { readonly [key: string]: CanonicalValue | undefined }): string {
  assert(HASH_HEX.test(prevHash), 'previous hash is sha-256 hex');
  const hash = createHash('sha256').update(prevHash).update('\n').update(canonicalJson(entry)).digest('hex');
  assert(hash.length === 64, 'entry hash is sha-256 hex');
  return hash;
}

export interface ChainedEntry {
  readonly seq: bigint;
  readonly prevHash: string;
  readonly hash: string;
  /** Every hashed field except prevHash and hash themselves. */
  readonly fields: { readonly [key: string]: CanonicalValue | undefined };
}

export type ChainBreak =
  | { readonly seq: bigint; readonly kind: 'sequence_gap'; readonly expectedSeq: bigint }
  | { readonly seq: bigint; readonly kind: 'prev_hash_mismatch' }
  | { readonly seq: bigint; readonly kind: 'hash_mismatch' };

/**
 * Walks entries in sequence order from `start` (the genesis by default) and returns the first
 * break, or null when every link holds. Streaming: it keeps only the previous entry.
 */
export function findFirstBreak(
  entries: Iterable<ChainedEntry>,
  start: { readonly seq: bigint; readonly hash: string } = { seq: 0n, hash: AUDIT_GENESIS_HASH },
): ChainBreak | null {
  let expectedSeq = start.seq + 1n;
  let prevHash = start.hash;
  for (const entry of entries) {
    if (entry.seq !== expectedSeq) return { seq: entry.seq, kind: 'sequence_gap', expectedSeq };
    if (entry.prevHash !== prevHash) return { seq: entry.seq, kind: 'prev_hash_mismatch' };
    if (auditEntryHash(entry.prevHash, entry.fields) !== entry.hash) return { seq: entry.seq, kind: 'hash_mismatch' };
    prevHash = entry.hash;
    expectedSeq += 1n;
  }
  return null;
}
