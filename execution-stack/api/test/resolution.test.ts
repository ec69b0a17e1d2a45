// Resolution and distributions on the real stack: an operator (PS256-signed requests) resolves
// event instruments YES, NO and void and declares a distribution on a security; the payouts per
// accountRef are exact from the allocations net of sales, leave as payout.v1 through the outbox
// exactly once, and a second resolution is refused — by the service and by the database.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { decimal, subjectOf, type MessageBody } from '@bulwark/shared-contracts';
import { parseStackConfig } from '@bulwark/shared-contracts/platform';
import { createTestDatabase, eventually, startTestNats, testStackEnv, type TestDatabase, type TestNats } from '@bulwark/testing';
import { createExecutionApp } from '../src/app.js';
import { MarketService } from '../src/market/market.service.js';
import { MembersService } from '../src/members/members.service.js';
import { signRequest, type SigningKey } from '../src/members/request-signature.js';

let nats: TestNats;
let database: TestDatabase;
let app: INestApplication;
let operator: SigningKey & { id: string };
let member: SigningKey;
const tenantA = randomUUID();
const tenantB = randomUUID();
const account = Array.from({ length: 4 }, () => randomUUID());

beforeAll(async () => {
  nats = await startTestNats();
  database = await createTestDatabase('execution');
  app = await createExecutionApp(parseStackConfig('execution', testStackEnv('execution', database, nats)));
  await app.init();
  const op = await generateKeyPair('PS256', { extractable: true });
  const created = await app.get(MembersService).createOperator('op-resolver', await exportJWK(op.publicKey));
  operator = { keyId: created.keyId, privateKey: op.privateKey, id: created.operatorId };
  const mm = await generateKeyPair('PS256', { extractable: true });
  const maker = await app.get(MembersService).createMember('system:test', {
    kind: 'market_maker', orderQuantityMax: '10', orderNotionalMax: '10', openOrdersMax: 1, messagesPerSecond: 100, publicJwk: rsaJwk(await exportJWK(mm.publicKey)),
  });
  member = { keyId: maker.keyId, privateKey: mm.privateKey };
}, 60_000);

afterAll(async () => {
  await app?.close();
  await database?.drop();
  await nats?.stop();
});

const db = () => app.get(DataSource);
const rsaJwk = (jwk: JWK) => ({ kty: 'RSA' as const, n: jwk.n as string, e: jwk.e as string });

async function call(key: SigningKey, method: 'GET' | 'POST', path: string, body?: unknown) {
  const text = body === undefined ? '' : JSON.stringify(body);
  const headers = await signRequest(key, { method, path, body: text });
  const req = method === 'GET' ? request(app.getHttpServer()).get(path) : request(app.getHttpServer()).post(path);
  for (const [k, v] of Object.entries(headers)) req.set(k, v);
  if (text) req.set('content-type', 'application/json').send(text);
  return req;
}

async function list(symbol: string, kind: 'event' | 'security'): Promise<string> {
  return (await app.get(MarketService).list({ symbol, kind, tickSize: '0.01', lotSize: '1' })).id;
}

async function close(instrumentId: string): Promise<void> {
  expect((await call(operator, 'POST', `/v1/operator/instruments/${instrumentId}/close`, {})).status).toBe(204);
}

/** One allocation as the allocation round writes it. */
async function alloc(instrumentId: string, tenant: string, accountRef: string, side: 'buy' | 'sell', quantity: string, notional: string, at = new Date()): Promise<void> {
  await db().query(
    `INSERT INTO allocation (allocation_id, round_ref, order_ref, intent_id, account_ref, tenant_ref, instrument_id, side, quantity, notional,
                             average_price, fee, remaining_quantity, fill_refs, inputs_hash, allocated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10::numeric / $9::numeric, 0, 0, ARRAY[$11::uuid], $12, $13)`,
    [randomUUID(), randomUUID(), randomUUID(), randomUUID(), accountRef, tenant, instrumentId, side, quantity, notional, randomUUID(), '0'.repeat(64), at],
  );
}

