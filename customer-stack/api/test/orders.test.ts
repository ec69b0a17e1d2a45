// Order intents on the real stack (Postgres, JetStream behind the project's NATS permissions):
// an approved, funded investor places intents over HTTP; the checks refuse what they must and
// leave nothing behind; the reservation, the intent and its wall message commit together. The
// execution stack's answers are played from its own NATS user, signed with its key: rejections
// release the hold, a cancel keeps it until intent.closed.v1 confirms what filled, allocations (checked against our inputs hash) book the trade to
// the cent, payouts credit cash and close the position, each delivered twice and out of order.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import {
  allocationInputsHash, canonicalDecimal, createKeyring, decimal, signEnvelope, subjectOf, type Keyring, type MessageBody, type MessageType,
} from '@bulwark/shared-contracts';
import { SQL_DATABASE, WallService } from '@bulwark/shared-contracts/platform';
import type { SqlDatabase } from '@bulwark/shared-contracts/wall';
import { createTestDatabase, eventually, startTestNats, testStackEnv, type TestDatabase, type TestNats } from '@bulwark/testing';
import { createCustomerApp } from '../src/app.js';
import { AmlService } from '../src/aml/aml.service.js';
import { parseCustomerConfig } from '../src/config/customer-config.js';
import { LedgerService } from '../src/ledger/ledger.service.js';
import type { AccountKind } from '../src/ledger/ledger.types.js';
import { ReservationExpiryScheduler } from '../src/ledger/reservation-expiry.scheduler.js';
import { OrdersService } from '../src/orders/orders.service.js';
import { REFERENCE_TENANT_ID } from '../src/tenancy/reference-tenant.js';
import { TenantScope } from '../src/tenancy/tenant-scope.js';
import { loginAs, type LoggedIn } from './support/auth.js';
import { SANCTIONS_FIXTURES } from './support/sanctions-fixtures.js';
import { createTestTenant, registerTestAccount } from './support/tenancy.js';

const tenantId = REFERENCE_TENANT_ID;
let nats: TestNats;
let database: TestDatabase;
let app: INestApplication;
let execution: NatsConnection;
let js: JetStreamClient;
let keyring: Keyring;
const http = () => request(app.getHttpServer());

beforeAll(async () => {
  nats = await startTestNats();
  database = await createTestDatabase('customer');
  app = await createCustomerApp(parseCustomerConfig(testStackEnv('customer', database, nats, { ORDERS_VELOCITY_MAX: '5', ORDERS_FEE_BPS: '10' })));
  await app.listen(0, '127.0.0.1');
  await app.get(AmlService).importListFiles({
    openSanctions: `${SANCTIONS_FIXTURES}targets.simple.csv`, ofacSdn: `${SANCTIONS_FIXTURES}sdn.csv`, ofacAlt: `${SANCTIONS_FIXTURES}alt.csv`,
  });
  keyring = createKeyring([
    { direction: 'c2e', current: { kid: nats.secrets.wall.c2e.kid, secret: nats.secrets.wall.c2e.secret } },
    { direction: 'e2c', current: { kid: nats.secrets.wall.e2c.kid, secret: nats.secrets.wall.e2c.secret } },
  ]);
  execution = await connect({ servers: nats.url, ...nats.credentials('execution'), inboxPrefix: '_INBOX_execution' });
  js = jetstream(execution);
}, 60_000);

afterAll(async () => {
  await execution?.close();
  await app?.close();
  await database?.drop();
  await nats?.stop();
});

// ------------------------------------------------------------------ helpers

const sql = <T>(text: string, params: unknown[] = []): Promise<T[]> =>
  app.get(TenantScope).run(tenantId, (tx) => tx.query<T>(text, params));

async function approvedInvestor(): Promise<LoggedIn> {
  const investor = await loginAs(app, { role: 'investor', tenantId });
  const kyc = await http().post('/kyc/submissions').set(investor.headers).set('Idempotency-Key', randomUUID()).send({
    givenNames: 'Nimal', familyName: 'Perera', dateOfBirth: '1985-12-05', residenceCountry: 'LK',
    address: { line1: '12 Galle Road', city: 'Colombo', postalCode: '00300', country: 'LK' },
    document: { type: 'lk_nic', number: '853400937V', country: 'LK' }, livenessToken: 'selfie-ok', requestedTier: 2,
  }).expect(200);
  expect(kyc.body).toMatchObject({ status: 'approved', tier: 2 });
  return investor;
}

const ref = (investor: LoggedIn): string => investor.principal.accountRef as string;

/** Money in from the bank (the payments module's job; here the ledger books it directly). */
async function fund(investor: LoggedIn, amount: string): Promise<void> {
  const result = await app.get(TenantScope).run(tenantId, (tx) => app.get(LedgerService).post(tx, {
    tenantId, idempotencyKey: `test-fund:${randomUUID()}`, kind: 'deposit', reference: null,
    legs: [
      { account: { kind: 'bank_clearing', ownerRef: null, unit: 'USD' }, side: 'debit', amount },
      { account: { kind: 'customer_cash', ownerRef: ref(investor), unit: 'USD' }, side: 'credit', amount },
    ],
  }));
  expect(result.status).toBe('posted');
}

async function balance(kind: AccountKind, ownerRef: string | null, unit: string): Promise<string> {
  return app.get(TenantScope).run(tenantId, (tx) => app.get(LedgerService).balance(tx, tenantId, { kind, ownerRef, unit }));
}

function place(investor: LoggedIn, body: Record<string, unknown>, key = randomUUID()) {
  return http().post('/v1/orders/intents').set(investor.headers).set('Idempotency-Key', key).send(body);
}

/** What the execution stack sends, signed with its key, as a fresh message (new id and nonce). */
async function fromExecution<T extends MessageType>(type: T, body: MessageBody<T>): Promise<void> {
  const { wire } = signEnvelope({ key: keyring.signingKey('e2c'), subject: subjectOf(type), id: randomUUID(), body, nowMs: Date.now() });
  await js.publish(subjectOf(type), wire);
}

const accept = (intentId: string, accountRef: string) => fromExecution('intent.accepted.v1', { intentId, accountRef, acceptedAt: new Date().toISOString() });

