// The verifier's parallel half: a chunk of whole export lines (raw bytes, as read from the file)
// checked on its own, so that chunks can be verified on every core at once. For each line it
// checks the fixed layout, the seq (consecutive within the chunk), the link to the line before,
// the entry hash recomputed from the exact field bytes, and the seq inside the hashed fields; it
// hashes the RFC 9162 leaves and folds them into aligned perfect subtrees, split at every anchored
// size. It only proves or declines: a chunk it cannot prove is re-verified line by line by
// AuditExportVerifier, which alone names failures. Hot path: no per-line Buffer, string or JSON;
// one-shot hashes that return latin1 strings (a returned Buffer costs more than the hashing).
import { isUtf8 } from 'node:buffer';
import { hash } from 'node:crypto';
import { assert } from '../assert.js';
import { AUDIT_EXPORT_LINE_BYTES_MAX, type AuditExportVerifier, type ExportChunkSummary } from './audit-export.js';
import { MERKLE_HASH_BYTES } from './merkle.js';

const PREFIX_SEQ = Buffer.from('{"seq":"', 'binary');
const PREV = Buffer.from('","prevHash":"', 'binary');
const HASH = Buffer.from('","hash":"', 'binary');
const FIELDS = Buffer.from('","fields":', 'binary');
const SEQ_KEY = Buffer.from('"seq":"', 'binary');
const NEWLINE = 0x0a;
const QUOTE = 0x22;
/** Seqs up to 15 digits stay exact in a JS number; longer ones are left to the line-by-line path. */
const SEQ_DIGITS_MAX = 15;
/** Hex digit values of lower-case hex (the only spelling a recomputed hash has); -1 otherwise. */
const HEX_VALUE = Int8Array.from({ length: 256 }, (_, c) => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x61 + 10 : -1));

const NOT_VERIFIED: ExportChunkSummary = {
  verified: false, lines: 0, entries: 0, firstSeq: 0, firstPrevHash: '', lastHash: '', subtreeRoots: [], subtreeSizes: [],
};

function matchesAt(bytes: Uint8Array, at: number, expected: Uint8Array): boolean {
  if (at + expected.length > bytes.length) return false;
  for (let i = 0; i < expected.length; i += 1) if (bytes[at + i] !== expected[i]) return false;
  return true;
}

/** Does `bytes[from, to)` contain `"seq":"<seq>"`? (the line-by-line check is fields.includes(...)). */
function containsSeq(bytes: Buffer, from: number, to: number, seqAt: number, seqLength: number): boolean {
  const last = to - SEQ_KEY.length - seqLength - 1;
  // Native search for the key (JSON has a quote every few bytes: a JS scan stops at each one).
  for (let i = bytes.indexOf(SEQ_KEY, from); i >= 0 && i <= last; i = bytes.indexOf(SEQ_KEY, i + 1)) {
    let j = 0;
    while (j < seqLength && bytes[i + SEQ_KEY.length + j] === bytes[seqAt + j]) j += 1;
    if (j === seqLength && bytes[i + SEQ_KEY.length + seqLength] === QUOTE) return true;
  }
  return false;
}

/**
 * One per thread: holds the anchored sizes and the scratch buffers every line reuses. Not
 * re-entrant (the scratch is shared between calls), which a worker thread never needs.
 */
export class ExportChunkVerifier {
  /** `<prevHash hex>\n<fields>`: the bytes an entry hash commits to, assembled in place. */
  private readonly preimage = Buffer.alloc(64 + 1 + AUDIT_EXPORT_LINE_BYTES_MAX);
  private readonly leaf = Buffer.alloc(1 + MERKLE_HASH_BYTES);
  private readonly node = Buffer.alloc(1 + 2 * MERKLE_HASH_BYTES);

  /** `anchorEnds`: the log sizes at which roots are anchored, ascending (AuditExportVerifier.anchorEnds()). */
  constructor(private readonly anchorEnds: Float64Array) {
    for (let i = 1; i < anchorEnds.length; i += 1) assert((anchorEnds[i] as number) > (anchorEnds[i - 1] as number), 'anchored sizes ascend');
    this.preimage[64] = NEWLINE;
    this.leaf[0] = 0x00;
    this.node[0] = 0x01;
  }

  private nodeHash(left: string, right: string): string {
    this.node.write(left, 1, 'binary');
    this.node.write(right, 1 + MERKLE_HASH_BYTES, 'binary');
    return hash('sha256', this.node, 'binary');
  }

