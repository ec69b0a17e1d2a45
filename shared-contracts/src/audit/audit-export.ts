// The NDJSON export of an audit chain and its streaming verification, shared by the stacks
// (which write exports) and the standalone verifier (which trusts nothing but the export and
// the chain). Line 1 is a header; every other line is one entry with the canonical JSON of its
// hashed fields spelled out verbatim, so the verifier hashes the exact bytes without parsing
// and re-serialising them:
//   {"seq":"7","prevHash":"<64 hex>","hash":"<64 hex>","fields":{...canonical JSON...}}
// The Merkle trees anchored on chain are RFC 9162 trees over the whole log: leaf i is the
// 32-byte hash of entry i+1, and the root anchored for batch k is the tree head at the size
// the first k batches cover (so consecutive anchors are consistent, RFC 9162 2.1.4).
import { hash } from 'node:crypto';
import { assert } from '../assert.js';
import { AUDIT_GENESIS_HASH, canonicalJson, type CanonicalValue } from './hash-chain.js';
import { MERKLE_HASH_BYTES } from './merkle.js';

export const AUDIT_EXPORT_FORMAT = 'bulwark-audit-export/1';
/** A line longer than this is refused (an entry's fields are small; a giant line is an attack). */
export const AUDIT_EXPORT_LINE_BYTES_MAX = 1 << 20;
/** Anchored batches one verification takes (a batch per minute for 19 years). */
export const AUDIT_EXPORT_ANCHORS_MAX = 10_000_000;

export interface AuditExportHeader {
  readonly format: typeof AUDIT_EXPORT_FORMAT;
  readonly log: string;
  readonly fromSeq: string;
  readonly toSeq: string;
  readonly exportedAt: string;
  /** Informational only: the verifier takes the chain and the anchor contract from its caller. */
  readonly chainId?: number;
  readonly anchorContract?: string;
}

export interface AuditExportEntry {
  readonly seq: bigint;
  readonly prevHash: string;
  readonly hash: string;
  readonly fields: { readonly [key: string]: CanonicalValue | undefined };
}

export function auditExportHeaderLine(header: AuditExportHeader): string {
  return JSON.stringify({ type: 'header', ...header });
}

export function auditExportEntryLine(entry: AuditExportEntry): string {
  return `{"seq":"${entry.seq}","prevHash":"${entry.prevHash}","hash":"${entry.hash}","fields":${canonicalJson(entry.fields)}}`;
}

/** A root anchored on chain for one batch, as read from the AuditAnchor contract's events. */
export interface AnchoredBatch {
  readonly batchId: bigint;
  /** 64 hex characters, no 0x. */
  readonly root: string;
  readonly entryCount: bigint;
  readonly txHash?: string;
  readonly blockNumber?: number;
}

export type AuditExportFailureKind =
  | 'malformed_header'
  | 'malformed_line'
  | 'sequence_gap'
  | 'prev_hash_mismatch'
  | 'hash_mismatch'
  | 'seq_not_in_fields'
  | 'anchor_mismatch'
  | 'anchors_not_contiguous'
  | 'truncated_before_anchor';

export interface AuditExportFailure {
  readonly kind: AuditExportFailureKind;
  /** The first entry that fails (for an anchor: the first entry of the batch whose root differs). */
  readonly seq: string | null;
  readonly line: number;
  readonly detail: string;
}

export interface AuditExportReport {
  readonly ok: boolean;
  readonly entries: number;
  readonly lastSeq: string;
  /** Entries covered by roots anchored on chain and matched. */
  readonly anchoredEntries: number;
  readonly batchesMatched: number;
  readonly failure: AuditExportFailure | null;
}

const HEX64 = /^[0-9a-f]{64}$/;
const PREFIX_SEQ = '{"seq":"';
const PREV = '","prevHash":"';
const HASH = '","hash":"';
const FIELDS = '","fields":';

/** 32 raw bytes as a latin1 string: the cheapest form a one-shot hash returns and takes back. */
export const hexToBinary = (hex: string): string => Buffer.from(hex, 'hex').toString('latin1');
export const binaryToHex = (binary: string): string => Buffer.from(binary, 'latin1').toString('hex');

