// The member API on the real stack: every signature attack refused with its code (one line
// each), every per-member limit, the pre-trade seam, orders/cancels/replaces/own orders and
// fills, and operator actions recorded in the hash-chained, PII-free audit table.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { CompactSign, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { parseStackConfig } from '@bulwark/shared-contracts/platform';
import { createTestDatabase, startTestNats, testStackEnv, type TestDatabase, type TestNats } from '@bulwark/testing';
import { createExecutionApp } from '../src/app.js';
import { ExecutionAuditService } from '../src/audit/execution-audit.service.js';
import { parseExecutionConfig } from '../src/config/execution-config.js';
import { MembersService } from '../src/members/members.service.js';
import { MARKET_CLOCK } from '../src/market/market.service.js';
import type { MarketClock } from '../src/market/market-desk.js';
import { PRE_TRADE_CHECKS, type PreTradeCheck } from '../src/members/pre-trade.js';
import { KEY_HEADER, SIGNATURE_HEADER, sha256Hex, signRequest, type SigningKey } from '../src/members/request-signature.js';

let nats: TestNats;
let database: TestDatabase;
let app: INestApplication;
let operator: SigningKey;
let maker: SigningKey & { memberId: string };
let taker: SigningKey & { memberId: string };
let instrumentId: string;