  /** The first anchored size above `size` (Infinity when none). */
  private anchorAfter(size: number): number {
    let lo = 0;
    let hi = this.anchorEnds.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.anchorEnds[mid] as number) <= size) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.anchorEnds.length ? (this.anchorEnds[lo] as number) : Number.POSITIVE_INFINITY;
  }

  /** Verifies whole lines (each ending in a newline, except possibly the last one of the file). */
  verify(bytes: Uint8Array): ExportChunkSummary {
    // A line that is not UTF-8 hashes differently once decoded: the line-by-line path decides it.
    if (!isUtf8(bytes)) return NOT_VERIFIED;
    const source = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const stackRoots: string[] = [];
    const stackSizes: number[] = [];
    const stackStarts: number[] = [];
    const subtreeRoots: string[] = [];
    const subtreeSizes: number[] = [];
    let lines = 0;
    let entries = 0;
    let firstSeq = 0;
    let firstPrevHash = '';
    let lastHashAt = -1;
    let leafIndex = 0;
    let nextAnchor = 0;
    for (let start = 0; start < bytes.length; ) {
      const newline = source.indexOf(NEWLINE, start);
      const end = newline < 0 ? bytes.length : newline;
      lines += 1;
      const lineStart = start;
      start = end + 1;
      if (end === lineStart) continue; // an empty line
      if (end - lineStart > AUDIT_EXPORT_LINE_BYTES_MAX || !matchesAt(bytes, lineStart, PREFIX_SEQ)) return NOT_VERIFIED;
      // {"seq":"<digits>","prevHash":"<64 hex>","hash":"<64 hex>","fields":{...}}
      const seqAt = lineStart + PREFIX_SEQ.length;
      let seq = 0;
      let seqEnd = seqAt;
      while (seqEnd < end && seqEnd - seqAt <= SEQ_DIGITS_MAX && (bytes[seqEnd] as number) >= 0x30 && (bytes[seqEnd] as number) <= 0x39) {
        seq = seq * 10 + ((bytes[seqEnd] as number) - 0x30);
        seqEnd += 1;
      }
      const seqLength = seqEnd - seqAt;
      if (seqLength === 0 || seqLength > SEQ_DIGITS_MAX || bytes[seqAt] === 0x30) return NOT_VERIFIED;
      const prevAt = seqEnd + PREV.length;
      const hashAt = prevAt + 64 + HASH.length;
      const fieldsAt = hashAt + 64 + FIELDS.length;
      if (
        fieldsAt >= end || !matchesAt(bytes, seqEnd, PREV) || !matchesAt(bytes, prevAt + 64, HASH) || !matchesAt(bytes, hashAt + 64, FIELDS) ||
        bytes[fieldsAt] !== 0x7b || bytes[end - 1] !== 0x7d
      ) {
        return NOT_VERIFIED;
      }
      if (entries === 0) {
        firstSeq = seq;
        firstPrevHash = source.toString('latin1', prevAt, prevAt + 64);
        leafIndex = seq - 1;
        nextAnchor = this.anchorAfter(leafIndex);
      } else if (seq !== firstSeq + entries || source.compare(source, lastHashAt, lastHashAt + 64, prevAt, prevAt + 64) !== 0) {
        return NOT_VERIFIED;
      }
      // The entry hash over `<prevHash>\n<fields>`, compared with the stored hex while decoding it into the leaf.
      source.copy(this.preimage, 0, prevAt, prevAt + 64);
      source.copy(this.preimage, 65, fieldsAt, end - 1);
      const entryHash = hash('sha256', this.preimage.subarray(0, 65 + end - 1 - fieldsAt), 'binary');
      for (let i = 0; i < MERKLE_HASH_BYTES; i += 1) {
        const high = HEX_VALUE[bytes[hashAt + 2 * i] as number] as number;
        const low = HEX_VALUE[bytes[hashAt + 2 * i + 1] as number] as number;
        const byte = (high << 4) | low;
        if (high < 0 || low < 0 || byte !== entryHash.charCodeAt(i)) return NOT_VERIFIED;
        this.leaf[1 + i] = byte;
      }
      if (!containsSeq(source, fieldsAt, end - 1, seqAt, seqLength)) return NOT_VERIFIED;
      lastHashAt = hashAt;
      entries += 1;
      // The leaf joins the aligned subtree stack: two equal neighbours merge when the left one starts on a multiple of twice their size.
      let node = hash('sha256', this.leaf, 'binary');
      let size = 1;
      let nodeStart = leafIndex;
      while (stackSizes.length > 0 && stackSizes[stackSizes.length - 1] === size && (stackStarts[stackStarts.length - 1] as number) % (2 * size) === 0) {
        node = this.nodeHash(stackRoots.pop() as string, node);
        nodeStart = stackStarts.pop() as number;
        size += stackSizes.pop() as number;
      }
      stackRoots.push(node);
      stackSizes.push(size);
      stackStarts.push(nodeStart);
      leafIndex += 1;
      if (leafIndex === nextAnchor) {
        // An anchored size: no subtree may straddle it, so the stack is handed over as it stands.
        subtreeRoots.push(...stackRoots.splice(0));
        subtreeSizes.push(...stackSizes.splice(0));
        stackStarts.length = 0;
        nextAnchor = this.anchorAfter(leafIndex);
      }
    }
    subtreeRoots.push(...stackRoots);
    subtreeSizes.push(...stackSizes);
    const lastHash = entries === 0 ? '' : source.toString('latin1', lastHashAt, lastHashAt + 64);
    return { verified: true, lines, entries, firstSeq, firstPrevHash, lastHash, subtreeRoots, subtreeSizes };
  }
}

/**
 * Folds one chunk of whole lines into the verifier: its summary when the verifier takes it whole,
 * else its lines one by one (so the first failure is named exactly as a line-by-line run would).
 * False once the export has failed.
 */
export function pushExportChunk(verifier: AuditExportVerifier, bytes: Uint8Array, summary: ExportChunkSummary): boolean {
  if (verifier.applyChunk(summary)) return true;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  let start = 0;
  for (let end = text.indexOf('\n', start); end >= 0; end = text.indexOf('\n', start)) {
    if (!verifier.push(text.slice(start, end))) return false;
    start = end + 1;
  }
  return start === text.length || verifier.push(text.slice(start));
}
