// An intent's unfilled remainder across both stacks, on real Postgres and JetStream: an approved,
// funded investor places a buy over HTTP (the ledger holds quantity × limit + fee), the execution
// stack pools it into an omnibus order that fills only in part at the venue; the allocation and
// intent.closed.v1 cross back, and the customer stack books the fill and releases exactly the rest
// of the hold — nothing stays reserved. An IOC order simply ends; a GTD intent resting in its
// omnibus order expires on both sides, and the order is reduced at the venue by what it had open.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { canonicalDecimal } from '@bulwark/shared-contracts';
import { parseStackConfig } from '@bulwark/shared-contracts/platform';
import { createTestDatabase, eventually, startTestNats, testStackEnv, type TestDatabase, type TestNats } from '@bulwark/testing';
import { createCustomerApp } from '../../customer-stack/api/src/app.js';
import { AmlService } from '../../customer-stack/api/src/aml/aml.service.js';
import { parseCustomerConfig } from '../../customer-stack/api/src/config/customer-config.js';
import { LedgerService } from '../../customer-stack/api/src/ledger/ledger.service.js';
import { ReservationExpiryScheduler } from '../../customer-stack/api/src/ledger/reservation-expiry.scheduler.js';
import { REFERENCE_TENANT_ID } from '../../customer-stack/api/src/tenancy/reference-tenant.js';
import { TenantScope } from '../../customer-stack/api/src/tenancy/tenant-scope.js';
import { loginAs } from '../../customer-stack/api/test/support/auth.js';
import { SANCTIONS_FIXTURES } from '../../customer-stack/api/test/support/sanctions-fixtures.js';
import { createExecutionApp } from '../../execution-stack/api/src/app.js';
import { parsePostTradeConfig } from '../../execution-stack/api/src/aggregation/post-trade-config.js';
import { SandboxVenue } from '../../execution-stack/api/src/aggregation/sandbox-venue.js';
import { InstrumentsService } from '../../execution-stack/api/src/market/instruments.service.js';
import { parseExecutionConfig } from '../../execution-stack/api/src/config/execution-config.js';

const tenantId = REFERENCE_TENANT_ID;
let nats: TestNats;
let customerDb: TestDatabase;
let executionDb: TestDatabase;
let customer: INestApplication;
let execution: INestApplication;

beforeAll(async () => {
  nats = await startTestNats();
  customerDb = await createTestDatabase('customer');
  executionDb = await createTestDatabase('execution');
  customer = await createCustomerApp(parseCustomerConfig(testStackEnv('customer', customerDb, nats, { ORDERS_FEE_BPS: '10' })));
  execution = await createExecutionApp(
    parseStackConfig('execution', testStackEnv('execution', executionDb, nats)), undefined, parseExecutionConfig({}),
    parsePostTradeConfig({ POSTTRADE_WINDOW_MS: '300', POSTTRADE_TICK_MS: '50', POSTTRADE_FEE_BPS: '10' }),
  );
  await Promise.all([customer.init(), execution.init()]);
  await customer.get(AmlService).importListFiles({
    openSanctions: `${SANCTIONS_FIXTURES}targets.simple.csv`, ofacSdn: `${SANCTIONS_FIXTURES}sdn.csv`, ofacAlt: `${SANCTIONS_FIXTURES}alt.csv`,
  });
}, 60_000);

afterAll(async () => {
  await customer?.close();
  await execution?.close();
  await customerDb?.drop();
  await executionDb?.drop();
  await nats?.stop();
});

const balance = (kind: 'customer_cash' | 'customer_reserved' | 'customer_position', ownerRef: string, unit: string) =>
  customer.get(TenantScope).run(tenantId, (tx) => customer.get(LedgerService).balance(tx, tenantId, { kind, ownerRef, unit }));

/** An investor approved over HTTP, with 100 USD of cash. */
async function fundedInvestor() {
  const investor = await loginAs(customer, { role: 'investor', tenantId });
  const accountRef = investor.principal.accountRef as string;
  await request(customer.getHttpServer()).post('/kyc/submissions').set(investor.headers).set('Idempotency-Key', randomUUID()).send({
    givenNames: 'Nimal', familyName: 'Perera', dateOfBirth: '1985-12-05', residenceCountry: 'LK',
    address: { line1: '12 Galle Road', city: 'Colombo', postalCode: '00300', country: 'LK' },
    document: { type: 'lk_nic', number: '853400937V', country: 'LK' }, livenessToken: 'selfie-ok', requestedTier: 2,
  }).expect(200);
  await customer.get(TenantScope).run(tenantId, async (tx) => {
    const funded = await customer.get(LedgerService).post(tx, {
      tenantId, idempotencyKey: `fund:${accountRef}`, kind: 'deposit', reference: null,
      legs: [
        { account: { kind: 'bank_clearing', ownerRef: null, unit: 'USD' }, side: 'debit', amount: '100' },
        { account: { kind: 'customer_cash', ownerRef: accountRef, unit: 'USD' }, side: 'credit', amount: '100' },
      ],
    });
    expect(funded.status).toBe('posted');
  });
  return { investor, accountRef };
}

const closedSent = async (): Promise<string[][]> =>
  ((await execution.get(DataSource).query(`SELECT body FROM wall_outbox WHERE subject = 'bulwark.e2c.intent.closed.v1' ORDER BY seq`)) as { body: string }[])
    .map((r) => JSON.parse(r.body) as Record<string, string>).map((b) => [b.intentId as string, b.filledQuantity as string, b.reason as string]);

