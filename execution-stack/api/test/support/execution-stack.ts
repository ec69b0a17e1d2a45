// One execution stack for an integration test, on real Postgres and a real JetStream: its own
// database and NATS server, the app (started again on the same database when a test restarts
// it), the wall's keyring, and a connection as the customer stack's NATS user, with the two
// things the post-trade tests do over it: publish signed intents, read the allocations published.
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { createKeyring, signEnvelope, subjectOf, type Keyring, type MessageBody } from '@bulwark/shared-contracts';
import { parseStackConfig } from '@bulwark/shared-contracts/platform';
import { createTestDatabase, startTestNats, testStackEnv, type TestDatabase, type TestNats } from '@bulwark/testing';
import { createExecutionApp } from '../../src/app.js';
import { parsePostTradeConfig } from '../../src/aggregation/post-trade-config.js';
import { MembersService, type MemberView } from '../../src/members/members.service.js';

export interface ExecutionStack {
  readonly nats: TestNats;
  readonly database: TestDatabase;
  /** The running app; a test that restarts the stack replaces it with `startApp()`'s. */
  app: INestApplication;
  /** The wall's keys of both directions, as the stacks hold them. */
  readonly keyring: Keyring;
  /** JetStream as the customer stack's NATS user. */
  readonly js: JetStreamClient;
  /** Another app on the same database and NATS (the first one is left as it is). */
  startApp(): Promise<INestApplication>;
  db(): DataSource;
  /** Publishes an intent as the customer stack does: a c2e envelope signed with the current key. */
  submitIntent(body: MessageBody<'intent.submitted.v1'>): Promise<void>;
  /** The allocation.v1 messages the relay published for these intents, in outbox order. */
  publishedAllocations(intentIds: readonly string[]): Promise<MessageBody<'allocation.v1'>[]>;
  stop(): Promise<void>;
}

/** `postTrade`: the post-trade settings (POSTTRADE_*) the test runs with, over the defaults. */
export async function startExecutionStack(postTrade?: Record<string, string>): Promise<ExecutionStack> {
  const nats = await startTestNats();
  const database = await createTestDatabase('execution').catch(async (error: unknown) => {
    await nats.stop();
    throw error;
  });
  const startApp = async (): Promise<INestApplication> => {
    const config = parseStackConfig('execution', testStackEnv('execution', database, nats));
    const started = await createExecutionApp(config, undefined, undefined, parsePostTradeConfig(postTrade ?? {}));
    await started.init();
    return started;
  };
  const app = await startApp().catch(async (error: unknown) => {
    await database.drop();
    await nats.stop();
    throw error;
  });
  const keyring = createKeyring([
    { direction: 'c2e', current: { kid: nats.secrets.wall.c2e.kid, secret: nats.secrets.wall.c2e.secret } },
    { direction: 'e2c', current: { kid: nats.secrets.wall.e2c.kid, secret: nats.secrets.wall.e2c.secret } },
  ]);
  const customer: NatsConnection = await connect({ servers: nats.url, ...nats.credentials('customer'), inboxPrefix: '_INBOX_customer' });
  const stack: ExecutionStack = {
    nats,
    database,
    app,
    keyring,
    js: jetstream(customer),
    startApp,
    db: () => stack.app.get(DataSource),
    async submitIntent(body) {
      const subject = subjectOf('intent.submitted.v1');
      const { wire } = signEnvelope({ key: keyring.signingKey('c2e'), subject, id: randomUUID(), body, nowMs: Date.now() });
      await stack.js.publish(subject, wire);
    },
    async publishedAllocations(intentIds) {
      const rows: { body: string; published: boolean }[] = await stack.db().query(
        `SELECT body, published FROM wall_outbox_status WHERE subject = $1 ORDER BY seq`, [subjectOf('allocation.v1')],
      );
      return rows
        .filter((r) => r.published)
        .map((r) => JSON.parse(r.body) as MessageBody<'allocation.v1'>)
        .filter((b) => intentIds.includes(b.intentId));
    },
    async stop() {
      await customer.close();
      await stack.app.close();
      await database.drop();
      await nats.stop();
    },
  };
  return stack;
}

/** A market-maker member of the stack with generous limits (its signing key is not kept: tests place its orders in process). */
export async function createMarketMaker(app: INestApplication): Promise<MemberView> {
  const { publicKey } = await generateKeyPair('PS256', { extractable: true });
  const jwk: JWK = await exportJWK(publicKey);
  const { member } = await app.get(MembersService).createMember('system:test', {
    kind: 'market_maker', orderQuantityMax: '10000', orderNotionalMax: '10000', openOrdersMax: 100, messagesPerSecond: 1_000,
    publicJwk: { kty: 'RSA', n: jwk.n as string, e: jwk.e as string },
  });
  return member;
}

/** A customer's buy intent in the tenant's omnibus, as the customer stack sends it (at 0.60, good till cancelled, unless said). */
export function buyIntent(
  tenantRef: string, instrumentId: string, quantity: string, limitPrice = '0.60', timeInForce: 'GTC' | 'IOC' = 'GTC',
): MessageBody<'intent.submitted.v1'> {
  return {
    intentId: randomUUID(), accountRef: randomUUID(), tenantRef, instrumentId, side: 'buy', quantity, limitPrice, timeInForce, submittedAt: new Date().toISOString(),
  };
}