/**
 * What a chunk of whole entry lines proved on its own (ExportChunkVerifier), for the sequential
 * verifier to fold in: the chunk's first link and last hash to join it to its neighbours, and the
 * roots of the perfect Merkle subtrees covering its leaves, split at every anchored size.
 */
export interface ExportChunkSummary {
  /** Every line is a well-formed entry whose hash, link, seq and fields hold within the chunk. */
  readonly verified: boolean;
  /** Lines in the chunk, empty ones included. */
  readonly lines: number;
  readonly entries: number;
  /** The first entry's seq and prevHash (hex): they must continue the entries before the chunk. */
  readonly firstSeq: number;
  readonly firstPrevHash: string;
  /** The last entry's hash (hex). */
  readonly lastHash: string;
  /** Roots (32 bytes as latin1) and sizes of aligned perfect subtrees over the chunk's leaves, left to right. */
  readonly subtreeRoots: readonly string[];
  readonly subtreeSizes: readonly number[];
}

/**
 * Verifies an export line by line, in constant memory: the hash chain (every hash recomputed
 * from the exact field bytes, every link, no gaps) and, as entries stream past, the RFC 9162
 * root at every anchored size against the roots anchored on chain. Stops at the first failure.
 * This is the authority on the verdict: applyChunk() only takes in what a chunk verifier proved
 * and refuses anything it cannot take whole, and the caller then pushes that chunk's lines here.
 */
export class AuditExportVerifier {
  private lineNumber = 0;
  private headerSeen = false;
  private expectedSeq = 1;
  private prevHash = AUDIT_GENESIS_HASH;
  private failure: AuditExportFailure | null = null;
  // The compact range of the Merkle tree: subtree roots (32 bytes as latin1) and sizes, largest first.
  private frontierHashes: string[] = [];
  private frontierSizes: number[] = [];
  private size = 0;
  private readonly leaf = Buffer.alloc(1 + MERKLE_HASH_BYTES);
  private readonly node = Buffer.alloc(1 + 2 * MERKLE_HASH_BYTES);
  private readonly anchors: { readonly end: number; readonly root: string; readonly batch: AnchoredBatch }[] = [];
  private nextAnchor = 0;
  private batchStart = 1;

  constructor(anchoredBatches: readonly AnchoredBatch[]) {
    const sorted = [...anchoredBatches].sort((a, b) => (a.batchId < b.batchId ? -1 : a.batchId > b.batchId ? 1 : 0));
    let end = 0n;
    for (const [i, batch] of sorted.entries()) {
      if (batch.batchId !== BigInt(i + 1) || batch.entryCount < 1n || !HEX64.test(batch.root)) {
        this.fail('anchors_not_contiguous', null, `anchored batch ids must be 1..n with entries and a sha-256 root; found batch ${batch.batchId} at position ${i + 1}`);
        break;
      }
      end += batch.entryCount;
      assert(end <= BigInt(Number.MAX_SAFE_INTEGER), 'anchored sizes fit a safe integer');
      this.anchors.push({ end: Number(end), root: hexToBinary(batch.root), batch });
      assert(this.anchors.length <= AUDIT_EXPORT_ANCHORS_MAX, 'anchored batches within limit');
    }
    this.leaf[0] = 0x00;
    this.node[0] = 0x01;
  }

  /** The log sizes at which a root is anchored, ascending: where a chunk verifier splits its subtrees. */
  anchorEnds(): Float64Array {
    return Float64Array.from(this.anchors, (a) => a.end);
  }

  /** SHA-256(0x01 || left || right) through one reused buffer and a one-shot hash (the hot path). */
  private nodeHash(left: string, right: string): string {
    this.node.write(left, 1, 'binary');
    this.node.write(right, 1 + MERKLE_HASH_BYTES, 'binary');
    return hash('sha256', this.node, 'binary');
  }

  get failed(): AuditExportFailure | null {
    return this.failure;
  }

  get headerRead(): boolean {
    return this.headerSeen;
  }

  /** Entries verified so far. */
  get entries(): number {
    return this.size;
  }

