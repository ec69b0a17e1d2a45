// The member WebSocket on the real stack: the signed handshake (a bad signature and a replayed
// handshake refused, a suspended member refused and disconnected), the member's own order
// events in one gap-free sequence, resumption after a disconnect with nothing lost, and order
// entry on the socket under the same limits and checks as REST.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import request from 'supertest';
import { parseStackConfig } from '@bulwark/shared-contracts/platform';
import { createTestDatabase, startTestNats, testStackEnv, type TestDatabase, type TestNats } from '@bulwark/testing';
import { createExecutionApp } from '../src/app.js';
import { parseExecutionConfig } from '../src/config/execution-config.js';
import { MARKET_CLOCK } from '../src/market/market.service.js';
import type { MarketClock } from '../src/market/market-desk.js';
import { MEMBER_STREAM_CLOSE_SUSPENDED } from '../src/members/member-stream.js';
import { HandshakeRefused, MemberStreamClient, type StreamEvent } from '../src/members/member-stream.client.js';
import { MEMBER_STREAM_PATH } from '../src/members/member-stream.gateway.js';
import { MembersService } from '../src/members/members.service.js';
import { signRequest, type SigningKey } from '../src/members/request-signature.js';

let nats: TestNats;
let database: TestDatabase;
let app: INestApplication;
let baseUrl: string;
let operator: SigningKey;
let instrumentId: string;

type Member = SigningKey & { memberId: string };

async function keyPair(): Promise<{ privateKey: CryptoKey; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('PS256', { extractable: true });
  return { privateKey, publicJwk: await exportJWK(publicKey) };
}

async function call(key: SigningKey, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) {
  const text = body === undefined ? '' : JSON.stringify(body);
  const signed = await signRequest(key, { method, path, body: text });
  const http = request(app.getHttpServer());
  const req = method === 'GET' ? http.get(path) : method === 'POST' ? http.post(path) : http.delete(path);
  for (const [k, v] of Object.entries(signed)) req.set(k, v);
  if (text) req.set('content-type', 'application/json').send(text);
  return req;
}

async function newMember(limits: Record<string, unknown> = {}): Promise<Member> {
  const { privateKey, publicJwk } = await keyPair();
  const response = await call(operator, 'POST', '/v1/operator/members', {
    kind: 'market_maker', orderQuantityMax: '1000', orderNotionalMax: '50000', openOrdersMax: 50, messagesPerSecond: 1_000, publicJwk, ...limits,
  });
  expect(response.status).toBe(201);
  return { keyId: response.body.keyId as string, privateKey, memberId: response.body.member.id as string };
}

const order = (side: 'buy' | 'sell', price: string, quantity: string, extra: Record<string, unknown> = {}) => ({ instrumentId, side, price, quantity, ...extra });

async function refusal(connecting: Promise<MemberStreamClient>): Promise<{ status: number; code: string | undefined }> {
  const error = await connecting.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HandshakeRefused);
  const refused = error as HandshakeRefused;
  return { status: refused.status, code: refused.code };
}

/** The events without their sequence numbers: what two connections of one member must agree on. */
const bodies = (events: readonly StreamEvent[]) => events.map(({ seq: _seq, ...rest }) => rest);

beforeAll(async () => {
  nats = await startTestNats();
  database = await createTestDatabase('execution');
  const env = testStackEnv('execution', database, nats);
  app = await createExecutionApp(parseStackConfig('execution', env), undefined, parseExecutionConfig({ MEMBER_SIGNATURE_WINDOW_MS: '30000', MARKET_TICK_MS: '20' }));
  await app.listen(0, '127.0.0.1');
  baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  const op = await keyPair();
  const created = await app.get(MembersService).createOperator('op-ws-test', op.publicJwk);
  operator = { keyId: created.keyId, privateKey: op.privateKey };
  const listed = await call(operator, 'POST', '/v1/operator/instruments', { symbol: 'MEMBERS-WS-1', kind: 'security', tickSize: '0.01', lotSize: '1', priceMax: '1000' });
  expect(listed.status).toBe(201);
  instrumentId = listed.body.id;
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
  await nats?.stop();
});

