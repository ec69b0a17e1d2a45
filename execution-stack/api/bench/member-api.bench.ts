// npm run bench:member — orders per second through the member API on the real execution stack
// (signed REST and the member WebSocket), never a timed test. Two members cross each other at one
// price (every pair trades, so open orders stay few); each order passes the full path: the
// signature check and nonce claim (REST only: the socket was authenticated at its handshake), the
// per-member limits and open-order count, the book and the group-committed journal, and the
// member stream's events. Wall time, the process's CPU time per order (server and client share
// this process; Postgres's own CPU is not included) and the load average are printed as JSON.
//   --orders N (default 4000 per path)   --inflight N (default 64 requests in flight per path)
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import { parseStackConfig } from '@bulwark/shared-contracts/platform';
import { createTestDatabase, startTestNats, testStackEnv } from '@bulwark/testing';
import { createExecutionApp } from '../src/app.js';
import { parseExecutionConfig } from '../src/config/execution-config.js';
import { MemberStreamClient } from '../src/members/member-stream.client.js';
import { MembersService } from '../src/members/members.service.js';
import { signRequest, type SigningKey } from '../src/members/request-signature.js';

const argument = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const ORDERS = argument('--orders', 4_000);
const INFLIGHT = argument('--inflight', 64);

async function keyPair() {
  const { privateKey, publicKey } = await generateKeyPair('PS256', { extractable: true });
  return { privateKey, publicJwk: await exportJWK(publicKey) };
}

/** Runs `total` jobs with at most `inflight` at once; resolves when all are done. */
async function pipelined(total: number, inflight: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < total) await job(next++);
  };
  await Promise.all(Array.from({ length: Math.min(inflight, total) }, lane));
}

function measured<T>(label: string, orders: number, extra: Record<string, unknown>) {
  const load = os.loadavg().map((l) => Math.round(l * 100) / 100);
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return (result: T) => {
    const seconds = (performance.now() - wall) / 1_000;
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1_000;
    console.log(JSON.stringify({
      bench: `member API — ${label}`, orders, inflight: INFLIGHT, seconds: Math.round(seconds * 100) / 100, orders_per_s: Math.round(orders / seconds),
      process_cpu_ms_per_order: Math.round((cpuMs / orders) * 1_000) / 1_000, loadavg_before: load, loadavg_after: os.loadavg().map((l) => Math.round(l * 100) / 100),
      cores: os.cpus().length, ...extra,
    }));
    return result;
  };
}

const nats = await startTestNats();
const database = await createTestDatabase('execution');
const app = await createExecutionApp(
  parseStackConfig('execution', testStackEnv('execution', database, nats)),
  undefined,
  parseExecutionConfig({ MEMBER_SIGNATURE_WINDOW_MS: '300000' }),
);
try {
  await app.listen(0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  const post = async (key: SigningKey, path: string, body: unknown, headers?: Record<string, string>) => {
    const text = JSON.stringify(body);
    const signed = headers ?? (await signRequest(key, { method: 'POST', path, body: text }));
    const response = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { ...signed, 'content-type': 'application/json' }, body: text });
    const json = (await response.json()) as Record<string, unknown>;
    if (response.status !== 201) throw new Error(`${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  const op = await keyPair();
  const created = await app.get(MembersService).createOperator('op-bench', op.publicJwk);
  const operator: SigningKey = { keyId: created.keyId, privateKey: op.privateKey };
  const instrument = await post(operator, '/v1/operator/instruments', { symbol: 'BENCH-MEMBER', kind: 'security', tickSize: '0.01', lotSize: '1', priceMax: '1000' });
  const instrumentId = String(instrument.id);
  const members: SigningKey[] = [];
  for (let i = 0; i < 2; i++) {
    const { privateKey, publicJwk } = await keyPair();
    const member = await post(operator, '/v1/operator/members', {
      kind: 'market_maker', orderQuantityMax: '1000', orderNotionalMax: '1000000', openOrdersMax: 100_000, messagesPerSecond: 100_000, publicJwk,
    });
    members.push({ keyId: String(member.keyId), privateKey });
  }
  // Order i: member i % 2, selling or buying 1 at 50.00, so consecutive orders cross.
  const orderOf = (i: number) => ({ instrumentId, side: i % 2 === 0 ? 'sell' : 'buy', price: '50', quantity: '1' });
  const memberOf = (i: number) => members[i % 2] as SigningKey;

  // REST: the requests are signed before the clock starts (a member signs on its own machine).
  const signed: Record<string, string>[] = [];
  for (let i = 0; i < ORDERS; i++) signed.push(await signRequest(memberOf(i), { method: 'POST', path: '/v1/member/orders', body: JSON.stringify(orderOf(i)) }));
  const rest = measured('signed REST POST /v1/member/orders', ORDERS, { signatures: 'PS256, presigned' });
  await pipelined(ORDERS, INFLIGHT, async (i) => {
    await post(memberOf(i), '/v1/member/orders', orderOf(i), signed[i]);
  });
  rest(undefined);

  // The socket: one authenticated connection per member, requests pipelined on both.
  const sockets = [await MemberStreamClient.connect(baseUrl, members[0] as SigningKey), await MemberStreamClient.connect(baseUrl, members[1] as SigningKey)];
  const ws = measured('WebSocket place on /v1/member/stream', ORDERS, { sockets: 2 });
  await pipelined(ORDERS, INFLIGHT, async (i) => {
    const reply = await (sockets[i % 2] as MemberStreamClient).request({ op: 'place', order: orderOf(i) });
    if (reply.type !== 'ack') throw new Error(`order ${i}: ${JSON.stringify(reply)}`);
  });
  ws(undefined);
  const events = sockets.reduce((n, s) => n + s.events.length, 0);
  const gaps = sockets.reduce((n, s) => n + s.gaps.length, 0);
  if (gaps > 0) throw new Error(`${gaps} sequence gaps on the member stream`);
  console.log(JSON.stringify({ bench: 'member stream', events_received: events, gaps }));
  for (const socket of sockets) socket.close();
} finally {
  await app.close();
  await database.drop();
  await nats.stop();
}