  private fail(kind: AuditExportFailureKind, seq: string | null, detail: string): false {
    this.failure ??= { kind, seq, line: this.lineNumber, detail };
    return false;
  }

  /** Feeds one line (without its newline); false once the export has failed. */
  push(line: string): boolean {
    if (this.failure) return false;
    this.lineNumber += 1;
    if (!this.headerSeen) return this.header(line);
    if (line.length === 0) return true; // a trailing empty line
    if (line.length > AUDIT_EXPORT_LINE_BYTES_MAX) return this.fail('malformed_line', null, 'line too long');
    // Fixed layout: {"seq":"<digits>","prevHash":"<64>","hash":"<64>","fields":{...}}
    if (!line.startsWith(PREFIX_SEQ)) return this.fail('malformed_line', null, 'an entry line starts with {"seq":"');
    const seqEnd = line.indexOf('"', PREFIX_SEQ.length);
    const seq = line.slice(PREFIX_SEQ.length, seqEnd);
    const prevAt = seqEnd + PREV.length;
    const hashAt = prevAt + 64 + HASH.length;
    const fieldsAt = hashAt + 64 + FIELDS.length;
    if (
      seqEnd < 0 || line.slice(seqEnd, prevAt) !== PREV || line.slice(prevAt + 64, hashAt) !== HASH ||
      line.slice(hashAt + 64, fieldsAt) !== FIELDS || line.charCodeAt(fieldsAt) !== 0x7b || line.charCodeAt(line.length - 1) !== 0x7d
    ) {
      return this.fail('malformed_line', null, 'not an entry line of this export format');
    }
    if (seq !== String(this.expectedSeq)) return this.fail('sequence_gap', seq, `expected seq ${this.expectedSeq}, found ${seq}`);
    // prevHash must equal the previous (recomputed, hence hex) hash; a non-hex entry hash can never
    // equal a recomputed one: no separate format check is needed on the hot path.
    const prevHash = line.slice(prevAt, prevAt + 64);
    if (prevHash !== this.prevHash) return this.fail('prev_hash_mismatch', seq, 'prevHash is not the previous entry\'s hash');
    const entryHash = line.slice(hashAt, hashAt + 64);
    const fields = line.slice(fieldsAt, line.length - 1);
    if (hash('sha256', `${prevHash}\n${fields}`) !== entryHash) return this.fail('hash_mismatch', seq, 'the entry\'s hash does not match its fields');
    if (!fields.includes(`"seq":"${seq}"`)) return this.fail('seq_not_in_fields', seq, 'the hashed fields carry another seq');
    this.prevHash = entryHash;
    this.expectedSeq += 1;
    return this.appendLeaf(entryHash, seq);
  }

