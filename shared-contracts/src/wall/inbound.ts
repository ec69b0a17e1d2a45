// The inbound pipeline of a stack: verify → schema → PII guard → nonce claim → handler, in that
// order, with the nonce claim, the handler's effects, its outbound messages and the record of
// every rejection committed in one transaction per batch.
//
// Messages are taken in batches of whatever has arrived (one at low load, many under load). If
// a batch's transaction fails, each message is retried alone, so one poison message cannot
// hold back the others; a message that exhausts its deliveries, or that is outside the time
// window, goes to the dead-letter stream with an alert. Nothing is dropped silently.
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { decodeWire, nonceClaimOf, openEnvelope, type EnvelopeMeta, type Opened, type RejectReason } from '../envelope/envelope.js';
import type { Keyring } from '../envelope/keyring.js';
import { wallContracts, type MessageBody, type MessageType } from '../messages/catalog.js';
import { assert } from '../assert.js';
import { PgNonceStore } from './pg-nonce-store.js';
import type { SqlDatabase, SqlTx } from './sql.js';
import { DELIVERIES_MAX, DLQ_SUBJECT_PREFIX, REDELIVERY_BACKOFF_MS, STACK_WALL, WALL_STREAMS, type StackName } from './topology.js';
import type { WallClock, WallLogger, WallObserver } from './runtime.js';

export const INBOUND_BATCH_MAX = 256;
export const INBOUND_BUFFER_MAX = 2_048;
export const REJECTION_DETAIL_LENGTH_MAX = 300;

export interface InboundMessage<T extends MessageType = MessageType> {
  readonly meta: EnvelopeMeta;
  readonly body: MessageBody<T>;
  readonly streamSeq: number;
}

export type InboundHandler<T extends MessageType> = (tx: SqlTx, messages: readonly InboundMessage<T>[]) => Promise<void>;
export type InboundHandlers = { readonly [T in MessageType]?: InboundHandler<T> };

/** Thrown by a handler when a message arrived before what it depends on: it is retried later. */
export class ParkMessage extends Error {
  override readonly name = 'ParkMessage';
}

export interface InboundPipelineDeps {
  readonly stack: StackName;
  readonly db: SqlDatabase;
  readonly js: JetStreamClient;
  readonly keyring: Keyring;
  readonly clock: WallClock;
  readonly logger: WallLogger;
  readonly handlers: InboundHandlers;
  readonly observer?: WallObserver;
  readonly batchSizeMax?: number;
  /**
   * Called once a batch whose handlers ran has committed: their outbound messages are now
   * visible to the outbox relay. A handler's own nudge runs before the commit, so the relay
   * woken by it can read before the messages exist and then sleep until its next poll.
   */
  readonly committed?: () => void;
}

interface Rejection {
  readonly reason: RejectReason;
  readonly subject: string;
  readonly kid: string | undefined;
  readonly messageId: string | undefined;
  readonly streamSeq: number;
  readonly detail: string;
}

type Verdict =
  | { readonly kind: 'opened'; readonly msg: JsMsg; readonly opened: Opened }
  | { readonly kind: 'refused'; readonly msg: JsMsg; readonly rejection: Rejection };

export class InboundPipeline {
  private messages: ConsumerMessages | undefined;
  private readonly queue: JsMsg[] = [];
  private draining: Promise<void> | undefined;
  private consuming: Promise<void> | undefined;

  constructor(private readonly deps: InboundPipelineDeps) {
    assert((deps.batchSizeMax ?? INBOUND_BATCH_MAX) <= INBOUND_BATCH_MAX, 'inbound batch within limit');
  }

