// The money routes on the real stack: an investor asks for an FX quote (a retry with the same
// Idempotency-Key gets the same quote, not a second one) and reads their balances.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createTestDatabase, startTestNats, testStackEnv, type TestDatabase, type TestNats } from '@bulwark/testing';
import { createCustomerApp } from '../src/app.js';
import { parseCustomerConfig } from '../src/config/customer-config.js';
import { REFERENCE_TENANT_ID } from '../src/tenancy/reference-tenant.js';
import { loginAs } from './support/auth.js';

let nats: TestNats;
let database: TestDatabase;
let app: INestApplication;
const http = () => request(app.getHttpServer());

beforeAll(async () => {
  nats = await startTestNats();
  database = await createTestDatabase('customer');
  app = await createCustomerApp(parseCustomerConfig(testStackEnv('customer', database, nats)));
  await app.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
  await nats?.stop();
});

describe('money over HTTP', () => {
  it('quotes LKR → USD for an investor, once per Idempotency-Key', async () => {
    const investor = await loginAs(app, { role: 'investor', tenantId: REFERENCE_TENANT_ID });
    const key = randomUUID();
    const body = { sell: 'LKR', buy: 'USD', sellAmount: '30000' };
    const first = await http().post('/v1/fx/quotes').set(investor.headers).set('Idempotency-Key', key).send(body).expect(201);
    expect(first.body).toMatchObject({ sell: 'LKR', buy: 'USD', sellAmount: '30000.00', ownerRef: investor.principal.accountRef, spreadBps: 50 });
    expect(new Date(first.body.expiresAt).getTime() - Date.now()).toBeGreaterThan(4 * 60_000);
    const again = await http().post('/v1/fx/quotes').set(investor.headers).set('Idempotency-Key', key).send(body).expect(201);
    expect(again.body.quoteId).toBe(first.body.quoteId);
    const bad = await http().post('/v1/fx/quotes').set(investor.headers).set('Idempotency-Key', randomUUID()).send({ ...body, sellAmount: '-1' }).expect(400);
    expect(bad.body.code).toBe('invalid_request');
    const cross = await http().post('/v1/fx/quotes').set(investor.headers).set('Idempotency-Key', randomUUID()).send({ ...body, buy: 'EUR' }).expect(422);
    expect(cross.body.code).toBe('pair_unsupported');
  });

  it('shows an investor their balances, and refuses a caller without the permission', async () => {
    const investor = await loginAs(app, { role: 'investor', tenantId: REFERENCE_TENANT_ID });
    expect((await http().get('/v1/ledger/balances').set(investor.headers).expect(200)).body).toEqual({ accounts: [] });
    await http().get('/v1/ledger/balances').expect(401);
  });
});