  private header(line: string): boolean {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return this.fail('malformed_header', null, 'the first line is not JSON');
    }
    const header = parsed as Partial<AuditExportHeader> & { type?: unknown };
    if (header.type !== 'header' || header.format !== AUDIT_EXPORT_FORMAT) return this.fail('malformed_header', null, `the first line is a ${AUDIT_EXPORT_FORMAT} header`);
    if (header.fromSeq !== '1') return this.fail('malformed_header', null, 'only whole-chain exports (from seq 1) verify against the anchors');
    this.headerSeen = true;
    return true;
  }

  private appendLeaf(entryHash: string, seq: string): boolean {
    this.leaf.write(entryHash, 1, 'hex');
    this.appendSubtree(hash('sha256', this.leaf, 'binary'), 1);
    const anchor = this.anchors[this.nextAnchor];
    if (anchor && anchor.end === this.size) return this.checkAnchor(seq);
    return true;
  }

  /** Appends the root of a perfect subtree of `size` leaves that starts at the current tree size. */
  private appendSubtree(subtreeRoot: string, size: number): void {
    let node = subtreeRoot;
    let nodeSize = size;
    while (this.frontierSizes.length > 0 && this.frontierSizes[this.frontierSizes.length - 1] === nodeSize) {
      node = this.nodeHash(this.frontierHashes.pop() as string, node);
      nodeSize += this.frontierSizes.pop() as number;
    }
    this.frontierHashes.push(node);
    this.frontierSizes.push(nodeSize);
    this.size += size;
  }

  /** The tree now has exactly the size of the next anchor: its root must be the anchored root. */
  private checkAnchor(lastSeq: string): boolean {
    const anchor = this.anchors[this.nextAnchor];
    assert(anchor !== undefined && anchor.end === this.size, 'an anchor is checked at its size');
    const root = this.root();
    if (root !== anchor.root) {
      const detail = `batch ${anchor.batch.batchId} (entries ${this.batchStart}..${lastSeq}): root ${binaryToHex(root)} is not the root anchored on chain ${anchor.batch.root}`;
      return this.fail('anchor_mismatch', String(this.batchStart), detail);
    }
    this.nextAnchor += 1;
    this.batchStart = this.size + 1;
    return true;
  }

  private root(): string {
    let root = this.frontierHashes[this.frontierHashes.length - 1] as string;
    for (let i = this.frontierHashes.length - 2; i >= 0; i -= 1) root = this.nodeHash(this.frontierHashes[i] as string, root);
    return root;
  }

  /**
   * Takes in a chunk of whole lines that follows the lines pushed so far, as an ExportChunkSummary
   * proved it: it joins the chunk to its predecessor (seq and link) and folds its subtrees into the
   * tree, checking every anchored root it reaches. Returns false, changing nothing, when the chunk
   * is not verified or does not join or fold cleanly: the caller then pushes its lines one by one,
   * so a verdict (and the first failure it names) is always this class's own.
   */
  applyChunk(chunk: ExportChunkSummary): boolean {
    if (this.failure || !this.headerSeen || !chunk.verified) return false;
    if (chunk.entries > 0 && (chunk.firstSeq !== this.expectedSeq || chunk.firstPrevHash !== this.prevHash)) return false;
    assert(chunk.subtreeRoots.length === chunk.subtreeSizes.length, 'one size per subtree root');
    const saved = { hashes: [...this.frontierHashes], sizes: [...this.frontierSizes], size: this.size, nextAnchor: this.nextAnchor, batchStart: this.batchStart };
    let folded = 0;
    for (const [i, subtreeRoot] of chunk.subtreeRoots.entries()) {
      const size = chunk.subtreeSizes[i] as number;
      const anchor = this.anchors[this.nextAnchor];
      // A subtree is aligned to its size and never straddles an anchored size; the root there must match.
      let joins = size >= 1 && this.size % size === 0 && (anchor === undefined || this.size + size <= anchor.end);
      if (joins) {
        this.appendSubtree(subtreeRoot, size);
        folded += size;
        if (anchor?.end === this.size) joins = this.root() === anchor.root;
        if (joins && anchor?.end === this.size) {
          this.nextAnchor += 1;
          this.batchStart = this.size + 1;
        }
      }
      if (!joins) {
        this.frontierHashes = saved.hashes;
        this.frontierSizes = saved.sizes;
        this.size = saved.size;
        this.nextAnchor = saved.nextAnchor;
        this.batchStart = saved.batchStart;
        return false;
      }
    }
    assert(folded === chunk.entries, 'a chunk folds exactly its entries into the tree');
    this.lineNumber += chunk.lines;
    if (chunk.entries > 0) {
      this.expectedSeq += chunk.entries;
      this.prevHash = chunk.lastHash;
    }
    return true;
  }

  /** The verdict once every line was pushed. */
  finish(): AuditExportReport {
    if (!this.failure && !this.headerSeen) this.fail('malformed_header', null, 'the export is empty');
    const pending = this.anchors[this.nextAnchor];
    if (!this.failure && pending) {
      const detail = `the export ends at seq ${this.expectedSeq - 1} but batch ${pending.batch.batchId} anchored entries up to seq ${pending.end}`;
      this.fail('truncated_before_anchor', String(this.expectedSeq), detail);
    }
    const matched = this.anchors.slice(0, this.nextAnchor);
    return {
      ok: this.failure === null,
      entries: this.size,
      lastSeq: String(this.expectedSeq - 1),
      anchoredEntries: matched.at(-1)?.end ?? 0,
      batchesMatched: matched.length,
      failure: this.failure,
    };
  }
}
