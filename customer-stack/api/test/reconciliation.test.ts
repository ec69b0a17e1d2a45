// Customer-side reconciliation on the real stack (Postgres, JetStream behind the project's NATS
// permissions): a trade is booked the real way (intent, acceptance and allocation from the
// execution stack), then statement.v1 messages arrive signed from the execution stack's NATS
// user. A statement that matches the ledger yields no break; a seeded mismatch yields exactly
// the right break, which people move open → investigating → resolved with a note over the
// console API (audited, Idempotency-Key), and which nothing corrects by itself.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import {
  allocationInputsHash, canonicalJson, createKeyring, sha256Hex, signEnvelope, subjectOf, type Keyring, type MessageBody, type MessageType,
} from '@bulwark/shared-contracts';
import { createTestDatabase, eventually, startTestNats, testStackEnv, type TestDatabase, type TestNats } from '@bulwark/testing';
import { createCustomerApp } from '../src/app.js';
import { parseCustomerConfig } from '../src/config/customer-config.js';
import { LedgerService } from '../src/ledger/ledger.service.js';
import { OrdersService } from '../src/orders/orders.service.js';
import { REFERENCE_TENANT_ID } from '../src/tenancy/reference-tenant.js';
import { TenantScope } from '../src/tenancy/tenant-scope.js';
import { TenantsService } from '../src/tenancy/tenants.service.js';
import { loginAs, type LoggedIn } from './support/auth.js';

const tenantId = REFERENCE_TENANT_ID;
let nats: TestNats;
let database: TestDatabase;
let app: INestApplication;
let execution: NatsConnection;
let js: JetStreamClient;
let keyring: Keyring;
let officer: LoggedIn;
let finance: LoggedIn;
const http = () => request(app.getHttpServer());
const accountRef = randomUUID();
const instrumentId = randomUUID();
const periodStart = new Date(Date.now() - 3_600_000).toISOString();
let periodEnd: string;

beforeAll(async () => {
  nats = await startTestNats();
  database = await createTestDatabase('customer');
  app = await createCustomerApp(parseCustomerConfig(testStackEnv('customer', database, nats, { ORDERS_FEE_BPS: '10' })));
  await app.listen(0, '127.0.0.1');
  keyring = createKeyring([
    { direction: 'c2e', current: { kid: nats.secrets.wall.c2e.kid, secret: nats.secrets.wall.c2e.secret } },
    { direction: 'e2c', current: { kid: nats.secrets.wall.e2c.kid, secret: nats.secrets.wall.e2c.secret } },
  ]);
  execution = await connect({ servers: nats.url, ...nats.credentials('execution'), inboxPrefix: '_INBOX_execution' });
  js = jetstream(execution);
  officer = await loginAs(app, { role: 'compliance_officer', tenantId });
  finance = await loginAs(app, { role: 'finance_ops', tenantId });
}, 60_000);

afterAll(async () => {
  await execution?.close();
  await app?.close();
  await database?.drop();
  await nats?.stop();
});

const sql = <T>(text: string, params: unknown[] = []): Promise<T[]> => app.get(TenantScope).run(tenantId, (tx) => tx.query<T>(text, params));

async function fromExecution<T extends MessageType>(type: T, body: MessageBody<T>): Promise<void> {
  const { wire } = signEnvelope({ key: keyring.signingKey('e2c'), subject: subjectOf(type), id: randomUUID(), body, nowMs: Date.now() });
  await js.publish(subjectOf(type), wire);
}

/** A statement as the execution stack builds it: its content hash over everything but its id. */
function statement(positions: MessageBody<'statement.v1'>['positions'], cash: MessageBody<'statement.v1'>['cash']): MessageBody<'statement.v1'> {
  const content = { tenantRef: tenantId, periodStart, periodEnd, positions, cash };
  return { statementId: randomUUID(), ...content, contentHash: sha256Hex(canonicalJson(content)) };
}

async function reconciled(statementId: string): Promise<{ breaks: number }> {
  return eventually(async () => (await sql<{ breaks: number }>(`SELECT breaks FROM reconciliation_statement WHERE statement_id = $1`, [statementId]))[0], 30_000, 'the statement reconciled');
}

