// The money routes on the real stack: an investor asks for an FX quote (a retry with the same
// Idempotency-Key gets the same quote, not a second one), reads their balances and their statement.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { LedgerService } from '../src/ledger/ledger.service.js';
import { REFERENCE_TENANT_ID } from '../src/tenancy/reference-tenant.js';
import { TenantScope } from '../src/tenancy/tenant-scope.js';
import { loginAs } from './support/auth.js';
import { startCustomerStack, type CustomerStack } from './support/customer-stack.js';

let stack: CustomerStack;
let app: INestApplication;
const http = () => request(app.getHttpServer());

beforeAll(async () => {
  stack = await startCustomerStack();
  app = stack.app;
});

afterAll(async () => {
  await stack?.stop();
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

  it('gives an investor their statement for a period: opening balance, each entry signed, closing balance; their own accounts only', async () => {
    const tenantId = REFERENCE_TENANT_ID;
    const investor = await loginAs(app, { role: 'investor', tenantId });
    const other = await loginAs(app, { role: 'investor', tenantId });
    const me = investor.principal.accountRef as string;
    const post = (ownerRef: string, amount: string) => app.get(TenantScope).run(tenantId, (tx) => app.get(LedgerService).post(tx, {
      tenantId, idempotencyKey: randomUUID(), kind: 'deposit', reference: `test:${amount}`,
      legs: [
        { account: { kind: 'bank_clearing', ownerRef: null, unit: 'USD' }, side: 'debit', amount },
        { account: { kind: 'customer_cash', ownerRef, unit: 'USD' }, side: 'credit', amount },
      ],
    }));
    expect((await post(me, '100')).status).toBe('posted');
    const between = new Date();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await post(me, '25.5')).status).toBe('posted');
    expect((await post(other.principal.accountRef as string, '7')).status).toBe('posted');
    const reserved = await app.get(TenantScope).run(tenantId, (tx) => app.get(LedgerService).reserve(tx, {
      tenantId, ownerRef: me, unit: 'USD', amount: '40', expiresAt: new Date(Date.now() + 3_600_000), reference: null, idempotencyKey: randomUUID(),
    }));
    expect(reserved.status).toBe('reserved');
    const to = new Date(Date.now() + 60_000).toISOString();

    const statement = await http().get('/v1/ledger/statement').query({ from: between.toISOString(), to }).set(investor.headers).expect(200);
    expect(statement.body.ownerRef).toBe(me);
    const cash = statement.body.accounts.find((a: { kind: string }) => a.kind === 'customer_cash');
    expect(cash).toMatchObject({ unit: 'USD', opening: '100', closing: '85.5' });
    expect(cash.entries.map((e: { kind: string; amount: string; reference: string | null }) => [e.kind, e.amount, e.reference])).toEqual([
      ['deposit', '25.5', 'test:25.5'],
      ['reservation', '-40', null],
    ]);
    const held = statement.body.accounts.find((a: { kind: string }) => a.kind === 'customer_reserved');
    expect(held).toMatchObject({ unit: 'USD', opening: '0', closing: '40' });
    // The whole history from the start adds up to today's balances.
    const whole = await http().get('/v1/ledger/statement').query({ from: new Date(Date.now() - 86_400_000).toISOString(), to }).set(investor.headers).expect(200);
    expect(whole.body.accounts.map((a: { kind: string; opening: string; closing: string }) => [a.kind, a.opening, a.closing]))
      .toEqual([['customer_cash', '0', '85.5'], ['customer_reserved', '0', '40']]);

    const refused = await http().get('/v1/ledger/statement').query({ from: to, to: between.toISOString() }).set(investor.headers).expect(400);
    expect(refused.body.code).toBe('invalid_request');
    await http().get('/v1/ledger/statement').query({ from: '2020-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }).set(investor.headers).expect(400);
    await http().get('/v1/ledger/statement').query({ from: between.toISOString(), to }).expect(401);
  });
});
