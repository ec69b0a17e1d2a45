// bulwark-verify-audit export.ndjson --rpc URL --anchor ADDRESS
// Verifies an audit export trusting nothing but the file and the chain: every entry's hash is
// recomputed from its fields, every link and sequence number checked, and the RFC 9162 root of
// the log at every anchored size compared with the root the AuditAnchor contract holds. Exits 0
// when everything holds, 1 naming the first failure, 2 on bad usage or an unreachable chain.
import { parseArgs } from 'node:util';
import { readAnchoredBatches } from './anchors.js';
import { THREADS_MAX, verifyExportFile, type Progress } from './verify-file.js';

const USAGE = 'usage: bulwark-verify-audit <export.ndjson> --rpc <url> --anchor <address> [--from-block <n>] [--threads <n>] [--no-progress]';
const PROGRESS_WIDTH = 30;

function progressBar(): (progress: Progress) => void {
  const started = Date.now();
  return ({ bytesRead, bytesTotal, entries }) => {
    const done = bytesTotal === 0 ? 1 : bytesRead / bytesTotal;
    const filled = Math.round(done * PROGRESS_WIDTH);
    const rate = Math.round(entries / Math.max(0.001, (Date.now() - started) / 1000));
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(PROGRESS_WIDTH - filled)}] ${Math.round(done * 100)}% ${entries} entries ${rate}/s`);
  };
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        rpc: { type: 'string' }, anchor: { type: 'string' }, 'from-block': { type: 'string' }, threads: { type: 'string' }, 'no-progress': { type: 'boolean' },
      },
    });
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 2;
  }
  const [file] = parsed.positionals;
  const { rpc, anchor } = parsed.values;
  const threadsArg = parsed.values.threads;
  const threads = threadsArg === undefined ? undefined : Number(threadsArg);
  if (!file || !rpc || !anchor || parsed.positionals.length !== 1 || (threads !== undefined && !(Number.isInteger(threads) && threads >= 0 && threads <= THREADS_MAX))) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let anchors;
  try {
    anchors = await readAnchoredBatches(rpc, anchor, Number(parsed.values['from-block'] ?? '0'));
  } catch (error) {
    process.stderr.write(`cannot read the anchors from the chain: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const showProgress = process.stderr.isTTY && !parsed.values['no-progress'];
  const started = performance.now();
  const report = await verifyExportFile(file, anchors, showProgress ? progressBar() : undefined, threads === undefined ? {} : { threads });
  const seconds = (performance.now() - started) / 1000;
  if (showProgress) process.stderr.write('\n');
  if (!report.ok && report.failure) {
    const { kind, seq, line, detail } = report.failure;
    process.stdout.write(`FAIL ${kind}${seq ? ` at seq ${seq}` : ''} (line ${line}): ${detail}\n`);
    return 1;
  }
  const rate = Math.round(report.entries / Math.max(seconds, 1e-9));
  process.stdout.write(
    `OK ${report.entries} entries (seq 1..${report.lastSeq}); ${report.anchoredEntries} covered by ${report.batchesMatched} roots anchored on chain; ` +
      `${report.entries - report.anchoredEntries} not anchored yet; ${rate} entries/s\n`,
  );
  return 0;
}

process.exitCode = await main();
