// Anchor batches of an audit log, as both stacks cut them: every interval, or sooner once enough
// entries wait, the RFC 9162 root of the whole log is cut as a batch that continues the previous
// batch's Merkle frontier (so the log is read once), stored `requested`, and becomes `anchored`
// once the chain holds its root. Only entry hashes, sequence numbers and roots are handled here:
// no personal data. Which table a stack keeps its batches in, how a root reaches the chain (a wall
// message or the chain module) and what a stack reads its entries from stay in each stack.
import { assert } from '../assert.js';
import type { SqlTx } from '../wall/sql.js';
import { MerkleFrontier, merkleLeafHash, type MerkleFrontierState } from './merkle.js';

/** One batch covers at most this many entries (the anchor request's limit). */
export const ANCHOR_BATCH_ENTRIES_MAX = 1_000_000;
/** Proofs are computed from the leaves online; a larger tree is refused with a clear error. */
export const ANCHOR_PROOF_TREE_SIZE_MAX = 5_000_000;
/** Batches listed or walked at once. */
export const ANCHOR_BATCHES_LISTED_MAX = 10_000;

/** requested → anchored, and nothing else: an anchored batch never changes again. */
export const ANCHOR_BATCH_STATUSES = ['requested', 'anchored'] as const;
export type AnchorBatchStatus = (typeof ANCHOR_BATCH_STATUSES)[number];

export interface AnchoringPolicy {
  /** Cut a batch once this many entries wait... */
  readonly entriesMax: number;
  /** ...or once the stack's waiting time (see each stack) reaches this. */
  readonly intervalMs: number;
}

/** A batch as the operator, auditor and API see it. */
export interface AnchorBatch {
  readonly batchId: string;
  readonly firstSeq: string;
  readonly lastSeq: string;
  readonly merkleRoot: string;
  readonly status: AnchorBatchStatus;
  readonly chainId: number | null;
  readonly contractAddress: string | null;
  readonly txHash: string | null;
  readonly blockNumber: string | null;
}

/** A stored batch (the columns both stacks' batch tables share; `cut_at` under the stack's own name). */
export interface AnchorBatchRow {
  readonly batch_id: string;
  readonly first_seq: string;
  readonly last_seq: string;
  readonly merkle_root: string;
  readonly frontier: MerkleFrontierState;
  readonly status: AnchorBatchStatus;
  readonly chain_id: number | null;
  readonly contract_address: string | null;
  readonly tx_hash: string | null;
  readonly block_number: string | null;
  readonly cut_at: Date;
}

export const anchorBatchOf = (row: AnchorBatchRow): AnchorBatch => ({
  batchId: row.batch_id, firstSeq: row.first_seq, lastSeq: row.last_seq, merkleRoot: row.merkle_root, status: row.status,
  chainId: row.chain_id, contractAddress: row.contract_address, txHash: row.tx_hash, blockNumber: row.block_number,
});

/** The Merkle leaf of an audit entry: the leaf hash of its entry hash's bytes. */
export const auditLeafOf = (entryHashHex: string): Buffer => merkleLeafHash(Buffer.from(entryHashHex, 'hex'));

/** Why a proof over an anchored log is refused, each with the HTTP status the stacks answer with. */
export const ANCHOR_PROOF_ERROR_CODES = ['seq_out_of_range', 'not_anchored_yet', 'sizes_invalid', 'tree_too_large', 'log_changed'] as const;
export type AnchorProofErrorCode = (typeof ANCHOR_PROOF_ERROR_CODES)[number];
export const ANCHOR_PROOF_HTTP_STATUS: Readonly<Record<AnchorProofErrorCode, number>> = {
  seq_out_of_range: 404,
  not_anchored_yet: 409,
  sizes_invalid: 400,
  tree_too_large: 422,
  log_changed: 409,
};

export class AnchorProofError extends Error {
  override readonly name = 'AnchorProofError';
  constructor(
    readonly code: AnchorProofErrorCode,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return ANCHOR_PROOF_HTTP_STATUS[this.code];
  }
}

/** A page of the log came back short: entries are missing. */
export class AuditRangeGap extends Error {
  override readonly name = 'AuditRangeGap';
  constructor(
    readonly fromSeq: bigint,
    readonly toSeq: bigint,
  ) {
    super(`audit entries ${fromSeq}..${toSeq} are not all present`);
  }
}

