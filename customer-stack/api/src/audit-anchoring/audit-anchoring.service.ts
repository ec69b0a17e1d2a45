// Audit anchoring: every interval, or sooner once enough entries wait, the RFC 9162 root of the
// whole audit log is cut as a batch and only that root crosses the wall (audit.anchor-request.v1);
// the execution stack anchors it on chain and answers audit.anchored.v1. The auditor's proofs and
// the NDJSON export are computed from the chain the AuditService keeps (read through range/head).
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import {
  AUDIT_EXPORT_FORMAT, AUDIT_GENESIS_HASH, MerkleFrontier, assert, auditExportEntryLine, auditExportHeaderLine, merkleConsistencyProof, merkleInclusionProof,
  merkleLeafHash, merkleRoot, type MerkleFrontierState, type MessageBody,
} from '@bulwark/shared-contracts';
import { enqueueOutbound, type SqlDatabase, type SqlTx } from '@bulwark/shared-contracts/wall';
import { SQL_DATABASE, WallService } from '@bulwark/shared-contracts/platform';
import { AuditService, type AuditEntry } from '../audit/audit.service.js';
import { hashAuditEntry, hashedFieldsOf, type AuditRecordFields } from '../audit/audit-fields.js';
import { AUDIT_CHAIN_PAGE_MAX } from '../audit/audit-limits.js';

/** audit.anchor-request.v1 carries at most this many entries per batch. */
export const ANCHOR_BATCH_ENTRIES_MAX = 1_000_000;
/** Proofs are computed from the leaves; a tree larger than this is refused with a clear error. */
export const PROOF_TREE_SIZE_MAX = 5_000_000;

export interface AnchoringPolicy {
  /** Cut a batch once this many entries wait... */
  readonly entriesMax: number;
  /** ...or once the oldest waiting entry is this old. */
  readonly intervalMs: number;
}

export const ANCHORING_POLICY = Symbol('ANCHORING_POLICY');

export interface AnchorBatch {
  readonly batchId: string;
  readonly firstSeq: string;
  readonly lastSeq: string;
  readonly merkleRoot: string;
  readonly status: 'requested' | 'anchored';
  readonly chainId: number | null;
  readonly contractAddress: string | null;
  readonly txHash: string | null;
  readonly blockNumber: string | null;
}

export const AUDIT_PROOF_ERROR_CODES = ['seq_out_of_range', 'not_anchored_yet', 'sizes_invalid', 'tree_too_large', 'log_changed'] as const;
export type AuditProofErrorCode = (typeof AUDIT_PROOF_ERROR_CODES)[number];

export class AuditProofError extends Error {
  override readonly name = 'AuditProofError';
  constructor(readonly code: AuditProofErrorCode, message: string) {
    super(message);
  }
}

interface BatchRow {
  batch_id: string;
  first_seq: string;
  last_seq: string;
  merkle_root: string;
  frontier: MerkleFrontierState;
  status: 'requested' | 'anchored';
  chain_id: number | null;
  contract_address: string | null;
  tx_hash: string | null;
  block_number: string | null;
  requested_at: Date;
}

const toBatch = (row: BatchRow): AnchorBatch => ({
  batchId: row.batch_id, firstSeq: row.first_seq, lastSeq: row.last_seq, merkleRoot: row.merkle_root, status: row.status,
  chainId: row.chain_id, contractAddress: row.contract_address, txHash: row.tx_hash, blockNumber: row.block_number,
});

const leafOf = (entry: AuditEntry): Buffer => merkleLeafHash(Buffer.from(entry.hash, 'hex'));

