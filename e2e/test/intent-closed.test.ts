// An IOC intent's unfilled remainder across both stacks, on real Postgres and JetStream: an
// approved, funded investor places an IOC buy over HTTP (the ledger holds quantity × limit + fee),
// the execution stack pools it into an omnibus IOC order that fills only in part at the venue and
// ends; the allocation and intent.closed.v1 cross back, and the customer stack books the fill and
// releases exactly the rest of the hold — the intent expires, nothing stays reserved.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { parseStackConfig } from '@bulwark/shared-contracts/platform';
import { createTestDatabase, eventually, startTestNats, testStackEnv, type TestDatabase, type TestNats } from '@bulwark/testing';
import { createCustomerApp } from '../../customer-stack/api/src/app.js';
import { AmlService } from '../../customer-stack/api/src/aml/aml.service.js';
import { parseCustomerConfig } from '../../customer-stack/api/src/config/customer-config.js';
import { LedgerService } from '../../customer-stack/api/src/ledger/ledger.service.js';
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

describe('an IOC remainder across the wall', () => {
  it('books the part filled and releases exactly the rest of the hold when the execution stack closes the intent', async () => {
    const instrument = await execution.get(InstrumentsService).list({ symbol: 'LK-IOC-2027-YES', kind: 'event', tickSize: '0.01', lotSize: '1' });
    // The venue offers only 6 of the 10 wanted, below the limit.
    execution.get(SandboxVenue).seed(instrument.id, { asks: [{ price: '0.50', quantity: '6' }] });
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
    const sent: { body: string }[] = await execution.get(DataSource).query(`SELECT body FROM wall_outbox WHERE subject = 'bulwark.e2c.intent.closed.v1'`);
    expect(sent.map((r) => JSON.parse(r.body) as Record<string, string>).map((b) => [b.intentId, b.filledQuantity, b.reason])).toEqual([[intentId, '6', 'unfilled_remainder']]);
  }, 90_000);
});
