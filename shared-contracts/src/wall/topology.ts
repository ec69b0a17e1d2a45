// The JetStream layout of the wall: one stream per direction, a dead-letter stream, and one
// durable pull consumer per receiving stack. The redelivery horizon (all backoffs added up)
// stays well inside the envelope window, so a redelivered message is never stale by design.
import { AckPolicy, DeliverPolicy, DiscardPolicy, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { ENVELOPE_WINDOW_MS } from '../envelope/envelope.js';
import type { Direction } from '../envelope/keyring.js';
import { directionSubjects } from '../messages/catalog.js';
import { assert } from '../assert.js';

export type StackName = 'customer' | 'execution';

export const WALL_STREAMS = Object.freeze({ c2e: 'BULWARK_C2E', e2c: 'BULWARK_E2C', dlq: 'BULWARK_DLQ' } as const);
export const DLQ_SUBJECT_PREFIX = 'bulwark.dlq';
export const DUPLICATE_WINDOW_MS = 120_000;
export const REDELIVERY_BACKOFF_MS = Object.freeze([5_000, 10_000, 20_000, 30_000, 60_000]);
/** Deliveries in all: the first plus one per backoff step. */
export const DELIVERIES_MAX = REDELIVERY_BACKOFF_MS.length + 1;
export const REDELIVERY_HORIZON_MS = REDELIVERY_BACKOFF_MS.reduce((a, b) => a + b, 0);
assert(REDELIVERY_HORIZON_MS < ENVELOPE_WINDOW_MS / 2, 'redelivery horizon stays well inside the envelope window');

/** What each stack sends and receives. */
export const STACK_WALL = Object.freeze({
  customer: { outbound: 'c2e', inbound: 'e2c', consumer: 'customer-inbound' },
  execution: { outbound: 'e2c', inbound: 'c2e', consumer: 'execution-inbound' },
} as const satisfies Record<StackName, { outbound: Direction; inbound: Direction; consumer: string }>);

const nanos = (ms: number): number => ms * 1_000_000;

export interface TopologyOptions {
  readonly replicas?: number;
  readonly retentionMs?: number;
}

/** Creates (or updates) the streams and durable consumers. Run by the provisioning user. */
export async function ensureWallTopology(jsm: JetStreamManager, options: TopologyOptions = {}): Promise<void> {
  const replicas = options.replicas ?? 1;
  const maxAge = nanos(options.retentionMs ?? 7 * 24 * 3_600_000);
  const streams = [
    { name: WALL_STREAMS.c2e, subjects: [directionSubjects('c2e')], max_age: maxAge },
    { name: WALL_STREAMS.e2c, subjects: [directionSubjects('e2c')], max_age: maxAge },
    { name: WALL_STREAMS.dlq, subjects: [`${DLQ_SUBJECT_PREFIX}.>`], max_age: nanos(30 * 24 * 3_600_000) },
  ];
  for (const stream of streams) {
    const config = {
      ...stream,
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      num_replicas: replicas,
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
      max_msg_size: 512 * 1024,
    };
    try {
      await jsm.streams.info(stream.name);
      await jsm.streams.update(stream.name, config);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await jsm.streams.add(config);
    }
  }
  for (const stack of Object.values(STACK_WALL)) {
    const stream = WALL_STREAMS[stack.inbound];
    const config = {
      durable_name: stack.consumer,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(30_000),
      max_deliver: DELIVERIES_MAX,
      backoff: REDELIVERY_BACKOFF_MS.map(nanos),
      max_ack_pending: 20_000,
      num_replicas: replicas,
    };
    try {
      await jsm.consumers.info(stream, stack.consumer);
      await jsm.consumers.update(stream, stack.consumer, config);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await jsm.consumers.add(stream, config);
    }
  }
}

function isNotFound(error: unknown): boolean {
  const text = error instanceof Error ? `${error.name} ${error.message}` : String(error);
  return /not found/i.test(text);
}
