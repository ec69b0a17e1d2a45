// The market on the real stack (Postgres, NATS): sessions, the volatility halt and its call
// auction, candles, and the WebSocket feed (snapshot + increments rebuild the book, a gap is
// recovered by a new snapshot, a slow reader is dropped without growing the server).
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { WebSocket, WebSocketServer } from 'ws';
import { OrderType, Side, StpMode, TimeInForce, priceToTicks } from '@bulwark/engine';
import { parseStackConfig } from '@bulwark/shared-contracts/platform';
import { createTestDatabase, eventually, startTestNats, testStackEnv, type TestDatabase, type TestNats } from '@bulwark/testing';
import { createExecutionApp } from '../src/app.js';
import { parseExecutionConfig } from '../src/config/execution-config.js';
import { FeedClient } from '../src/market/feed-client.js';
import { FeedHub, type FeedMessage } from '../src/market/feed-hub.js';
import { MarketBook, type OrderSpec } from '../src/market/market-book.js';
import { MARKET_CLOCK, MarketService } from '../src/market/market.service.js';
import type { MarketClock } from '../src/market/market-desk.js';
import type { Instrument } from '../src/market/instruments.service.js';

let nats: TestNats;
let database: TestDatabase;
let app: INestApplication;
let market: MarketService;
let feedUrl: string;

beforeAll(async () => {
  nats = await startTestNats();
  database = await createTestDatabase('execution');
  const env = testStackEnv('execution', database, nats);
  app = await createExecutionApp(parseStackConfig('execution', env), undefined, parseExecutionConfig({ MARKET_TICK_MS: '20' }));
  await app.listen(0, '127.0.0.1');
  market = app.get(MarketService);
  feedUrl = `ws://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/v1/market/feed`;
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
  await nats?.stop();
});

let symbolNo = 0;
function listing(overrides: Record<string, unknown> = {}): Promise<Instrument> {
  symbolNo += 1;
  return market.list({ symbol: `MKT-${symbolNo}`, kind: 'security', tickSize: '0.01', lotSize: '1', priceMax: '1000', haltMoveBps: 0, ...overrides });
}

function order(instrument: Instrument, side: 'buy' | 'sell', price: string, lots: number, extra: Partial<OrderSpec> = {}) {
  const ticks = priceToTicks(price, instrument.tickSize);
  if (!ticks.ok) throw new Error(`bad price ${price}`);
  const spec: OrderSpec = {
    ownerId: 0,
    side: side === 'buy' ? Side.Buy : Side.Sell,
    type: OrderType.Limit,
    priceTicks: ticks.units,
    stopPriceTicks: 0,
    lots,
    tif: TimeInForce.GTC,
    expiryMs: 0,
    postOnly: false,
    stp: StpMode.CancelNewest,
    ...extra,
  };
  return market.execute(instrument.id, { kind: 'submit', order: spec });
}

const db = () => app.get(DataSource);
const http = () => request(app.getHttpServer());

