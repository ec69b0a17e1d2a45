// The transactional outbox. A state change and the message announcing it are written in one
// database transaction (enqueueOutbound); the relay signs and publishes them afterwards, with
// Nats-Msg-Id = message id, and moves its cursor past them only once JetStream acknowledged them
// (WALL_OUTBOX_CURSOR_DDL). Signing happens at publish time, so a message that waited out an
// outage is never stale.
import { randomUUID } from 'node:crypto';
import { signEnvelope } from '../envelope/envelope.js';
import type { Keyring } from '../envelope/keyring.js';
import { detectPii } from '../pii/pii-guard.js';
import { subjectOf, wallContracts, type MessageBody, type MessageType } from '../messages/catalog.js';
import { assert } from '../assert.js';
import type { BatchPublisher } from './publisher.js';
import { OUTBOX_INSERT_SQL, type SqlDatabase, type SqlTx } from './sql.js';
import type { WallClock, WallLogger, WallObserver } from './runtime.js';

export const OUTBOX_BATCH_MAX = 500;
/**
 * The relay's poll when nothing woke it: from OUTBOX_IDLE_POLL_MS, doubled after each empty look
 * up to OUTBOX_IDLE_POLL_MS_MAX. Every commit that writes the outbox through the stack's database
 * wakes the relay at once (SqlDatabase.onOutboxCommitted), so the poll only finds rows written by
 * another process; polling every 100 ms cost each idle stack four statements ten times a second.
 */
export const OUTBOX_IDLE_POLL_MS = 100;
export const OUTBOX_IDLE_POLL_MS_MAX = 1_000;
export const OUTBOX_ERROR_BACKOFF_MS_MAX = 5_000;
export const PUBLISH_TIMEOUT_MS = 5_000;
/**
 * The advisory lock one relay of a database holds while it publishes a batch (advisory locks are
 * scoped to their database, so each stack's relays share one). Locking each pending row FOR
 * UPDATE cost Postgres a row lock, written to the WAL, per message; one relay at a time is all
 * the outbox needs, since a relay publishes a whole batch at once.
 */
export const OUTBOX_RELAY_LOCK_KEY = 0x5741_4c4c; // 'WALL'

export interface OutboundMessage<T extends MessageType = MessageType> {
  readonly type: T;
  readonly body: MessageBody<T>;
  /** Defaults to a fresh UUID; pass one to make the send itself idempotent. */
  readonly id?: string;
}

/**
 * Writes outbound messages inside the caller's transaction. Sending an invalid body or one that
 * carries personal data is a bug in this stack, so it throws and the whole transaction rolls back.
 */
export async function enqueueOutbound(tx: SqlTx, messages: readonly OutboundMessage[]): Promise<string[]> {
  assert(messages.length <= OUTBOX_BATCH_MAX * 10, 'outbound messages per transaction within limit');
  if (messages.length === 0) return [];
  const ids: string[] = [];
  const subjects: string[] = [];
  const bodies: string[] = [];
  for (const message of messages) {
    const subject = subjectOf(message.type);
    const contract = wallContracts(subject);
    assert(contract !== undefined, `no contract for ${message.type}`);
    const parsed = contract.schema.safeParse(message.body);
    assert(parsed.success, `outbound ${message.type} does not match its schema`);
    assert(detectPii(parsed.data, { numericPaths: contract.numericPaths }).length === 0, `outbound ${message.type} carries personal data`);
    ids.push(message.id ?? randomUUID());
    subjects.push(subject);
    bodies.push(JSON.stringify(parsed.data));
  }
  await tx.query(OUTBOX_INSERT_SQL, [ids, subjects, bodies]);
  return ids;
}

/** One row of OUTBOX_PENDING_SQL: a pending message, or (seq null) the answer that none is. */
interface PendingRow {
  seq: string | null;
  txid: string;
  message_id: string;
  subject: string;
  body: string;
  /** The snapshot the rows were taken from, on the first row only (it can be long). */
  target: string | null;
  /** Whether the target was stored by an earlier batch (null: there is no cursor row). */
  resumed: boolean | null;
}

/**
 * The next rows to publish: those whose transaction is visible in the target snapshot (the one
 * being worked through, else this statement's own) and not in the published one, after the
 * cursor's position, in (txid, seq) order. A transaction not visible in `published` either was
 * running when it was taken (its xip list) or started after it (at or above its xmax), so the two
 * halves read only the index entries of such transactions: published rows are never scanned again,
 * however far a long-running transaction holds the snapshot's xmin back. Every xip transaction is
 * below xmax, so the halves are already in order one after the other. When nothing is pending it
 * answers one row with a null seq, which says whether a stored target has run out.
 */
