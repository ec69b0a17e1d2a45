// The execution stack anchors its own audit table the way the customer stack anchors its log:
// every interval, or sooner once enough entries wait, the RFC 9162 root of the whole table is cut
// as a batch and handed to the chain module (ChainService.requestAnchor, log 'execution'), which
// anchors it in the execution AuditAnchor contract; the mined transaction is recorded on the batch.
// The operator's proofs are computed from the table (through ExecutionAuditService) and checked
// against the root the chain holds, so a row changed after anchoring is caught by the anchor even
// when the whole hash chain was rewritten consistently.
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { MerkleFrontier, assert, merkleInclusionProof, merkleLeafHash, merkleRoot, type MerkleFrontierState } from '@bulwark/shared-contracts';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import type { SqlDatabase, SqlTx } from '@bulwark/shared-contracts/wall';
import { EXECUTION_AUDIT_RANGE_MAX, ExecutionAuditService, type ExecutionAuditEntry } from '../audit/execution-audit.service.js';
import { ChainService, type AnchoredRoot } from '../chain/chain.service.js';

/** One batch covers at most this many entries (the anchor request's limit). */
export const EXECUTION_ANCHOR_BATCH_ENTRIES_MAX = 1_000_000;
/** Proofs are computed from the leaves; a larger table is refused with a clear error. */
export const EXECUTION_PROOF_TREE_SIZE_MAX = 5_000_000;
/** Batches one verification walks. */
export const EXECUTION_ANCHOR_BATCHES_VERIFIED_MAX = 10_000;

export interface ExecutionAnchoringPolicy {
  /** Cut a batch once this many entries wait... */
  readonly entriesMax: number;
  /** ...or once the oldest waiting entry is this old. */
  readonly intervalMs: number;
}

export const EXECUTION_ANCHORING_POLICY = Symbol('EXECUTION_ANCHORING_POLICY');

