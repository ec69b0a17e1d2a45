// The verifier's parallel half: a chunk of whole export lines (raw bytes, as read from the file)
// checked on its own, so that chunks can be verified on every core at once. For each line it
// checks the fixed layout, the seq (consecutive within the chunk), the link to the line before,
// the entry hash recomputed from the exact field bytes, and the seq inside the hashed fields; it
// hashes the RFC 9162 leaves and folds them into aligned perfect subtrees, split at every anchored
// size. It only proves or declines: a chunk it cannot prove is re-verified line by line by
// AuditExportVerifier, which alone names failures. Hot path: no per-line Buffer, string or JSON;
// the entry hash taken over the line's own bytes, rearranged in place rather than copied; one-shot
// hashes that return latin1 strings (a returned Buffer costs more than the hashing).
import { isUtf8 } from 'node:buffer';
import { hash } from 'node:crypto';
import { assert } from '../assert.js';
import { AUDIT_EXPORT_LINE_BYTES_MAX, type AuditExportVerifier, type ExportChunkSummary } from './audit-export.js';
import { MERKLE_HASH_BYTES } from './merkle.js';

/**
 * A constant byte string kept as little-endian 32-bit words plus its last 0..3 bytes: compared
 * through a DataView four bytes at a time (a byte loop costs about four times as much).
 */
class ByteConstant {
  readonly bytes: Buffer;
  readonly words: Int32Array;

  constructor(text: string) {
    this.bytes = Buffer.from(text, 'latin1');
    this.words = Int32Array.from({ length: this.bytes.length >> 2 }, (_, i) => this.bytes.readInt32LE(4 * i));
  }

  /** Does `bytes` (with `view` over the same bytes) hold this constant at `at`? */
  isAt(view: DataView, bytes: Uint8Array, at: number): boolean {
    if (at < 0 || at + this.bytes.length > bytes.length) return false;
    for (let i = 0; i < this.words.length; i += 1) if (view.getInt32(at + 4 * i, true) !== this.words[i]) return false;
    for (let i = 4 * this.words.length; i < this.bytes.length; i += 1) if (bytes[at + i] !== this.bytes[i]) return false;
    return true;
  }
}

const PREFIX_SEQ = new ByteConstant('{"seq":"');
const PREV = new ByteConstant('","prevHash":"');
const HASH = new ByteConstant('","hash":"');
const FIELDS = new ByteConstant('","fields":');
const SEQ_KEY = new ByteConstant('"seq":"');
/** Where the `q` of `"seq":"` sits in the key: the search runs on that rare byte (memchr), not on the quote JSON is full of. */
const SEQ_KEY_Q = 3;
const Q = 0x71;
const NEWLINE = 0x0a;
const QUOTE = 0x22;
const HEX_CHARS = 64;
/** `<prevHash hex>\n`: what the entry hash commits to before the fields. */
const PREIMAGE_HEAD_BYTES = HEX_CHARS + 1;
/** The preimage head overwrites this many whole words before the fields, and one byte more. */
const PREIMAGE_HEAD_WORDS = HEX_CHARS / 4;
/** Seqs up to 15 digits stay exact in a JS number; longer ones are left to the line-by-line path. */
const SEQ_DIGITS_MAX = 15;
/** For each byte value, its two lower-case hex digits as the little-endian 16-bit word they make in text. */
const HEX_PAIR = Uint16Array.from({ length: 256 }, (_, byte) => {
  const digit = (nibble: number) => (nibble < 10 ? 0x30 + nibble : 0x61 + nibble - 10);
  return digit(byte >> 4) | (digit(byte & 0x0f) << 8);
});

const NOT_VERIFIED: ExportChunkSummary = {
  verified: false, lines: 0, entries: 0, firstSeq: 0, firstPrevHash: '', lastHash: '', subtreeRoots: [], subtreeSizes: [],
};

/** Are the 64 bytes at `a` and at `b` the same? */
function sameHex(view: DataView, a: number, b: number): boolean {
  for (let i = 0; i < HEX_CHARS; i += 4) if (view.getInt32(a + i, true) !== view.getInt32(b + i, true)) return false;
  return true;
}

/**
 * Does `bytes[from, to)` contain `"seq":"<seq>"`? (the line-by-line check is fields.includes(...)).
 * `source` is `bytes` as a Buffer, for its native byte search.
 */