describe('an IOC remainder across the wall', () => {
  it('books the part filled and releases exactly the rest of the hold when the execution stack closes the intent', async () => {
    const instrument = await execution.get(InstrumentsService).list({ symbol: 'LK-IOC-2027-YES', kind: 'event', tickSize: '0.01', lotSize: '1' });
    // The venue offers only 6 of the 10 wanted, below the limit.
    execution.get(SandboxVenue).seed(instrument.id, { asks: [{ price: '0.50', quantity: '6' }] });
    const { investor, accountRef } = await fundedInvestor();
    const placed = await request(customer.getHttpServer()).post('/v1/orders/intents').set(investor.headers).set('Idempotency-Key', randomUUID())
      .send({ instrumentId: instrument.id, side: 'buy', quantity: '10', limitPrice: '0.55', timeInForce: 'IOC' }).expect(201);
    const intentId = placed.body.intentId as string;
    expect(await balance('customer_reserved', accountRef, 'USD')).toBe('5.5055'); // 10 × 0.55 + 10 bps

    const closed = await eventually(async () => {
      const { body } = await request(customer.getHttpServer()).get(`/v1/orders/intents/${intentId}`).set(investor.headers);
      return body.status === 'expired' ? body : undefined;
    }, 30_000, 'the intent closed');
    expect(closed).toMatchObject({ status: 'expired', filledQuantity: '6', notional: '3', fee: '0.003' });
    // 6 × 0.50 and its fee paid; the 2.5025 held for the 4 units that never filled came back.
    expect(await balance('customer_cash', accountRef, 'USD')).toBe('96.997');
    expect(await balance('customer_reserved', accountRef, 'USD')).toBe('0');
    expect(await balance('customer_position', accountRef, instrument.id)).toBe('6');
    // The execution side sent exactly one intent.closed.v1 for it, with all it allocated.
    expect(await closedSent()).toEqual([[intentId, '6', 'unfilled_remainder']]);
  }, 90_000);
});

describe('a pooled GTD intent expiring across the wall', () => {
  it('both sides expire it at its time: the omnibus order is reduced at the venue by what it had open, and the customer keeps exactly its fill', async () => {
    const instrument = await execution.get(InstrumentsService).list({ symbol: 'LK-GTD-2027-YES', kind: 'event', tickSize: '0.01', lotSize: '1' });
    const venue = execution.get(SandboxVenue);
    venue.seed(instrument.id, { asks: [{ price: '0.50', quantity: '4' }] });
    const { investor, accountRef } = await fundedInvestor();
    const expiresAt = new Date(Date.now() + 8_000).toISOString();
    const placed = await request(customer.getHttpServer()).post('/v1/orders/intents').set(investor.headers).set('Idempotency-Key', randomUUID())
      .send({ instrumentId: instrument.id, side: 'buy', quantity: '10', limitPrice: '0.55', timeInForce: 'GTD', expiresAt }).expect(201);
    const intentId = placed.body.intentId as string;
    const intent = async () => (await request(customer.getHttpServer()).get(`/v1/orders/intents/${intentId}`).set(investor.headers)).body;
    // Pooled with its expiry, 4 of 10 filled at the venue, the rest resting there.
    await eventually(async () => ((await intent()).filledQuantity === '4' ? true : undefined), 30_000, 'the first fill booked');
    const [pooled] = await execution.get(DataSource).query(
      `SELECT p.order_ref, p.expires_at, o.status FROM pooled_intent p JOIN omnibus_order o USING (order_ref) WHERE p.intent_id = $1`, [intentId],
    );
    expect([pooled.expires_at.toISOString(), pooled.status]).toEqual([expiresAt, 'working']);
    expect((await intent()).status).toBe('accepted');
    expect(await balance('customer_reserved', accountRef, 'USD')).toBe('3.5035'); // 5.5055 less the 2.002 paid

    // Its time comes: the customer stack's sweep and the execution stack's clock both expire it.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(expiresAt) - Date.now())));
    await customer.get(ReservationExpiryScheduler).sweep(new Date(expiresAt));
    const closed = await eventually(async () => {
      const body = await intent();
      return body.status === 'expired' ? body : undefined;
    }, 30_000, 'the intent expired');
    expect(closed).toMatchObject({ filledQuantity: '4', notional: '2', fee: '0.002' });
    expect(await balance('customer_cash', accountRef, 'USD')).toBe('97.998');
    expect(await balance('customer_reserved', accountRef, 'USD')).toBe('0');
    expect(await balance('customer_position', accountRef, instrument.id)).toBe('4');
    // The 6 it still had came off the omnibus order at the venue: the order is done at 4.
    const [order] = await execution.get(DataSource).query(`SELECT quantity::text, filled_quantity::text, status FROM omnibus_order WHERE order_ref = $1`, [pooled.order_ref]);
    expect([canonicalDecimal(order.quantity), canonicalDecimal(order.filled_quantity), order.status]).toEqual(['4', '4', 'done']);
    expect((await closedSent()).filter(([id]) => id === intentId)).toEqual([[intentId, '4', 'expired']]);
    // Liquidity that comes later fills nothing more for it.
    venue.seed(instrument.id, { asks: [{ price: '0.50', quantity: '10' }] });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await balance('customer_position', accountRef, instrument.id)).toBe('4');
    const [allocated] = await execution.get(DataSource).query(`SELECT sum(quantity)::text AS quantity FROM allocation WHERE intent_id = $1`, [intentId]);
    expect(canonicalDecimal(allocated.quantity)).toBe('4');
  }, 90_000);
});