  async start(): Promise<void> {
    assert(this.messages === undefined, 'pipeline started once');
    const wall = STACK_WALL[this.deps.stack];
    const consumer = await this.deps.js.consumers.get(WALL_STREAMS[wall.inbound], wall.consumer);
    this.messages = await consumer.consume({ max_messages: INBOUND_BUFFER_MAX });
    const messages = this.messages;
    this.consuming = (async () => {
      for await (const msg of messages) {
        this.queue.push(msg);
        this.draining ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.drain());
      }
    })();
  }

  async stop(): Promise<void> {
    await this.messages?.close();
    await this.consuming;
    await this.draining;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.deps.batchSizeMax ?? INBOUND_BATCH_MAX);
        await this.processBatch(batch);
      }
    } finally {
      this.draining = undefined;
    }
  }

  /** Processes a batch; exposed for tests that feed messages without a consumer. */
  async processBatch(batch: readonly JsMsg[]): Promise<void> {
    const nowMs = this.deps.clock.nowMs();
    const verdicts = batch.map((msg) => this.verify(msg, nowMs));
    try {
      const results = await this.deps.db.transaction((tx) => this.commit(tx, verdicts));
      for (const verdict of verdicts) verdict.msg.ack();
      if (results.handled.length > 0) this.deps.committed?.();
      await this.afterCommit(verdicts, results);
    } catch (error) {
      if (batch.length > 1) {
        for (const msg of batch) await this.processBatch([msg]);
        return;
      }
      const [msg] = batch;
      assert(msg !== undefined, 'a batch of one');
      await this.retryOrDeadLetter(msg, error);
    }
  }

  private verify(msg: JsMsg, nowMs: number): Verdict {
    const opened = openEnvelope(msg.data, { deliveredSubject: msg.subject, keyring: this.deps.keyring, contracts: wallContracts, nowMs });
    if (opened.ok) return { kind: 'opened', msg, opened };
    return {
      kind: 'refused',
      msg,
      rejection: {
        reason: opened.reason,
        subject: msg.subject,
        kid: opened.meta.kid,
        messageId: opened.meta.id,
        streamSeq: msg.seq,
        detail: opened.detail.slice(0, REJECTION_DETAIL_LENGTH_MAX),
      },
    };
  }

  private async commit(tx: SqlTx, verdicts: readonly Verdict[]): Promise<{ rejections: Rejection[]; handled: Opened[] }> {
    const rejections: Rejection[] = [];
    const candidates: { msg: JsMsg; opened: Opened }[] = [];
    for (const verdict of verdicts) {
      if (verdict.kind === 'refused') rejections.push(verdict.rejection);
      else candidates.push(verdict);
    }
    const outcomes = await new PgNonceStore(tx).claim(candidates.map((c) => ({ ...nonceClaimOf(c.opened), streamSeq: c.msg.seq })));
    const byType = new Map<MessageType, InboundMessage[]>();
    const handled: Opened[] = [];
    candidates.forEach((candidate, index) => {
      const outcome = outcomes[index];
      assert(outcome !== undefined, 'one nonce outcome per candidate');
      const { opened, msg } = candidate;
      if (outcome === 'replay' || outcome === 'nonce_reuse') {
        rejections.push({
          reason: outcome,
          subject: msg.subject,
          kid: opened.meta.kid,
          messageId: opened.meta.id,
          streamSeq: msg.seq,
          detail: outcome === 'replay' ? 'nonce already used' : 'nonce or message id reused with a different body',
        });
        return;
      }
      if (outcome === 'duplicate') return; // already processed: acknowledged without effect
      const type = opened.type as MessageType;
      const list = byType.get(type) ?? [];
      list.push({ meta: opened.meta, body: opened.body as MessageBody<MessageType>, streamSeq: msg.seq });
      byType.set(type, list);
      handled.push(opened);
    });
    for (const [type, messages] of byType) {
      const handler = this.deps.handlers[type] as InboundHandler<MessageType> | undefined;
      if (!handler) throw new Error(`no handler for ${type} in the ${this.deps.stack} stack`);
      await handler(tx, messages);
    }
    if (rejections.length > 0) {
      await tx.query(
        `INSERT INTO wall_rejection (reason, subject, kid, message_id, stream_seq, detail)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[])`,
        [
          rejections.map((r) => r.reason),
          rejections.map((r) => r.subject),
          rejections.map((r) => r.kid ?? null),
          rejections.map((r) => r.messageId ?? null),
          rejections.map((r) => r.streamSeq),
          rejections.map((r) => r.detail),
        ],
      );
    }
    return { rejections, handled };
  }

  private async afterCommit(verdicts: readonly Verdict[], results: { rejections: Rejection[]; handled: Opened[] }): Promise<void> {
    const nowMs = this.deps.clock.nowMs();
    for (const opened of results.handled) this.deps.observer?.handled?.(opened.type, nowMs - opened.meta.ts);
    for (const rejection of results.rejections) {
      this.deps.observer?.rejected?.(rejection.reason, rejection.subject);
      const { reason, subject, kid, messageId, streamSeq } = rejection;
      this.deps.logger.warn({ reason, subject, kid, messageId, streamSeq }, 'wall message rejected');
    }
    // Messages outside the time window are kept in the dead-letter stream for an operator.
    for (const verdict of verdicts) {
      if (verdict.kind === 'refused' && (verdict.rejection.reason === 'stale' || verdict.rejection.reason === 'future')) {
        await this.deadLetter(verdict.msg, `outside the time window (${verdict.rejection.reason})`).catch((error: unknown) => {
          this.deps.logger.error({ err: error, subject: verdict.msg.subject }, 'dead-letter publish failed for a rejected message');
        });
      }
    }
  }

  private async retryOrDeadLetter(msg: JsMsg, error: unknown): Promise<void> {
    const cause = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (msg.info.deliveryCount < DELIVERIES_MAX) {
      const delayMs = REDELIVERY_BACKOFF_MS[msg.info.deliveryCount - 1] ?? REDELIVERY_BACKOFF_MS[0];
      const parked = error instanceof ParkMessage;
      const context = { subject: msg.subject, streamSeq: msg.seq, deliveryCount: msg.info.deliveryCount, cause };
      if (parked) this.deps.logger.info(context, 'message parked; retrying later');
      else this.deps.logger.warn(context, 'message failed; retrying later');
      msg.nak(delayMs);
      return;
    }
    try {
      await this.deadLetter(msg, cause);
      await this.deps.db.transaction((tx) =>
        tx.query(`INSERT INTO wall_dead_letter (subject, message_id, stream_seq, deliveries, cause) VALUES ($1, $2, $3, $4, $5)`, [
          msg.subject, messageIdOf(msg), msg.seq, msg.info.deliveryCount, cause.slice(0, REJECTION_DETAIL_LENGTH_MAX),
        ]),
      );
      msg.term(cause.slice(0, 100));
    } catch (deadLetterError) {
      // Neither processed nor parked: leave it to JetStream rather than lose it.
      this.deps.logger.error({ err: deadLetterError, subject: msg.subject }, 'dead-lettering failed; message left unacknowledged');
    }
  }

  private async deadLetter(msg: JsMsg, cause: string): Promise<void> {
    const h = natsHeaders();
    h.set('Bulwark-Dead-Cause', cause.slice(0, 200));
    h.set('Bulwark-Original-Subject', msg.subject);
    h.set('Bulwark-Original-Seq', String(msg.seq));
    h.set('Bulwark-Deliveries', String(msg.info.deliveryCount));
    await this.deps.js.publish(`${DLQ_SUBJECT_PREFIX}.${this.deps.stack}.${msg.subject}`, msg.data, { headers: h, msgID: `dlq-${this.deps.stack}-${msg.seq}` });
    this.deps.observer?.deadLettered?.(msg.subject, cause);
    this.deps.logger.error({ alert: 'wall_dead_letter', subject: msg.subject, streamSeq: msg.seq, deliveries: msg.info.deliveryCount, cause }, 'ALERT: wall message dead-lettered');
  }
}

function messageIdOf(msg: JsMsg): string | null {
  const wire = decodeWire(msg.data);
  return typeof wire === 'string' ? null : wire.id;
}