/** Positions used by every event below: two tenants, one closed position (account 3). */
async function trade(instrumentId: string, at = new Date()): Promise<void> {
  await alloc(instrumentId, tenantA, account[0] as string, 'buy', '100', '61', at);
  await alloc(instrumentId, tenantA, account[0] as string, 'sell', '40', '26', at);
  await alloc(instrumentId, tenantA, account[1] as string, 'buy', '20', '12', at);
  await alloc(instrumentId, tenantA, account[1] as string, 'buy', '5', '3.25', at);
  await alloc(instrumentId, tenantB, account[2] as string, 'buy', '10', '6', at);
  await alloc(instrumentId, tenantB, account[2] as string, 'sell', '10', '7', at);
  await alloc(instrumentId, tenantB, account[3] as string, 'buy', '3', '1', at);
}

async function payouts(eventRef: string): Promise<Record<string, [string, string, string]>> {
  const rows: { account_ref: string; quantity: string; amount_per_unit: string; amount: string }[] = await db().query(
    `SELECT account_ref, quantity, amount_per_unit, amount FROM payout WHERE event_ref = $1`, [eventRef],
  );
  return Object.fromEntries(rows.map((r) => [r.account_ref, [decimal(r.quantity).toString(), decimal(r.amount_per_unit).toString(), decimal(r.amount).toString()]]));
}

async function published(eventRef: string): Promise<MessageBody<'payout.v1'>[]> {
  return eventually(async () => {
    const rows: { body: string; published: boolean }[] = await db().query(`SELECT body, published FROM wall_outbox_status WHERE subject = $1`, [subjectOf('payout.v1')]);
    const mine = rows.map((r) => ({ ...r, message: JSON.parse(r.body) as MessageBody<'payout.v1'> })).filter((r) => r.message.eventRef === eventRef);
    return mine.every((r) => r.published) ? mine.map((r) => r.message) : undefined;
  }, 15_000, 'payouts published');
}

const [a0, a1, , a3] = account as [string, string, string, string];