describe('the signed handshake', () => {
  it('refuses a handshake signed by another key, with no key, or for another path', async () => {
    const member = await newMember();
    const stranger = await keyPair();
    const forged = await signRequest({ keyId: member.keyId, privateKey: stranger.privateKey }, { method: 'GET', path: MEMBER_STREAM_PATH, body: '' });
    expect(await refusal(MemberStreamClient.connect(baseUrl, member, undefined, forged))).toEqual({ status: 401, code: 'bad_signature' });
    expect(await refusal(MemberStreamClient.connect(baseUrl, member, undefined, {}))).toEqual({ status: 401, code: 'missing_signature' });
    const otherPath = await signRequest(member, { method: 'GET', path: '/v1/member/me', body: '' });
    expect(await refusal(MemberStreamClient.connect(baseUrl, member, undefined, otherPath))).toEqual({ status: 401, code: 'wrong_request' });
    const stale = await signRequest(member, { method: 'GET', path: MEMBER_STREAM_PATH, body: '', nowMs: Date.now() - 60_000 });
    expect(await refusal(MemberStreamClient.connect(baseUrl, member, undefined, stale))).toEqual({ status: 401, code: 'stale' });
  });

  it('refuses a captured handshake replayed, even after the first connection closed', async () => {
    const member = await newMember();
    const headers = await signRequest(member, { method: 'GET', path: MEMBER_STREAM_PATH, body: '' });
    const first = await MemberStreamClient.connect(baseUrl, member, undefined, headers);
    first.close();
    expect(await refusal(MemberStreamClient.connect(baseUrl, member, undefined, headers))).toEqual({ status: 401, code: 'replay' });
  });

  it('refuses an operator key and a malformed resume request', async () => {
    expect(await refusal(MemberStreamClient.connect(baseUrl, operator))).toEqual({ status: 403, code: 'wrong_principal' });
    const member = await newMember();
    const path = `${MEMBER_STREAM_PATH}?resumeFrom=3`;
    const headers = await signRequest(member, { method: 'GET', path, body: '' });
    const socketUrl = `${baseUrl.replace(/^http/, 'ws')}${path}`;
    const { default: WebSocket } = await import('ws');
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(socketUrl, { headers });
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => resolve(101));
    });
    expect(status).toBe(400);
  });
});