/** An allocation as the execution stack computes it, with its inputs hash over the intent's open quantity. */
function allocation(
  intent: { intentId: string; accountRef: string; instrumentId: string; side: 'buy' | 'sell'; limitPrice: string },
  open: string, quantity: string, notional: string, fee: string,
): MessageBody<'allocation.v1'> {
  const remainingQuantity = canonicalDecimal(decimal(open).minus(decimal(quantity)));
  const omnibusOrderRef = randomUUID();
  const fillRefs = [randomUUID()];
  const inputsHash = allocationInputsHash({ ...intent, openQuantity: open, omnibusOrderRef, fillRefs, quantity, notional, fee, remainingQuantity });
  return {
    allocationId: randomUUID(), intentId: intent.intentId, accountRef: intent.accountRef, instrumentId: intent.instrumentId, omnibusOrderRef,
    side: intent.side, quantity, averagePrice: canonicalDecimal(decimal(notional).div(decimal(quantity))), notional, fee, currency: 'USD',
    remainingQuantity, fillRefs, inputsHash, allocatedAt: new Date().toISOString(),
  };
}

async function intentRow(intentId: string) {
  const [row] = await sql<{ status: string; filled_quantity: string; notional: string; fee: string; reservation_id: string | null }>(
    `SELECT status, filled_quantity::text, notional::text, fee::text, reservation_id FROM order_intent WHERE id = $1`, [intentId],
  );
  return row;
}

async function outbox(subject: string, intentId: string): Promise<Record<string, unknown>[]> {
  const rows = await app.get<SqlDatabase>(SQL_DATABASE).transaction((tx) =>
    tx.query<{ body: string }>(`SELECT body FROM wall_outbox WHERE subject = $1 AND body LIKE '%' || $2 || '%' ORDER BY seq`, [subject, intentId]));
  return rows.map((r) => JSON.parse(r.body) as Record<string, unknown>);
}

const eq = (actual: string, expected: string) => expect(canonicalDecimal(actual)).toBe(expected);

/**
 * An intent of 10 at a limit of 0.55, placed from a 100.00 deposit and filled in two allocations
 * (6 for 3.00, then 4 for 2.16), booked in full: its row, cash, hold and position. Returns the row.
 */
async function expectBoughtTenFor516(intent: { intentId: string; accountRef: string; instrumentId: string }) {
  const row = await intentRow(intent.intentId);
  eq(row!.filled_quantity, '10');
  eq(row!.notional, '5.16');
  eq(row!.fee, '0.00516');
  // 100 − 5.16 − 0.00516: the unused part of the 5.5055 hold came back when the intent completed.
  eq(await balance('customer_cash', intent.accountRef, 'USD'), '94.83484');
  eq(await balance('customer_reserved', intent.accountRef, 'USD'), '0');
  eq(await balance('customer_position', intent.accountRef, intent.instrumentId), '10');
  return row!;
}

// ------------------------------------------------------------------ the tests

describe('placing an intent over HTTP', () => {
  it('tells the ticket how to price an order: currency, fee rate, times in force', async () => {
    const investor = await loginAs(app, { role: 'investor', tenantId });
    const terms = await http().get('/v1/orders/terms').set(investor.headers).expect(200);
    expect(terms.body).toEqual({ currency: 'USD', feeBps: 10, timesInForce: ['GTC', 'IOC', 'FOK', 'GTD'], gtcTtlMs: 30 * 86_400_000, immediateTtlMs: 3_600_000, marketDataUrl: null });
    await http().get('/v1/orders/terms').expect(401);
  });

  it('reserves quantity × limit + fee, records the intent and its intent.submitted.v1 together, once per Idempotency-Key', async () => {
    const investor = await approvedInvestor();
    await fund(investor, '100.00');
    const instrumentId = randomUUID();
    const key = randomUUID();
    const body = { instrumentId, side: 'buy', quantity: '10', limitPrice: '0.55', timeInForce: 'GTC' };
    const placed = await place(investor, body, key).expect(201);
    expect(placed.body).toMatchObject({ accountRef: ref(investor), instrumentId, side: 'buy', quantity: '10', limitPrice: '0.55', status: 'submitted', filledQuantity: '0' });
    // 10 × 0.55 = 5.50, plus 10 bps of it: 5.5055 held, 94.4945 left to spend.
    eq(await balance('customer_cash', ref(investor), 'USD'), '94.4945');
    eq(await balance('customer_reserved', ref(investor), 'USD'), '5.5055');
    const again = await place(investor, body, key).expect(201);
    expect(again.body.intentId).toBe(placed.body.intentId);
    eq(await balance('customer_reserved', ref(investor), 'USD'), '5.5055');
    expect(await outbox('bulwark.c2e.intent.submitted.v1', placed.body.intentId)).toEqual([
      expect.objectContaining({ intentId: placed.body.intentId, accountRef: ref(investor), tenantRef: tenantId, quantity: '10', limitPrice: '0.55', timeInForce: 'GTC' }),
    ]);
    const listed = await http().get('/v1/orders/intents').set(investor.headers).expect(200);
    expect(listed.body.intents.map((i: { intentId: string }) => i.intentId)).toEqual([placed.body.intentId]);
    await http().get(`/v1/orders/intents/${placed.body.intentId}`).set(investor.headers).expect(200);
    // Another investor sees neither the list entry nor the intent.
    const other = await approvedInvestor();
    expect((await http().get('/v1/orders/intents').set(other.headers).expect(200)).body.intents).toEqual([]);
    await http().get(`/v1/orders/intents/${placed.body.intentId}`).set(other.headers).expect(404);
    const audit = await sql<{ action: string }>(`SELECT action FROM audit_entry WHERE resource = $1 ORDER BY seq`, [`order_intent:${placed.body.intentId}`]);
    expect(audit.map((a) => a.action)).toEqual(['orders.intent.submitted']);
  }, 30_000);

  it('refuses, leaving nothing behind: KYC not approved, balance short of notional + fee, past the daily limit, too fast, bad input', async () => {
    const instrumentId = randomUUID();
    const unverified = await loginAs(app, { role: 'investor', tenantId });
    expect((await place(unverified, { instrumentId, side: 'buy', quantity: '1', limitPrice: '0.5' }).expect(403)).body.code).toBe('kyc_not_approved');

    const investor = await approvedInvestor();
    await fund(investor, '5.50');
    // 10 × 0.55 = 5.50 exactly, but the fee needs 0.0055 more.
    expect((await place(investor, { instrumentId, side: 'buy', quantity: '10', limitPrice: '0.55' }).expect(422)).body.code).toBe('insufficient_funds');
    // Selling units not held.
    expect((await place(investor, { instrumentId, side: 'sell', quantity: '1', limitPrice: '0.55' }).expect(422)).body.code).toBe('insufficient_funds');
    // Tier 2 trades at most 10,000 USD a day: 20,000 × 0.55 = 11,000.
    expect((await place(investor, { instrumentId, side: 'buy', quantity: '20000', limitPrice: '0.55' }).expect(422)).body.code).toBe('daily_limit_exceeded');
    expect((await place(investor, { instrumentId, side: 'buy', quantity: '-1', limitPrice: '0.55' }).expect(400)).body.code).toBe('invalid_request');
    expect((await place(investor, { instrumentId, side: 'buy', quantity: '1', limitPrice: '0.5', accountRef: randomUUID() }).expect(400)).body.code).toBe('invalid_request');
    await http().post('/v1/orders/intents').set(investor.headers).send({ instrumentId, side: 'buy', quantity: '1', limitPrice: '0.5' }).expect(400); // no Idempotency-Key
    expect(await sql(`SELECT id FROM order_intent WHERE account_ref = $1`, [ref(investor)])).toEqual([]);
    eq(await balance('customer_cash', ref(investor), 'USD'), '5.5');
    eq(await balance('customer_reserved', ref(investor), 'USD'), '0');

    // Velocity: five intents a minute (this suite's setting), the sixth is refused.
    for (let i = 0; i < 5; i++) await place(investor, { instrumentId, side: 'buy', quantity: '1', limitPrice: '0.5' }).expect(201);
    expect((await place(investor, { instrumentId, side: 'buy', quantity: '1', limitPrice: '0.5' }).expect(429)).body.code).toBe('velocity_exceeded');
    eq(await balance('customer_reserved', ref(investor), 'USD'), '2.5025');
    await http().post('/v1/orders/intents').set('Idempotency-Key', randomUUID()).send({}).expect(401);
  }, 30_000);
});