describe('sessions', () => {
  it('an operator halt collects orders, the resume uncrosses them at one price, and the listing follows the session', async () => {
    const instrument = await listing();
    await order(instrument, 'sell', '10.00', 5);
    expect(await market.execute(instrument.id, { kind: 'halt', cooldownMs: null })).toEqual({ ok: true, orderId: null });
    const [row] = await db().query(`SELECT status FROM instrument WHERE id = $1`, [instrument.id]);
    expect(row.status).toBe('halted');
    expect(await order(instrument, 'buy', '10.50', 3)).toMatchObject({ ok: true });
    expect(await order(instrument, 'buy', '10.50', 1, { tif: TimeInForce.IOC })).toMatchObject({ ok: false, code: 'market_halted' });
    expect((await http().get(`/v1/market/${instrument.id}/book`).expect(200)).body).toMatchObject({ state: 'halted', auctionOrders: 1, bids: [] });

    expect(await market.execute(instrument.id, { kind: 'resume' })).toMatchObject({ ok: true });
    const book = (await http().get(`/v1/market/${instrument.id}/book`).expect(200)).body;
    expect(book).toMatchObject({ state: 'open', lastPrice: '10', bids: [], asks: [['10', '2']], auctionOrders: 0 });
    const trades = (await http().get(`/v1/market/${instrument.id}/trades`).expect(200)).body.trades;
    expect(trades).toEqual([expect.objectContaining({ price: '10', quantity: '3', aggressor: 'auction' })]);
    const orders = await db().query(`SELECT order_id, status, remaining_quantity::text AS left FROM market_order WHERE instrument_id = $1 ORDER BY order_id`, [instrument.id]);
    expect(orders.map((o: { status: string }) => o.status)).toEqual(['open', 'filled']);
  });

  it('a closed market refuses orders but lets resting ones be cancelled', async () => {
    const instrument = await listing();
    const resting = await order(instrument, 'buy', '5.00', 2);
    await market.execute(instrument.id, { kind: 'close' });
    expect(await order(instrument, 'buy', '5.00', 2)).toMatchObject({ ok: false, code: 'market_closed' });
    expect(await market.execute(instrument.id, { kind: 'cancel', orderId: resting.orderId ?? -1 })).toMatchObject({ ok: true });
    expect(await market.execute(instrument.id, { kind: 'open' })).toMatchObject({ ok: true });
  });

  it('refuses a limit price outside the dynamic band around the last trade', async () => {
    const instrument = await listing({ bandWidth: '1.00' });
    await order(instrument, 'sell', '10.00', 1);
    await order(instrument, 'buy', '10.00', 1);
    expect(await order(instrument, 'buy', '8.99', 1)).toMatchObject({ ok: false, code: 'price_out_of_band' });
    expect(await order(instrument, 'buy', '9.00', 1)).toMatchObject({ ok: true });
  });
});

describe('volatility breaker', () => {
  it('halts on a 10 % move, and after the cool-down reopens through a call auction at the volume-maximising price', async () => {
    // The market's clock, moved forward by hand: the cool-down must not race a loaded machine.
    const clock = app.get<MarketClock>(MARKET_CLOCK);
    const realNowMs = clock.nowMs;
    let skippedMs = 0;
    clock.nowMs = () => realNowMs() + skippedMs;
    const instrument = await listing({ haltMoveBps: 1_000, haltWindowMs: 60_000, haltCooldownMs: 60_000 });
    await order(instrument, 'sell', '10.00', 1);
    await order(instrument, 'buy', '10.00', 1);
    await order(instrument, 'sell', '11.00', 5);
    await order(instrument, 'buy', '11.00', 1); // 10 → 11: +10 %
    expect((await market.book(instrument.id, 5))?.state).toBe('halted');
    await Promise.all([order(instrument, 'buy', '11.20', 2), order(instrument, 'buy', '11.10', 3), order(instrument, 'sell', '11.30', 4)]);
    expect((await market.book(instrument.id, 5))?.auctionOrders).toBe(3);
    expect((await market.book(instrument.id, 5))?.state).toBe('halted');
    skippedMs = 60_001; // the cool-down is over
    // The timer runs the auction once the cool-down is over: 11.00 crosses 4 lots of the 5 bid.
    const book = await eventually(async () => {
      const view = await market.book(instrument.id, 5);
      return view?.state === 'open' ? view : undefined;
    }, 8_000, 'the auction to reopen the market');
    expect(book).toMatchObject({ lastPrice: '11', bids: [['11.1', '1']], asks: [['11.3', '4']] });
    const auction = await db().query(
      `SELECT price::int AS price, quantity::int AS lots FROM market_trade WHERE instrument_id = $1 AND aggressor = 'auction' ORDER BY trade_seq`,
      [instrument.id],
    );
    expect(auction.map((t: { lots: number }) => t.lots)).toEqual([2, 2]);
    clock.nowMs = realNowMs;
  });
});

