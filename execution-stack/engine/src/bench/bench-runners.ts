// One benchmark pass of one engine over the shared workload, measured the same way for
// @bulwark/engine and for npm nodejs-order-book (after /work/shared/bench/bench-nodejs-order-book.mjs):
// a throughput pass (tight loop, no timers) or a latency pass (hrtime around every op).

import { createRequire } from 'node:module';
import { CountingEventSink } from '../event-sink.js';
import { newOrder, OrderType, Side, TimeInForce } from '../engine-types.js';
import { MatchingEngine } from '../matching-engine.js';
import type { InstrumentConfig } from '../instrument-config.js';
import { opCancel, opLimit, type Workload } from './workload-source.js';

export type EngineName = 'bulwark' | 'peer';
export type PassMode = 'throughput' | 'latency' | 'resting';

export interface LatencySummary {
  p50_us: number;
  p99_us: number;
  p999_us: number;
  max_us: number;
}

export interface PassResult {
  engine: string;
  mode: PassMode;
  ops: number;
  trades: number;
  lots: number;
  resting: number;
  errors: number;
  wall_s: number;
  ops_per_s: number;
  trades_per_s: number;
  /** Retained after the pass and a full GC: JS heap plus ArrayBuffers (typed arrays live there). */
  heap_mb: number;
  heap_js_mb: number;
  heap_array_buffers_mb: number;
  matches_reference: boolean;
  /** Bulwark's preallocated order pool for this pass (all its memory is allocated up front). */
  orders_max?: number;
  timer_overhead_ns?: number;
  latency?: Record<'all' | 'limit' | 'cancel' | 'market', LatencySummary>;
}

/** Orders placed for the separate 1,000,000-resting-orders heap measurement. */
export const restingOrdersCount = 1_000_000;

export const benchConfig: InstrumentConfig = {
  symbol: 'BENCH',
  tickSize: '0.01',
  lotSize: '1',
  priceTicksMin: 0,
  priceTicksMax: 65_535,
  bandTicks: 0,
  referencePriceTicks: null,
  ordersMax: 1 << 20,
  orderLotsMax: 1_000_000,
};

interface Driver {
  name: string;
  doOp(i: number): void;
  trades(): number;
  lots(): number;
  resting(): number;
  errors(): number;
}

// Market orders carry no id in the workload; Bulwark ids them above every limit id.
const marketIdBase = 2 ** 40;

/**
 * The pool is sized like an operator would size an instrument: a power of two with room for
 * at least twice the workload's peak of live orders (1 << 20 when the peak is unknown).
 */
export function workloadOrdersMax(w: Workload): number {
  const peak = w.expect.maxLive;
  if (peak === undefined) return 1 << 20;
  let ordersMax = 1 << 16;
  while (ordersMax < 2 * peak) ordersMax *= 2;
  return ordersMax;
}

function bulwarkDriver(w: Workload): Driver {
  const sink = new CountingEventSink();
  const engine = new MatchingEngine({ ...benchConfig, ordersMax: workloadOrdersMax(w) }, sink);
  const order = newOrder({ id: 0, side: Side.Buy, lots: 1 });
  const { type, side, id, price, size } = w;
  return {
    name: '@bulwark/engine',
    doOp(i: number): void {
      const t = type[i];
      if (t === opLimit) {
        order.type = OrderType.Limit;
        order.tif = TimeInForce.GTC;
        order.id = id[i] ?? -1;
        order.side = side[i] === 0 ? Side.Buy : Side.Sell;
        order.priceTicks = price[i] ?? 0;
        order.lots = size[i] ?? 0;
        engine.submit(order);
      } else if (t === opCancel) {
        engine.cancel(id[i] ?? -1);
      } else {
        order.type = OrderType.Market;
        order.tif = TimeInForce.IOC;
        order.id = marketIdBase + i;
        order.side = side[i] === 0 ? Side.Buy : Side.Sell;
        order.lots = size[i] ?? 0;
        engine.submit(order);
      }
    },
    trades: () => sink.tradeCount,
    lots: () => sink.tradedLots,
    resting: () => engine.restingOrdersCount,
    // A market order meeting an empty side is refused (no_liquidity); the reference just discards it.
    errors: () => sink.rejectedCount,
  };
}