/** Reads entries fromSeq..toSeq in pages of at most `pageMax`, every one present, handing each page to `visit`. */
export async function forEachAuditPage<E>(
  fromSeq: bigint,
  toSeq: bigint,
  pageMax: number,
  read: (fromSeq: bigint, toSeq: bigint) => Promise<readonly E[]>,
  visit: (page: readonly E[]) => void,
): Promise<void> {
  assert(Number.isSafeInteger(pageMax) && pageMax > 0, 'pages hold entries');
  const step = BigInt(pageMax);
  for (let from = fromSeq; from <= toSeq; from += step) {
    const to = from + step - 1n < toSeq ? from + step - 1n : toSeq;
    const page = await read(from, to);
    if (page.length !== Number(to - from + 1n)) throw new AuditRangeGap(from, to);
    visit(page);
  }
}

/**
 * The entries the next batch covers, or null when none is due: something waits and either
 * `force`, enough entries wait or the stack's waiting time reached the interval. At most
 * ANCHOR_BATCH_ENTRIES_MAX entries per batch; the rest waits for the next one.
 */
export function dueBatchRange(input: {
  readonly lastSeq: bigint; readonly headSeq: bigint; readonly waitedMs: number; readonly policy: AnchoringPolicy; readonly force: boolean;
}): { readonly firstSeq: bigint; readonly lastSeq: bigint } | null {
  const { lastSeq, headSeq, waitedMs, policy, force } = input;
  assert(lastSeq >= 0n, 'batches cover whole entries');
  if (headSeq <= lastSeq) return null;
  const waiting = headSeq - lastSeq;
  if (!force && waiting < BigInt(policy.entriesMax) && waitedMs < policy.intervalMs) return null;
  const toSeq = waiting > BigInt(ANCHOR_BATCH_ENTRIES_MAX) ? lastSeq + BigInt(ANCHOR_BATCH_ENTRIES_MAX) : headSeq;
  assert(toSeq > lastSeq && toSeq <= headSeq, 'a due batch covers waiting entries only');
  return { firstSeq: lastSeq + 1n, lastSeq: toSeq };
}

/** A batch cut, before it is stored. */
export interface AnchorBatchCut {
  readonly batchId: bigint;
  readonly firstSeq: bigint;
  readonly lastSeq: bigint;
  readonly entryCount: bigint;
  readonly merkleRoot: string;
  readonly frontier: MerkleFrontierState;
}

/**
 * Cuts the batch over `range`, continuing the previous batch's frontier with the leaves
 * `appendLeaves` feeds it (entries previous.last_seq+1 .. range.lastSeq, in order).
 */
export async function cutAnchorBatch(
  previous: Pick<AnchorBatchRow, 'batch_id' | 'last_seq' | 'frontier'> | undefined,
  range: { readonly firstSeq: bigint; readonly lastSeq: bigint },
  appendLeaves: (frontier: MerkleFrontier) => Promise<void>,
): Promise<AnchorBatchCut> {
  const previousLastSeq = previous ? BigInt(previous.last_seq) : 0n;
  assert(range.firstSeq === previousLastSeq + 1n, 'a batch starts right after the previous one');
  const frontier = previous ? MerkleFrontier.restore(previous.frontier) : new MerkleFrontier();
  assert(BigInt(frontier.size) === previousLastSeq, 'the stored frontier covers exactly the batched entries');
  await appendLeaves(frontier);
  assert(BigInt(frontier.size) === range.lastSeq, 'the frontier now covers the batch');
  return {
    batchId: previous ? BigInt(previous.batch_id) + 1n : 1n,
    firstSeq: range.firstSeq,
    lastSeq: range.lastSeq,
    entryCount: range.lastSeq - previousLastSeq,
    merkleRoot: frontier.root().toString('hex'),
    frontier: frontier.state(),
  };
}

/** Where a root was anchored (what the chain answers for a batch). */
export interface AnchoredAnswer {
  readonly batchId: number | string;
  readonly merkleRoot: string;
  readonly chainId: number;
  readonly contractAddress: string;
  readonly txHash: string;
  readonly blockNumber: number | string;
}

