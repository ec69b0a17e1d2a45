// The stack stopping between the aggregation's claim of an omnibus order (committed as working)
// and the internal book's durable acceptance of it, on real Postgres and a real JetStream: the
// first app dies at that point (its venue call fails as a killed process would), a second app
// starts on the same database and must place the order then, once, and fill it — never close its
// intents as ended by the venue. The stack stopping just after the book took the order is the
// other side of the same window: the restart reports its fills once, never places it again.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { createKeyring, decimal, signEnvelope, subjectOf, type Keyring, type MessageBody } from '@bulwark/shared-contracts';
import { parseStackConfig } from '@bulwark/shared-contracts/platform';
import { createTestDatabase, eventually, startTestNats, testStackEnv, type TestDatabase, type TestNats } from '@bulwark/testing';
import { createExecutionApp } from '../src/app.js';
import { ClobVenue } from '../src/aggregation/clob-venue.js';
import { parsePostTradeConfig } from '../src/aggregation/post-trade-config.js';
import type { VenueExecution } from '../src/aggregation/venue.js';
import { MarketService } from '../src/market/market.service.js';
import type { Instrument } from '../src/market/instruments.service.js';
import { MembersService, type MemberView } from '../src/members/members.service.js';

let nats: TestNats;
let database: TestDatabase;
let app: INestApplication;
let customer: NatsConnection;
let js: JetStreamClient;
let keyring: Keyring;
let instrument: Instrument;
let maker: MemberView;
const tenantRef = randomUUID();

const start = async (): Promise<INestApplication> => {
  const postTrade = parsePostTradeConfig({ POSTTRADE_WINDOW_MS: '100', POSTTRADE_TICK_MS: '50', POSTTRADE_FEE_BPS: '10' });
  const started = await createExecutionApp(parseStackConfig('execution', testStackEnv('execution', database, nats)), undefined, undefined, postTrade);
  await started.init();
  return started;
};

beforeAll(async () => {
  nats = await startTestNats();
  database = await createTestDatabase('execution');
  app = await start();
  instrument = await app.get(MarketService).list({ symbol: 'CRASH-EVENT-YES', kind: 'event', tickSize: '0.01', lotSize: '1' });
  const { publicKey } = await generateKeyPair('PS256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  maker = (await app.get(MembersService).createMember('system:test', {
    kind: 'market_maker', orderQuantityMax: '10000', orderNotionalMax: '10000', openOrdersMax: 100, messagesPerSecond: 1_000,
    publicJwk: { kty: 'RSA', n: (jwk as JWK).n as string, e: (jwk as JWK).e as string },
  })).member;
  keyring = createKeyring([
    { direction: 'c2e', current: { kid: nats.secrets.wall.c2e.kid, secret: nats.secrets.wall.c2e.secret } },
    { direction: 'e2c', current: { kid: nats.secrets.wall.e2c.kid, secret: nats.secrets.wall.e2c.secret } },
  ]);
  customer = await connect({ servers: nats.url, ...nats.credentials('customer'), inboxPrefix: '_INBOX_customer' });
  js = jetstream(customer);
}, 60_000);

afterAll(async () => {
  await customer?.close();
  await app?.close();
  await database?.drop();
  await nats?.stop();
});

const db = () => app.get(DataSource);

async function submitIntent(quantity: string): Promise<string> {
  const body: MessageBody<'intent.submitted.v1'> = {
    intentId: randomUUID(), accountRef: randomUUID(), tenantRef, instrumentId: instrument.id, side: 'buy', quantity, limitPrice: '0.60',
    timeInForce: 'GTC', submittedAt: new Date().toISOString(),
  };
  const { wire } = signEnvelope({ key: keyring.signingKey('c2e'), subject: subjectOf('intent.submitted.v1'), id: randomUUID(), body, nowMs: Date.now() });
  await js.publish(subjectOf('intent.submitted.v1'), wire);
  return body.intentId;
}

/**
 * Kills the stack at its venue call (`after`: once the book has durably taken the order): the call
 * never returns, so this app does nothing more with the order, and the app is shut down under it;
 * then another app starts on the same database.
 */