async function keyPair(): Promise<{ privateKey: CryptoKey; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('PS256', { extractable: true });
  return { privateKey, publicJwk: await exportJWK(publicKey) };
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
async function call(key: SigningKey, method: Method, path: string, body?: unknown, headers?: Record<string, string>) {
  const text = body === undefined ? '' : JSON.stringify(body);
  const signed = headers ?? (await signRequest(key, { method, path, body: text }));
  const http = request(app.getHttpServer());
  const req = method === 'GET' ? http.get(path) : method === 'POST' ? http.post(path) : method === 'PATCH' ? http.patch(path) : http.delete(path);
  for (const [k, v] of Object.entries(signed)) req.set(k, v);
  if (text) req.set('content-type', 'application/json').send(text);
  return req;
}

async function newMember(overrides: Record<string, unknown> = {}) {
  const { privateKey, publicJwk } = await keyPair();
  const response = await call(operator, 'POST', '/v1/operator/members', {
    kind: 'market_maker',
    orderQuantityMax: '1000',
    orderNotionalMax: '50000',
    openOrdersMax: 20,
    messagesPerSecond: 1_000,
    publicJwk,
    ...overrides,
  });
  expect(response.status).toBe(201);
  return { keyId: response.body.keyId as string, privateKey, memberId: response.body.member.id as string };
}

beforeAll(async () => {
  nats = await startTestNats();
  database = await createTestDatabase('execution');
  const env = testStackEnv('execution', database, nats);
  app = await createExecutionApp(parseStackConfig('execution', env), undefined, parseExecutionConfig({ MEMBER_SIGNATURE_WINDOW_MS: '30000' }));
  await app.init();
  const op = await keyPair();
  const created = await app.get(MembersService).createOperator('op-test-1', op.publicJwk);
  operator = { keyId: created.keyId, privateKey: op.privateKey };
  const listed = await call(operator, 'POST', '/v1/operator/instruments', { symbol: 'MEMBERS-1', kind: 'security', tickSize: '0.01', lotSize: '1', priceMax: '1000' });
  expect(listed.status).toBe(201);
  instrumentId = listed.body.id;
  maker = await newMember();
  taker = await newMember();
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
  await nats?.stop();
});

describe('signed requests: one line per attack', () => {
  const path = '/v1/member/me';
  const nowMs = () => Date.now();
  const rawJws = async (privateKey: CryptoKey, header: Record<string, unknown>, payload: Record<string, unknown>) =>
    new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader(header as { alg: string }).sign(privateKey);
  const payload = (overrides: Record<string, unknown> = {}) => ({ method: 'GET', path, bodySha256: sha256Hex(''), ts: nowMs(), nonce: `n${Date.now()}x${Math.random().toString(36).slice(2, 12)}`, ...overrides });

  const attacks: [string, () => Promise<Record<string, string>>, number, string][] = [
    ['no headers at all', async () => ({}), 401, 'missing_signature'],
    ['an unknown key id', async () => ({ ...(await signRequest(maker, { method: 'GET', path, body: '' })), [KEY_HEADER]: 'key_nope' }), 401, 'unknown_key'],
    ['signed by another key (the attacker’s) under the victim’s key id', async () => {
      const attacker = await keyPair();
      return signRequest({ keyId: maker.keyId, privateKey: attacker.privateKey }, { method: 'GET', path, body: '' });
    }, 401, 'bad_signature'],
    ['the signature header names another key', async () => ({
      [KEY_HEADER]: maker.keyId,
      [SIGNATURE_HEADER]: await rawJws(maker.privateKey as CryptoKey, { alg: 'PS256', kid: taker.keyId }, payload()),
    }), 401, 'key_mismatch'],
    ['alg none (an unsigned token)', async () => {
      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      return { [KEY_HEADER]: maker.keyId, [SIGNATURE_HEADER]: `${b64({ alg: 'none', kid: maker.keyId })}.${b64(payload())}.` };
    }, 401, 'bad_signature'],
    ['a truncated signature', async () => {
      const h = await signRequest(maker, { method: 'GET', path, body: '' });
      return { ...h, [SIGNATURE_HEADER]: h[SIGNATURE_HEADER]!.slice(0, -10) };
    }, 401, 'bad_signature'],
    ['a payload without a nonce', async () => ({
      [KEY_HEADER]: maker.keyId,
      [SIGNATURE_HEADER]: await rawJws(maker.privateKey as CryptoKey, { alg: 'PS256', kid: maker.keyId }, { ...payload(), nonce: undefined }),
    }), 401, 'bad_payload'],
    ['signed for another path', async () => signRequest(maker, { method: 'GET', path: '/v1/member/orders', body: '' }), 401, 'wrong_request'],
    ['signed for another method', async () => signRequest(maker, { method: 'POST', path, body: '' }), 401, 'wrong_request'],
    ['signed over another body', async () => signRequest(maker, { method: 'GET', path, body: '{"x":1}' }), 401, 'body_mismatch'],
    ['a stale timestamp (31 s old)', async () => signRequest(maker, { method: 'GET', path, body: '', nowMs: nowMs() - 31_000 }), 401, 'stale'],
    ['a timestamp from the future (31 s ahead)', async () => signRequest(maker, { method: 'GET', path, body: '', nowMs: nowMs() + 31_000 }), 401, 'future'],
    ['a member key on an operator route', async () => signRequest(maker, { method: 'GET', path: '/v1/operator/audit', body: '' }), 403, 'wrong_principal'],
  ];

  it.each(attacks.map(([what, headers, status, code]) => [what, status, code, headers] as const))('%s → %i %s', async (_what, status, code, headers) => {
    const signed = await headers();
    const target = code === 'wrong_principal' ? '/v1/operator/audit' : path;
    const response = await call(maker, 'GET', target, undefined, signed);
    expect([response.status, response.body.code]).toEqual([status, code]);
  });

  it('a well-signed request passes, and the very same request replayed is refused', async () => {
    const signed = await signRequest(maker, { method: 'GET', path, body: '' });
    const first = await call(maker, 'GET', path, undefined, signed);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: maker.memberId, kind: 'market_maker', status: 'active' });
    const replay = await call(maker, 'GET', path, undefined, signed);
    expect([replay.status, replay.body.code]).toEqual([401, 'replay']);
  });

  it('a body changed in transit is refused even when the signature is valid for the original', async () => {
    const body = JSON.stringify({ instrumentId, side: 'buy', price: '1.00', quantity: '1' });
    const signed = await signRequest(maker, { method: 'POST', path: '/v1/member/orders', body });
    const response = await request(app.getHttpServer())
      .post('/v1/member/orders')
      .set(signed)
      .set('content-type', 'application/json')
      .send(body.replace('"1"', '"999"'));
    expect([response.status, response.body.code]).toEqual([401, 'body_mismatch']);
  });
});