const SQL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * A stack's batch table: the same columns in both stacks, the time of the cut under the stack's
 * own column name. All statements run in the caller's transaction.
 */
export class AnchorBatchTable {
  private readonly select: string;

  constructor(
    readonly table: string,
    private readonly cutAtColumn: string,
  ) {
    assert(SQL_NAME.test(table) && SQL_NAME.test(cutAtColumn), 'batch table and column names are plain identifiers');
    this.select = `SELECT *, "${cutAtColumn}" AS cut_at FROM "${table}"`;
  }

  /** Serialises cuts (two instances never cut the same batch). */
  async lockForCut(tx: SqlTx): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`${this.table}:cut`]);
  }

  async last(tx: SqlTx): Promise<AnchorBatchRow | undefined> {
    const [row] = await tx.query<AnchorBatchRow>(`${this.select} ORDER BY batch_id DESC LIMIT 1`);
    return row;
  }

  async insert(tx: SqlTx, cut: AnchorBatchCut, cutAt: Date): Promise<AnchorBatchRow> {
    const [row] = await tx.query<AnchorBatchRow>(
      `INSERT INTO "${this.table}" (batch_id, first_seq, last_seq, entry_count, merkle_root, frontier, status, "${this.cutAtColumn}")
       VALUES ($1, $2, $3, $4, $5, $6, 'requested', $7) RETURNING *, "${this.cutAtColumn}" AS cut_at`,
      [cut.batchId, cut.firstSeq, cut.lastSeq, cut.entryCount, cut.merkleRoot, JSON.stringify(cut.frontier), cutAt],
    );
    assert(row !== undefined && row.merkle_root === cut.merkleRoot, 'batch stored');
    return row;
  }

  /**
   * requested → anchored for the batch with this id and root. 'already_anchored': the same
   * answer again; 'unknown': no batch has this id and root (an alarm for the caller).
   */
  async markAnchored(tx: SqlTx, answer: AnchoredAnswer, anchoredAt: Date | null): Promise<'anchored' | 'already_anchored' | 'unknown'> {
    const updated = await tx.query(
      `UPDATE "${this.table}" SET status = 'anchored', chain_id = $3, contract_address = $4, tx_hash = $5, block_number = $6,
              anchored_at = COALESCE($7::timestamptz, clock_timestamp())
        WHERE batch_id = $1 AND merkle_root = $2 AND status = 'requested' RETURNING batch_id`,
      [answer.batchId, answer.merkleRoot, answer.chainId, answer.contractAddress, answer.txHash, answer.blockNumber, anchoredAt],
    );
    if (updated.length === 1) return 'anchored';
    const [held] = await tx.query<{ status: AnchorBatchStatus }>(`SELECT status FROM "${this.table}" WHERE batch_id = $1 AND merkle_root = $2`, [
      answer.batchId,
      answer.merkleRoot,
    ]);
    return held ? 'already_anchored' : 'unknown';
  }

  /** The batch covering entry `seq` (anchored ones only when asked). */
  async covering(tx: SqlTx, seq: bigint, anchoredOnly: boolean): Promise<AnchorBatchRow | undefined> {
    const [row] = await tx.query<AnchorBatchRow>(
      `${this.select} WHERE first_seq <= $1 AND last_seq >= $1 AND (NOT $2 OR status = 'anchored') LIMIT 1`,
      [seq, anchoredOnly],
    );
    return row;
  }

  /** Batches in order (anchored ones only when asked), at most ANCHOR_BATCHES_LISTED_MAX. */
  async list(tx: SqlTx, anchoredOnly: boolean): Promise<AnchorBatchRow[]> {
    return tx.query<AnchorBatchRow>(`${this.select} WHERE (NOT $1 OR status = 'anchored') ORDER BY batch_id LIMIT $2`, [anchoredOnly, ANCHOR_BATCHES_LISTED_MAX]);
  }

  async latestAnchored(tx: SqlTx): Promise<AnchorBatchRow | undefined> {
    const [row] = await tx.query<AnchorBatchRow>(`${this.select} WHERE status = 'anchored' ORDER BY batch_id DESC LIMIT 1`);
    return row;
  }
}