describe('the execution stack\'s answers', () => {
  it('a rejection releases the whole hold, once, however often it is delivered', async () => {
    const investor = await approvedInvestor();
    await fund(investor, '10.00');
    const placed = await place(investor, { instrumentId: randomUUID(), side: 'buy', quantity: '4', limitPrice: '0.25' }).expect(201);
    eq(await balance('customer_cash', ref(investor), 'USD'), '8.999');
    const rejected = { intentId: placed.body.intentId, accountRef: ref(investor), code: 'bad_tick' as const, rejectedAt: new Date().toISOString() };
    await fromExecution('intent.rejected.v1', rejected);
    await fromExecution('intent.rejected.v1', rejected);
    await eventually(async () => ((await intentRow(placed.body.intentId))?.status === 'rejected' ? true : undefined), 15_000, 'the rejection');
    await fromExecution('intent.rejected.v1', rejected);
    await new Promise((resolve) => setTimeout(resolve, 500));
    eq(await balance('customer_cash', ref(investor), 'USD'), '10');
    eq(await balance('customer_reserved', ref(investor), 'USD'), '0');
    const audit = await sql<{ action: string }>(`SELECT action FROM audit_entry WHERE resource = $1 ORDER BY seq`, [`order_intent:${placed.body.intentId}`]);
    expect(audit.map((a) => a.action)).toEqual(['orders.intent.submitted', 'orders.intent.rejected']);
  }, 30_000);

  it('books allocations to the cent — even delivered before the acceptance, twice, and in the wrong order — then a sale and a payout', async () => {
    const investor = await approvedInvestor();
    await fund(investor, '100.00');
    const instrumentId = randomUUID();
    const placed = await place(investor, { instrumentId, side: 'buy', quantity: '10', limitPrice: '0.55' }).expect(201);
    const intent = { intentId: placed.body.intentId as string, accountRef: ref(investor), instrumentId, side: 'buy' as const, limitPrice: '0.55' };
    // Two fills: 6 for 3.00 (fee 0.003), then the last 4 for 2.16 (fee 0.00216).
    const first = allocation(intent, '10', '6', '3', '0.003');
    const second = allocation(intent, '4', '4', '2.16', '0.00216');
    // The second allocation and the first arrive before the acceptance; the first comes twice
    // (a redelivery under a new message id). Parked, they are booked in order once accepted.
    await fromExecution('allocation.v1', second);
    await fromExecution('allocation.v1', first);
    await fromExecution('allocation.v1', first);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await intentRow(intent.intentId)).toMatchObject({ status: 'submitted', filled_quantity: '0.000000000000000000' });
    await accept(intent.intentId, intent.accountRef);
    await eventually(async () => ((await intentRow(intent.intentId))?.status === 'filled' ? true : undefined), 40_000, 'both allocations booked');
    await expectBoughtTenFor516(intent);
    // The omnibus (debit-normal) delivered the 10 units it bought on the book.
    eq(await balance('omnibus', null, instrumentId), '10');
    const booked = await sql<{ allocation_id: string }>(`SELECT allocation_id FROM order_allocation WHERE intent_id = $1`, [intent.intentId]);
    expect(booked.map((b) => b.allocation_id).sort()).toEqual([first.allocationId, second.allocationId].sort());
    // The investor reads each fill: quantity, average price, fee; nobody else can.
    const shown = await http().get(`/v1/orders/intents/${intent.intentId}/allocations`).set(investor.headers).expect(200);
    expect(shown.body.allocations).toHaveLength(2);
    expect(shown.body.allocations).toEqual(expect.arrayContaining([
      { allocationId: first.allocationId, quantity: '6', averagePrice: '0.5', notional: '3', fee: '0.003', remainingQuantity: '4', allocatedAt: first.allocatedAt, bookedAt: expect.any(String) },
      { allocationId: second.allocationId, quantity: '4', averagePrice: '0.54', notional: '2.16', fee: '0.00216', remainingQuantity: '0', allocatedAt: second.allocatedAt, bookedAt: expect.any(String) },
    ]));
    const stranger = await approvedInvestor();
    await http().get(`/v1/orders/intents/${intent.intentId}/allocations`).set(stranger.headers).expect(404);
    const monitored = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM aml_monitored_event WHERE user_id = $1 AND kind = 'trade'`, [investor.principal.userId]);
    expect(monitored[0]?.n).toBe(2);
    const notified = await sql<{ event: string }>(`SELECT event FROM notification_outbox WHERE user_id = $1 AND event = 'order.filled'`, [investor.principal.userId]);
    expect(notified).toHaveLength(1);

    // A sale of 4 at 0.60: the units are held, then delivered; 2.40 less 0.0024 fee comes in.
    const sold = await place(investor, { instrumentId, side: 'sell', quantity: '4', limitPrice: '0.6' }).expect(201);
    eq(await balance('customer_position', intent.accountRef, instrumentId), '6');
    eq(await balance('customer_reserved', intent.accountRef, instrumentId), '4');
    const sale = { intentId: sold.body.intentId as string, accountRef: intent.accountRef, instrumentId, side: 'sell' as const, limitPrice: '0.6' };
    await accept(sale.intentId, sale.accountRef);
    await fromExecution('allocation.v1', allocation(sale, '4', '4', '2.4', '0.0024'));
    await eventually(async () => ((await intentRow(sale.intentId))?.status === 'filled' ? true : undefined), 20_000, 'the sale booked');
    eq(await balance('customer_cash', intent.accountRef, 'USD'), '97.23244');
    eq(await balance('customer_reserved', intent.accountRef, instrumentId), '0');
    eq(await balance('customer_position', intent.accountRef, instrumentId), '6');

    // The event resolves YES: 6 units pay 6 USD, the position closes. Delivered twice.
    const payout: MessageBody<'payout.v1'> = {
      payoutId: randomUUID(), accountRef: intent.accountRef, instrumentId, eventRef: randomUUID(), kind: 'resolution', quantity: '6', amountPerUnit: '1',
      amount: '6', currency: 'USD', paidAt: new Date().toISOString(),
    };
    await fromExecution('payout.v1', payout);
    await fromExecution('payout.v1', payout);
    await eventually(async () => ((await sql(`SELECT 1 FROM order_payout WHERE payout_id = $1`, [payout.payoutId])).length === 1 ? true : undefined), 20_000, 'the payout');
    await new Promise((resolve) => setTimeout(resolve, 500));
    eq(await balance('customer_cash', intent.accountRef, 'USD'), '103.23244');
    eq(await balance('customer_position', intent.accountRef, instrumentId), '0');
    eq(await balance('omnibus', null, instrumentId), '0');
    const payouts = await http().get('/v1/orders/payouts').set(investor.headers).expect(200);
    expect(payouts.body.payouts).toEqual([{
      payoutId: payout.payoutId, instrumentId, eventRef: payout.eventRef, kind: 'resolution', quantity: '6', amount: '6', currency: 'USD', paidAt: payout.paidAt,
      bookedAt: expect.any(String),
    }]);
    expect((await http().get('/v1/orders/payouts').set(stranger.headers).expect(200)).body.payouts).toEqual([]);
    await http().get('/v1/orders/payouts?limit=0').set(investor.headers).expect(400);
  }, 90_000);

  it('closes an IOC intent on intent.closed.v1: parked until its allocations are booked, then the rest of the hold is released, once', async () => {
    const investor = await approvedInvestor();
    await fund(investor, '100.00');
    const instrumentId = randomUUID();
    const placed = await place(investor, { instrumentId, side: 'buy', quantity: '10', limitPrice: '0.55', timeInForce: 'IOC' }).expect(201);
    const intent = { intentId: placed.body.intentId as string, accountRef: ref(investor), instrumentId, side: 'buy' as const, limitPrice: '0.55' };
    eq(await balance('customer_reserved', intent.accountRef, 'USD'), '5.5055'); // 10 × 0.55 + 10 bps
    await accept(intent.intentId, intent.accountRef);
    // The order filled 6 of 10 and ended: the close outruns the allocation it counts.
    const closed: MessageBody<'intent.closed.v1'> = {
      intentId: intent.intentId, accountRef: intent.accountRef, filledQuantity: '6', reason: 'unfilled_remainder', closedAt: new Date().toISOString(),
    };
    await fromExecution('intent.closed.v1', closed);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await intentRow(intent.intentId)).toMatchObject({ status: 'accepted', filled_quantity: '0.000000000000000000' });
    eq(await balance('customer_reserved', intent.accountRef, 'USD'), '5.5055');
    await fromExecution('allocation.v1', allocation(intent, '10', '6', '3', '0.003'));
    await eventually(async () => ((await intentRow(intent.intentId))?.status === 'expired' ? true : undefined), 40_000, 'the intent closed');
    eq((await intentRow(intent.intentId))!.filled_quantity, '6');
    // 100 − 3 − 0.003 paid; the 2.5025 still held for the 4 units that never filled came back.
    eq(await balance('customer_cash', intent.accountRef, 'USD'), '96.997');
    eq(await balance('customer_reserved', intent.accountRef, 'USD'), '0');
    eq(await balance('customer_position', intent.accountRef, instrumentId), '6');
    // Delivered again (a new message id): no effect.
    await fromExecution('intent.closed.v1', closed);
    await new Promise((resolve) => setTimeout(resolve, 500));
    eq(await balance('customer_cash', intent.accountRef, 'USD'), '96.997');
    const audit = await sql<{ action: string; diff: Record<string, unknown> }>(
      `SELECT action, diff FROM audit_entry WHERE resource = $1 ORDER BY seq`, [`order_intent:${intent.intentId}`],
    );
    expect(audit.map((a) => a.action)).toEqual(['orders.intent.submitted', 'orders.intent.accepted', 'orders.allocation.booked', 'orders.intent.closed']);
    expect(audit.at(-1)?.diff).toMatchObject({ reason: 'unfilled_remainder', filledQuantity: '6', released: '2.5025' });

    // A FOK that found nothing: closed with nothing filled, the whole hold released at once.
    const fok = await place(investor, { instrumentId, side: 'buy', quantity: '2', limitPrice: '0.5', timeInForce: 'FOK' }).expect(201);
    await accept(fok.body.intentId as string, intent.accountRef);
    await fromExecution('intent.closed.v1', { ...closed, intentId: fok.body.intentId as string, filledQuantity: '0' });
    await eventually(async () => ((await intentRow(fok.body.intentId as string))?.status === 'expired' ? true : undefined), 40_000, 'the FOK closed');
    eq(await balance('customer_cash', intent.accountRef, 'USD'), '96.997');
    eq(await balance('customer_reserved', intent.accountRef, 'USD'), '0');
  }, 90_000);

  it('parks a payout that arrives before the allocations behind it, and books both', async () => {
    const investor = await approvedInvestor();
    await fund(investor, '10.00');
    const instrumentId = randomUUID();
    const placed = await place(investor, { instrumentId, side: 'buy', quantity: '5', limitPrice: '0.4' }).expect(201);
    const intent = { intentId: placed.body.intentId as string, accountRef: ref(investor), instrumentId, side: 'buy' as const, limitPrice: '0.4' };
    await accept(intent.intentId, intent.accountRef);
    await eventually(async () => ((await intentRow(intent.intentId))?.status === 'accepted' ? true : undefined), 15_000, 'the acceptance');
    const payout: MessageBody<'payout.v1'> = {
      payoutId: randomUUID(), accountRef: intent.accountRef, instrumentId, eventRef: randomUUID(), kind: 'resolution', quantity: '5', amountPerUnit: '0',
      amount: '0', currency: 'USD', paidAt: new Date().toISOString(),
    };
    await fromExecution('payout.v1', payout);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await sql(`SELECT 1 FROM order_payout WHERE payout_id = $1`, [payout.payoutId])).toEqual([]);
    await fromExecution('allocation.v1', allocation(intent, '5', '5', '2', '0.002'));
    await eventually(async () => ((await sql(`SELECT 1 FROM order_payout WHERE payout_id = $1`, [payout.payoutId])).length === 1 ? true : undefined), 30_000, 'the payout');
    // Resolved NO: nothing paid, the 5 units closed; 10 − 2.002 left.
    eq(await balance('customer_cash', intent.accountRef, 'USD'), '7.998');
    eq(await balance('customer_position', intent.accountRef, instrumentId), '0');
  }, 60_000);

  it('books nothing for an allocation whose inputs hash disagrees with our record of the intent', async () => {
    const investor = await approvedInvestor();
    await fund(investor, '10.00');
    const instrumentId = randomUUID();
    const placed = await place(investor, { instrumentId, side: 'buy', quantity: '5', limitPrice: '0.4' }).expect(201);
    const intent = { intentId: placed.body.intentId as string, accountRef: ref(investor), instrumentId, side: 'buy' as const, limitPrice: '0.4' };
    await accept(intent.intentId, intent.accountRef);
    // Hashed over a limit of 0.45 where ours is 0.40.
    const forged = allocation({ ...intent, limitPrice: '0.45' }, '5', '5', '2', '0.002');
    await fromExecution('allocation.v1', forged);
    const honest = allocation(intent, '5', '2', '0.8', '0.0008');
    await fromExecution('allocation.v1', honest);
    await eventually(async () => ((await intentRow(intent.intentId))?.filled_quantity === '2.000000000000000000' ? true : undefined), 20_000, 'the honest allocation');
    expect(await sql(`SELECT 1 FROM order_allocation WHERE allocation_id = $1`, [forged.allocationId])).toEqual([]);
    eq(await balance('customer_position', intent.accountRef, instrumentId), '2');
  }, 30_000);
});

describe('booking a batch of allocations as a set', () => {
  it('books many allocations across investors and tenants at once: duplicates once, a bad one refused without holding back its batch-mates', async () => {
    const wall = app.get(WallService);
    const otherTenant = await createTestTenant(app);
    const instrumentId = randomUUID();
    // Three investors of the reference tenant, over HTTP: 10 at 0.55 each, 5.5055 held.
    const investors = await Promise.all([0, 1, 2].map(() => approvedInvestor()));
    const held = await Promise.all(investors.map(async (investor) => {
      await fund(investor, '100.00');
      const placed = await place(investor, { instrumentId, side: 'buy', quantity: '10', limitPrice: '0.55' }).expect(201);
      return { intentId: placed.body.intentId as string, accountRef: ref(investor), instrumentId, side: 'buy' as const, limitPrice: '0.55' };
    }));
    // Two accounts of another tenant, through the platform's own path: no hold, so their cash pays.
    const others = await Promise.all([0, 1, 2].map(async () => {
      const accountRef = await registerTestAccount(app, otherTenant);
      const funded = await app.get(TenantScope).run(otherTenant, (tx) => app.get(LedgerService).post(tx, {
        tenantId: otherTenant, idempotencyKey: `test-fund:${randomUUID()}`, kind: 'deposit', reference: null,
        legs: [
          { account: { kind: 'bank_clearing', ownerRef: null, unit: 'USD' }, side: 'debit', amount: '10' },
          { account: { kind: 'customer_cash', ownerRef: accountRef, unit: 'USD' }, side: 'credit', amount: '10' },
        ],
      }));
      expect(funded.status).toBe('posted');
      const [intentId] = await app.get(OrdersService).submitIntents([{ accountRef, tenantRef: otherTenant, instrumentId, side: 'buy', quantity: '5', limitPrice: '0.5', timeInForce: 'GTC' }]);
      return { intentId: intentId as string, accountRef, instrumentId, side: 'buy' as const, limitPrice: '0.5' };
    }));
    const [badIntent, ...unheld] = others as [typeof others[number], ...typeof others];
    for (const intent of [...held, ...others]) await accept(intent.intentId, intent.accountRef);
    const otherSql = <T>(text: string, params: unknown[] = []) => app.get(TenantScope).run(otherTenant, (tx) => tx.query<T>(text, params));
    const status = async (intentId: string, tenant: string) =>
      (await app.get(TenantScope).run(tenant, (tx) => tx.query<{ status: string }>(`SELECT status FROM order_intent WHERE id = $1`, [intentId])))[0]?.status;
    await eventually(async () => {
      for (const intent of held) if ((await status(intent.intentId, tenantId)) !== 'accepted') return undefined;
      for (const intent of others) if ((await status(intent.intentId, otherTenant)) !== 'accepted') return undefined;
      return true;
    }, 20_000, 'every intent accepted');

    // First round, delivered together while the inbound consumer is paused: each held intent's
    // first fill (6 for 3.00) twice, each unheld intent's only fill (5 for 2.50).
    const firsts = held.map((intent) => allocation(intent, '10', '6', '3', '0.003'));
    const onlies = unheld.map((intent) => allocation(intent, '5', '5', '2.5', '0.0025'));
    await wall.pauseInbound();
    for (const a of [...firsts, ...onlies, ...firsts]) await fromExecution('allocation.v1', a);
    await wall.resumeInbound();
    await eventually(async () => {
      for (const intent of unheld) if ((await status(intent.intentId, otherTenant)) !== 'filled') return undefined;
      const booked = await sql(`SELECT 1 FROM order_allocation WHERE allocation_id = ANY($1::uuid[])`, [firsts.map((a) => a.allocationId)]);
      return booked.length === firsts.length ? true : undefined;
    }, 30_000, 'the first round booked');

    // Second round: the last 4 of each held intent (for 2.16), one of them twice, and one
    // allocation whose inputs hash disagrees with our record (hashed over a limit of 0.45).
    const lasts = held.map((intent) => allocation(intent, '4', '4', '2.16', '0.00216'));
    const forged = allocation({ ...badIntent, limitPrice: '0.45' }, '5', '5', '2.5', '0.0025');
    await wall.pauseInbound();
    for (const a of [lasts[0], forged, ...lasts, ...onlies]) await fromExecution('allocation.v1', a as MessageBody<'allocation.v1'>);
    await wall.resumeInbound();
    await eventually(async () => {
      for (const intent of held) if ((await status(intent.intentId, tenantId)) !== 'filled') return undefined;
      return true;
    }, 30_000, 'the second round booked');
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    for (const intent of held) {
      const row = await expectBoughtTenFor516(intent);
      const audit = await sql<{ action: string; allocation: string | null }>(
        `SELECT action, diff->>'allocationId' AS allocation FROM audit_entry WHERE resource = $1 ORDER BY seq`, [`order_intent:${intent.intentId}`]);
      const [first, last] = [firsts[held.indexOf(intent)], lasts[held.indexOf(intent)]];
      expect(audit).toEqual([
        { action: 'orders.intent.submitted', allocation: null }, { action: 'orders.intent.accepted', allocation: null },
        { action: 'orders.allocation.booked', allocation: first?.allocationId }, { action: 'orders.allocation.booked', allocation: last?.allocationId },
      ]);
      const reservation = await sql<{ action: string }>(`SELECT action FROM audit_entry WHERE resource = $1 ORDER BY seq`, [`ledger_reservation:${row!.reservation_id}`]);
      expect(reservation.map((r) => r.action)).toEqual(['ledger.reservation.created', 'ledger.reservation.posted_partially', 'ledger.reservation.posted']);
    }
    for (const intent of unheld) {
      const [row] = await otherSql<{ filled_quantity: string; notional: string; fee: string }>(
        `SELECT filled_quantity::text, notional::text, fee::text FROM order_intent WHERE id = $1`, [intent.intentId]);
      eq(row!.filled_quantity, '5');
      eq(row!.notional, '2.5');
      eq(row!.fee, '0.0025');
      const cash = await app.get(TenantScope).run(otherTenant, (tx) => app.get(LedgerService).balance(tx, otherTenant, { kind: 'customer_cash', ownerRef: intent.accountRef, unit: 'USD' }));
      const position = await app.get(TenantScope).run(otherTenant, (tx) =>
        app.get(LedgerService).balance(tx, otherTenant, { kind: 'customer_position', ownerRef: intent.accountRef, unit: instrumentId }));
      eq(cash, '7.4975');
      eq(position, '5');
      const audit = await otherSql<{ action: string }>(`SELECT action FROM audit_entry WHERE resource = $1 ORDER BY seq`, [`order_intent:${intent.intentId}`]);
      expect(audit.map((a) => a.action)).toEqual(['orders.intent.submitted', 'orders.intent.accepted', 'orders.allocation.booked']);
    }
    // The forged allocation booked nothing: its intent is untouched and its account keeps its cash.
    expect(await status(badIntent.intentId, otherTenant)).toBe('accepted');
    expect(await otherSql(`SELECT 1 FROM order_allocation WHERE allocation_id = $1`, [forged.allocationId])).toEqual([]);
    eq(await app.get(TenantScope).run(otherTenant, (tx) => app.get(LedgerService).balance(tx, otherTenant, { kind: 'customer_cash', ownerRef: badIntent.accountRef, unit: 'USD' })), '10');
    // Every allocation booked exactly once, in both tenants; the omnibus delivered every unit it bought.
    const allocationIds = [...firsts, ...lasts, ...onlies].map((a) => a.allocationId);
    const booked = [...await sql(`SELECT 1 FROM order_allocation WHERE allocation_id = ANY($1::uuid[])`, [allocationIds]),
      ...await otherSql(`SELECT 1 FROM order_allocation WHERE allocation_id = ANY($1::uuid[])`, [allocationIds])];
    expect(booked).toHaveLength(allocationIds.length);
    eq(await balance('omnibus', null, instrumentId), '30');
    eq(await app.get(TenantScope).run(otherTenant, (tx) => app.get(LedgerService).balance(tx, otherTenant, { kind: 'omnibus', ownerRef: null, unit: instrumentId })), '10');
  }, 120_000);
});

describe('cancel and expiry', () => {
  it('cancels in two phases: the hold stays (a pooled unit still fills from it) until intent.closed.v1, then exactly the rest is released', async () => {
    const investor = await approvedInvestor();
    await fund(investor, '10.00');
    const instrumentId = randomUUID();
    const placed = await place(investor, { instrumentId, side: 'buy', quantity: '5', limitPrice: '0.4' }).expect(201);
    await accept(placed.body.intentId, ref(investor));
    await eventually(async () => ((await intentRow(placed.body.intentId))?.status === 'accepted' ? true : undefined), 15_000, 'the acceptance');
    const cancelled = await http().post(`/v1/orders/intents/${placed.body.intentId}/cancel`).set(investor.headers).set('Idempotency-Key', randomUUID()).expect(202);
    expect(cancelled.body.status).toBe('cancel_requested');
    // Nothing released yet: 5 × 0.4 + 10 bps stays held until the execution stack confirms.
    eq(await balance('customer_cash', ref(investor), 'USD'), '7.998');
    eq(await balance('customer_reserved', ref(investor), 'USD'), '2.002');
    expect(await outbox('bulwark.c2e.intent.cancel.v1', placed.body.intentId)).toEqual([expect.objectContaining({ reason: 'customer_request' })]);
    expect((await http().post(`/v1/orders/intents/${placed.body.intentId}/cancel`).set(investor.headers).set('Idempotency-Key', randomUUID()).expect(409)).body.code)
      .toBe('intent_not_cancellable');
    // Already pooled on the execution side: 1 unit fills anyway, paid from the hold. The close
    // that counts it arrives first: parked until the allocation is booked.
    const intent = { intentId: placed.body.intentId as string, accountRef: ref(investor), instrumentId, side: 'buy' as const, limitPrice: '0.4' };
    await fromExecution('intent.closed.v1', { intentId: intent.intentId, accountRef: intent.accountRef, filledQuantity: '1', reason: 'cancelled', closedAt: new Date().toISOString() });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await intentRow(intent.intentId))?.status).toBe('cancel_requested');
    eq(await balance('customer_reserved', ref(investor), 'USD'), '2.002');
    await fromExecution('allocation.v1', allocation(intent, '5', '1', '0.4', '0.0004'));
    await eventually(async () => ((await intentRow(intent.intentId))?.status === 'cancelled' ? true : undefined), 40_000, 'the confirmed cancel');
    eq((await intentRow(intent.intentId))!.filled_quantity, '1');
    eq(await balance('customer_cash', ref(investor), 'USD'), '9.5996');
    eq(await balance('customer_reserved', ref(investor), 'USD'), '0');
    eq(await balance('customer_position', ref(investor), instrumentId), '1');
    const audit = await sql<{ action: string; diff: Record<string, unknown> }>(
      `SELECT action, diff FROM audit_entry WHERE resource = $1 ORDER BY seq`, [`order_intent:${intent.intentId}`],
    );
    expect(audit.map((a) => a.action)).toEqual([
      'orders.intent.submitted', 'orders.intent.accepted', 'orders.intent.cancel_requested', 'orders.allocation.booked', 'orders.intent.cancelled',
    ]);
    expect(audit.at(-1)?.diff).toMatchObject({ reason: 'cancelled', filledQuantity: '1', released: '1.6016' });

    // Cancelled before its answer came, then rejected: it never traded, the whole hold goes back.
    const early = await place(investor, { instrumentId, side: 'buy', quantity: '2', limitPrice: '0.5' }).expect(201);
    await http().post(`/v1/orders/intents/${early.body.intentId}/cancel`).set(investor.headers).set('Idempotency-Key', randomUUID()).expect(202);
    eq(await balance('customer_reserved', ref(investor), 'USD'), '1.001');
    await fromExecution('intent.rejected.v1', { intentId: early.body.intentId, accountRef: ref(investor), code: 'instrument_not_trading', rejectedAt: new Date().toISOString() });
    await eventually(async () => ((await intentRow(early.body.intentId))?.status === 'rejected' ? true : undefined), 40_000, 'the rejection');
    eq(await balance('customer_reserved', ref(investor), 'USD'), '0');
    eq(await balance('customer_cash', ref(investor), 'USD'), '9.5996');
  }, 90_000);

  it('expires in two phases: past its time the intent keeps its hold (the ledger sweep leaves it), intent.cancel.v1 (expired) goes out, intent.closed.v1 releases exactly the rest', async () => {
    const investor = await approvedInvestor();
    await fund(investor, '10.00');
    const instrumentId = randomUUID();
    const placed = await place(investor, { instrumentId, side: 'buy', quantity: '5', limitPrice: '0.4', timeInForce: 'IOC' }).expect(201);
    const intent = { intentId: placed.body.intentId as string, accountRef: ref(investor), instrumentId, side: 'buy' as const, limitPrice: '0.4' };
    await accept(intent.intentId, intent.accountRef);
    await eventually(async () => ((await intentRow(intent.intentId))?.status === 'accepted' ? true : undefined), 15_000, 'the acceptance');
    // A reservation no domain owns, due at the same time: the ledger's sweep still expires it.
    const other = await app.get(TenantScope).run(tenantId, (tx) => app.get(LedgerService).reserve(tx, {
      tenantId, ownerRef: intent.accountRef, unit: 'USD', amount: '1', source: 'customer_cash', expiresAt: new Date(Date.now() + 1_000),
      reference: null, idempotencyKey: `test-hold:${randomUUID()}`,
    }));
    if (other.status !== 'reserved') throw new Error(`the test hold was refused: ${other.code}`);
    const scheduler = app.get(ReservationExpiryScheduler);
    const before = await scheduler.sweep(new Date());
    expect(before.tenants).toBeGreaterThanOrEqual(1);
    expect((await intentRow(intent.intentId))?.status).toBe('accepted');
    // An IOC intent lives an hour (the default): a sweep past that asks the execution stack to close it.
    const sweep = await scheduler.sweep(new Date(Date.now() + 3_600_000 + 1_000));
    expect(sweep.expired).toBeGreaterThanOrEqual(2);
    expect((await intentRow(intent.intentId))?.status).toBe('expire_requested');
    expect(await outbox('bulwark.c2e.intent.cancel.v1', intent.intentId)).toEqual([expect.objectContaining({ reason: 'expired' })]);
    // The hold stays, however late the next sweeps run; the unowned reservation expired.
    await scheduler.sweep(new Date(Date.now() + 40 * 86_400_000));
    eq(await balance('customer_reserved', intent.accountRef, 'USD'), '2.002');
    eq(await balance('customer_cash', intent.accountRef, 'USD'), '7.998');
    const reservations = await sql<{ id: string; status: string }>(
      `SELECT id, status FROM ledger_reservation WHERE id = ANY($1::uuid[]) ORDER BY status`, [[placed.body.reservationId, other.reservationId]],
    );
    expect(reservations).toEqual([{ id: other.reservationId, status: 'expired' }, { id: placed.body.reservationId, status: 'pending' }]);
    // Waiting that long for the answer shows on /health (degraded, the stack still serves).
    expect((await http().get('/health').expect(200)).body.info['orders-close-answers']).toMatchObject({
      status: 'up', degraded: true, overdueIntents: expect.any(Number), overdueAfterMs: 900_000,
    });
    // An expiring intent cannot be cancelled any more, and a second sweep sends nothing new.
    await http().post(`/v1/orders/intents/${intent.intentId}/cancel`).set(investor.headers).set('Idempotency-Key', randomUUID()).expect(409);
    expect(await outbox('bulwark.c2e.intent.cancel.v1', intent.intentId)).toHaveLength(1);
    // Pooled on the execution side, 2 units filled before the intent was taken out of its order.
    await fromExecution('intent.closed.v1', { intentId: intent.intentId, accountRef: intent.accountRef, filledQuantity: '2', reason: 'expired', closedAt: new Date().toISOString() });
    await fromExecution('allocation.v1', allocation(intent, '5', '2', '0.8', '0.0008'));
    await eventually(async () => ((await intentRow(intent.intentId))?.status === 'expired' ? true : undefined), 40_000, 'the confirmed expiry');
    eq((await intentRow(intent.intentId))!.filled_quantity, '2');
    eq(await balance('customer_reserved', intent.accountRef, 'USD'), '0');
    eq(await balance('customer_cash', intent.accountRef, 'USD'), '9.1992'); // 10 − 0.8 − 0.0008
    eq(await balance('customer_position', intent.accountRef, instrumentId), '2');
    const audit = await sql<{ action: string; diff: Record<string, unknown> }>(
      `SELECT action, diff FROM audit_entry WHERE resource = $1 ORDER BY seq`, [`order_intent:${intent.intentId}`],
    );
    expect(audit.map((a) => a.action)).toEqual([
      'orders.intent.submitted', 'orders.intent.accepted', 'orders.intent.expire_requested', 'orders.allocation.booked', 'orders.intent.expired',
    ]);
    expect(audit.at(-1)?.diff).toMatchObject({ reason: 'expired', filledQuantity: '2', released: '1.2012' });
    // Answered: the next sweep finds nothing overdue.
    await scheduler.sweep(new Date());
    expect((await http().get('/health').expect(200)).body.info['orders-close-answers']).toEqual({
      status: 'up', overdueIntents: 0, oldestRequestedAt: null, overdueAfterMs: 900_000,
    });
  }, 90_000);

  it('GTD: the investor names the expiry, it crosses the wall in intent.submitted.v1, and the intent expires then; a bad expiry is refused', async () => {
    const investor = await approvedInvestor();
    await fund(investor, '10.00');
    const instrumentId = randomUUID();
    const expiresAt = new Date(Date.now() + 2 * 3_600_000).toISOString();
    const body = { instrumentId, side: 'buy', quantity: '2', limitPrice: '0.5', timeInForce: 'GTD', expiresAt };
    for (const [change, message] of [
      [{ expiresAt: undefined }, 'a GTD intent needs expiresAt'],
      [{ timeInForce: 'GTC' }, 'only a GTD intent carries expiresAt'],
      [{ expiresAt: new Date(Date.now() - 1_000).toISOString() }, 'expiresAt must be after submittedAt'],
      [{ expiresAt: new Date(Date.now() + 31 * 86_400_000).toISOString() }, 'as long as a GTC intent lives'],
      [{ expiresAt: '2030-01-01' }, 'expiresAt'],
    ] as const) {
      const refused = await place(investor, { ...body, ...change }).expect(400);
      expect(refused.body.code).toBe('invalid_request');
      expect(refused.body.detail).toContain(message);
    }
    eq(await balance('customer_reserved', ref(investor), 'USD'), '0');
    const placed = await place(investor, body).expect(201);
    expect(placed.body).toMatchObject({ timeInForce: 'GTD', expiresAt, status: 'submitted' });
    expect(await outbox('bulwark.c2e.intent.submitted.v1', placed.body.intentId)).toEqual([expect.objectContaining({ timeInForce: 'GTD', expiresAt })]);
    await app.get(ReservationExpiryScheduler).sweep(new Date(Date.parse(expiresAt) - 1));
    expect((await intentRow(placed.body.intentId))?.status).toBe('submitted');
    await app.get(ReservationExpiryScheduler).sweep(new Date(Date.parse(expiresAt)));
    expect((await intentRow(placed.body.intentId))?.status).toBe('expire_requested');
    eq(await balance('customer_reserved', ref(investor), 'USD'), '1.001');
    // The execution stack expired it on its side too (its own clock, nothing filled): released.
    await accept(placed.body.intentId, ref(investor));
    await fromExecution('intent.closed.v1', { intentId: placed.body.intentId, accountRef: ref(investor), filledQuantity: '0', reason: 'expired', closedAt: new Date().toISOString() });
    await eventually(async () => ((await intentRow(placed.body.intentId))?.status === 'expired' ? true : undefined), 40_000, 'the expiry');
    eq(await balance('customer_reserved', ref(investor), 'USD'), '0');
    eq(await balance('customer_cash', ref(investor), 'USD'), '10');
  }, 60_000);
});
