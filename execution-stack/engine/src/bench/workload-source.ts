// The shared CLOB workload (../shared/bench/clob-workload.mjs), either generated in-process
// or read from its CSV form, as flat typed arrays plus the reference matcher's expectation.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const opLimit = 0;
export const opCancel = 1;
export const opMarket = 2;

export interface WorkloadExpectation {
  limits: number;
  trades: number;
  volume: number;
  finalLive: number;
  /** Market orders left (partly) unfilled by the reference. */
  marketUnfilled?: number;
  /** Peak number of live (resting) orders. */
  maxLive?: number;
}

export interface Workload {
  source: string;
  n: number;
  /** 0 limit, 1 cancel, 2 market. */
  type: Uint8Array;
  /** 0 buy, 1 sell. */
  side: Uint8Array;
  id: Int32Array;
  price: Int32Array;
  size: Int32Array;
  expect: WorkloadExpectation;
}

/** Bounds the CSV we are willing to read: a limit on everything. */
const csvOpsMax = 50_000_000;

/** The repo is cloned with `shared/` beside it: <repo>/../shared/bench. */
export function sharedBenchDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url)); // <repo>/execution-stack/engine/{src,dist}/bench
  return path.resolve(here, '../../../..', '../shared/bench');
}

function isExpectation(value: unknown): value is WorkloadExpectation {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return ['limits', 'trades', 'volume', 'finalLive'].every((k) => typeof v[k] === 'number');
}

interface GeneratorModule {
  generate(opts: { seed: number; n: number }): Omit<Workload, 'source'>;
}

function isGeneratorModule(value: unknown): value is GeneratorModule {
  return typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)['generate'] === 'function';
}

export async function generateWorkload(seed: number, n: number): Promise<Workload> {
  const file = path.join(sharedBenchDir(), 'clob-workload.mjs');
  const mod: unknown = await import(pathToFileURL(file).href);
  if (!isGeneratorModule(mod)) throw new Error(`${file} does not export generate()`);
  const w = mod.generate({ seed, n });
  if (!isExpectation(w.expect)) throw new Error('generator returned no expectation');
  return { ...w, source: `generated: clob-workload.mjs --seed ${seed} --n ${n}` };
}

function parseIntField(text: string, line: number): number {
  const value = Number.parseInt(text, 10);
  if (!Number.isSafeInteger(value)) throw new Error(`ops line ${line}: bad integer '${text}'`);
  return value;
}

/** Reads the CSV form: `L,B,id,price,size` / `C,,id,,` / `M,S,,,size`, `#` comments. */
export function readWorkloadCsv(file: string): Workload {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  let n = 0;
  for (const line of lines) if (line.length > 0 && !line.startsWith('#')) n += 1;
  if (n > csvOpsMax) throw new Error(`ops file holds more than ${csvOpsMax} ops`);
  const type = new Uint8Array(n);
  const side = new Uint8Array(n);
  const id = new Int32Array(n).fill(-1);
  const price = new Int32Array(n);
  const size = new Int32Array(n);
  let expect: WorkloadExpectation | null = null;
  let i = 0;
  lines.forEach((line, index) => {
    if (line.length === 0) return;
    if (line.startsWith('#')) {
      if (line.startsWith('# expect ')) {
        const parsed: unknown = JSON.parse(line.slice('# expect '.length));
        if (isExpectation(parsed)) expect = parsed;
      }
      return;
    }
    const f = line.split(',');
    const op = f[0];
    side[i] = f[1] === 'S' ? 1 : 0;
    if (op === 'L') {
      type[i] = opLimit;
      id[i] = parseIntField(f[2] ?? '', index + 1);
      price[i] = parseIntField(f[3] ?? '', index + 1);
      size[i] = parseIntField(f[4] ?? '', index + 1);
    } else if (op === 'C') {
      type[i] = opCancel;
      id[i] = parseIntField(f[2] ?? '', index + 1);
    } else if (op === 'M') {
      type[i] = opMarket;
      size[i] = parseIntField(f[4] ?? '', index + 1);
    } else {
      throw new Error(`ops line ${index + 1}: unknown op '${op ?? ''}'`);
    }
    i += 1;
  });
  if (expect === null) throw new Error(`${file} has no '# expect {...}' line (write it with clob-workload.mjs --out)`);
  return { source: `csv: ${file}`, n, type, side, id, price, size, expect };
}
