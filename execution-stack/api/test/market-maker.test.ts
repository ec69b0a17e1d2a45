// The market-maker simulator against the real stack: started by configuration, it lists the
// demo instruments, registers itself and quotes a two-sided book through the signed member
// API; a taker trades against it and its next refresh restores both sides.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { exportJWK, generateKeyPair } from 'jose';
import request from 'supertest';
import { parseStackConfig } from '@bulwark/shared-contracts/platform';
import { createTestDatabase, eventually, startTestNats, testStackEnv, type TestDatabase, type TestNats } from '@bulwark/testing';
import { createExecutionApp } from '../src/app.js';
import { parseExecutionConfig } from '../src/config/execution-config.js';
import { MarketService } from '../src/market/market.service.js';
import { MembersService } from '../src/members/members.service.js';
import { MarketMakerRunner } from '../src/market-maker/market-maker.module.js';
import { signRequest } from '../src/members/request-signature.js';

let nats: TestNats;
let database: TestDatabase;
let app: INestApplication;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  nats = await startTestNats();
  database = await createTestDatabase('execution');
  const port = await freePort();
  const env = testStackEnv('execution', database, nats);
  const execution = parseExecutionConfig({
    MARKET_MAKER_ENABLED: 'true',
    MARKET_MAKER_BASE_URL: `http://127.0.0.1:${port}`,
    MARKET_MAKER_QUOTES: 'MM-TEST-YES=0.55',
    MARKET_MAKER_REFRESH_MS: '600000', // one refresh at start; the test drives the next
  });
  app = await createExecutionApp(parseStackConfig('execution', env), undefined, execution);
  await app.listen(port, '127.0.0.1');
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
  await nats?.stop();
});

describe('market-maker simulator', () => {
  it('quotes a two-sided book around the fair value, and a taker trades against it', async () => {
    const market = app.get(MarketService);
    const [instrument] = (await request(app.getHttpServer()).get('/v1/instruments').expect(200)).body.instruments;
    expect(instrument.symbol).toBe('MM-TEST-YES');
    const book = await eventually(async () => {
      const view = await market.book(instrument.id, 10);
      return view && view.bids.length === 5 && view.asks.length === 5 ? view : undefined;
    }, 15_000, 'a two-sided book');
    const simulator = app.get(MarketMakerRunner).simulator;
    await eventually(async () => (simulator && simulator.refreshes >= 1 ? true : undefined), 15_000, 'the first refresh to finish');
    expect(simulator?.lastError).toBeNull();
    expect(book.bids[0]).toEqual(['0.54', '100']);
    expect(book.asks[0]).toEqual(['0.56', '100']);

    const { privateKey, publicKey } = await generateKeyPair('PS256');
    const { keyId } = await app.get(MembersService).createMember('system:test', {
      kind: 'market_maker',
      orderQuantityMax: '1000',
      orderNotionalMax: '1000',
      openOrdersMax: 10,
      messagesPerSecond: 100,
      publicJwk: (await exportJWK(publicKey)) as never,
    });
    const body = JSON.stringify({ instrumentId: instrument.id, side: 'buy', price: '0.57', quantity: '150', timeInForce: 'IOC' });
    const headers = await signRequest({ keyId, privateKey }, { method: 'POST', path: '/v1/member/orders', body });
    await request(app.getHttpServer()).post('/v1/member/orders').set(headers).set('content-type', 'application/json').send(body).expect(201);
    const fills = (await request(app.getHttpServer()).get(`/v1/market/${instrument.id}/trades`).expect(200)).body.trades;
    expect(fills.map((t: { price: string; quantity: string }) => [t.price, t.quantity])).toEqual([
      ['0.57', '50'],
      ['0.56', '100'],
    ]);
    expect((await market.book(instrument.id, 10))?.asks[0]).toEqual(['0.57', '50']);
    // The next refresh puts the ask side back.
    await simulator?.refresh();
    expect(simulator?.lastError).toBeNull();
    const refreshed = await market.book(instrument.id, 10);
    expect(refreshed?.asks[0]).toEqual(['0.56', '100']);
    expect(refreshed?.bids[0]).toEqual(['0.54', '100']);
  });
});