describe('resolving an event instrument', () => {
  let eventId: string;
  let eventRef: string;

  it('refuses while the market is open, then resolves YES and pays 1 USD per unit held, exactly', async () => {
    eventId = await list('RES-YES', 'event');
    await trade(eventId);
    const early = await call(operator, 'POST', '/v1/operator/resolutions', { instrumentId: eventId, outcome: 'yes' });
    expect([early.status, early.body.code]).toEqual([409, 'resolution_market_open']);
    await close(eventId);
    const resolved = await call(operator, 'POST', '/v1/operator/resolutions', { instrumentId: eventId, outcome: 'yes' });
    expect(resolved.status).toBe(201);
    expect(resolved.body).toMatchObject({ kind: 'resolution', outcome: 'yes', payouts: 3, totalQuantity: '88', totalAmount: '88', declaredBy: operator.id, burnTxIds: [] });
    eventRef = resolved.body.eventRef;
    // 100 − 40 = 60; 20 + 5 = 25; 10 − 10 = 0 (no payout); 3.
    expect(await payouts(eventRef)).toEqual({ [a0]: ['60', '1', '60'], [a1]: ['25', '1', '25'], [a3]: ['3', '1', '3'] });
    const messages = await published(eventRef);
    expect(messages.map((m) => [m.accountRef, m.quantity, m.amount, m.kind, m.currency, m.instrumentId]).sort()).toEqual(
      [[a0, '60', '60', 'resolution', 'USD', eventId], [a1, '25', '25', 'resolution', 'USD', eventId], [a3, '3', '3', 'resolution', 'USD', eventId]].sort(),
    );
    const view = await call(operator, 'GET', `/v1/operator/instrument-events/${eventRef}/payouts?limit=2`);
    expect(view.status).toBe(200);
    expect(view.body.payouts).toHaveLength(2);
  });

  it('refuses a second resolution, and pays exactly once', async () => {
    for (const outcome of ['yes', 'no']) {
      const again = await call(operator, 'POST', '/v1/operator/resolutions', { instrumentId: eventId, outcome });
      expect([again.status, again.body.code]).toEqual([409, 'resolution_already_resolved']);
    }
    const [counts] = await db().query(
      `SELECT (SELECT count(*)::int FROM payout WHERE instrument_id = $1) AS payouts,
              (SELECT count(*)::int FROM instrument_event WHERE instrument_id = $1) AS events,
              (SELECT count(*)::int FROM wall_outbox WHERE subject = $2 AND body::jsonb ->> 'instrumentId' = $1::text) AS messages`,
      [eventId, subjectOf('payout.v1')],
    );
    expect(counts).toEqual({ payouts: 3, events: 1, messages: 3 });
  });

  it.each([
    ['a second resolution row', `INSERT INTO instrument_event SELECT gen_random_uuid(), instrument_id, kind, 'no', amount_per_unit, record_at, declared_by, declared_at FROM instrument_event WHERE event_ref = $1`, /duplicate key/],
    ['changing a payout', `UPDATE payout SET amount = amount + 1 WHERE event_ref = $1`, /append-only/],
    ['deleting a payout', `DELETE FROM payout WHERE event_ref = $1`, /append-only/],
    ['changing the outcome', `UPDATE instrument_event SET outcome = 'no' WHERE event_ref = $1`, /append-only/],
  ])('the database refuses %s', async (_name, sql, message) => {
    await expect(db().query(sql, [eventRef])).rejects.toThrow(message);
  });

  it('resolves NO: every holder gets a payout of 0 that closes the position', async () => {
    const id = await list('RES-NO', 'event');
    await trade(id);
    await close(id);
    const resolved = await call(operator, 'POST', '/v1/operator/resolutions', { instrumentId: id, outcome: 'no' });
    expect(resolved.body).toMatchObject({ outcome: 'no', payouts: 3, totalQuantity: '88', totalAmount: '0' });
    expect(await payouts(resolved.body.eventRef)).toEqual({ [a0]: ['60', '0', '0'], [a1]: ['25', '0', '0'], [a3]: ['3', '0', '0'] });
    expect((await published(resolved.body.eventRef)).map((m) => m.amount)).toEqual(['0', '0', '0']);
  });

  it('resolves VOID: the units held are refunded at each account’s average buying price', async () => {
    const id = await list('RES-VOID', 'event');
    await trade(id);
    await close(id);
    const resolved = await call(operator, 'POST', '/v1/operator/resolutions', { instrumentId: id, outcome: 'void' });
    expect(resolved.status).toBe(201);
    // a0: 61 / 100 = 0.61 × 60 = 36.6; a1: 15.25 / 25 = 0.61 × 25 = 15.25; a3: 1 / 3 × 3 = 1 exactly (the average does not terminate, the amount does).
    expect(await payouts(resolved.body.eventRef)).toEqual({ [a0]: ['60', '0.61', '36.6'], [a1]: ['25', '0.61', '15.25'], [a3]: ['3', '0.333333333333333333', '1'] });
    expect(resolved.body.totalAmount).toBe('52.85');
  });

  it('refuses while omnibus work is open on the instrument', async () => {
    const id = await list('RES-BUSY', 'event');
    await db().query(
      `INSERT INTO pooled_intent (intent_id, seq, tenant_ref, account_ref, instrument_id, side, limit_price, time_in_force, quantity, open_quantity, status, accepted_at)
       VALUES ($1, nextval('pooled_intent_seq_gen'), $2, $3, $4, 'buy', 0.5, 'GTC', 1, 1, 'waiting', now() + interval '1 hour')`,
      [randomUUID(), tenantA, a0, id],
    );
    await close(id);
    const refused = await call(operator, 'POST', '/v1/operator/resolutions', { instrumentId: id, outcome: 'yes' });
    expect([refused.status, refused.body.code]).toEqual([409, 'resolution_orders_open']);
  });
});