describe('own order events', () => {
  it('delivers accepted, fills, cancelled, rejected with its code and expired in one gap-free sequence, and nothing of other members', async () => {
    const maker = await newMember();
    const taker = await newMember();
    const makerStream = await MemberStreamClient.connect(baseUrl, maker);
    const takerStream = await MemberStreamClient.connect(baseUrl, taker);

    // The maker rests 10 @ 50.00 through the socket; the taker sweeps 15 with an IOC through REST.
    const placed = await makerStream.request({ op: 'place', order: order('sell', '50', '10') });
    expect(placed).toEqual({ type: 'ack', reqId: expect.any(String), orderId: expect.any(String) });
    const makerOrderId = placed.type === 'ack' ? placed.orderId : '';
    const ioc = await call(taker, 'POST', '/v1/member/orders', order('buy', '50', '15', { timeInForce: 'IOC' }));
    expect(ioc.status).toBe(201);
    const takerOrderId = String(ioc.body.orderId);
    // A post-only buy that would cross is refused by the book: the member hears the code.
    await makerStream.request({ op: 'place', order: order('sell', '51', '5') });
    const refused = await call(taker, 'POST', '/v1/member/orders', order('buy', '51', '1', { postOnly: true }));
    expect(refused.status).toBe(422);

    await takerStream.waitFor((e) => e.type === 'order' && e.event === 'rejected');
    expect(takerStream.events.map((e) => [e.seq, e.type === 'fill' ? 'fill' : e.event])).toEqual([
      [1, 'accepted'], [2, 'fill'], [3, 'cancelled'], [4, 'rejected'],
    ]);
    expect(takerStream.events[1]).toMatchObject({ type: 'fill', orderId: takerOrderId, side: 'buy', price: '50', quantity: '10', remainingQuantity: '5', liquidity: 'taker' });
    expect(takerStream.events[2]).toMatchObject({ type: 'order', event: 'cancelled', orderId: takerOrderId, quantity: '5', remainingQuantity: '0' });
    expect(takerStream.events[3]).toMatchObject({ type: 'order', event: 'rejected', code: refused.body.code });

    await makerStream.waitFor((e) => e.type === 'order' && e.event === 'accepted' && e.price === '51');
    expect(makerStream.events.map((e) => [e.seq, e.type === 'fill' ? 'fill' : e.event])).toEqual([[1, 'accepted'], [2, 'fill'], [3, 'accepted']]);
    expect(makerStream.events[0]).toMatchObject({ event: 'accepted', orderId: makerOrderId, side: 'sell', orderType: 'limit', timeInForce: 'GTC', price: '50', quantity: '10' });
    expect(makerStream.events[1]).toMatchObject({ type: 'fill', orderId: makerOrderId, side: 'sell', quantity: '10', remainingQuantity: '0', liquidity: 'maker' });

    // A good-till-date order expires when the market clock passes its time.
    const clock = app.get<MarketClock>(MARKET_CLOCK);
    const realNowMs = clock.nowMs;
    try {
      const gtd = await makerStream.request({ op: 'place', order: order('sell', '60', '1', { timeInForce: 'GTD', expiresAt: new Date(Date.now() + 2_000).toISOString() }) });
      expect(gtd.type).toBe('ack');
      clock.nowMs = () => realNowMs() + 5_000;
      const expired = await makerStream.waitFor((e) => e.type === 'order' && e.event === 'expired');
      expect(expired).toMatchObject({ orderId: gtd.type === 'ack' ? gtd.orderId : '', quantity: '1', remainingQuantity: '0' });
    } finally {
      clock.nowMs = realNowMs;
    }
    expect(makerStream.gaps).toEqual([]);
    expect(takerStream.gaps).toEqual([]);
    makerStream.close();
    takerStream.close();
  });

  it('takes orders, cancels and replaces on the socket under the same limits and checks as REST', async () => {
    const member = await newMember({ orderQuantityMax: '100', openOrdersMax: 2 });
    const stream = await MemberStreamClient.connect(baseUrl, member);
    expect(await stream.request({ op: 'place', order: order('buy', '10', '101') })).toMatchObject({ type: 'error', code: 'order_too_large' });
    expect(await stream.request({ op: 'place', order: order('buy', '10.001', '1') })).toMatchObject({ type: 'error', code: 'bad_tick' });
    expect(await stream.request({ op: 'place', order: { ...order('buy', '10', '1'), colour: 'red' } })).toMatchObject({ type: 'error', code: 'bad_request' });
    expect(await stream.request({ op: 'launch' })).toMatchObject({ type: 'error', code: 'bad_request' });
    const first = await stream.request({ op: 'place', order: order('buy', '10', '1') });
    const second = await stream.request({ op: 'place', order: order('buy', '11', '1') });
    expect([first.type, second.type]).toEqual(['ack', 'ack']);
    expect(await stream.request({ op: 'place', order: order('buy', '12', '1') })).toMatchObject({ type: 'error', code: 'too_many_open_orders' });
    const firstId = first.type === 'ack' ? first.orderId : '';
    expect(await stream.request({ op: 'replace', instrumentId, orderId: firstId, price: '10.5', quantity: '1' })).toMatchObject({ type: 'ack', orderId: firstId });
    expect(await stream.request({ op: 'cancel', instrumentId, orderId: firstId })).toMatchObject({ type: 'ack', orderId: firstId });
    expect(await stream.request({ op: 'cancel', instrumentId, orderId: firstId })).toMatchObject({ type: 'error', code: 'unknown_order' });
    await stream.waitFor((e) => e.type === 'order' && e.event === 'cancelled' && e.orderId === firstId);
    expect(stream.events.map((e) => (e.type === 'order' ? e.event : e.type))).toEqual(['accepted', 'accepted', 'replaced', 'cancelled']);
    // Another member's order cannot be touched from this socket.
    const other = await newMember();
    const theirs = await call(other, 'POST', '/v1/member/orders', order('buy', '9', '1'));
    expect(await stream.request({ op: 'cancel', instrumentId, orderId: String(theirs.body.orderId) })).toMatchObject({ type: 'error', code: 'unknown_order' });
    stream.close();
  });

  it('shares the member message rate with REST', async () => {
    const member = await newMember({ messagesPerSecond: 2 });
    const clock = app.get<MarketClock>(MARKET_CLOCK);
    const realNowMs = clock.nowMs;
    const frozenMs = realNowMs();
    // The clock stands still, so no token refills however slowly the requests run.
    clock.nowMs = () => frozenMs;
    try {
      const stream = await MemberStreamClient.connect(baseUrl, member); // the handshake takes one token
      expect(await stream.request({ op: 'place', order: order('buy', '1', '1') })).toMatchObject({ type: 'ack' });
      expect(await stream.request({ op: 'place', order: order('buy', '1', '1') })).toMatchObject({ type: 'error', code: 'rate_limited' });
      expect((await call(member, 'GET', '/v1/member/me')).status).toBe(429);
      stream.close();
    } finally {
      clock.nowMs = realNowMs;
    }
  });
});