async function crashAtVenueCall(after: boolean, intentId: string): Promise<string> {
  const venue = app.get(ClobVenue);
  const submit = venue.submit.bind(venue);
  const hung: { kill?: (error: Error) => void } = {};
  jest.spyOn(venue, 'submit').mockImplementation(async (order): Promise<VenueExecution> => {
    if (after) await submit(order);
    return new Promise((_resolve, reject) => {
      hung.kill = reject;
    });
  });
  const orderRef = await eventually(async () => {
    const [row] = await db().query(
      `SELECT o.order_ref FROM omnibus_order o JOIN pooled_intent p ON p.order_ref = o.order_ref WHERE p.intent_id = $1 AND o.status = 'working'`,
      [intentId],
    );
    return hung.kill ? (row?.order_ref as string | undefined) : undefined;
  }, 20_000, 'the order claimed and its venue call killed');
  const { kill } = hung;
  if (!kill) throw new Error('the venue call hangs once the order is claimed');
  const closing = app.close();
  kill(new Error('the stack was killed here'));
  await closing;
  app = await start();
  return orderRef;
}

async function settled(orderRef: string): Promise<{ status: string; filled: string; closed: { reason: string }[] }> {
  return eventually(async () => {
    const [order] = await db().query(`SELECT status, filled_quantity FROM omnibus_order WHERE order_ref = $1`, [orderRef]);
    const closed: { body: string }[] = await db().query(`SELECT body FROM wall_outbox WHERE subject = $1`, [subjectOf('intent.closed.v1')]);
    const [allocated] = await db().query(`SELECT coalesce(sum(quantity), 0)::text AS q FROM allocation WHERE order_ref = $1`, [orderRef]);
    if (order.status !== 'done' || !decimal(allocated.q).eq(decimal(order.filled_quantity))) return undefined;
    return { status: order.status, filled: decimal(order.filled_quantity).toString(), closed: closed.map((c) => JSON.parse(c.body) as { reason: string }) };
  }, 30_000, 'the order done and its fills allocated after the restart');
}

async function placements(orderRef: string): Promise<number> {
  const [row] = await db().query(`SELECT count(*)::int AS n FROM clob_venue_order WHERE order_ref = $1`, [orderRef]);
  return row.n as number;
}

describe('an omnibus order whose placement a crash left in doubt', () => {
  it('is placed after the restart when the book never took it, and filled, not closed as ended by the venue', async () => {
    await app.get(MembersService).placeOrder(maker, { instrumentId: instrument.id, side: 'sell', price: '0.55', quantity: '30', timeInForce: 'GTC' });
    const orderRef = await crashAtVenueCall(false, await submitIntent('30'));
    expect(await placements(orderRef)).toBe(0); // the book never took it: the state a kill leaves

    const outcome = await settled(orderRef);
    expect(outcome).toMatchObject({ status: 'done', filled: '30' });
    expect(outcome.closed).toEqual([]);
    expect(await placements(orderRef)).toBe(1);
    const trades: { quantity: string }[] = await db().query(`SELECT quantity FROM market_trade WHERE instrument_id = $1`, [instrument.id]);
    expect(trades.map((t) => decimal(t.quantity).toString())).toEqual(['30']);
  }, 120_000);

  it('is reported after the restart when the book took it, never placed twice nor filled twice', async () => {
    await app.get(MembersService).placeOrder(maker, { instrumentId: instrument.id, side: 'sell', price: '0.58', quantity: '40', timeInForce: 'GTC' });
    const orderRef = await crashAtVenueCall(true, await submitIntent('40'));
    expect(await placements(orderRef)).toBe(1); // the book took it, the aggregation never heard

    const outcome = await settled(orderRef);
    expect(outcome).toMatchObject({ status: 'done', filled: '40' });
    expect(outcome.closed).toEqual([]);
    expect(await placements(orderRef)).toBe(1);
    const trades: { quantity: string }[] = await db().query(`SELECT quantity FROM market_trade WHERE instrument_id = $1 ORDER BY trade_seq`, [instrument.id]);
    expect(trades.map((t) => decimal(t.quantity).toString())).toEqual(['30', '40']);
    const [fills] = await db().query(`SELECT count(*)::int AS n, sum(quantity)::text AS q FROM omnibus_fill WHERE order_ref = $1`, [orderRef]);
    expect([fills.n, decimal(fills.q).toString()]).toEqual([1, '40']);
  }, 120_000);
});