@Injectable()
export class AuditAnchoringService implements OnModuleInit {
  private readonly logger = new Logger(AuditAnchoringService.name);

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(WallService) private readonly wall: WallService,
    @Inject(ANCHORING_POLICY) private readonly policy: AnchoringPolicy,
  ) {}

  onModuleInit(): void {
    this.wall.registerHandlers({ 'audit.anchored.v1': (tx, messages) => this.recordAnchored(tx, messages.map((m) => m.body)) });
  }

  /** Reads entries fromSeq..toSeq in pages, handing each page to `visit`. */
  private async forEachPage(fromSeq: bigint, toSeq: bigint, visit: (entries: AuditEntry[]) => void): Promise<void> {
    for (let from = fromSeq; from <= toSeq; from += BigInt(AUDIT_CHAIN_PAGE_MAX)) {
      const to = from + BigInt(AUDIT_CHAIN_PAGE_MAX) - 1n < toSeq ? from + BigInt(AUDIT_CHAIN_PAGE_MAX) - 1n : toSeq;
      const page = await this.audit.range(from, to);
      assert(page.length === Number(to - from + 1n), `audit entries ${from}..${to} are all present`);
      visit(page);
    }
  }

  /** Cuts the next batch when the policy says so (or `force`); returns it, or null when nothing is due. */
  async cutBatch(now = new Date(), force = false): Promise<AnchorBatch | null> {
    return this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('audit-anchoring:cut'))`);
      const [last] = await tx.query<BatchRow>(`SELECT * FROM audit_anchor_batch ORDER BY batch_id DESC LIMIT 1`);
      const lastSeq = last ? BigInt(last.last_seq) : 0n;
      const head = await this.audit.head(tx);
      if (head.seq <= lastSeq) return null;
      const waiting = head.seq - lastSeq;
      const sinceMs = now.getTime() - (last?.requested_at.getTime() ?? 0);
      if (!force && waiting < BigInt(this.policy.entriesMax) && sinceMs < this.policy.intervalMs) return null;
      const toSeq = waiting > BigInt(ANCHOR_BATCH_ENTRIES_MAX) ? lastSeq + BigInt(ANCHOR_BATCH_ENTRIES_MAX) : head.seq;
      const frontier = last ? MerkleFrontier.restore(last.frontier) : new MerkleFrontier();
      assert(BigInt(frontier.size) === lastSeq, 'the stored frontier covers exactly the anchored entries');
      await this.forEachPage(lastSeq + 1n, toSeq, (page) => page.forEach((entry) => frontier.append(leafOf(entry))));
      const batchId = last ? BigInt(last.batch_id) + 1n : 1n;
      const root = frontier.root().toString('hex');
      const [row] = await tx.query<BatchRow>(
        `INSERT INTO audit_anchor_batch (batch_id, first_seq, last_seq, entry_count, merkle_root, frontier, status, requested_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'requested', $7) RETURNING *`,
        [batchId, lastSeq + 1n, toSeq, toSeq - lastSeq, root, JSON.stringify(frontier.state()), now],
      );
      assert(row, 'batch stored');
      const body: MessageBody<'audit.anchor-request.v1'> = {
        batchId: Number(batchId), merkleRoot: root, entryCount: Number(toSeq - lastSeq), firstSeq: Number(lastSeq + 1n), lastSeq: Number(toSeq),
        requestedAt: now.toISOString(),
      };
      await enqueueOutbound(tx, [{ type: 'audit.anchor-request.v1', body }]);
      this.wall.nudge();
      this.logger.log({ event: 'audit.anchor.requested', batchId: String(batchId), lastSeq: String(toSeq) }, 'audit batch cut');
      return toBatch(row);
    });
  }

  /** Records the execution stack's answers (the wall handler of audit.anchored.v1). */
  async recordAnchored(tx: SqlTx, answers: readonly MessageBody<'audit.anchored.v1'>[]): Promise<void> {
    for (const a of answers) {
      const updated = await tx.query(
        `UPDATE audit_anchor_batch SET status = 'anchored', chain_id = $3, contract_address = $4, tx_hash = $5, block_number = $6, anchored_at = $7
          WHERE batch_id = $1 AND merkle_root = $2 RETURNING batch_id`,
        [a.batchId, a.merkleRoot, a.chainId, a.contractAddress, a.txHash, a.blockNumber, a.anchoredAt],
      );
      // An answer naming a root we never sent is an alarm, never a silent update.
      if (updated.length === 0) this.logger.error({ event: 'audit.anchor.unknown', batchId: a.batchId, root: a.merkleRoot }, 'anchored root matches no batch');
    }
  }

  async batches(): Promise<AnchorBatch[]> {
    return this.db.transaction(async (tx) => (await tx.query<BatchRow>(`SELECT * FROM audit_anchor_batch ORDER BY batch_id LIMIT 10000`)).map(toBatch));
  }

  /**
   * The leaf hashes of the first `size` entries, each entry's hash recomputed from its fields and
   * its link checked on the way: a proof is never built over a log that no longer holds together.
   */
  private async leaves(size: bigint): Promise<Buffer[]> {
    if (size > BigInt(PROOF_TREE_SIZE_MAX)) throw new AuditProofError('tree_too_large', `trees above ${PROOF_TREE_SIZE_MAX} entries are proved from the export`);
    const leaves: Buffer[] = [];
    let prevHash = AUDIT_GENESIS_HASH;
    let broken: bigint | null = null;
    await this.forEachPage(1n, size, (page) => {
      for (const entry of page) {
        const recomputed = hashAuditEntry(entry.prevHash, { ...entry, diff: entry.diff as AuditRecordFields['diff'] });
        if (broken === null && (entry.prevHash !== prevHash || recomputed !== entry.hash)) broken = entry.seq;
        prevHash = entry.hash;
        leaves.push(leafOf(entry));
      }
    });
    if (broken !== null) throw new AuditProofError('log_changed', `audit entry ${String(broken)} no longer matches the chain`);
    return leaves;
  }

  /** The inclusion proof of entry `seq` in the tree of the first batch anchored (or requested) at or after it. */
  async inclusionProof(seq: bigint): Promise<{
    seq: string; entryHash: string; leafIndex: number; treeSize: string; proof: string[]; root: string; batch: AnchorBatch;
  }> {
    const [row] = await this.db.transaction((tx) => tx.query<BatchRow>(`SELECT * FROM audit_anchor_batch WHERE first_seq <= $1 AND last_seq >= $1 LIMIT 1`, [seq]));
    if (seq < 1n || !row) {
      const head = await this.audit.head();
      if (seq < 1n || seq > head.seq) throw new AuditProofError('seq_out_of_range', `no audit entry ${seq}`);
      throw new AuditProofError('not_anchored_yet', `entry ${seq} is not in an anchored batch yet`);
    }
    const leaves = await this.leaves(BigInt(row.last_seq)).catch((error: unknown) => {
      // a deleted entry leaves the range short: the log changed after anchoring
      if (error instanceof AuditProofError) throw error;
      throw new AuditProofError('log_changed', `entries of batch ${row.batch_id} are missing: ${error instanceof Error ? error.message : String(error)}`);
    });
    const [entry] = await this.audit.range(seq, seq);
    if (!entry) throw new AuditProofError('log_changed', `entry ${seq} is missing`);
    const root = merkleRoot(leaves).toString('hex');
    // The stored batch root is what went on chain: a difference means the log changed since.
    if (root !== row.merkle_root) {
      throw new AuditProofError('log_changed', `the log no longer has the root anchored for batch ${row.batch_id}: it was changed after anchoring`);
    }
    const leafIndex = Number(seq - 1n);
    return {
      seq: seq.toString(), entryHash: entry.hash, leafIndex, treeSize: row.last_seq,
      proof: merkleInclusionProof(leaves, leafIndex).map((h) => h.toString('hex')), root, batch: toBatch(row),
    };
  }

  /** The RFC 9162 consistency proof between the trees of `from` and `to` entries, with both roots. */
  async consistencyProof(from: bigint, to: bigint): Promise<{ from: string; to: string; fromRoot: string; toRoot: string; proof: string[] }> {
    const head = await this.audit.head();
    if (from < 1n || to < from || to > head.seq) throw new AuditProofError('sizes_invalid', `need 1 <= from <= to <= ${head.seq}`);
    const leaves = await this.leaves(to);
    return {
      from: from.toString(), to: to.toString(),
      fromRoot: merkleRoot(leaves.slice(0, Number(from))).toString('hex'), toRoot: merkleRoot(leaves).toString('hex'),
      proof: merkleConsistencyProof(leaves, Number(from)).map((h) => h.toString('hex')),
    };
  }

  /** The NDJSON export of the whole chain up to the head, line by line (header first). */
  async *exportLines(): AsyncGenerator<string> {
    const head = await this.audit.head();
    const anchored = (await this.batches()).filter((b) => b.status === 'anchored').at(-1);
    yield `${auditExportHeaderLine({
      format: AUDIT_EXPORT_FORMAT, log: 'customer', fromSeq: '1', toSeq: head.seq.toString(), exportedAt: new Date().toISOString(),
      ...(anchored?.chainId && anchored.contractAddress ? { chainId: anchored.chainId, anchorContract: anchored.contractAddress } : {}),
    })}\n`;
    for (let from = 1n; from <= head.seq; from += BigInt(AUDIT_CHAIN_PAGE_MAX)) {
      const to = from + BigInt(AUDIT_CHAIN_PAGE_MAX) - 1n < head.seq ? from + BigInt(AUDIT_CHAIN_PAGE_MAX) - 1n : head.seq;
      const page = await this.audit.range(from, to);
      yield page
        .map((e) => `${auditExportEntryLine({
          seq: e.seq, prevHash: e.prevHash, hash: e.hash, fields: hashedFieldsOf({ ...e, diff: e.diff as AuditRecordFields['diff'] }),
        })}\n`)
        .join('');
    }
  }
}
