// The execution stack anchors its own audit table the way the customer stack anchors its log:
// every interval, or sooner once enough entries wait, the RFC 9162 root of the whole table is cut
// as a batch and handed to the chain module (ChainService.requestAnchor, log 'execution'), which
// anchors it in the execution AuditAnchor contract; the transaction and its block are recorded on the
// batch once the indexer has confirmed it (a reorganisation before then only rebroadcasts it).
// The operator's proofs are computed from the table (through ExecutionAuditService) and checked
// against the root the chain holds, so a row changed after anchoring is caught by the anchor even
// when the whole hash chain was rewritten consistently.
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import {
  ANCHOR_BATCHES_LISTED_MAX, ANCHOR_PROOF_TREE_SIZE_MAX, AnchorBatchTable, AnchorProofError, AuditRangeGap, MerkleFrontier, anchorBatchOf, assert, auditLeafOf, cutAnchorBatch,
  dueBatchRange, forEachAuditPage, merkleInclusionProof, merkleRoot, type AnchorBatch, type AnchoringPolicy,
} from '@bulwark/shared-contracts';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import type { SqlDatabase, SqlTx } from '@bulwark/shared-contracts/wall';
import { EXECUTION_AUDIT_RANGE_MAX, ExecutionAuditService } from '../audit/execution-audit.service.js';
import { ChainService, type AnchoredRoot } from '../chain/chain.service.js';

/** Batches one verification walks. */
export const EXECUTION_ANCHOR_BATCHES_VERIFIED_MAX = ANCHOR_BATCHES_LISTED_MAX;

export type ExecutionAnchoringPolicy = AnchoringPolicy;
export type ExecutionAnchorBatch = AnchorBatch;

export const EXECUTION_ANCHORING_POLICY = Symbol('EXECUTION_ANCHORING_POLICY');

/** The first anchored batch whose root the table no longer yields, or null when every one holds. */
export interface AnchorVerification {
  readonly batchesChecked: number;
  readonly entriesCovered: string;
  readonly firstMismatch: {
    readonly batchId: string; readonly firstSeq: string; readonly lastSeq: string; readonly rootOnChain: string | null; readonly rootOfTable: string;
  } | null;
  readonly chainBreak: { readonly seq: string; readonly kind: string } | null;
}

/** The execution table's batches; the time of a cut is when it was handed to the chain module. */
const BATCHES = new AnchorBatchTable('execution_audit_batch', 'cut_at');

