// Console output is this CLI's purpose: the monorepo eslint config allows console under bench/ folders.
// Benchmark CLI: `npm run bench:engine -- [--ops FILE.csv] [--runs 3] [--seed 42] [--n 1000000] [--no-peer]`
//
// Runs @bulwark/engine and npm nodejs-order-book on the same shared workload, each pass in a
// fresh child process (node --expose-gc) so JIT state and heap do not carry over: per run a
// throughput pass and a latency pass, plus one pass measuring the heap held by 1,000,000
// resting orders. Prints one JSON summary (medians over runs) with the ratio between the two
// engines. Results are checked against the workload's reference matcher: a mismatch exits 1.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPass, type EngineName, type PassMode, type PassResult } from './bench-runners.js';
import { generateWorkload, readWorkloadCsv, type Workload } from './workload-source.js';

const targets = { ops_per_s_min: 1_500_000, p99_us_max: 10, cancel_p99_us_max: 5, heap_resting_1m_mb_max: 250 };
const runsMax = 20;

function parseArgs(argv: string[]): Map<string, string> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) continue;
    const [key = '', inline] = arg.slice(2).split('=');
    const next = argv[i + 1];
    if (inline !== undefined) args.set(key, inline);
    else if (next !== undefined && !next.startsWith('--')) {
      args.set(key, next);
      i++;
    } else args.set(key, 'true');
  }
  return args;
}

function intArg(args: Map<string, string>, key: string, fallback: number): number {
  const text = args.get(key);
  if (text === undefined) return fallback;
  const value = Number.parseInt(text, 10);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`--${key} must be a positive integer`);
  return value;
}

async function loadWorkload(args: Map<string, string>): Promise<Workload> {
  const ops = args.get('ops');
  if (ops !== undefined) return readWorkloadCsv(ops);
  return generateWorkload(intArg(args, 'seed', 42), intArg(args, 'n', 1_000_000));
}

async function child(args: Map<string, string>): Promise<void> {
  const engine = args.get('engine') as EngineName;
  const mode = args.get('mode') as PassMode;
  const workload = mode === 'resting' ? null : await loadWorkload(args);
  const empty: Workload = {
    source: 'none',
    n: 0,
    type: new Uint8Array(0),
    side: new Uint8Array(0),
    id: new Int32Array(0),
    price: new Int32Array(0),
    size: new Int32Array(0),
    expect: { limits: 0, trades: 0, volume: 0, finalLive: 0 },
  };
  process.stdout.write(JSON.stringify(runPass(engine, mode, workload ?? empty)) + '\n');
}