const OUTBOX_PENDING_SQL = `
WITH c AS MATERIALIZED (
  SELECT published, coalesce(target, pg_current_snapshot()) AS target, target IS NOT NULL AS resumed, after_txid, after_seq
    FROM wall_outbox_cursor
)
SELECT p.seq, p.txid, p.message_id, p.subject, p.body,
       CASE WHEN p.seq IS NULL OR row_number() OVER (ORDER BY p.txid, p.seq) = 1 THEN (SELECT target::text FROM c) END AS target,
       (SELECT resumed FROM c) AS resumed
  FROM (VALUES (true)) AS answer (one) LEFT JOIN (
    (SELECT seq, txid, message_id, subject, body FROM wall_outbox
      WHERE txid = ANY(ARRAY(SELECT pg_snapshot_xip(published) FROM c))
        AND (txid, seq) > ((SELECT after_txid FROM c), (SELECT after_seq FROM c))
        AND pg_visible_in_snapshot(txid, (SELECT target FROM c))
      ORDER BY txid, seq LIMIT $1)
    UNION ALL
    (SELECT seq, txid, message_id, subject, body FROM wall_outbox
      WHERE txid >= (SELECT pg_snapshot_xmax(published) FROM c) AND txid < (SELECT pg_snapshot_xmax(target) FROM c)
        AND (txid, seq) > ((SELECT after_txid FROM c), (SELECT after_seq FROM c))
        AND pg_visible_in_snapshot(txid, (SELECT target FROM c))
      ORDER BY txid, seq LIMIT $1)
    ORDER BY txid, seq LIMIT $1
  ) AS p ON true
 ORDER BY p.txid, p.seq`;

/** What a batch answers when all it did was move the cursor past a target whose rows had run out. */
const MOVED_PAST_TARGET = 'moved past its target';

/** Every row visible in the target went out: it becomes the published snapshot. */
const CURSOR_PUBLISHED_THROUGH_SQL =
  `UPDATE wall_outbox_cursor SET published = $1::pg_snapshot, target = NULL, after_txid = '0', after_seq = 0 RETURNING true AS moved`;
/** Part of the target went out: the next batch goes on after its last row, from the same snapshot. */
const CURSOR_PUBLISHED_UP_TO_SQL =
  `UPDATE wall_outbox_cursor SET target = $1::pg_snapshot, after_txid = $2::xid8, after_seq = $3 RETURNING true AS moved`;
/**
 * A row JetStream refused is queued again by giving it the relay's own transaction id: that
 * transaction is not visible in the target (its id was assigned after the snapshot was taken), so
 * the row comes round in a later batch while the cursor moves on and the rows behind it go out.
 */
const OUTBOX_REQUEUE_SQL =
  `UPDATE wall_outbox SET txid = pg_current_xact_id(), failed_attempts = failed_attempts + 1, last_error = $2 WHERE seq = ANY($1::bigint[])`;

export interface OutboxRelayDeps {
  readonly db: SqlDatabase;
  readonly publisher: BatchPublisher;
  readonly keyring: Keyring;
  readonly direction: 'c2e' | 'e2c';
  readonly clock: WallClock;
  readonly logger: WallLogger;
  readonly observer?: WallObserver;
  readonly batchSizeMax?: number;
  /** The first idle poll; it doubles while the outbox stays empty, up to idlePollMsMax. */
  readonly idlePollMs?: number;
  readonly idlePollMsMax?: number;
}

