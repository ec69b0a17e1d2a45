// The transactional outbox. A state change and the message announcing it are written in one
// database transaction (enqueueOutbound); the relay signs and publishes them afterwards, with
// Nats-Msg-Id = message id, and marks them published only once JetStream acknowledged them.
// Signing happens at publish time, so a message that waited out an outage is never stale.
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

interface PendingRow {
  seq: string;
  message_id: string;
  subject: string;
  body: string;
}

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
    const limit = this.deps.batchSizeMax ?? OUTBOX_BATCH_MAX;
    const key = this.deps.keyring.signingKey(this.deps.direction);
    return this.deps.db.transaction(async (tx) => {
      // Taken before the pending rows are read, so they are read after the last holder committed
      // its marks: no two relays ever publish the same row.
      const [lock] = await tx.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [OUTBOX_RELAY_LOCK_KEY]);
      assert(lock !== undefined, 'the lock query answers one row');
      this.lockBusy = !lock.locked;
      if (!lock.locked) return 0; // another relay of this stack is publishing
      const rows = await tx.query<PendingRow>(
        `SELECT seq, message_id, subject, body FROM wall_outbox WHERE published_at IS NULL ORDER BY seq LIMIT $1`,
        [limit],
      );
      if (rows.length === 0) return 0;
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
      const published: string[] = [];
      const streamSeqs: number[] = [];
      const failed: string[] = [];
      let firstError = '';
      results.forEach((result, index) => {
        const row = rows[index];
        assert(row !== undefined, 'one result per row');
        if (result.ok) {
          published.push(row.seq);
          streamSeqs.push(result.ack.seq);
        } else {
          failed.push(row.seq);
          firstError ||= result.error;
        }
      });
      if (published.length > 0) {
        await tx.query(
          `UPDATE wall_outbox o SET published_at = clock_timestamp(), stream_seq = p.stream_seq, attempts = o.attempts + 1
             FROM unnest($1::bigint[], $2::bigint[]) AS p(seq, stream_seq) WHERE o.seq = p.seq`,
          [published, streamSeqs],
        );
      }
      if (failed.length > 0) {
        await tx.query(`UPDATE wall_outbox SET attempts = attempts + 1, last_error = $2 WHERE seq = ANY($1::bigint[])`, [failed, firstError.slice(0, 500)]);
        this.deps.logger.warn({ failed: failed.length, error: firstError }, 'outbox publish failed; will retry');
      }
      this.deps.observer?.published?.(published.length);
      return published.length;
    });
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