const breaks = (who: LoggedIn, query = '') => http().get(`/v1/console/reconciliation/breaks${query}`).set(who.headers);
const decide = (who: LoggedIn, breakId: string, body: unknown) =>
  http().post(`/v1/console/reconciliation/breaks/${breakId}/status`).set(who.headers).set('Idempotency-Key', randomUUID()).send(body as object);

describe('a statement against the ledger', () => {
  it('books a trade the real way: 10 units bought for 5.00 and a 0.005 fee', async () => {
    await app.get(TenantScope).run(tenantId, async (tx) => {
      await app.get(TenantsService).registerAccount(tx, { actor: 'system:test', role: 'system' }, tenantId, accountRef);
      const funded = await app.get(LedgerService).post(tx, {
        tenantId, idempotencyKey: `test-fund:${accountRef}`, kind: 'deposit', reference: null,
        legs: [
          { account: { kind: 'bank_clearing', ownerRef: null, unit: 'USD' }, side: 'debit', amount: '100' },
          { account: { kind: 'customer_cash', ownerRef: accountRef, unit: 'USD' }, side: 'credit', amount: '100' },
        ],
      });
      expect(funded.status).toBe('posted');
    });
    const [intentId] = await app.get(OrdersService).submitIntents([{ accountRef, tenantRef: tenantId, instrumentId, side: 'buy', quantity: '10', limitPrice: '0.55', timeInForce: 'GTC' }]);
    await fromExecution('intent.accepted.v1', { intentId: intentId!, accountRef, acceptedAt: new Date().toISOString() });
    const omnibusOrderRef = randomUUID();
    const fillRefs = [randomUUID()];
    const inputsHash = allocationInputsHash({
      intentId: intentId!, accountRef, instrumentId, side: 'buy', limitPrice: '0.55', openQuantity: '10', omnibusOrderRef, fillRefs, quantity: '10', notional: '5', fee: '0.005', remainingQuantity: '0',
    });
    await fromExecution('allocation.v1', {
      allocationId: randomUUID(), intentId: intentId!, accountRef, instrumentId, omnibusOrderRef, side: 'buy', quantity: '10', averagePrice: '0.5', notional: '5', fee: '0.005',
      currency: 'USD', remainingQuantity: '0', fillRefs, inputsHash, allocatedAt: new Date().toISOString(),
    });
    await eventually(async () => ((await sql<{ status: string }>(`SELECT status FROM order_intent WHERE id = $1`, [intentId]))[0]?.status === 'filled' ? true : undefined), 30_000, 'the allocation booked');
    periodEnd = new Date().toISOString();
  }, 60_000);

  it('a matching statement yields no break', async () => {
    const s = statement([{ accountRef, instrumentId, quantity: '10' }], [{ accountRef, currency: 'USD', amount: '-5.005' }]);
    await fromExecution('statement.v1', s);
    expect(await reconciled(s.statementId)).toEqual({ breaks: 0 });
    expect((await breaks(officer)).body).toEqual({ breaks: [] });
    const audit = await sql<{ action: string }>(`SELECT action FROM audit_entry WHERE resource = $1`, [`statement:${s.statementId}`]);
    expect(audit.map((a) => a.action)).toEqual(['reconciliation.statement.reconciled']);
  });

  let breakId: string;

  it('a seeded mismatch yields exactly the right break, once however often the statement is delivered', async () => {
    // The execution stack says 12 units; the ledger holds 10. The cash agrees.
    const s = statement([{ accountRef, instrumentId, quantity: '12' }], [{ accountRef, currency: 'USD', amount: '-5.005' }]);
    await fromExecution('statement.v1', s);
    await fromExecution('statement.v1', s);
    expect(await reconciled(s.statementId)).toEqual({ breaks: 1 });
    const listed = await breaks(officer);
    expect(listed.status).toBe(200);
    expect(listed.body.breaks).toEqual([{
      breakId: expect.any(String), statementId: s.statementId, kind: 'position_mismatch', accountRef, unit: instrumentId, expected: '12', actual: '10', amount: '-2',
      periodEnd, status: 'open', note: null, detectedAt: expect.any(String), ageMs: expect.any(Number), updatedAt: expect.any(String), updatedBy: null,
    }]);
    breakId = listed.body.breaks[0].breakId;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await sql(`SELECT 1 FROM reconciliation_break`)).toHaveLength(1);
    // Nothing was corrected: the ledger still holds 10.
    const position = await app.get(TenantScope).run(tenantId, (tx) => app.get(LedgerService).balance(tx, tenantId, { kind: 'customer_position', ownerRef: accountRef, unit: instrumentId }));
    expect(position).toBe('10');
    const audit = await sql<{ action: string }>(`SELECT action FROM audit_entry WHERE resource = $1`, [`reconciliation_break:${breakId}`]);
    expect(audit.map((a) => a.action)).toEqual(['reconciliation.break.detected']);
  });

  it('people move the break open → investigating → resolved with a note, audited; nothing else may', async () => {
    const investor = await loginAs(app, { role: 'investor', tenantId });
    expect((await breaks(investor)).status).toBe(403);
    expect((await decide(investor, breakId, { status: 'investigating' })).status).toBe(403);
    expect((await breaks(officer, '?status=closed')).body.code).toBe('invalid_request');
    const investigating = await decide(finance, breakId, { status: 'investigating', note: 'checking the late allocation' });
    expect(investigating.status).toBe(200);
    expect(investigating.body).toMatchObject({ status: 'investigating', note: 'checking the late allocation', updatedBy: `user:${finance.principal.userId}` });
    const noNote = await decide(officer, breakId, { status: 'resolved' });
    expect([noNote.status, noNote.body.code]).toEqual([409, 'break_transition_invalid']);
    const resolved = await decide(officer, breakId, { status: 'resolved', note: 'execution statement double-counted a fill; raised with the venue' });
    expect(resolved.body).toMatchObject({ status: 'resolved', note: 'execution statement double-counted a fill; raised with the venue', expected: '12', actual: '10' });
    const again = await decide(officer, breakId, { status: 'investigating' });
    expect([again.status, again.body.code]).toEqual([409, 'break_transition_invalid']);
    const missing = await decide(officer, randomUUID(), { status: 'investigating' });
    expect([missing.status, missing.body.code]).toEqual([404, 'break_not_found']);
    expect((await breaks(officer, '?status=resolved')).body.breaks.map((b: { breakId: string }) => b.breakId)).toEqual([breakId]);
    const audit = await sql<{ action: string; actor: string }>(`SELECT action, actor FROM audit_entry WHERE resource = $1 ORDER BY seq`, [`reconciliation_break:${breakId}`]);
    expect(audit.map((a) => [a.action, a.actor])).toEqual([
      ['reconciliation.break.detected', 'system:execution-stack'],
      ['reconciliation.break.investigating', `user:${finance.principal.userId}`],
      ['reconciliation.break.resolved', `user:${officer.principal.userId}`],
    ]);
  });

  it('what the ledger holds but the statement leaves out is a break too: the position and the cash it never mentions', async () => {
    // An empty statement for the period: the ledger holds 10 units and booked -5.005 USD of trade cash.
    const s = statement([], []);
    await fromExecution('statement.v1', s);
    expect(await reconciled(s.statementId)).toEqual({ breaks: 2 });
    const found = (await breaks(officer, '?status=open')).body.breaks as { statementId: string; kind: string; accountRef: string; unit: string; expected: string; actual: string }[];
    expect(found.filter((b) => b.statementId === s.statementId).map((b) => [b.kind, b.accountRef, b.unit, b.expected, b.actual]).sort()).toEqual([
      ['cash_mismatch', accountRef, 'USD', '0', '-5.005'],
      ['position_mismatch', accountRef, instrumentId, '0', '10'],
    ]);
  });

  it('the database keeps what was found and keeps a resolved break resolved', async () => {
    await expect(sql(`UPDATE reconciliation_break SET actual = 12 WHERE break_id = $1`, [breakId])).rejects.toThrow(/keeps what was found/);
    await expect(sql(`UPDATE reconciliation_break SET note = 'x' WHERE break_id = $1`, [breakId])).rejects.toThrow(/stays resolved/);
  });
});