interface PeerOrder {
  id: string;
  size: number;
}
interface PeerResult {
  done: PeerOrder[];
  partial: PeerOrder | null;
  partialQuantityProcessed: number;
  err: unknown;
}
interface PeerOrderBook {
  limit(o: { side: string; id: string; size: number; price: number }): PeerResult;
  market(o: { side: string; size: number }): PeerResult;
  cancel(id: string): { order?: unknown } | undefined;
  orders: Record<string, unknown>;
}

function loadPeer(): { OrderBook: new () => PeerOrderBook; version: string } {
  const require = createRequire(import.meta.url);
  const mod = require('nodejs-order-book') as { OrderBook: new () => PeerOrderBook };
  const pkg = require('nodejs-order-book/package.json') as { version: string };
  return { OrderBook: mod.OrderBook, version: pkg.version };
}

function peerDriver(w: Workload): Driver {
  const { OrderBook, version } = loadPeer();
  const book = new OrderBook();
  const ids: string[] = [];
  for (let k = 0; k < w.expect.limits; k++) ids.push('o' + k);
  const sides = ['buy', 'sell'];
  const { type, side, id, price, size } = w;
  let trades = 0;
  let lots = 0;
  let errors = 0;
  return {
    name: `nodejs-order-book@${version}`,
    doOp(i: number): void {
      const t = type[i];
      if (t === opLimit) {
        const oid = ids[id[i] ?? -1] ?? '';
        const r = book.limit({ side: sides[side[i] ?? 0] ?? 'buy', id: oid, size: size[i] ?? 0, price: price[i] ?? 0 });
        if (r.err) {
          errors++;
          return;
        }
        for (const d of r.done) {
          if (d.id !== oid) {
            trades++;
            lots += d.size;
          }
        }
        if (r.partial !== null && r.partial.id !== oid) {
          trades++;
          lots += r.partialQuantityProcessed;
        }
      } else if (t === opCancel) {
        const r = book.cancel(ids[id[i] ?? -1] ?? '');
        if (r === undefined || r.order === undefined) errors++;
      } else {
        const r = book.market({ side: sides[side[i] ?? 0] ?? 'buy', size: size[i] ?? 0 });
        if (r.err) {
          errors++;
          return;
        }
        trades += r.done.length;
        for (const d of r.done) lots += d.size;
        if (r.partial !== null) {
          trades++;
          lots += r.partialQuantityProcessed;
        }
      }
    },
    trades: () => trades,
    lots: () => lots,
    resting: () => Object.keys(book.orders).length,
    errors: () => errors,
  };
}

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
  collect?.();
}

function memoryNow(): { js: number; buffers: number } {
  const m = process.memoryUsage();
  return { js: m.heapUsed, buffers: m.arrayBuffers };
}