function spawnPass(engine: EngineName, mode: PassMode, workloadArgs: string[]): PassResult {
  const self = fileURLToPath(import.meta.url);
  const p = spawnSync(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=4096', self, '--child', '--engine', engine, '--mode', mode, ...workloadArgs],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  if (p.status !== 0) throw new Error(`${engine} ${mode} pass failed:\n${p.stderr}`);
  const line = p.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as PassResult;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

interface EngineSummary {
  engine: string;
  ops: number;
  trades: number;
  lots: number;
  resting: number;
  ops_per_s: number;
  trades_per_s: number;
  p50_us: number;
  p99_us: number;
  p999_us: number;
  cancel_p50_us: number;
  cancel_p99_us: number;
  limit_p99_us: number;
  market_p99_us: number;
  heap_mb: number;
  heap_resting_1m_mb: number;
  orders_max: number | null;
  latency_pass_ops_per_s: number;
  timer_overhead_ns: number;
  all_runs_ops_per_s: number[];
  matches_reference: boolean;
}

function benchEngine(engine: EngineName, runs: number, workloadArgs: string[]): EngineSummary {
  const throughput: PassResult[] = [];
  const latency: PassResult[] = [];
  for (let r = 0; r < runs; r++) {
    for (const mode of ['throughput', 'latency'] as const) {
      const result = spawnPass(engine, mode, workloadArgs);
      (mode === 'throughput' ? throughput : latency).push(result);
      const lat = result.latency === undefined ? '' : ` p50=${round(result.latency.all.p50_us, 2)}us p99=${round(result.latency.all.p99_us, 2)}us`;
      console.error(
        `${result.engine} run ${r + 1} ${mode}: ${Math.round(result.ops_per_s)} ops/s, heap ${round(result.heap_mb, 1)} MB, ref-match=${result.matches_reference}${lat}`,
      );
    }
  }
  const resting = spawnPass(engine, 'resting', []);
  console.error(`${resting.engine} 1,000,000 resting orders: heap ${round(resting.heap_mb, 1)} MB (${resting.resting} resting)`);
  const first = throughput[0];
  if (first === undefined) throw new Error('no throughput pass');
  const m = (passes: PassResult[], f: (p: PassResult) => number): number => median(passes.map(f));
  const lat = (f: (l: NonNullable<PassResult['latency']>) => number): number => round(m(latency, (p) => (p.latency === undefined ? NaN : f(p.latency))), 3);
  return {
    engine: first.engine,
    ops: first.ops,
    trades: first.trades,
    lots: first.lots,
    resting: first.resting,
    ops_per_s: Math.round(m(throughput, (p) => p.ops_per_s)),
    trades_per_s: Math.round(m(throughput, (p) => p.trades_per_s)),
    p50_us: lat((l) => l.all.p50_us),
    p99_us: lat((l) => l.all.p99_us),
    p999_us: lat((l) => l.all.p999_us),
    cancel_p50_us: lat((l) => l.cancel.p50_us),
    cancel_p99_us: lat((l) => l.cancel.p99_us),
    limit_p99_us: lat((l) => l.limit.p99_us),
    market_p99_us: lat((l) => l.market.p99_us),
    heap_mb: round(m(throughput, (p) => p.heap_mb), 1),
    heap_resting_1m_mb: round(resting.heap_mb, 1),
    orders_max: first.orders_max ?? null,
    latency_pass_ops_per_s: Math.round(m(latency, (p) => p.ops_per_s)),
    timer_overhead_ns: m(latency, (p) => p.timer_overhead_ns ?? 0),
    all_runs_ops_per_s: throughput.map((p) => Math.round(p.ops_per_s)),
    matches_reference: [...throughput, ...latency].every((p) => p.matches_reference) && resting.matches_reference,
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.has('child')) return child(args);

  const runs = Math.min(runsMax, intArg(args, 'runs', 3));
  const ops = args.get('ops');
  // npm runs workspace scripts in the package directory; resolve --ops against where the user was.
  const userCwd = process.env['INIT_CWD'] ?? process.cwd();
  const workloadArgs =
    ops === undefined
      ? ['--seed', String(intArg(args, 'seed', 42)), '--n', String(intArg(args, 'n', 1_000_000))]
      : ['--ops', path.resolve(userCwd, ops)];
  const workloadArgMap = new Map<string, string>();
  for (let i = 0; i + 1 < workloadArgs.length; i += 2) workloadArgMap.set((workloadArgs[i] ?? '').slice(2), workloadArgs[i + 1] ?? '');
  const workload = await loadWorkload(workloadArgMap);
  console.error(`workload: ${workload.source} (${workload.n} ops); expect ${JSON.stringify(workload.expect)}`);

  const bulwark = benchEngine('bulwark', runs, workloadArgs);
  const peer = args.has('no-peer') ? null : benchEngine('peer', runs, workloadArgs);
  const met = {
    ops_per_s: bulwark.ops_per_s >= targets.ops_per_s_min,
    p99_us: bulwark.p99_us <= targets.p99_us_max,
    cancel_p99_us: bulwark.cancel_p99_us <= targets.cancel_p99_us_max,
    heap_resting_1m_mb: bulwark.heap_resting_1m_mb <= targets.heap_resting_1m_mb_max,
  };
  const expect = workload.expect;
  const summary = {
    ...bulwark,
    node: process.version,
    workload: workload.source,
    runs,
    expect: { trades: expect.trades, lots: expect.volume, resting: expect.finalLive },
    peer,
    // Throughput ratios are bulwark / peer; latency and heap ratios are peer / bulwark (both: "times better").
    ratio:
      peer === null
        ? null
        : {
            ops_per_s: round(bulwark.ops_per_s / peer.ops_per_s, 1),
            trades_per_s: round(bulwark.trades_per_s / peer.trades_per_s, 1),
            p99_us: round(peer.p99_us / bulwark.p99_us, 1),
            cancel_p99_us: round(peer.cancel_p99_us / bulwark.cancel_p99_us, 1),
            heap_resting_1m_mb: round(peer.heap_resting_1m_mb / bulwark.heap_resting_1m_mb, 1),
          },
    targets: { ...targets, met },
  };
  console.log(JSON.stringify(summary, null, 2));
  const consistent =
    bulwark.matches_reference &&
    bulwark.trades === expect.trades &&
    bulwark.lots === expect.volume &&
    bulwark.resting === expect.finalLive &&
    (peer === null || peer.matches_reference);
  if (!consistent) {
    console.error('MISMATCH: results differ from the workload reference');
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