export interface ExecutionAnchorBatch {
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

export const EXECUTION_PROOF_ERROR_CODES = ['seq_out_of_range', 'not_anchored_yet', 'tree_too_large', 'log_changed'] as const;
export type ExecutionProofErrorCode = (typeof EXECUTION_PROOF_ERROR_CODES)[number];

export class ExecutionProofError extends Error {
  override readonly name = 'ExecutionProofError';
  constructor(readonly code: ExecutionProofErrorCode, message: string) {
    super(message);
  }
}

/** The first anchored batch whose root the table no longer yields, or null when every one holds. */
export interface AnchorVerification {
  readonly batchesChecked: number;
  readonly entriesCovered: string;
  readonly firstMismatch: {
    readonly batchId: string; readonly firstSeq: string; readonly lastSeq: string; readonly rootOnChain: string | null; readonly rootOfTable: string;
  } | null;
  readonly chainBreak: { readonly seq: string; readonly kind: string } | null;
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
  cut_at: Date;
}

const toBatch = (row: BatchRow): ExecutionAnchorBatch => ({
  batchId: row.batch_id, firstSeq: row.first_seq, lastSeq: row.last_seq, merkleRoot: row.merkle_root, status: row.status,
  chainId: row.chain_id, contractAddress: row.contract_address, txHash: row.tx_hash, blockNumber: row.block_number,
});

const leafOf = (entry: ExecutionAuditEntry): Buffer => merkleLeafHash(Buffer.from(entry.hash, 'hex'));

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
    for (let from = fromSeq; from <= toSeq; from += BigInt(EXECUTION_AUDIT_RANGE_MAX)) {
      const to = from + BigInt(EXECUTION_AUDIT_RANGE_MAX) - 1n < toSeq ? from + BigInt(EXECUTION_AUDIT_RANGE_MAX) - 1n : toSeq;
      const page = await this.audit.range(from, to);
      if (page.length !== Number(to - from + 1n)) throw new ExecutionProofError('log_changed', `execution audit entries ${from}..${to} are not all present`);
      page.forEach((entry) => visit(leafOf(entry)));
    }
  }

  /** Cuts the next batch when the policy says so (or `force`); returns it, or null when nothing is due. */
  async cutBatch(now = new Date(), force = false): Promise<ExecutionAnchorBatch | null> {
    return this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('execution-audit-anchoring:cut'))`);
      const [last] = await tx.query<BatchRow>(`SELECT * FROM execution_audit_batch ORDER BY batch_id DESC LIMIT 1`);
      const lastSeq = last ? BigInt(last.last_seq) : 0n;
      const head = await this.audit.head();
      if (head.seq <= lastSeq) return null;
      const waiting = head.seq - lastSeq;
      // Due once enough entries wait, or once the oldest waiting entry has waited the interval.
      const [oldest] = await this.audit.range(lastSeq + 1n, lastSeq + 1n);
      const waitedMs = oldest ? now.getTime() - Date.parse(oldest.recordedAt) : 0;
      if (!force && waiting < BigInt(this.policy.entriesMax) && waitedMs < this.policy.intervalMs) return null;
      const toSeq = waiting > BigInt(EXECUTION_ANCHOR_BATCH_ENTRIES_MAX) ? lastSeq + BigInt(EXECUTION_ANCHOR_BATCH_ENTRIES_MAX) : head.seq;
      const frontier = last ? MerkleFrontier.restore(last.frontier) : new MerkleFrontier();
      assert(BigInt(frontier.size) === lastSeq, 'the stored frontier covers exactly the batched entries');
      await this.leavesOf(lastSeq + 1n, toSeq, (leaf) => frontier.append(leaf));
      const batchId = last ? BigInt(last.batch_id) + 1n : 1n;
      const root = frontier.root().toString('hex');
      const [row] = await tx.query<BatchRow>(
        `INSERT INTO execution_audit_batch (batch_id, first_seq, last_seq, entry_count, merkle_root, frontier, status, cut_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'requested', $7) RETURNING *`,
        [batchId, lastSeq + 1n, toSeq, toSeq - lastSeq, root, JSON.stringify(frontier.state()), now],
      );
      assert(row, 'batch stored');
      const requested = await this.chain.requestAnchor(tx, 'execution', {
        batchId: Number(batchId), merkleRoot: root, entryCount: Number(toSeq - lastSeq), firstSeq: Number(lastSeq + 1n), lastSeq: Number(toSeq),
      });
      assert(requested, 'a new batch is a new anchor request');
      this.logger.log({ event: 'execution-audit.anchor.requested', batchId: String(batchId), lastSeq: String(toSeq) }, 'execution audit batch cut');
      return toBatch(row);
    });
  }

  /** The chain module's word that a batch is anchored, in the transaction that marks it so. */
  private async recordAnchored(tx: SqlTx, a: AnchoredRoot): Promise<void> {
    const updated = await tx.query(
      `UPDATE execution_audit_batch SET status = 'anchored', chain_id = $3, contract_address = $4, tx_hash = $5, block_number = $6, anchored_at = clock_timestamp()
        WHERE batch_id = $1 AND merkle_root = $2 AND status = 'requested' RETURNING batch_id`,
      [a.batchId, a.merkleRoot, a.chainId, a.contractAddress, a.txHash, a.blockNumber],
    );
    assert(updated.length === 1, 'an anchored execution root is a batch this module cut');
  }

  async latestAnchored(): Promise<ExecutionAnchorBatch | null> {
    const [row] = await this.db.transaction((tx) => tx.query<BatchRow>(`SELECT * FROM execution_audit_batch WHERE status = 'anchored' ORDER BY batch_id DESC LIMIT 1`));
    return row ? toBatch(row) : null;
  }

  /** Refuses to prove anything over a table whose hash chain no longer holds. */
  private async requireIntactChain(): Promise<void> {
    const broken = await this.audit.verify();
    if (broken) throw new ExecutionProofError('log_changed', `execution audit entry ${broken.seq} breaks the hash chain (${broken.kind})`);
  }

  private async leaves(size: bigint): Promise<Buffer[]> {
    if (size > BigInt(EXECUTION_PROOF_TREE_SIZE_MAX)) throw new ExecutionProofError('tree_too_large', `trees above ${EXECUTION_PROOF_TREE_SIZE_MAX} entries are not proved online`);
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
    if (seq < 1n || seq > head.seq) throw new ExecutionProofError('seq_out_of_range', `no execution audit entry ${seq}`);
    const [row] = await this.db.transaction((tx) => tx.query<BatchRow>(
      `SELECT * FROM execution_audit_batch WHERE first_seq <= $1 AND last_seq >= $1 AND status = 'anchored' LIMIT 1`, [seq],
    ));
    if (!row) throw new ExecutionProofError('not_anchored_yet', `execution audit entry ${seq} is not in an anchored batch yet`);
    await this.requireIntactChain();
    const leaves = await this.leaves(BigInt(row.last_seq));
    const root = merkleRoot(leaves).toString('hex');
    const onChain = await this.chain.rootOnChain('execution', Number(row.batch_id));
    if (root !== onChain) {
      throw new ExecutionProofError('log_changed', `the table no longer yields the root anchored on chain for batch ${row.batch_id}: it was changed after anchoring`);
    }
    const [entry] = await this.audit.range(seq, seq);
    assert(entry !== undefined, 'a proved entry exists');
    const leafIndex = Number(seq - 1n);
    return {
      seq: seq.toString(), entryHash: entry.hash, leafIndex, treeSize: row.last_seq,
      proof: merkleInclusionProof(leaves, leafIndex).map((h) => h.toString('hex')), root, batch: toBatch(row),
    };
  }

  /**
   * Walks the hash chain, then recomputes the table's root at every anchored batch and compares
   * it with the root the chain holds: the first batch that differs names where the table changed.
   */
  async verifyAnchors(): Promise<AnchorVerification> {
    const broken = await this.audit.verify();
    const batches = await this.db.transaction((tx) => tx.query<BatchRow>(
      `SELECT * FROM execution_audit_batch WHERE status = 'anchored' ORDER BY batch_id LIMIT $1`, [EXECUTION_ANCHOR_BATCHES_VERIFIED_MAX],
    ));
    const frontier = new MerkleFrontier();
    let checked = 0;
    for (const batch of batches) {
      try {
        await this.leavesOf(BigInt(frontier.size) + 1n, BigInt(batch.last_seq), (leaf) => frontier.append(leaf));
      } catch (error) {
        if (!(error instanceof ExecutionProofError)) throw error;
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