export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** Set by a nudge that came while a batch ran: that batch may have read before the nudging commit. */
  private nudged = false;
  private consecutiveErrors = 0;
  /** Set when the last batch found another relay of this database publishing. */
  private lockBusy = false;
  private readonly idlePollMs: number;
  private readonly idlePollMsMax: number;

  constructor(private readonly deps: OutboxRelayDeps) {
    assert((deps.batchSizeMax ?? OUTBOX_BATCH_MAX) <= OUTBOX_BATCH_MAX, 'relay batch within limit');
    this.idlePollMs = deps.idlePollMs ?? OUTBOX_IDLE_POLL_MS;
    this.idlePollMsMax = deps.idlePollMsMax ?? Math.max(OUTBOX_IDLE_POLL_MS_MAX, this.idlePollMs);
    assert(this.idlePollMs > 0 && this.idlePollMs <= this.idlePollMsMax, 'idle poll within its maximum');
  }

  start(): void {
    assert(!this.running, 'relay started once');
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.nudge();
    await this.loop;
  }

  /** Wakes the relay now (called after a transaction that enqueued messages commits). */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  get healthy(): boolean {
    return this.consecutiveErrors < 3;
  }

  /** Publishes one batch of pending messages; returns how many were published. */
  async publishBatch(): Promise<number> {
    const first = await this.publishInTransaction();
    if (first !== MOVED_PAST_TARGET) return first;
    // The look only moved past a target whose rows a full batch had taken: rows committed since
    // are read from a fresh snapshot at once, in a transaction of their own (a target is never taken
    // in a transaction that has an id, which a row queued again by it would then appear to precede).
    const second = await this.publishInTransaction();
    return second === MOVED_PAST_TARGET ? 0 : second;
  }

  private async publishInTransaction(): Promise<number | typeof MOVED_PAST_TARGET> {
    const limit = this.deps.batchSizeMax ?? OUTBOX_BATCH_MAX;
    const key = this.deps.keyring.signingKey(this.deps.direction);
    return this.deps.db.transaction(async (tx): Promise<number | typeof MOVED_PAST_TARGET> => {
      // Taken before the cursor is read, so it is read after the last holder committed its move:
      // no two relays ever publish the same rows.
      const [lock] = await tx.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [OUTBOX_RELAY_LOCK_KEY]);
      assert(lock !== undefined, 'the lock query answers one row');
      this.lockBusy = !lock.locked;
      if (!lock.locked) return 0; // another relay of this stack is publishing
      const answer = await tx.query<PendingRow>(OUTBOX_PENDING_SQL, [limit]);
      const [first] = answer;
      assert(first !== undefined && first.resumed !== null, 'the outbox cursor row exists');
      const target = first.target;
      assert(typeof target === 'string', 'the first answer carries the target snapshot');
      if (first.seq === null) {
        // A stored target whose rows were all taken (or queued again by hand): move past it.
        if (!first.resumed) return 0;
        await this.moveCursor(tx, target, 'through');
        return MOVED_PAST_TARGET;
      }
      const rows = answer as (PendingRow & { seq: string })[];
      assert(rows.length <= limit, 'pending rows within the batch limit');
      const nowMs = this.deps.clock.nowMs();
      const results = await this.deps.publisher.publishBatch(
        rows.map((row) => ({
          subject: row.subject,
          data: signEnvelope({ key, subject: row.subject, id: row.message_id, bodyJson: row.body, nowMs }).wire,
          msgId: row.message_id,
        })),
        PUBLISH_TIMEOUT_MS,
      );
      assert(results.length === rows.length, 'one publish result per row');
      const failed: string[] = [];
      let firstError = '';
      results.forEach((result, index) => {
        if (result.ok) return;
        failed.push((rows[index] as PendingRow & { seq: string }).seq);
        firstError ||= result.error;
      });
      if (failed.length > 0) {
        await tx.query(OUTBOX_REQUEUE_SQL, [failed, firstError.slice(0, 500)]);
        this.deps.logger.warn({ failed: failed.length, error: firstError }, 'outbox publish failed; will retry');
      }
      const last = rows[rows.length - 1] as PendingRow & { seq: string };
      // A batch that was not full took every row left in its target.
      await this.moveCursor(tx, target, rows.length < limit ? 'through' : last);
      const published = rows.length - failed.length;
      this.deps.observer?.published?.(published);
      return published;
    });
  }

  /** Past every row of the target snapshot, or past one of its rows (the next batch goes on from there). */
  private async moveCursor(tx: SqlTx, target: string, past: 'through' | { txid: string; seq: string }): Promise<void> {
    const [moved] = past === 'through'
      ? await tx.query<{ moved: boolean }>(CURSOR_PUBLISHED_THROUGH_SQL, [target])
      : await tx.query<{ moved: boolean }>(CURSOR_PUBLISHED_UP_TO_SQL, [target, past.txid, past.seq]);
    assert(moved?.moved === true, 'the outbox cursor row moved');
  }

  private async run(): Promise<void> {
    let idleWaitMs = this.idlePollMs;
    while (this.running) {
      let published = 0;
      this.nudged = false;
      try {
        published = await this.publishBatch();
        this.consecutiveErrors = 0;
      } catch (error) {
        this.consecutiveErrors += 1;
        this.deps.logger.error({ err: error, consecutiveErrors: this.consecutiveErrors }, 'outbox relay error');
      }
      if (!this.running) break;
      if ((published > 0 || this.nudged) && this.consecutiveErrors === 0) {
        idleWaitMs = this.idlePollMs;
        continue;
      }
      // Another relay holding the lock may have read before a commit that woke this one: look
      // again soon rather than after a long idle wait.
      if (this.lockBusy) idleWaitMs = this.idlePollMs;
      const waitMs = this.consecutiveErrors > 0
        ? Math.min(OUTBOX_ERROR_BACKOFF_MS_MAX, 100 * 2 ** this.consecutiveErrors)
        : idleWaitMs;
      if (this.consecutiveErrors === 0 && !this.lockBusy) idleWaitMs = Math.min(this.idlePollMsMax, idleWaitMs * 2);
      const woken = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), waitMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      this.wake = undefined;
      // A commit woke it: the stack is busy again, so the idle wait starts over.
      if (woken) idleWaitMs = this.idlePollMs;
    }
  }
}
