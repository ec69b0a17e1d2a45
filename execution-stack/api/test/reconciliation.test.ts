// Execution-side reconciliation on real Postgres: each kind of break is detected with its
// expected and actual amounts, recorded once however often a run sees it, shown to operators
// with its amount and age, and changed only by a person's decision (acknowledge, resolve) —
// nothing is corrected. Statements: one statement.v1 per tenant and period, exact, sent once.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { exportJWK, generateKeyPair } from 'jose';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { canonicalJson, sha256Hex, subjectOf, type MessageBody } from '@bulwark/shared-contracts';
import { parseStackConfig } from '@bulwark/shared-contracts/platform';
import { createTestDatabase, startTestNats, testStackEnv, type TestDatabase, type TestNats } from '@bulwark/testing';
import { createExecutionApp } from '../src/app.js';
import { parsePostTradeConfig } from '../src/aggregation/post-trade-config.js';
import { MembersService } from '../src/members/members.service.js';
import { signRequest, type SigningKey } from '../src/members/request-signature.js';

let nats: TestNats;
let database: TestDatabase;
let app: INestApplication;
let operator: SigningKey & { id: string };

beforeAll(async () => {
  nats = await startTestNats();
  database = await createTestDatabase('execution');
  const postTrade = parsePostTradeConfig({ POSTTRADE_RECONCILE_EVERY_MS: '86400000', POSTTRADE_RECONCILE_GRACE_MS: '0' });
  app = await createExecutionApp(parseStackConfig('execution', testStackEnv('execution', database, nats)), undefined, undefined, postTrade);
  await app.init();
  const op = await generateKeyPair('PS256', { extractable: true });
  const created = await app.get(MembersService).createOperator('op-reconciler', await exportJWK(op.publicKey));
  operator = { keyId: created.keyId, privateKey: op.privateKey, id: created.operatorId };
}, 60_000);

afterAll(async () => {
  await app?.close();
  await database?.drop();
  await nats?.stop();
});

const db = () => app.get(DataSource);

async function call(method: 'GET' | 'POST', path: string, body?: unknown) {
  const text = body === undefined ? '' : JSON.stringify(body);
  const headers = await signRequest(operator, { method, path, body: text });
  const req = method === 'GET' ? request(app.getHttpServer()).get(path) : request(app.getHttpServer()).post(path);
  for (const [k, v] of Object.entries(headers)) req.set(k, v);
  if (text) req.set('content-type', 'application/json').send(text);
  return req;
}

const instrumentId = randomUUID();
const tenant = randomUUID();

async function order(orderRef: string, filled: string, venue = 'sandbox'): Promise<void> {
  await db().query(
    `INSERT INTO omnibus_order (order_ref, tenant_ref, instrument_id, side, limit_price, time_in_force, quantity, filled_quantity, venue, status, created_at)
     VALUES ($1, $2, $3, 'buy', 1, 'GTC', 100, $4, $5, 'working', now())`,
    [orderRef, tenant, instrumentId, filled, venue],
  );
}

async function fill(orderRef: string, quantity: string, roundRef: string | null, venue = 'sandbox'): Promise<void> {
  await db().query(
    `INSERT INTO omnibus_fill (fill_ref, order_ref, tenant_ref, instrument_id, side, venue, price, quantity, round_ref, traded_at)
     VALUES ($1, $2, $3, $4, 'buy', $5, 0.5, $6, $7, now())`,
    [randomUUID(), orderRef, tenant, instrumentId, venue, quantity, roundRef],
  );
}

async function allocation(roundRef: string, accountRef: string, side: 'buy' | 'sell', quantity: string, notional: string, fee: string, at = new Date()): Promise<void> {
  await db().query(
    `INSERT INTO allocation (allocation_id, round_ref, order_ref, intent_id, account_ref, tenant_ref, instrument_id, side, quantity, notional,
                             average_price, fee, remaining_quantity, fill_refs, inputs_hash, allocated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0.5, $11, 0, ARRAY[$12::uuid], $13, $14)`,
    [randomUUID(), roundRef, randomUUID(), randomUUID(), accountRef, tenant, instrumentId, side, quantity, notional, fee, randomUUID(), '0'.repeat(64), at],
  );
}

