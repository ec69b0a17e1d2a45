// npm run bench:verify [-- entries [threads]]: writes a deterministic export of N entries
// (default 1,000,000) anchored every 10,000 entries, then times the verifier over the file (the
// built package, so its worker threads run as they do for the CLI): every entry hash recomputed,
// every link checked, every anchored RFC 9162 root recomputed and compared. The anchors are
// passed in directly: reading them from a chain is one eth_getLogs, not per entry. Threads
// default to every core; CPU time is the whole process's, all threads included.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { verifyExportFile } from '../dist/index.js';
import { writeLargeExport } from '../test/fixture.js';

const entries = Number(process.argv[2] ?? '1000000');
const threads = Number(process.argv[3] ?? String(availableParallelism()));
const BATCH = 10_000;
const RUNS = 3;
const TARGET_PER_S = 500_000;

const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-verify-bench-'));
const file = path.join(dir, 'export.ndjson');
try {
  const { roots, batchSizes } = await writeLargeExport(file, entries, BATCH);
  const anchors = roots.map((root, i) => ({ batchId: BigInt(i + 1), root, entryCount: BigInt(batchSizes[i]!) }));
  console.log(`export: ${entries} entries, ${Math.round(statSync(file).size / 1e6)} MB, ${anchors.length} anchored batches; ${threads} threads`);
  let best = 0;
  let bestCpu = 0;
  for (let run = 1; run <= RUNS; run += 1) {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const load = Math.round((loadavg()[0] ?? 0) * 10) / 10;
    const report = await verifyExportFile(file, anchors, undefined, { threads });
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStarted);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    if (!report.ok || report.entries !== entries || report.batchesMatched !== anchors.length) throw new Error(`verification failed: ${JSON.stringify(report.failure)}`);
    const rate = Math.round(entries / seconds);
    const cpuRate = Math.round(entries / cpuSeconds);
    best = Math.max(best, rate);
    bestCpu = Math.max(bestCpu, cpuRate);
    // On a shared machine the wall clock includes time other processes held the core; the CPU
    // time this process used is what one idle core would need.
    const ms = (s: number) => Math.round(s * 1000);
    const cpuPerEntryUs = Math.round((cpuSeconds * 1e8) / entries) / 100;
    console.log(`run ${run}: ${ms(seconds)} ms wall, ${ms(cpuSeconds)} ms cpu (${cpuPerEntryUs} µs cpu/entry): ${rate} entries/s wall, ${cpuRate} entries/cpu-s; load average ${load}`);
  }
  console.log(`best: ${best} entries/s wall (target ${TARGET_PER_S}/s: ${best >= TARGET_PER_S ? 'met' : 'missed'}), ${bestCpu} entries/cpu-s`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