function containsSeq(view: DataView, bytes: Uint8Array, source: Buffer, from: number, to: number, seqAt: number, seqLength: number): boolean {
  const last = to - SEQ_KEY.bytes.length - seqLength - 1;
  for (let q = source.indexOf(Q, from + SEQ_KEY_Q); q >= 0 && q - SEQ_KEY_Q <= last; q = source.indexOf(Q, q + 1)) {
    const keyAt = q - SEQ_KEY_Q;
    if (!SEQ_KEY.isAt(view, bytes, keyAt)) continue;
    const digitsAt = keyAt + SEQ_KEY.bytes.length;
    let j = 0;
    while (j < seqLength && bytes[digitsAt + j] === bytes[seqAt + j]) j += 1;
    if (j === seqLength && bytes[digitsAt + seqLength] === QUOTE) return true;
  }
  return false;
}

/**
 * One per thread: holds the anchored sizes and the scratch buffers every line reuses. Not
 * re-entrant (the scratch is shared between calls), which a worker thread never needs.
 */
export class ExportChunkVerifier {
  private readonly leaf = Buffer.alloc(1 + MERKLE_HASH_BYTES);
  private readonly node = Buffer.alloc(1 + 2 * MERKLE_HASH_BYTES);
  /** What the in-place preimage head overwrites, kept to write back. */
  private readonly overwritten = new Int32Array(PREIMAGE_HEAD_WORDS);

  /** `anchorEnds`: the log sizes at which roots are anchored, ascending (AuditExportVerifier.anchorEnds()). */
  constructor(private readonly anchorEnds: Float64Array) {
    for (let i = 1; i < anchorEnds.length; i += 1) assert((anchorEnds[i] as number) > (anchorEnds[i - 1] as number), 'anchored sizes ascend');
    this.leaf[0] = 0x00;
    this.node[0] = 0x01;
  }