describe('resumption', () => {
  it('resumes after a disconnect with no gap: the missed events replayed in order, then live ones', async () => {
    const member = await newMember();
    const counterparty = await newMember();
    // A second connection of the same member stays up throughout: the reference sequence.
    const watcher = await MemberStreamClient.connect(baseUrl, member);
    const first = await MemberStreamClient.connect(baseUrl, member);
    for (const price of ['20', '21', '22']) expect((await first.request({ op: 'place', order: order('sell', price, '4') })).type).toBe('ack');
    await first.waitFor((e) => e.seq === 3);
    const position = first.position;
    first.close();
    await first.waitForClose();

    // While it is away: two of its orders trade, one is cancelled.
    expect((await call(counterparty, 'POST', '/v1/member/orders', order('buy', '21', '6', { timeInForce: 'IOC' }))).status).toBe(201);
    const open = await call(member, 'GET', '/v1/member/orders?open=true');
    const remaining = (open.body.orders as { orderId: string; price: string }[]).find((o) => o.price === '22');
    expect((await call(member, 'DELETE', `/v1/member/orders/${instrumentId}/${remaining?.orderId}`)).status).toBe(204);
    await watcher.waitFor((e) => e.type === 'order' && e.event === 'cancelled');
    const missed = watcher.events.filter((e) => e.seq > position.seq);
    expect(missed.map((e) => (e.type === 'fill' ? [e.price, e.quantity, e.remainingQuantity] : e.event))).toEqual([['20', '4', '0'], ['21', '2', '2'], 'cancelled']);

    const resumed = await MemberStreamClient.connect(baseUrl, member, position);
    await resumed.waitFor((e) => e.seq === watcher.lastSeq);
    expect(resumed.resets).toEqual([]);
    expect(bodies(resumed.events)).toEqual(bodies(missed));
    // Then live: the next event follows on both connections with the same number.
    expect((await resumed.request({ op: 'place', order: order('sell', '23', '1') })).type).toBe('ack');
    const live = await resumed.waitFor((e) => e.type === 'order' && e.event === 'accepted' && e.price === '23');
    expect(await watcher.waitFor((e) => e.seq === live.seq)).toEqual(live);
    expect(resumed.gaps).toEqual([]);
    expect(watcher.gaps).toEqual([]);
    resumed.close();
    watcher.close();
  });

  it('answers a resume from another stream (an earlier process) with a reset to reconcile through REST', async () => {
    const member = await newMember();
    const stream = await MemberStreamClient.connect(baseUrl, member, { streamId: '6a3c0b47-35f4-4c61-9f7e-0f1b2c3d4e5f', seq: 7 });
    expect(stream.resets).toEqual([{ type: 'reset', streamId: stream.streamId, seq: 0, reason: 'unknown_stream' }]);
    const ahead = await MemberStreamClient.connect(baseUrl, member, { streamId: stream.streamId, seq: 99 });
    expect(ahead.resets).toEqual([{ type: 'reset', streamId: stream.streamId, seq: 0, reason: 'out_of_window' }]);
    stream.close();
    ahead.close();
  });
});

describe('suspension', () => {
  it('disconnects a suspended member at once and refuses its next handshake', async () => {
    const member = await newMember();
    const stream = await MemberStreamClient.connect(baseUrl, member);
    expect((await stream.request({ op: 'place', order: order('buy', '5', '1') })).type).toBe('ack');
    const suspended = await call(operator, 'POST', `/v1/operator/members/${member.memberId}/suspend`);
    expect(suspended.status).toBe(201);
    expect(await stream.waitForClose()).toBe(MEMBER_STREAM_CLOSE_SUSPENDED);
    expect(await refusal(MemberStreamClient.connect(baseUrl, member))).toEqual({ status: 403, code: 'suspended' });
    expect((await call(operator, 'POST', `/v1/operator/members/${member.memberId}/reinstate`)).status).toBe(201);
    const back = await MemberStreamClient.connect(baseUrl, member);
    back.close();
  });
});
