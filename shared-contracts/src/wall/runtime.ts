// Ports the wall runtime needs from its host stack: a clock, a logger (pino-compatible) and
// an optional observer for metrics. Keeping them injected keeps the runtime testable.
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { RejectReason } from '../envelope/envelope.js';
import { JetStreamBatchPublisher, type BatchPublisher } from './publisher.js';

export interface WallClock {
  nowMs(): number;
}

export const systemClock: WallClock = { nowMs: () => Date.now() };

export interface WallLogger {
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
  error(object: Record<string, unknown>, message: string): void;
}

export interface WallObserver {
  published?(count: number): void;
  handled?(type: string, latencyMs: number): void;
  rejected?(reason: RejectReason, subject: string): void;
  deadLettered?(subject: string, cause: string): void;
}

export interface WallConnectionOptions {
  readonly servers: string;
  readonly user?: string | undefined;
  readonly pass?: string | undefined;
  readonly name: string;
  /** Each stack gets its own inbox prefix so its NATS user may subscribe only to its own replies. */
  readonly inboxPrefix: string;
}

export interface WallConnection {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /** Publishes the outbox's batches (acknowledgements come back under the stack's inbox prefix). */
  readonly publisher: BatchPublisher;
}

export async function connectWall(options: WallConnectionOptions): Promise<WallConnection> {
  const nc = await connect({
    servers: options.servers.split(','),
    name: options.name,
    inboxPrefix: options.inboxPrefix,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
    // Otherwise every request (each JetStream publish awaiting its ack) builds two Error objects
    // with stack traces up front, in case it times out: a fifth of the relay's CPU at load.
    noAsyncTraces: true,
    ...(options.user ? { user: options.user, pass: options.pass ?? '' } : {}),
  });
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  return { nc, js, jsm, publisher: new JetStreamBatchPublisher(nc, options.inboxPrefix) };
}
