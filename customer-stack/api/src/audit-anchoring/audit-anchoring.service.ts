// Audit anchoring: every interval, or sooner once enough entries wait, the RFC 9162 root of the
// whole audit log is cut as a batch and only that root crosses the wall (audit.anchor-request.v1);
// the execution stack anchors it on chain and answers audit.anchored.v1. The auditor's proofs and
// the NDJSON export are computed from the chain the AuditService keeps (read through range/head).
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import {
  ANCHOR_PROOF_TREE_SIZE_MAX, AUDIT_EXPORT_FORMAT, AnchorProofError, AUDIT_GENESIS_HASH, AnchorBatchTable, anchorBatchOf, auditExportEntryLine, auditExportHeaderLine,
  auditLeafOf, cutAnchorBatch, dueBatchRange, forEachAuditPage, merkleConsistencyProof, merkleInclusionProof, merkleRoot,
  type AnchorBatch, type AnchoringPolicy, type MessageBody,
} from '@bulwark/shared-contracts';
import { enqueueOutbound, type SqlDatabase, type SqlTx } from '@bulwark/shared-contracts/wall';
import { SQL_DATABASE, WallService } from '@bulwark/shared-contracts/platform';
import { AuditService, type AuditEntry } from '../audit/audit.service.js';
import { hashAuditEntry, hashedFieldsOf, type AuditRecordFields } from '../audit/audit-fields.js';
import { AUDIT_CHAIN_PAGE_MAX } from '../audit/audit-limits.js';

export type { AnchorBatch, AnchoringPolicy };
export const ANCHORING_POLICY = Symbol('ANCHORING_POLICY');

/** The customer log's batches; the time of a cut is when its root was requested across the wall. */
const BATCHES = new AnchorBatchTable('audit_anchor_batch', 'requested_at');

const leafOf = (entry: AuditEntry): Buffer => auditLeafOf(entry.hash);

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
  private forEachPage(fromSeq: bigint, toSeq: bigint, visit: (entries: readonly AuditEntry[]) => void): Promise<void> {
    return forEachAuditPage(fromSeq, toSeq, AUDIT_CHAIN_PAGE_MAX, (from, to) => this.audit.range(from, to), visit);
  }

  /**
   * Cuts the next batch when the policy says so (or `force`): due once enough entries wait or the
   * interval has passed since the last batch was requested. Returns it, or null when nothing is due.
   */
  async cutBatch(now = new Date(), force = false): Promise<AnchorBatch | null> {
    return this.db.transaction(async (tx) => {
      await BATCHES.lockForCut(tx);
      const last = await BATCHES.last(tx);
      const head = await this.audit.head(tx);
      const waitedMs = now.getTime() - (last?.cut_at.getTime() ?? 0);
      const range = dueBatchRange({ lastSeq: last ? BigInt(last.last_seq) : 0n, headSeq: head.seq, waitedMs, policy: this.policy, force });
      if (!range) return null;
      const cut = await cutAnchorBatch(last, range, (frontier) => this.forEachPage(range.firstSeq, range.lastSeq, (page) => page.forEach((e) => frontier.append(leafOf(e)))));
      const row = await BATCHES.insert(tx, cut, now);
      const body: MessageBody<'audit.anchor-request.v1'> = {
        batchId: Number(cut.batchId), merkleRoot: cut.merkleRoot, entryCount: Number(cut.entryCount), firstSeq: Number(cut.firstSeq), lastSeq: Number(cut.lastSeq),
        requestedAt: now.toISOString(),
      };
      await enqueueOutbound(tx, [{ type: 'audit.anchor-request.v1', body }]);
      this.wall.nudge();
      this.logger.log({ event: 'audit.anchor.requested', batchId: String(cut.batchId), lastSeq: String(cut.lastSeq) }, 'audit batch cut');
      return anchorBatchOf(row);
    });
  }

  /** Records the execution stack's answers (the wall handler of audit.anchored.v1). */
  async recordAnchored(tx: SqlTx, answers: readonly MessageBody<'audit.anchored.v1'>[]): Promise<void> {
    for (const a of answers) {
      const outcome = await BATCHES.markAnchored(tx, a, new Date(a.anchoredAt));
      // An answer naming a root we never sent is an alarm, never a silent update.
      if (outcome === 'unknown') this.logger.error({ event: 'audit.anchor.unknown', batchId: a.batchId, root: a.merkleRoot }, 'anchored root matches no batch');
    }
  }

  async batches(): Promise<AnchorBatch[]> {
    return this.db.transaction(async (tx) => (await BATCHES.list(tx, false)).map(anchorBatchOf));
  }

  /**
   * The leaf hashes of the first `size` entries, each entry's hash recomputed from its fields and
   * its link checked on the way: a proof is never built over a log that no longer holds together.
   */
  private async leaves(size: bigint): Promise<Buffer[]> {
    if (size > BigInt(ANCHOR_PROOF_TREE_SIZE_MAX)) throw new AnchorProofError('tree_too_large', `trees above ${ANCHOR_PROOF_TREE_SIZE_MAX} entries are proved from the export`);
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
    if (broken !== null) throw new AnchorProofError('log_changed', `audit entry ${String(broken)} no longer matches the chain`);
    return leaves;
  }

  /** The inclusion proof of entry `seq` in the tree of the first batch anchored (or requested) at or after it. */
  async inclusionProof(seq: bigint): Promise<{
    seq: string; entryHash: string; leafIndex: number; treeSize: string; proof: string[]; root: string; batch: AnchorBatch;
  }> {
    const row = await this.db.transaction((tx) => BATCHES.covering(tx, seq, false));
    if (seq < 1n || !row) {
      const head = await this.audit.head();
      if (seq < 1n || seq > head.seq) throw new AnchorProofError('seq_out_of_range', `no audit entry ${seq}`);
      throw new AnchorProofError('not_anchored_yet', `entry ${seq} is not in an anchored batch yet`);
    }
    const leaves = await this.leaves(BigInt(row.last_seq)).catch((error: unknown) => {
      // a deleted entry leaves the range short: the log changed after anchoring
      if (error instanceof AnchorProofError) throw error;
      throw new AnchorProofError('log_changed', `entries of batch ${row.batch_id} are missing: ${error instanceof Error ? error.message : String(error)}`);
    });
    const [entry] = await this.audit.range(seq, seq);
    if (!entry) throw new AnchorProofError('log_changed', `entry ${seq} is missing`);
    const root = merkleRoot(leaves).toString('hex');
    // The stored batch root is what went on chain: a difference means the log changed since.
    if (root !== row.merkle_root) {
      throw new AnchorProofError('log_changed', `the log no longer has the root anchored for batch ${row.batch_id}: it was changed after anchoring`);
    }
    const leafIndex = Number(seq - 1n);
    return {
      seq: seq.toString(), entryHash: entry.hash, leafIndex, treeSize: row.last_seq,
      proof: merkleInclusionProof(leaves, leafIndex).map((h) => h.toString('hex')), root, batch: anchorBatchOf(row),
    };
  }

  /** The RFC 9162 consistency proof between the trees of `from` and `to` entries, with both roots. */
  async consistencyProof(from: bigint, to: bigint): Promise<{ from: string; to: string; fromRoot: string; toRoot: string; proof: string[] }> {
    const head = await this.audit.head();
    if (from < 1n || to < from || to > head.seq) throw new AnchorProofError('sizes_invalid', `need 1 <= from <= to <= ${head.seq}`);
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
