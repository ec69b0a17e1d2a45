// npm run bench:screening — name screenings per second against a 50,000-entry list.
//
// The list is generated deterministically (seed 42; src/aml/screening/synthetic-list.ts): Arabic,
// Sinhala, Tamil, South Asian, Russian, Chinese and Latin American names with transliterated
// aliases, dates of birth and countries, plus organisations and vessels. The queries mix
//   - customers with their dates of birth, drawn from the same name stock (most screenings in
//     production: mostly clear, sharing common tokens such as Mohammed, Perera or Kumar with thousands of listed names), and
//   - listed names disguised: token order reversed, a given name reduced to an initial, case and
//     spelling changed — the recall figure says how many of these still find their entry.
// One process, one core, a warm-up pass, then every screening timed on its own. Wall-clock rate
// and latencies depend on what else the machine runs (the load average is printed); the rate per
// CPU-second of this process is the figure that does not.
//   options: --entries N (50000)  --queries N (20000)  --seed N (42)
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { ScreeningIndex } from '../src/aml/screening/screening-index.js';
import { generateCustomerNames, generateSyntheticList, seededRandom } from '../src/aml/screening/synthetic-list.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const ENTRIES = option('entries', 50_000);
const QUERIES = option('queries', 20_000);
const SEED = option('seed', 42);
const DISGUISED_SHARE = 0.2;

const SPELLING: readonly [RegExp, string][] = [
  [/ee/i, 'i'], [/ou/i, 'u'], [/mm/i, 'm'], [/ph/i, 'f'], [/w/i, 'v'], [/th/i, 't'], [/dh/i, 'd'], [/ia/i, 'iya'], [/k/i, 'q'],
];

function disguise(name: string, random: () => number): string {
  let tokens = name.replace(/,/g, ' ').split(/\s+/).filter((t) => t.length > 0);
  const r = random();
  if (r < 0.3) tokens = tokens.reverse();
  else if (r < 0.5 && tokens.length >= 3) tokens = [`${tokens[0]?.[0] ?? ''}.`, ...tokens.slice(1)];
  let text = tokens.join(' ');
  const [pattern, replacement] = SPELLING[Math.floor(random() * SPELLING.length)] ?? SPELLING[0] ?? [/x/, 'x'];
  text = text.replace(pattern, replacement);
  return random() < 0.5 ? text.toLowerCase() : text.toUpperCase();
}

/** Customers are screened at onboarding with their date of birth (adults, born 1940-2007). */
function customerBirthDate(random: () => number): string {
  const day = new Date(Date.UTC(1940, 0, 1) + Math.floor(random() * 68 * 365.25) * 86_400_000);
  return day.toISOString().slice(0, 10);
}

const buildStart = performance.now();
const entries = generateSyntheticList(ENTRIES, SEED);
const generatedMs = performance.now() - buildStart;
const indexStart = performance.now();
const index = new ScreeningIndex(entries);
const indexMs = performance.now() - indexStart;

const random = seededRandom(SEED + 1);
const customers = generateCustomerNames(QUERIES, SEED + 2);
const queries: { name: string; dateOfBirth?: string; expected?: string }[] = customers.map((name) => {
  if (random() >= DISGUISED_SHARE) return { name, dateOfBirth: customerBirthDate(random) };
  const entry = entries[Math.floor(random() * entries.length)];
  if (!entry) throw new Error('no entry');
  const source = random() < 0.5 || entry.aliases.length === 0 ? entry.name : (entry.aliases[0] ?? entry.name);
  return { name: disguise(source, random), expected: entry.id };
});

for (let i = 0; i < Math.min(2_000, queries.length); i++) index.screen(queries[i] ?? { name: '' });

const latenciesUs = new Float64Array(queries.length);
let hits = 0;
let blocked = 0;
let disguised = 0;
let found = 0;
const cpuStart = process.cpuUsage();
const start = performance.now();
for (let i = 0; i < queries.length; i++) {
  const query = queries[i];
  if (!query) continue;
  const t0 = performance.now();
  const result = index.screen(query);
  latenciesUs[i] = (performance.now() - t0) * 1000;
  if (result.hits.length > 0) hits++;
  if (result.decision === 'blocked') blocked++;
  if (query.expected) {
    disguised++;
    if (result.hits.some((h) => h.entryId === query.expected)) found++;
  }
}
const elapsedMs = performance.now() - start;
const cpu = process.cpuUsage(cpuStart);
const cpuMs = (cpu.user + cpu.system) / 1000;
const sorted = Float64Array.from(latenciesUs).sort();
const quantile = (q: number) => Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) * 10) / 10;

console.log(JSON.stringify({
  benchmark: 'screening',
  node: process.version,
  entries: ENTRIES,
  names: index.size.names,
  keys: index.size.keys,
  generateMs: Math.round(generatedMs),
  indexBuildMs: Math.round(indexMs),
  screenings: queries.length,
  screeningsPerSecond: Math.round(queries.length / (elapsedMs / 1000)),
  screeningsPerCpuSecond: Math.round(queries.length / (cpuMs / 1000)),
  loadAverage1m: Math.round((loadavg()[0] ?? 0) * 10) / 10,
  latencyUs: { p50: quantile(0.5), p90: quantile(0.9), p99: quantile(0.99), max: quantile(1) },
  withHits: hits,
  blocked,
  disguisedListedNames: disguised,
  disguisedRecall: disguised === 0 ? null : Math.round((found / disguised) * 1000) / 1000,
  heapUsedMb: Math.round(process.memoryUsage().heapUsed / 1e6),
  target: { screeningsPerSecond: 2000 },
}, null, 2));