describe('candles', () => {
  it('builds 1s, 1m, 1h and 1d OHLC candles from trades', async () => {
    const instrument = await listing();
    for (const [price, lots] of [
      ['10.00', 2],
      ['10.50', 1],
      ['9.80', 3],
      ['10.10', 4],
    ] as const) {
      await order(instrument, 'sell', price, lots);
      await order(instrument, 'buy', price, lots);
    }
    for (const interval of ['1m', '1h', '1d']) {
      const { candles } = (await http().get(`/v1/market/${instrument.id}/candles?interval=${interval}`).expect(200)).body;
      const total = candles.reduce((sum: number, c: { trades: number }) => sum + c.trades, 0);
      expect(total).toBe(4);
      if (candles.length === 1) expect(candles[0]).toMatchObject({ open: '10', high: '10.5', low: '9.8', close: '10.1', volume: '10' });
    }
    const { candles: seconds } = (await http().get(`/v1/market/${instrument.id}/candles?interval=1s`).expect(200)).body;
    expect(seconds.reduce((sum: number, c: { volume: string }) => sum + Number(c.volume), 0)).toBe(10);
    await http().get(`/v1/market/${instrument.id}/candles?interval=5m`).expect(404);
  });
});

describe('WebSocket feed', () => {
  /** A seeded stream of orders and cancels; concurrent ones share journal batches, sequential ones do not. */
  async function randomFlow(instrument: Instrument, steps: number, seed: number, sequential = false) {
    let x = seed;
    const next = () => {
      x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
      return x >>> 16;
    };
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < steps; i++) {
      const side = next() % 2 === 0 ? 'buy' : 'sell';
      const price = `${10 + (next() % 20) / 100}`;
      pending.push(order(instrument, side, price, 1 + (next() % 5)));
      if (i % 7 === 6) pending.push(market.execute(instrument.id, { kind: 'cancel', orderId: 1 + (next() % (i + 1)) }));
      if (sequential) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
  }

  const restBook = async (instrumentId: string) => {
    const view = await market.book(instrumentId, 50);
    return { bids: new Map(view?.bids), asks: new Map(view?.asks) };
  };

  it('a snapshot followed by the sequenced increments reproduces the book', async () => {
    const instrument = await listing();
    await order(instrument, 'buy', '9.00', 1); // a book exists before the client subscribes
    const client = await FeedClient.connect(feedUrl);
    client.subscribe(instrument.id);
    await eventually(async () => client.books.get(instrument.id), 5_000, 'the snapshot');
    await randomFlow(instrument, 300, 7);
    const expected = await restBook(instrument.id);
    await eventually(async () => {
      const local = client.books.get(instrument.id);
      return local && JSON.stringify([...local.bids].sort()) === JSON.stringify([...expected.bids].sort()) &&
        JSON.stringify([...local.asks].sort()) === JSON.stringify([...expected.asks].sort()) ? true : undefined;
    }, 5_000, 'the feed book to match the engine book');
    const types = new Set(client.received.map((m) => m.type));
    expect([...types].sort()).toEqual(['candle', 'depth', 'snapshot', 'trade']);
    const seqs = client.received.filter((m): m is Exclude<FeedMessage, { type: 'error' }> => m.type !== 'error').map((m) => m.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b)); // in order
    expect(client.gapsRecovered).toBe(0);
    client.close();
  });

  it('a client that detects a sequence gap asks for a snapshot and ends with the right book', async () => {
    const instrument = await listing();
    let lost = 0;
    let depthSeen = 0;
    // Lose the 3rd and the 8th depth message in transit.
    const client = await FeedClient.connect(feedUrl, (m) => {
      if (m.type !== 'depth') return false;
      depthSeen += 1;
      const lose = depthSeen === 3 || depthSeen === 8;
      if (lose) lost += 1;
      return lose;
    });
    client.subscribe(instrument.id);
    await eventually(async () => client.books.get(instrument.id), 5_000, 'the snapshot');
    await randomFlow(instrument, 40, 11, true);
    // A loss is seen only when a later message arrives: a few more increments after the last one.
    for (const price of ['9.50', '9.51', '9.52']) await order(instrument, 'buy', price, 1);
    const expected = await restBook(instrument.id);
    await eventually(async () => {
      const local = client.books.get(instrument.id);
      return local && JSON.stringify([...local.bids].sort()) === JSON.stringify([...expected.bids].sort()) &&
        JSON.stringify([...local.asks].sort()) === JSON.stringify([...expected.asks].sort()) ? true : undefined;
    }, 5_000, 'the feed book to recover');
    expect(lost).toBe(2);
    expect(client.gapsRecovered).toBeGreaterThanOrEqual(1);
    expect(client.received.filter((m) => m.type === 'snapshot').length).toBeGreaterThanOrEqual(2);
    client.close();
  });

  it('reports an unknown instrument and a malformed request as errors', async () => {
    const client = await FeedClient.connect(feedUrl);
    client.subscribe('00000000-0000-4000-8000-000000000000');
    client.rawSocket.send('not json');
    await eventually(async () => (client.received.length >= 2 ? true : undefined), 5_000, 'two errors');
    expect(client.received).toEqual(expect.arrayContaining([{ type: 'error', code: 'unknown_instrument' }, { type: 'error', code: 'bad_request' }]));
    client.close();
  });

  it('drops a slow reader once its buffer limit is reached, never holding more, while a fast reader gets everything', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    const bufferBytesMax = 256 * 1024;
    const instrumentId = '11111111-1111-4111-8111-111111111111';
    const hub = new FeedHub(bufferBytesMax, async () => true);
    const book = new MarketBook(
      { symbol: 'SLOW', tickSize: '0.01', lotSize: '1', priceTicksMin: 1, priceTicksMax: 100_000, bandTicks: 0, referencePriceTicks: null, ordersMax: 4_096, orderLotsMax: 1_000 },
      { haltMoveBps: 0, haltWindowMs: 1, cooldownMs: 0 },
    );
    const scale = { tickSize: '0.01', lotSize: '1' };
    hub.open(instrumentId, scale, book);
    server.on('connection', (ws) => hub.attach(ws));
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const slow = await FeedClient.connect(url);
    const fast = await FeedClient.connect(url);
    slow.subscribe(instrumentId);
    fast.subscribe(instrumentId);
    await eventually(async () => (slow.books.has(instrumentId) && fast.books.has(instrumentId) ? true : undefined), 5_000, 'snapshots');
    // The slow reader stops reading: its kernel buffers fill, then the server-side buffer.
    (slow.rawSocket as WebSocket & { _socket: { pause(): void } })._socket.pause();
    const heapBefore = process.memoryUsage().heapUsed;
    let published = 0;
    const batchMessage = (i: number) => ({
      events: [],
      trades: Array.from({ length: 20 }, (_, k) => ({ tradeSeq: i * 20 + k, price: '10.00', quantity: '1', aggressor: 'buy' as const, tradedAtMs: i })),
      candles: [],
    });
    while (hub.stats().dropped === 0 && published < 20_000) {
      hub.publish(instrumentId, scale, book, batchMessage(published++));
      if (published % 200 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(hub.stats().dropped).toBe(1);
    expect(hub.stats().bufferedBytesPeak).toBeLessThanOrEqual(bufferBytesMax);
    await eventually(async () => (fast.received.filter((m) => m.type === 'trade').length === published * 20 ? true : undefined), 20_000, 'the fast reader');
    expect(fast.gapsRecovered).toBe(0);
    expect(hub.stats().clients).toBe(1);
    // Memory stays bounded: the dropped client's bytes were released, not queued.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
    slow.close();
    fast.close();
    hub.close();
    server.close();
  });
});