describe('per-member limits and pre-trade risk', () => {
  const order = (overrides: Record<string, unknown> = {}) => ({ instrumentId, side: 'buy', price: '10.00', quantity: '1', ...overrides });

  it.each([
    ['quantity over orderQuantityMax (10)', { quantity: '11' }, 'order_too_large'],
    ['notional over orderNotionalMax (50): 6 × 9', { quantity: '6', price: '9.00' }, 'notional_too_large'],
    ['a market order counts at the top of the band (1000 × 1)', { type: 'market', price: undefined, timeInForce: 'IOC' }, 'notional_too_large'],
    ['an off-tick price', { price: '10.001' }, 'bad_tick'],
    ['a fractional lot', { quantity: '1.5' }, 'bad_lot'],
  ])('%s → %s', async (_what, overrides, code) => {
    const limited = await newMember({ orderQuantityMax: '10', orderNotionalMax: '50' });
    const response = await call(limited, 'POST', '/v1/member/orders', order(overrides));
    expect([response.status, response.body.code]).toEqual([422, code]);
  });

  it('refuses the order past openOrdersMax', async () => {
    const limited = await newMember({ openOrdersMax: 2 });
    for (const price of ['1.00', '1.01']) expect((await call(limited, 'POST', '/v1/member/orders', order({ price }))).status).toBe(201);
    const third = await call(limited, 'POST', '/v1/member/orders', order({ price: '1.02' }));
    expect([third.status, third.body.code]).toEqual([422, 'too_many_open_orders']);
  });

  it('refuses messages past messagesPerSecond', async () => {
    const limited = await newMember({ messagesPerSecond: 3 });
    // The clock stands still, so no token refills however slowly the requests run.
    const clock = app.get<MarketClock>(MARKET_CLOCK);
    const realNowMs = clock.nowMs;
    const frozenMs = realNowMs();
    clock.nowMs = () => frozenMs;
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await call(limited, 'GET', '/v1/member/me')).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
    } finally {
      clock.nowMs = realNowMs;
    }
  });

  it('operators list members and change a member\'s limits, which bind from its next order; bad limits are refused and change nothing', async () => {
    const limited = await newMember({ orderQuantityMax: '10' });
    const listed = await call(operator, 'GET', '/v1/operator/members');
    expect(listed.status).toBe(200);
    const row = listed.body.members.find((m: { id: string }) => m.id === limited.memberId);
    expect(row).toMatchObject({ kind: 'market_maker', status: 'active', orderQuantityMax: '10', orderNotionalMax: '50000', openOrdersMax: 20 });
    expect((await call(limited, 'POST', '/v1/member/orders', order({ quantity: '11', price: '1.00' }))).body.code).toBe('order_too_large');

    const limits = { orderQuantityMax: '12', orderNotionalMax: '50000', openOrdersMax: 20, messagesPerSecond: 1_000 };
    const refused = await call(operator, 'POST', `/v1/operator/members/${limited.memberId}/limits`, { ...limits, openOrdersMax: 0 });
    expect([refused.status, refused.body.code]).toEqual([400, 'bad_request']);
    const unknown = await call(operator, 'POST', '/v1/operator/members/00000000-0000-4000-8000-000000000000/limits', limits);
    expect([unknown.status, unknown.body.code]).toEqual([404, 'unknown_member']);
    const unchanged = (await call(operator, 'GET', '/v1/operator/members')).body.members.find((m: { id: string }) => m.id === limited.memberId);
    expect(unchanged.orderQuantityMax).toBe('10');
    const changed = await call(operator, 'POST', `/v1/operator/members/${limited.memberId}/limits`, limits);
    expect([changed.status, changed.body.orderQuantityMax]).toEqual([200, '12']);
    expect((await call(limited, 'POST', '/v1/member/orders', order({ quantity: '11', price: '1.00' }))).status).toBe(201);
    expect((await call(limited, 'GET', '/v1/operator/members')).body.code).toBe('wrong_principal');

    const audit = (await call(operator, 'GET', '/v1/operator/audit?fromSeq=1')).body;
    const entry = audit.entries.find((e: { action: string; resource: string }) => e.action === 'member.limits_changed' && e.resource === `member:${limited.memberId}`);
    expect(entry.diff).toEqual({
      from: { orderQuantityMax: '10', orderNotionalMax: '50000', openOrdersMax: 20, messagesPerSecond: 1_000 },
      to: { orderQuantityMax: '12', orderNotionalMax: '50000', openOrdersMax: 20, messagesPerSecond: 1_000 },
    });
  });

  it('asks every plugged-in pre-trade check, and one refusal stops the order', async () => {
    const checks = app.get<PreTradeCheck[]>(PRE_TRADE_CHECKS);
    const seen: string[] = [];
    checks.push({ check: async (o) => (seen.push(`${o.side}:${o.quantity}@${o.worstPrice}`), o.quantity === '7' ? { code: 'not_transferable', message: 'simulated' } : null) });
    try {
      expect((await call(maker, 'POST', '/v1/member/orders', order({ quantity: '6', price: '2.00' }))).status).toBe(201);
      const refused = await call(maker, 'POST', '/v1/member/orders', order({ quantity: '7', price: '2.00' }));
      expect([refused.status, refused.body.code]).toEqual([422, 'pre_trade_refused']);
      expect(seen).toEqual(['buy:6@2.00', 'buy:7@2.00']);
    } finally {
      checks.length = 0;
    }
  });
});