type BreakBody = { breakId: string; kind: string; subject: string; expected: string; actual: string; amount: string; status: string; ageMs: number };

describe('breaks', () => {
  const orphanOrder = randomUUID();
  const shortOrder = randomUUID();
  const roundOrder = randomUUID();
  const round = randomUUID();
  const clobOrder = randomUUID();

  it('finds nothing when everything agrees', async () => {
    const consistent = randomUUID();
    const consistentRound = randomUUID();
    await order(consistent, '5');
    await fill(consistent, '5', consistentRound);
    await allocation(consistentRound, randomUUID(), 'buy', '5', '2.5', '0');
    const run = await call('POST', '/v1/operator/reconciliation/runs');
    expect([run.status, run.body]).toEqual([200, { found: 0, opened: 0 }]);
  });

  it('detects each kind of break (the chain kind needs anvil) with its expected and actual amounts, and records each once', async () => {
    await fill(orphanOrder, '7', null); // a fill of no order
    await order(shortOrder, '10'); // says 10 filled, has no fill
    await order(roundOrder, '5');
    await fill(roundOrder, '5', round);
    await allocation(round, randomUUID(), 'buy', '4', '2', '0'); // 5 filled, 4 allocated
    // The internal book traded 3 for a mapped order the aggregator never recorded.
    await order(clobOrder, '0', 'internal');
    await db().query(`INSERT INTO clob_venue_order (order_ref, instrument_id, book_order_id, owner_no, reject_code, submitted_at) VALUES ($1, $2, 42, 1, NULL, now())`, [clobOrder, instrumentId]);
    await db().query(
      `INSERT INTO market_trade (instrument_id, trade_seq, price, quantity, aggressor, buy_order_id, sell_order_id, buy_owner_no, sell_owner_no, traded_at)
       VALUES ($1, 1, 0.5, 3, 'buy', 42, 43, 1, 2, now() - interval '1 minute')`,
      [instrumentId],
    );

    const run = await call('POST', '/v1/operator/reconciliation/runs');
    expect(run.body).toEqual({ found: 4, opened: 4 });
    const listed = await call('GET', '/v1/operator/reconciliation/breaks?status=open');
    const breaks = listed.body.breaks as BreakBody[];
    const summary = breaks.map((b) => [b.kind, b.subject, b.expected, b.actual, b.amount]).sort();
    expect(summary).toEqual([
      ['allocation_fill_mismatch', `allocation_round:${round}`, '5', '4', '-1'],
      ['clob_fill_mismatch', `omnibus_order:${clobOrder}`, '3', '0', '-3'],
      ['fill_without_order', expect.stringMatching(/^omnibus_fill:/), '0', '7', '7'],
      ['order_fill_mismatch', `omnibus_order:${shortOrder}`, '10', '0', '-10'],
    ].sort());
    for (const b of breaks) expect(b.ageMs).toBeGreaterThanOrEqual(0);

    const again = await call('POST', '/v1/operator/reconciliation/runs');
    expect(again.body).toEqual({ found: 4, opened: 0 });
    const [{ n }] = await db().query(`SELECT count(*)::int AS n FROM reconciliation_break`);
    expect(n).toBe(4);
  });

  it('changes a break only by a person’s decision, and never the data behind it', async () => {
    const breaks = (await call('GET', '/v1/operator/reconciliation/breaks')).body.breaks as BreakBody[];
    const short = breaks.find((b) => b.subject === `omnibus_order:${shortOrder}`) as BreakBody;
    const acknowledged = await call('POST', `/v1/operator/reconciliation/breaks/${short.breakId}/acknowledge`);
    expect(acknowledged.body).toMatchObject({ status: 'acknowledged', acknowledgedBy: operator.id });
    const resolved = await call('POST', `/v1/operator/reconciliation/breaks/${short.breakId}/resolve`);
    expect(resolved.body).toMatchObject({ status: 'resolved', resolvedBy: operator.id });
    const twice = await call('POST', `/v1/operator/reconciliation/breaks/${short.breakId}/resolve`);
    expect([twice.status, twice.body.code]).toEqual([409, 'reconciliation_break_wrong_state']);
    const [row] = await db().query(`SELECT filled_quantity::text FROM omnibus_order WHERE order_ref = $1`, [shortOrder]);
    expect(row.filled_quantity).toBe('10.000000000000000000'); // untouched
    // Still wrong: the next run opens it again as a new break.
    expect((await call('POST', '/v1/operator/reconciliation/runs')).body).toEqual({ found: 4, opened: 1 });
    const [audit] = await db().query(`SELECT count(*)::int AS n FROM execution_audit WHERE resource = $1`, [`reconciliation_break:${short.breakId}`]);
    expect(audit.n).toBe(3); // detected, acknowledged, resolved
  });
});

