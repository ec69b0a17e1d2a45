// npm run bench:post-trade — the post-trade figures of issue 6, measured (never a timed test):
//  1. allocating a 1,000,000-unit fill across 100,000 intents (pure, one core), median of runs,
//     wall time and the process's CPU time (the machine is shared: CPU time shows the work itself);
//  2. netting a period of 1,000,000 trades stored in Postgres into settlement instructions.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { createTestDatabase } from '@bulwark/testing';
import { clientTx } from '@bulwark/shared-contracts/wall';
import { allocate, inputsHashOf, type AllocationRequest, type PoolIntent } from '../src/allocation/pro-rata-allocation.js';
import { EXECUTION_MIGRATIONS } from '../src/database/schema.js';
import { netInstructions } from '../src/settlement/settlement-exports.js';
import { periodSums } from '../src/settlement/settlement.service.js';

const INTENTS = 100_000;
const FILL_UNITS = 1_000_000;
const RUNS = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function allocationRequest(): AllocationRequest {
  // Open quantities 5..40 units (Σ ≈ 2.25M, so the fill is partial and remainders are real).
  const intents: PoolIntent[] = Array.from({ length: INTENTS }, (_, k) => ({
    intentId: randomUUID(), accountRef: randomUUID(), limitPrice: '0.65', openQuantity: String(5 + ((k * 7919) % 36)), acceptedSeq: k,
  }));
  const fills = [
    { fillRef: randomUUID(), price: '0.61', quantity: '400000' },
    { fillRef: randomUUID(), price: '0.62', quantity: '350000' },
    { fillRef: randomUUID(), price: '0.635', quantity: '250000' },
  ];
  return { omnibusOrderRef: randomUUID(), instrumentId: randomUUID(), side: 'buy', lotSize: '1', feeBps: 10, intents, fills };
}

/** Allocation alone, then allocation plus the 100,000 inputs hashes the messages carry. */
function benchAllocation(withHashes: boolean): { medianMs: number; runsMs: number[]; cpuMedianMs: number } {
  const request = allocationRequest();
  allocate(request); // warm-up
  const runsMs: number[] = [];
  const cpuMs: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const result = allocate(request);
    if (withHashes) for (const allocation of result.allocations) inputsHashOf(request, allocation);
    const cpu = process.cpuUsage(cpuStarted);
    runsMs.push(performance.now() - started);
    cpuMs.push((cpu.user + cpu.system) / 1_000);
    if (result.filledQuantity !== String(FILL_UNITS)) throw new Error(`allocated ${result.filledQuantity}, expected ${FILL_UNITS}`);
  }
  return { medianMs: median(runsMs), runsMs, cpuMedianMs: median(cpuMs) };
}

for (const withHashes of [false, true]) {
  const figure = benchAllocation(withHashes);
  console.log(JSON.stringify({
    benchmark: withHashes ? 'allocation + inputs hashes' : 'allocation', intents: INTENTS, fillUnits: FILL_UNITS,
    medianMs: Math.round(figure.medianMs), cpuMedianMs: Math.round(figure.cpuMedianMs), runsMs: figure.runsMs.map((ms) => Math.round(ms)), targetMs: 200,
  }));
}

// ------------------------------------------------------------------ netting 1,000,000 trades

const TRADES = 1_000_000;
const TENANTS = 100;
const NETTING_RUNS = 3;

async function benchNetting(): Promise<void> {
  const database = await createTestDatabase('execution');
  try {
    const migrator = new DataSource({ type: 'postgres', url: database.ownerUrl, migrations: EXECUTION_MIGRATIONS as never });
    await migrator.initialize();
    await migrator.runMigrations({ transaction: 'each' });
    await migrator.destroy();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const tx = clientTx(client);
    const seeded = performance.now();
    // One day of trades: 100 tenants, two venues, both sides, prices in ticks of 0.001, spread over the day.
    await client.query(
      `INSERT INTO omnibus_fill (fill_ref, order_ref, tenant_ref, instrument_id, side, venue, price, quantity, round_ref, traded_at)
       SELECT gen_random_uuid(), gen_random_uuid(), ('00000000-0000-4000-8000-' || lpad(to_hex(i % $2), 12, '0'))::uuid, gen_random_uuid(),
              CASE WHEN i % 3 = 0 THEN 'sell' ELSE 'buy' END, CASE WHEN i % 5 = 0 THEN 'internal' ELSE 'sandbox' END,
              (1 + i % 997) / 1000.0, 5 * (1 + i % 40), NULL, timestamptz '2026-01-01T00:00:00Z' + (i * interval '86 milliseconds')
         FROM generate_series(1, $1) AS i`,
      [TRADES, TENANTS],
    );
    await client.query('ANALYZE omnibus_fill');
    const seedMs = performance.now() - seeded;
    const runsMs: number[] = [];
    let instructions = 0;
    let tradeCount = 0;
    for (let run = 0; run < NETTING_RUNS; run++) {
      const started = performance.now();
      await client.query('BEGIN');
      const result = await periodSums(tx, '2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z');
      instructions = netInstructions(result.sums).length;
      tradeCount = result.tradeCount;
      await client.query('COMMIT');
      runsMs.push(performance.now() - started);
    }
    await client.end();
    if (tradeCount !== TRADES) throw new Error(`netted ${tradeCount} trades, expected ${TRADES}`);
    console.log(JSON.stringify({
      benchmark: 'netting', trades: TRADES, instructions, medianMs: Math.round(median(runsMs)), runsMs: runsMs.map((ms) => Math.round(ms)),
      seedMs: Math.round(seedMs), targetMs: 5_000,
    }));
  } finally {
    await database.drop();
  }
}

await benchNetting();