@Injectable()
export class ExecutionAuditAnchoringService implements OnModuleInit {
  private readonly logger = new Logger(ExecutionAuditAnchoringService.name);

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(ExecutionAuditService) private readonly audit: ExecutionAuditService,
    @Inject(ChainService) private readonly chain: ChainService,
    @Inject(EXECUTION_ANCHORING_POLICY) private readonly policy: ExecutionAnchoringPolicy,
  ) {}

  onModuleInit(): void {
    this.chain.onAnchored('execution', (tx, anchored) => this.recordAnchored(tx, anchored));
  }

  /** The leaf hashes of entries fromSeq..toSeq, in pages; every entry must be there. */
  private async leavesOf(fromSeq: bigint, toSeq: bigint, visit: (leaf: Buffer) => void): Promise<void> {
    try {
      await forEachAuditPage(fromSeq, toSeq, EXECUTION_AUDIT_RANGE_MAX, (from, to) => this.audit.range(from, to), (page) => page.forEach((e) => visit(auditLeafOf(e.hash))));
    } catch (error) {
      if (error instanceof AuditRangeGap) throw new AnchorProofError('log_changed', `execution ${error.message}`);
      throw error;
    }
  }

  /**
   * Cuts the next batch when the policy says so (or `force`): due once enough entries wait or the
   * oldest waiting entry has waited the interval. Returns it, or null when nothing is due.
   */
  async cutBatch(now = new Date(), force = false): Promise<ExecutionAnchorBatch | null> {
    return this.db.transaction(async (tx) => {
      await BATCHES.lockForCut(tx);
      const last = await BATCHES.last(tx);
      const lastSeq = last ? BigInt(last.last_seq) : 0n;
      const head = await this.audit.head();
      const [oldest] = head.seq > lastSeq ? await this.audit.range(lastSeq + 1n, lastSeq + 1n) : [];
      const waitedMs = oldest ? now.getTime() - Date.parse(oldest.recordedAt) : 0;
      const range = dueBatchRange({ lastSeq, headSeq: head.seq, waitedMs, policy: this.policy, force });
      if (!range) return null;
      const cut = await cutAnchorBatch(last, range, (frontier) => this.leavesOf(range.firstSeq, range.lastSeq, (leaf) => frontier.append(leaf)));
      const row = await BATCHES.insert(tx, cut, now);
      const requested = await this.chain.requestAnchor(tx, 'execution', {
        batchId: Number(cut.batchId), merkleRoot: cut.merkleRoot, entryCount: Number(cut.entryCount), firstSeq: Number(cut.firstSeq), lastSeq: Number(cut.lastSeq),
      });
      assert(requested, 'a new batch is a new anchor request');
      this.logger.log({ event: 'execution-audit.anchor.requested', batchId: String(cut.batchId), lastSeq: String(cut.lastSeq) }, 'execution audit batch cut');
      return anchorBatchOf(row);
    });
  }

  /** The chain module's word that a batch is anchored at confirmed depth, in the transaction that marks it so. */
  private async recordAnchored(tx: SqlTx, a: AnchoredRoot): Promise<void> {
    const outcome = await BATCHES.markAnchored(tx, a, null);
    assert(outcome === 'anchored', 'an anchored execution root is a batch this module cut, anchored once');
  }

  async latestAnchored(): Promise<ExecutionAnchorBatch | null> {
    const row = await this.db.transaction((tx) => BATCHES.latestAnchored(tx));
    return row ? anchorBatchOf(row) : null;
  }

  /** Refuses to prove anything over a table whose hash chain no longer holds. */
  private async requireIntactChain(): Promise<void> {
    const broken = await this.audit.verify();
    if (broken) throw new AnchorProofError('log_changed', `execution audit entry ${broken.seq} breaks the hash chain (${broken.kind})`);
  }

  private async leaves(size: bigint): Promise<Buffer[]> {
    if (size > BigInt(ANCHOR_PROOF_TREE_SIZE_MAX)) throw new AnchorProofError('tree_too_large', `trees above ${ANCHOR_PROOF_TREE_SIZE_MAX} entries are not proved online`);
    const leaves: Buffer[] = [];
    await this.leavesOf(1n, size, (leaf) => leaves.push(leaf));
    return leaves;
  }

  /**
   * The inclusion proof of entry `seq` in the root of the first anchored batch that covers it,
   * with the anchoring transaction. The root is recomputed from the table and must be the root the
   * chain holds for that batch.
   */
  async inclusionProof(seq: bigint): Promise<{
    seq: string; entryHash: string; leafIndex: number; treeSize: string; proof: string[]; root: string; batch: ExecutionAnchorBatch;
  }> {
    const head = await this.audit.head();
    if (seq < 1n || seq > head.seq) throw new AnchorProofError('seq_out_of_range', `no execution audit entry ${seq}`);
    const row = await this.db.transaction((tx) => BATCHES.covering(tx, seq, true));
    if (!row) throw new AnchorProofError('not_anchored_yet', `execution audit entry ${seq} is not in an anchored batch yet`);
    await this.requireIntactChain();
    const leaves = await this.leaves(BigInt(row.last_seq));
    const root = merkleRoot(leaves).toString('hex');
    const onChain = await this.chain.rootOnChain('execution', Number(row.batch_id));
    if (root !== onChain) {
      throw new AnchorProofError('log_changed', `the table no longer yields the root anchored on chain for batch ${row.batch_id}: it was changed after anchoring`);
    }
    const [entry] = await this.audit.range(seq, seq);
    assert(entry !== undefined, 'a proved entry exists');
    const leafIndex = Number(seq - 1n);
    return {
      seq: seq.toString(), entryHash: entry.hash, leafIndex, treeSize: row.last_seq,
      proof: merkleInclusionProof(leaves, leafIndex).map((h) => h.toString('hex')), root, batch: anchorBatchOf(row),
    };
  }

  /**
   * Walks the hash chain, then recomputes the table's root at every anchored batch and compares
   * it with the root the chain holds: the first batch that differs names where the table changed.
   */
  async verifyAnchors(): Promise<AnchorVerification> {
    const broken = await this.audit.verify();
    const batches = await this.db.transaction((tx) => BATCHES.list(tx, true));
    const frontier = new MerkleFrontier();
    let checked = 0;
    for (const batch of batches) {
      try {
        await this.leavesOf(BigInt(frontier.size) + 1n, BigInt(batch.last_seq), (leaf) => frontier.append(leaf));
      } catch (error) {
        if (!(error instanceof AnchorProofError)) throw error;
      }
      const rootOfTable = frontier.root().toString('hex');
      const rootOnChain = await this.chain.rootOnChain('execution', Number(batch.batch_id));
      if (BigInt(frontier.size) !== BigInt(batch.last_seq) || rootOfTable !== rootOnChain) {
        return {
          batchesChecked: checked + 1, entriesCovered: String(frontier.size),
          firstMismatch: { batchId: batch.batch_id, firstSeq: batch.first_seq, lastSeq: batch.last_seq, rootOnChain, rootOfTable },
          chainBreak: broken ? { seq: broken.seq.toString(), kind: broken.kind } : null,
        };
      }
      checked += 1;
    }
    return { batchesChecked: checked, entriesCovered: String(frontier.size), firstMismatch: null, chainBreak: broken ? { seq: broken.seq.toString(), kind: broken.kind } : null };
  }
}
