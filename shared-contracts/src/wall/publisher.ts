// Publishes a batch of messages to JetStream and collects each one's acknowledgement, the way
// JetStream's asynchronous publish works in the Go and Java clients: every message goes out with
// a reply subject under one subscription of this connection, and one timer covers the batch.
// js.publish instead sends each message as a request with its own reply registration, timer and
// promise, and builds an Error for every request it settles: about twice the client CPU per
// message (e2e/bench/wall-pipeline.bench.ts).
import { createInbox, headers as natsHeaders, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { assert } from '../assert.js';

/** Messages one batch may carry: bounds the acknowledgements waited on at once. */
export const PUBLISH_BATCH_MAX = 1_000;

export interface PublishRequest {
  readonly subject: string;
  readonly data: string | Uint8Array;
  /** Nats-Msg-Id: JetStream stores a message id once within the stream's duplicate window. */
  readonly msgId: string;
}

/** Where JetStream stored a message; `duplicate` when it had it already (a re-publish). */
export interface StoredAck {
  readonly stream: string;
  readonly seq: number;
  readonly duplicate: boolean;
}

export type PublishResult = { readonly ok: true; readonly ack: StoredAck } | { readonly ok: false; readonly error: string };

export interface BatchPublisher {
  /** One result per request, in order; settles once every message is acknowledged, refused or timed out. */
  publishBatch(requests: readonly PublishRequest[], timeoutMs: number): Promise<PublishResult[]>;
}

/** What a JetStream publish acknowledgement carries (its JSON body). */
interface PubAckBody {
  readonly stream?: unknown;
  readonly seq?: unknown;
  readonly duplicate?: unknown;
  readonly error?: { readonly code?: unknown; readonly description?: unknown };
}

/** The result an acknowledgement message stands for. */
export function resultOfAck(msg: Pick<Msg, 'data' | 'headers' | 'json'>): PublishResult {
  // A status without a body: 503 when no stream listens on the subject.
  if (msg.headers?.hasError) return { ok: false, error: `JetStream answered ${msg.headers.code} ${msg.headers.description}` };
  let body: PubAckBody;
  try {
    body = msg.json<PubAckBody>();
  } catch {
    return { ok: false, error: 'JetStream answered with an unreadable acknowledgement' };
  }
  if (body.error !== undefined) return { ok: false, error: `JetStream refused the message: ${String(body.error.code)} ${String(body.error.description)}` };
  if (typeof body.stream !== 'string' || body.stream === '' || typeof body.seq !== 'number') return { ok: false, error: 'JetStream answered with an invalid acknowledgement' };
  return { ok: true, ack: { stream: body.stream, seq: body.seq, duplicate: body.duplicate === true } };
}

export class JetStreamBatchPublisher implements BatchPublisher {
  private readonly inbox: string;
  private readonly waiting = new Map<string, (result: PublishResult) => void>();
  private subscription: Subscription | undefined;
  private nextToken = 0;

  /** `inboxPrefix`: the connection's own inbox prefix, the only subjects its NATS user may subscribe to. */
  constructor(private readonly nc: NatsConnection, inboxPrefix: string) {
    this.inbox = createInbox(inboxPrefix);
  }

  async publishBatch(requests: readonly PublishRequest[], timeoutMs: number): Promise<PublishResult[]> {
    assert(requests.length <= PUBLISH_BATCH_MAX, 'publish batch within limit');
    assert(timeoutMs > 0, 'a publish timeout');
    if (requests.length === 0) return [];
    if (this.subscription === undefined || this.subscription.isClosed()) {
      this.subscription = this.nc.subscribe(`${this.inbox}.*`, { callback: (error, msg) => this.settle(error, msg) });
    }
    const tokens: string[] = [];
    const results = requests.map((request) => {
      const token = String(this.nextToken++);
      tokens.push(token);
      const settled = new Promise<PublishResult>((resolve) => this.waiting.set(token, resolve));
      const h = natsHeaders();
      h.set('Nats-Msg-Id', request.msgId);
      try {
        this.nc.publish(request.subject, request.data, { reply: `${this.inbox}.${token}`, headers: h });
      } catch (error) {
        this.resolve(token, { ok: false, error: error instanceof Error ? error.message : String(error) });
      }
      return settled;
    });
    const timer = setTimeout(() => {
      for (const token of tokens) this.resolve(token, { ok: false, error: `no acknowledgement within ${timeoutMs} ms` });
    }, timeoutMs);
    try {
      const settled = await Promise.all(results);
      assert(settled.length === requests.length, 'one result per request');
      return settled;
    } finally {
      clearTimeout(timer);
    }
  }

  private settle(error: Error | null, msg: Msg): void {
    // An error on the subscription itself (a permission refused, say) concerns no one message:
    // the batch times out, and the next batch subscribes again if this subscription closed.
    if (error) return;
    this.resolve(msg.subject.slice(this.inbox.length + 1), resultOfAck(msg));
  }

  /** Settles a message once: a late acknowledgement after its timeout finds nothing to settle. */
  private resolve(token: string, result: PublishResult): void {
    const resolve = this.waiting.get(token);
    if (resolve === undefined) return;
    this.waiting.delete(token);
    resolve(result);
  }
}