function pct(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

function summarise(latNs: Float64Array): LatencySummary {
  const sorted = Float64Array.from(latNs).sort();
  return {
    p50_us: pct(sorted, 0.5) / 1e3,
    p99_us: pct(sorted, 0.99) / 1e3,
    p999_us: pct(sorted, 0.999) / 1e3,
    max_us: (sorted[sorted.length - 1] ?? 0) / 1e3,
  };
}

const mib = 2 ** 20;

export function runPass(engine: EngineName, mode: PassMode, w: Workload): PassResult {
  if (mode === 'resting') return runRestingPass(engine);
  gc();
  const before = memoryNow();
  const driver = engine === 'bulwark' ? bulwarkDriver(w) : peerDriver(w);
  const n = w.n;
  let wallNs: number;
  let timerOverheadNs: number | undefined;
  let latency: PassResult['latency'];
  if (mode === 'throughput') {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) driver.doOp(i);
    wallNs = Number(process.hrtime.bigint() - t0);
  } else {
    const calibration = new Float64Array(200_000);
    for (let i = 0; i < calibration.length; i++) {
      const a = process.hrtime.bigint();
      calibration[i] = Number(process.hrtime.bigint() - a);
    }
    timerOverheadNs = pct(calibration.sort(), 0.5);
    const lat = new Float64Array(n);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const a = process.hrtime.bigint();
      driver.doOp(i);
      lat[i] = Number(process.hrtime.bigint() - a);
    }
    wallNs = Number(process.hrtime.bigint() - t0);
    const byType = [0, 1, 2].map((t) => {
      const picked: number[] = [];
      for (let i = 0; i < n; i++) if (w.type[i] === t) picked.push(lat[i] ?? 0);
      return Float64Array.from(picked.length > 0 ? picked : [0]);
    });
    latency = {
      all: summarise(lat),
      limit: summarise(byType[0] ?? new Float64Array(1)),
      cancel: summarise(byType[1] ?? new Float64Array(1)),
      market: summarise(byType[2] ?? new Float64Array(1)),
    };
  }
  const trades = driver.trades();
  const lots = driver.lots();
  // Bulwark refuses a market order on an empty side (no_liquidity); the reference counts those
  // among its unfilled market orders, so that many refusals are expected, no more.
  const errors = driver.errors();
  gc();
  const after = memoryNow();
  const resting = driver.resting(); // after the measurement, so the book is still alive for it
  const wallS = wallNs / 1e9;
  const expect = w.expect;
  const allowedErrors = engine === 'bulwark' ? (expect.marketUnfilled ?? 0) : 0;
  return {
    engine: driver.name,
    mode,
    ops: n,
    trades,
    lots,
    resting,
    errors,
    wall_s: wallS,
    ops_per_s: n / wallS,
    trades_per_s: trades / wallS,
    heap_mb: (after.js - before.js + after.buffers - before.buffers) / mib,
    heap_js_mb: (after.js - before.js) / mib,
    heap_array_buffers_mb: (after.buffers - before.buffers) / mib,
    matches_reference: trades === expect.trades && lots === expect.volume && resting === expect.finalLive && errors <= allowedErrors,
    ...(engine === 'bulwark' ? { orders_max: workloadOrdersMax(w) } : {}),
    ...(timerOverheadNs === undefined ? {} : { timer_overhead_ns: timerOverheadNs }),
    ...(latency === undefined ? {} : { latency }),
  };
}

/** Heap retained by 1,000,000 resting orders (500 levels a side, never crossing). */
function runRestingPass(engine: EngineName): PassResult {
  gc();
  const before = memoryNow();
  const t0 = process.hrtime.bigint();
  let resting: number;
  let name: string;
  if (engine === 'bulwark') {
    const sink = new CountingEventSink();
    const book = new MatchingEngine(benchConfig, sink);
    const order = newOrder({ id: 0, side: Side.Buy, lots: 1 });
    for (let k = 0; k < restingOrdersCount; k++) {
      order.id = k;
      order.side = k % 2 === 0 ? Side.Buy : Side.Sell;
      order.priceTicks = order.side === Side.Buy ? 9_999 - (k % 500) : 10_001 + (k % 500);
      order.lots = 1 + (k % 10);
      book.submit(order);
    }
    resting = book.restingOrdersCount;
    name = '@bulwark/engine';
    gc();
    const after = memoryNow();
    return restingResult(name, resting, before, after, t0, book.restingOrdersCount > 0);
  }
  const { OrderBook, version } = loadPeer();
  const book = new OrderBook();
  for (let k = 0; k < restingOrdersCount; k++) {
    const buy = k % 2 === 0;
    book.limit({ side: buy ? 'buy' : 'sell', id: 'o' + k, size: 1 + (k % 10), price: buy ? 9_999 - (k % 500) : 10_001 + (k % 500) });
  }
  resting = Object.keys(book.orders).length;
  name = `nodejs-order-book@${version}`;
  gc();
  const after = memoryNow();
  return restingResult(name, resting, before, after, t0, book.orders !== undefined);
}

function restingResult(
  engine: string,
  resting: number,
  before: { js: number; buffers: number },
  after: { js: number; buffers: number },
  t0: bigint,
  alive: boolean,
): PassResult {
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    engine,
    mode: 'resting',
    ops: restingOrdersCount,
    trades: 0,
    lots: 0,
    resting,
    errors: 0,
    wall_s: wallS,
    ops_per_s: restingOrdersCount / wallS,
    trades_per_s: 0,
    heap_mb: (after.js - before.js + after.buffers - before.buffers) / mib,
    heap_js_mb: (after.js - before.js) / mib,
    heap_array_buffers_mb: (after.buffers - before.buffers) / mib,
    matches_reference: alive && resting === restingOrdersCount,
    ...(engine === '@bulwark/engine' ? { orders_max: benchConfig.ordersMax } : {}),
  };
}