describe('orders, fills and operator actions', () => {
  it('places, replaces and cancels own orders, trades against another member and reports fills to both', async () => {
    const placed = await call(maker, 'POST', '/v1/member/orders', { instrumentId, side: 'sell', price: '20.00', quantity: '10' });
    expect(placed.status).toBe(201);
    const orderId = placed.body.orderId as string;
    // Another member cannot touch it.
    expect((await call(taker, 'DELETE', `/v1/member/orders/${instrumentId}/${orderId}`)).status).toBe(404);
    expect((await call(maker, 'PATCH', `/v1/member/orders/${instrumentId}/${orderId}`, { price: '20.00', quantity: '8' })).status).toBe(204);
    const take = await call(taker, 'POST', '/v1/member/orders', { instrumentId, side: 'buy', price: '20.00', quantity: '3', timeInForce: 'IOC' });
    expect(take.status).toBe(201);
    const makerFills = (await call(maker, 'GET', '/v1/member/fills')).body.fills;
    const takerFills = (await call(taker, 'GET', '/v1/member/fills')).body.fills;
    expect(makerFills[0]).toMatchObject({ orderId, side: 'sell', price: '20', quantity: '3', aggressor: 'buy' });
    expect(takerFills[0]).toMatchObject({ orderId: take.body.orderId, side: 'buy', price: '20', quantity: '3' });
    const open = (await call(maker, 'GET', `/v1/member/orders?open=true&instrumentId=${instrumentId}`)).body.orders;
    expect(open.find((o: { orderId: string }) => o.orderId === orderId)).toMatchObject({ quantity: '10', remainingQuantity: '5', filledQuantity: '3', status: 'open' });
    expect((await call(maker, 'DELETE', `/v1/member/orders/${instrumentId}/${orderId}`)).status).toBe(204);
    expect((await call(maker, 'DELETE', `/v1/member/orders/${instrumentId}/${orderId}`)).status).toBe(404);
  });

  it('operators halt and resume, force-cancel and suspend; each action is in the audit chain, which verifies', async () => {
    const victim = await newMember();
    const placed = await call(victim, 'POST', '/v1/member/orders', { instrumentId, side: 'buy', price: '5.00', quantity: '2' });
    const second = await call(victim, 'POST', '/v1/member/orders', { instrumentId, side: 'buy', price: '5.01', quantity: '2' });
    expect((await call(operator, 'POST', `/v1/operator/orders/${instrumentId}/${placed.body.orderId}/cancel`)).status).toBe(204);
    expect((await call(operator, 'POST', `/v1/operator/instruments/${instrumentId}/halt`, { cooldownMs: null })).status).toBe(204);
    expect((await call(victim, 'POST', '/v1/member/orders', { instrumentId, side: 'buy', price: '5.00', quantity: '1', timeInForce: 'IOC' })).body.code).toBe('market_halted');
    expect((await call(operator, 'POST', `/v1/operator/instruments/${instrumentId}/resume`)).status).toBe(204);
    expect((await call(operator, 'POST', `/v1/operator/members/${victim.memberId}/suspend`)).status).toBe(201);
    const refused = await call(victim, 'GET', '/v1/member/me');
    expect([refused.status, refused.body.code]).toEqual([403, 'suspended']);
    const [row] = await app.get(DataSource).query(`SELECT status FROM market_order WHERE instrument_id = $1 AND order_id = $2`, [instrumentId, second.body.orderId]);
    expect(row.status).toBe('cancelled'); // suspension cancelled the member's open orders

    const audit = (await call(operator, 'GET', '/v1/operator/audit?fromSeq=1')).body;
    const actions = audit.entries.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['operator.created', 'instrument.listed', 'member.created', 'order.force_cancelled', 'market.halt', 'market.resume', 'member.suspended']));
    expect(audit.entries.every((e: { actor: string }) => /^(operator|system):/.test(e.actor))).toBe(true);
    expect(audit.head.seq).toBe(String(audit.entries.length));
    const service = app.get(ExecutionAuditService);
    expect(await service.verify()).toBeNull();
    // The chain is append-only in the database itself, and a forged entry would be caught.
    await expect(app.get(DataSource).query(`UPDATE execution_audit SET action = 'x' WHERE seq = 1`)).rejects.toThrow(/append-only/);
  });
});