describe('distributions on a security', () => {
  let securityId: string;
  const recordDate = new Date(Date.now() - 60_000).toISOString();
  const beforeRecordDate = new Date(Date.now() - 120_000);

  it('pays the amount per unit on the positions held at the record date, exactly', async () => {
    securityId = await list('DIST-SEC', 'security');
    await trade(securityId, beforeRecordDate);
    // After the record date: bought too late for this distribution.
    await alloc(securityId, tenantA, a0, 'buy', '1000', '600', new Date(Date.now() + 1_000));
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const declared = await call(operator, 'POST', '/v1/operator/distributions', { instrumentId: securityId, amountPerUnit: '0.125', recordDate: new Date(Date.now() - 10).toISOString() });
    expect(declared.status).toBe(201);
    expect(declared.body).toMatchObject({ kind: 'distribution', outcome: null, amountPerUnit: '0.125' });
    // The 1,000 bought later count: the record date is after them. 1060 × 0.125 = 132.5; 25 × 0.125 = 3.125; 3 × 0.125 = 0.375.
    expect(await payouts(declared.body.eventRef)).toEqual({ [a0]: ['1060', '0.125', '132.5'], [a1]: ['25', '0.125', '3.125'], [a3]: ['3', '0.125', '0.375'] });
    const earlier = await call(operator, 'POST', '/v1/operator/distributions', { instrumentId: securityId, amountPerUnit: '0.5', recordDate });
    // A minute ago the later purchase had not been made: 60 × 0.5 = 30.
    expect(await payouts(earlier.body.eventRef)).toEqual({ [a0]: ['60', '0.5', '30'], [a1]: ['25', '0.5', '12.5'], [a3]: ['3', '0.5', '1.5'] });
    expect((await published(earlier.body.eventRef)).map((m) => m.kind)).toEqual(['distribution', 'distribution', 'distribution']);
  });

  it.each<[string, () => Record<string, unknown>, number, string]>([
    ['the same record date twice', () => ({ instrumentId: securityId, amountPerUnit: '0.5', recordDate }), 409, 'resolution_distribution_already_declared'],
    ['a record date in the future', () => ({ instrumentId: securityId, amountPerUnit: '0.5', recordDate: new Date(Date.now() + 3_600_000).toISOString() }), 422, 'resolution_record_date_in_future'],
    ['a negative amount', () => ({ instrumentId: securityId, amountPerUnit: '-1', recordDate }), 400, 'resolution_bad_request'],
    ['an unknown instrument', () => ({ instrumentId: randomUUID(), amountPerUnit: '1', recordDate }), 404, 'resolution_unknown_instrument'],
  ])('refuses %s', async (_name, body, status, code) => {
    const refused = await call(operator, 'POST', '/v1/operator/distributions', body());
    expect([refused.status, refused.body.code]).toEqual([status, code]);
  });

  it('keeps kinds apart: no distribution on an event, no resolution of a security', async () => {
    const eventId = await list('KIND-EVENT', 'event');
    const onEvent = await call(operator, 'POST', '/v1/operator/distributions', { instrumentId: eventId, amountPerUnit: '1', recordDate });
    expect(onEvent.body.code).toBe('resolution_not_a_security');
    await close(securityId);
    const ofSecurity = await call(operator, 'POST', '/v1/operator/resolutions', { instrumentId: securityId, outcome: 'yes' });
    expect(ofSecurity.body.code).toBe('resolution_not_an_event');
  });

  it('is for operators only', async () => {
    expect((await request(app.getHttpServer()).post('/v1/operator/resolutions').send({})).status).toBe(401);
    expect((await call(member, 'POST', '/v1/operator/resolutions', { instrumentId: securityId, outcome: 'yes' })).status).toBe(403);
  });
});