  private nodeHash(left: string, right: string): string {
    // A charCode loop, not Buffer.write: 32 bytes cost less than the call into the binding.
    for (let i = 0; i < MERKLE_HASH_BYTES; i += 1) {
      this.node[1 + i] = left.charCodeAt(i);
      this.node[1 + MERKLE_HASH_BYTES + i] = right.charCodeAt(i);
    }
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

  /**
   * SHA-256 of `<prevHash>\n<fields>` for the line whose fields start at `fieldsAt`, hashed in
   * place: the 65 bytes before the fields (the tail of the stored hash and `","fields":`) become
   * the prevHash and a newline for the one call and are then written back, so the chunk leaves
   * exactly as it came (a declined chunk is re-read line by line from these bytes).
   */
  private entryHashInPlace(view: DataView, bytes: Uint8Array, prevAt: number, fieldsAt: number, end: number): string {
    const headAt = fieldsAt - PREIMAGE_HEAD_BYTES;
    const overwritten = this.overwritten;
    for (let i = 0; i < PREIMAGE_HEAD_WORDS; i += 1) overwritten[i] = view.getInt32(headAt + 4 * i, true);
    const lastOverwritten = bytes[fieldsAt - 1] as number;
    bytes.copyWithin(headAt, prevAt, prevAt + HEX_CHARS);
    bytes[fieldsAt - 1] = NEWLINE;
    const entryHash = hash('sha256', new Uint8Array(bytes.buffer, bytes.byteOffset + headAt, end - 1 - headAt), 'binary');
    for (let i = 0; i < PREIMAGE_HEAD_WORDS; i += 1) view.setInt32(headAt + 4 * i, overwritten[i] as number, true);
    bytes[fieldsAt - 1] = lastOverwritten;
    return entryHash;
  }

  /** Verifies whole lines (each ending in a newline, except possibly the last one of the file). */
  verify(bytes: Uint8Array): ExportChunkSummary {
    // A line that is not UTF-8 hashes differently once decoded: the line-by-line path decides it.
    if (!isUtf8(bytes)) return NOT_VERIFIED;
    const source = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // The aligned perfect subtrees over the chunk's leaves, left to right: the summary hands them over as they stand.
    const subtreeRoots: string[] = [];
    const subtreeSizes: number[] = [];
    const subtreeStarts: number[] = [];
    let lines = 0;
    let entries = 0;
    let firstSeq = 0;
    let firstPrevHash = '';
    let lastHashAt = -1;
    let leafIndex = 0;
    // Subtrees starting below `barrier` end at or below an anchored size: none may grow across it.
    let barrier = 0;
    let nextAnchor = -1;
    for (let start = 0; start < bytes.length; ) {
      const newline = source.indexOf(NEWLINE, start);
      const end = newline < 0 ? bytes.length : newline;
      lines += 1;
      const lineStart = start;
      start = end + 1;
      if (end === lineStart) continue; // an empty line
      if (end - lineStart > AUDIT_EXPORT_LINE_BYTES_MAX || !PREFIX_SEQ.isAt(view, bytes, lineStart)) return NOT_VERIFIED;
      // {"seq":"<digits>","prevHash":"<64 hex>","hash":"<64 hex>","fields":{...}}
      const seqAt = lineStart + PREFIX_SEQ.bytes.length;
      let seq = 0;
      let seqEnd = seqAt;
      while (seqEnd < end && seqEnd - seqAt <= SEQ_DIGITS_MAX && (bytes[seqEnd] as number) >= 0x30 && (bytes[seqEnd] as number) <= 0x39) {
        seq = seq * 10 + ((bytes[seqEnd] as number) - 0x30);
        seqEnd += 1;
      }
      const seqLength = seqEnd - seqAt;
      if (seqLength === 0 || seqLength > SEQ_DIGITS_MAX || bytes[seqAt] === 0x30) return NOT_VERIFIED;
      const prevAt = seqEnd + PREV.bytes.length;
      const hashAt = prevAt + HEX_CHARS + HASH.bytes.length;
      const fieldsAt = hashAt + HEX_CHARS + FIELDS.bytes.length;
      if (
        fieldsAt >= end || !PREV.isAt(view, bytes, seqEnd) || !HASH.isAt(view, bytes, prevAt + HEX_CHARS) || !FIELDS.isAt(view, bytes, hashAt + HEX_CHARS) ||
        bytes[fieldsAt] !== 0x7b || bytes[end - 1] !== 0x7d
      ) {
        return NOT_VERIFIED;
      }
      if (entries === 0) {
        firstSeq = seq;
        firstPrevHash = source.toString('latin1', prevAt, prevAt + HEX_CHARS);
        leafIndex = seq - 1;
      } else if (seq !== firstSeq + entries || !sameHex(view, lastHashAt, prevAt)) {
        return NOT_VERIFIED;
      }
      // The stored hash must be the recomputed one in lower-case hex; its bytes become the leaf.
      const entryHash = this.entryHashInPlace(view, bytes, prevAt, fieldsAt, end);
      for (let i = 0; i < MERKLE_HASH_BYTES; i += 1) {
        const byte = entryHash.charCodeAt(i);
        if (view.getUint16(hashAt + 2 * i, true) !== HEX_PAIR[byte]) return NOT_VERIFIED;
        this.leaf[1 + i] = byte;
      }
      if (!containsSeq(view, bytes, source, fieldsAt, end - 1, seqAt, seqLength)) return NOT_VERIFIED;
      lastHashAt = hashAt;
      entries += 1;
      if (leafIndex >= nextAnchor) {
        // The chunk's first leaf, or the first one past an anchored size. One path for both, so the
        // optimised loop already knows it when the first anchor comes (a path it has not seen deoptimises it).
        barrier = leafIndex;
        nextAnchor = this.anchorAfter(leafIndex);
      }
      // The leaf joins the subtrees: two equal neighbours merge when the left one starts on a multiple of twice their size.
      let node = hash('sha256', this.leaf, 'binary');
      let size = 1;
      let nodeStart = leafIndex;
      for (let top = subtreeSizes.length - 1; top >= 0 && subtreeSizes[top] === size; top -= 1) {
        const leftStart = subtreeStarts[top] as number;
        if (leftStart < barrier || leftStart % (2 * size) !== 0) break;
        node = this.nodeHash(subtreeRoots.pop() as string, node);
        subtreeSizes.pop();
        subtreeStarts.pop();
        nodeStart = leftStart;
        size *= 2;
      }
      subtreeRoots.push(node);
      subtreeSizes.push(size);
      subtreeStarts.push(nodeStart);
      leafIndex += 1;
    }
    const lastHash = entries === 0 ? '' : source.toString('latin1', lastHashAt, lastHashAt + HEX_CHARS);
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
