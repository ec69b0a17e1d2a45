// npm run bench:post-trade — the post-trade figures of issue 6, measured (never a timed test):
//  1. allocating a 1,000,000-unit fill across 100,000 intents (pure, one core), median of runs,
//     wall time and the process's CPU time (the machine is shared: CPU time shows the work itself);
//  2. netting a period of 1,000,000 trades stored in Postgres into settlement instructions.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { allocate, inputsHashOf, type AllocationRequest, type PoolIntent } from '../src/allocation/pro-rata-allocation.js';

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
