// Sustained commands per second through one market desk: the deterministic book plus the
// group-committed Postgres journal (orders, trades and candles written in the same
// transaction). Run: npm run bench:market (needs the local Postgres; builds first).
//   --orders N (default 20000)
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { OrderType, Side, StpMode, TimeInForce } from '@bulwark/engine';
import { poolDatabase } from '@bulwark/shared-contracts/wall';
import { createTestDatabase } from '../../../infra/testing/harness.js';
import { MarketDesk, type DeskInstrument } from '../src/market/market-desk.js';

const ordersArg = process.argv.indexOf('--orders');
const ORDERS = ordersArg > 0 ? Number(process.argv[ordersArg + 1]) : 20_000;
const schema = (await import(pathToFileURL(path.resolve('dist/database/schema.js')).href)) as { EXECUTION_MIGRATIONS: never; EXECUTION_ENTITIES: never };
const database = await createTestDatabase('execution');
try {
  const dataSource = new DataSource({ type: 'postgres', url: database.ownerUrl, entities: schema.EXECUTION_ENTITIES, migrations: schema.EXECUTION_MIGRATIONS });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  await dataSource.destroy();
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  const db = poolDatabase(pool);
  const instrument: DeskInstrument = {
    id: randomUUID(), symbol: 'BENCH', tickSize: '0.01', lotSize: '1', priceMin: '0.01', priceMax: '1000', bandWidth: '0',
    haltMoveBps: 0, haltWindowMs: 60_000, haltCooldownMs: 0,
  };
  await pool.query(
    `INSERT INTO instrument (id, symbol, kind, tick_size, lot_size, status, price_min, price_max, band_width, halt_move_bps, halt_window_ms, halt_cooldown_ms, created_at)
     VALUES ($1, 'BENCH', 'security', 0.01, 1, 'open', 0.01, 1000, 0, 0, 60000, 0, now())`,
    [instrument.id],
  );
  let batches = 0;
  const desk = await MarketDesk.open(db, instrument, { nowMs: () => Date.now() }, { snapshotEveryCommands: 10_000, onBatch: () => (batches += 1), onError: () => undefined });
  let x = 42;
  const next = (n: number) => {
    x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
    return (x >>> 8) % n;
  };
  const started = process.hrtime.bigint();
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < ORDERS; i++) {
    pending.push(
      desk.submit({
        kind: 'submit',
        order: { ownerId: next(8), side: next(2) === 0 ? Side.Buy : Side.Sell, type: OrderType.Limit, priceTicks: 9_950 + next(100), stopPriceTicks: 0,
          lots: 1 + next(10), tif: TimeInForce.GTC, expiryMs: 0, postOnly: false, stp: StpMode.CancelNewest },
      }),
    );
  }
  await Promise.all(pending);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const [trades] = (await pool.query(`SELECT count(*)::int AS n FROM market_trade`)).rows as { n: number }[];
  console.log(JSON.stringify({ bench: 'market journal (one desk, group commit)', orders: ORDERS, batches, trades: trades?.n, seconds: Math.round(seconds * 100) / 100,
    orders_per_s: Math.round(ORDERS / seconds), resting: desk.book.engine.restingOrdersCount }));
  await pool.end();
} finally {
  await database.drop();
}