describe('statements', () => {
  it('states each account’s positions at the end of the period and its cash during it, once per tenant and period', async () => {
    const statementTenant = randomUUID();
    const [buyer, seller] = [randomUUID(), randomUUID()];
    const at = new Date(Date.now() - 30 * 60_000);
    const periodStart = new Date(Date.now() - 3_600_000).toISOString();
    const periodEnd = new Date(Date.now() - 1_000).toISOString();
    const insert = (accountRef: string, side: 'buy' | 'sell', quantity: string, notional: string, fee: string) => db().query(
      `INSERT INTO allocation (allocation_id, round_ref, order_ref, intent_id, account_ref, tenant_ref, instrument_id, side, quantity, notional,
                               average_price, fee, remaining_quantity, fill_refs, inputs_hash, allocated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0.5, $11, 0, ARRAY[$12::uuid], $13, $14)`,
      [randomUUID(), randomUUID(), randomUUID(), randomUUID(), accountRef, statementTenant, instrumentId, side, quantity, notional, fee, randomUUID(), '0'.repeat(64), at],
    );
    await insert(buyer, 'buy', '10', '6', '0.006');
    await insert(seller, 'buy', '4', '2', '0.002');
    await insert(seller, 'sell', '4', '2.6', '0.0026');
    await db().query(
      `INSERT INTO payout (payout_id, event_ref, tenant_ref, account_ref, instrument_id, kind, quantity, amount_per_unit, amount, paid_at)
       VALUES ($1, $2, $3, $4, $5, 'distribution', 10, 0.125, 1.25, $6)`,
      [randomUUID(), randomUUID(), statementTenant, buyer, instrumentId, at],
    );
    const sent = await call('POST', '/v1/operator/reconciliation/statements', { periodStart, periodEnd });
    const mine = (sent.body.statements as { tenantRef: string; statementId: string }[]).find((s) => s.tenantRef === statementTenant);
    expect(mine).toBeDefined();
    const [row] = await db().query(`SELECT body FROM wall_outbox WHERE subject = $1 AND message_id = $2`, [subjectOf('statement.v1'), mine?.statementId]);
    const body = JSON.parse(row.body) as MessageBody<'statement.v1'>;
    expect(body.positions).toEqual([{ accountRef: buyer, instrumentId, quantity: '10' }]); // the seller holds nothing
    // buyer: −6 − 0.006 + 1.25 = −4.756; seller: −2 − 0.002 + 2.6 − 0.0026 = 0.5954.
    expect(Object.fromEntries(body.cash.map((c) => [c.accountRef, c.amount]))).toEqual({ [buyer]: '-4.756', [seller]: '0.5954' });
    const { statementId: _id, contentHash, ...content } = body;
    expect(sha256Hex(canonicalJson(content))).toBe(contentHash);
    const again = await call('POST', '/v1/operator/reconciliation/statements', { periodStart, periodEnd });
    expect((again.body.statements as { tenantRef: string }[]).some((s) => s.tenantRef === statementTenant)).toBe(false);
  });
});
