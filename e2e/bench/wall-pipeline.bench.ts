// bench:wall, the pipeline part: signed messages one way through the full inbound pipeline
// (verify, schema, PII guard, nonce insert, handler with its own writes and outbound answer)
// between the two real stacks — the customer stack in this process, the execution stack in its
// own process — over a private nats-server with the project's permissions and real Postgres.
//
// One way: the customer stack's own inbound is paused while the two phases run, so the answers
// (intent.accepted.v1, which the execution handler writes and its relay publishes) wait in
// JetStream; afterwards it resumes, and the bench checks that every intent was answered and
// booked, and reports how long that took.
//
// Phase 1 (throughput): a burst of BURST intents; messages/s = burst / (last handled − first signed).
// The stacks run from their compiled builds (npm run build), as they do in production.
// Phase 2 (latency): a paced offered load of RATE messages/s for SECONDS; p50/p99 from signing
// at the sender to the handler's insert at the receiver.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { SqlDatabase } from '@bulwark/shared-contracts/wall';
import { createTestDatabase, eventually, startTestNats, testStackEnv, testSuperuserUrl } from '../../infra/testing/harness.js';
import { createCustomerApp } from '../../customer-stack/api/dist/app.js';
import { parseCustomerConfig } from '../../customer-stack/api/dist/config/customer-config.js';
import { OrdersService } from '../../customer-stack/api/dist/orders/orders.service.js';
import { SQL_DATABASE, WallService } from '@bulwark/shared-contracts/platform';
import { REFERENCE_TENANT_ID } from '../../customer-stack/api/dist/tenancy/reference-tenant.js';
import { TenantsService } from '../../customer-stack/api/dist/tenancy/tenants.service.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const arg = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number.parseInt(process.argv[index + 1] ?? '', 10) : fallback;
};
const BURST = arg('burst', 30_000);
const RATE = arg('rate', 5_000);
const SECONDS = arg('seconds', 10);
const CHUNK = 500;

const nats = await startTestNats();
const customerDb = await createTestDatabase('customer');
const executionDb = await createTestDatabase('execution');
const executionEnv = { ...process.env, ...testStackEnv('execution', executionDb, nats, { HTTP_PORT: '0', LOG_LEVEL: 'warn', DATABASE_POOL_MAX: '10' }) };
// --cpu-prof DIR: the execution stack writes a V8 CPU profile there when it exits (run this
// process with node --cpu-prof for the customer stack's).
const cpuProfDir = process.argv.includes('--cpu-prof') ? process.argv[process.argv.indexOf('--cpu-prof') + 1] : undefined;
const execution = spawn(
  process.execPath,
  [...(cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : []), path.join(root, 'execution-stack/api/dist/main.js')],
  { env: executionEnv, stdio: 'inherit' },
);
// No audit anchoring during the run: the execution stack here has no chain to anchor on, and an
// anchor request it cannot handle fails its whole inbound batch, which is then retried message
// by message: a cost of the missing chain, not of the pipeline being measured.
const customerEnv = { LOG_LEVEL: 'warn', AUDIT_ANCHOR_INTERVAL_MS: String(24 * 3_600_000), AUDIT_ANCHOR_BATCH_ENTRIES: '1000000' };
const customer = await createCustomerApp(parseCustomerConfig(testStackEnv('customer', customerDb, nats, customerEnv)));
await customer.init();
const orders = customer.get(OrdersService);
// The bench's own probes (counting wall_inbound every 50 ms while it waits) run under this name,
// so the Postgres CPU they cost is not counted as the pipeline's.
const BENCH_APPLICATION_NAME = 'wall-pipeline-bench';
const executionSql = new pg.Pool({ connectionString: executionDb.url, max: 2, application_name: BENCH_APPLICATION_NAME });

// An instrument the intents are accepted on (listed straight into the execution database).
const instrumentId = randomUUID();
// Wait for the migration that gave instruments their price band, not just the table: a row
// inserted before it would make its NOT NULL columns fail and stop the execution stack.
await eventually(async () => {
  const { rows } = await executionSql.query(
    `SELECT 1 FROM information_schema.columns WHERE table_name = 'instrument' AND column_name = 'halt_cooldown_ms'`,
  );
  return rows.length > 0 ? true : undefined;
}, 60_000, 'the execution stack migrations');
await executionSql.query(
  `INSERT INTO instrument (id, symbol, kind, tick_size, lot_size, status, price_min, price_max, band_width, halt_move_bps, halt_window_ms, halt_cooldown_ms, created_at)
   VALUES ($1, 'BENCH-EVT-YES', 'event', 0.01, 1, 'open', 0.01, 0.99, 0, 0, 60000, 0, now())`,
  [instrumentId],
);

// Investors of the reference tenant (an intent's account must be registered under its tenant).
const accounts = Array.from({ length: 100 }, () => randomUUID());
await customer.get<SqlDatabase>(SQL_DATABASE).transaction(async (tx) => {
  for (const accountRef of accounts) await customer.get(TenantsService).registerAccount(tx, { actor: 'system:bench', role: 'system' }, REFERENCE_TENANT_ID, accountRef);
});
const input = () => ({
  accountRef: accounts[Math.floor(Math.random() * accounts.length)]!,
  tenantRef: REFERENCE_TENANT_ID,
  instrumentId, side: 'buy' as const, quantity: '10', limitPrice: '0.55', timeInForce: 'GTC' as const,
});
const handledCount = async () => Number((await executionSql.query('SELECT count(*) AS n FROM wall_inbound')).rows[0].n);
const waitFor = (n: number) => eventually(async () => ((await handledCount()) >= n ? true : undefined), 600_000, `${n} handled messages`);

// Warm-up.
await orders.submitIntents(Array.from({ length: 200 }, input));
await waitFor(200);

// CPU seconds spent by every process of the pipeline (this process with the customer stack, the
// execution stack, nats-server and the Postgres backends of the two databases), read from /proc.
// Divided by the messages, it says what the pipeline costs whatever else the machine is doing:
// on this 2-core machine, 5,000 messages/s needs at most 400 µs of CPU per message.
const CLOCK_TICKS_PER_S = 100;
function cpuSecondsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
  } catch {
    return 0; // the process has exited: its time is not counted
  }
}
async function pipelineCpu(): Promise<Record<string, number>> {
  const { rows } = await executionSql.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = ANY($1) AND application_name <> $2', [[customerDb.name, executionDb.name], BENCH_APPLICATION_NAME],
  );
  const sum = (pids: number[]) => pids.reduce((total, pid) => total + cpuSecondsOf(pid), 0);
  return { customer: cpuSecondsOf(process.pid), execution: cpuSecondsOf(execution.pid ?? 0), nats: cpuSecondsOf(nats.pid), postgres: sum(rows.map((r) => r.pid)) };
}

// What the stacks spend with no message moving (their ticks, polls and heartbeats), over
// IDLE_SECONDS after the warm-up: the burst's CPU per message below includes it.
const idleMs = arg('idle-seconds', 5) * 1000;
const idleBefore = await pipelineCpu();
await new Promise((resolve) => setTimeout(resolve, idleMs));
const idleAfter = await pipelineCpu();
const idleCpuMsPerS = Object.fromEntries(
  Object.keys(idleAfter).map((name) => [name, Math.round(((idleAfter[name] ?? 0) - (idleBefore[name] ?? 0)) * 1e6 / idleMs)]),
);

await customer.get(WallService).pauseInbound();

// Phase 1: throughput.
const cpuBefore = await pipelineCpu();
for (let sent = 0; sent < BURST; sent += CHUNK) await orders.submitIntents(Array.from({ length: Math.min(CHUNK, BURST - sent) }, input));
await waitFor(200 + BURST);
const cpuAfter = await pipelineCpu();
const cpuUsPerMessage = Object.fromEntries(
  Object.keys(cpuAfter).map((name) => [name, Math.round(((cpuAfter[name] ?? 0) - (cpuBefore[name] ?? 0)) * 1e6 / BURST)]),
);
const burst = (await executionSql.query(
  `SELECT count(*) AS n, extract(epoch FROM max(received_at) - min(sent_at)) AS seconds
     FROM (SELECT * FROM wall_inbound ORDER BY received_at OFFSET 200) b`,
)).rows[0];

// Phase 2: latency at a paced offered load.
const tickMs = 10;
const perTick = Math.max(1, Math.round((RATE * tickMs) / 1000));
const ticks = Math.round((SECONDS * 1000) / tickMs);
const before = await handledCount();
const startedAt = Date.now();
for (let tick = 0; tick < ticks; tick += 1) {
  await orders.submitIntents(Array.from({ length: perTick }, input));
  const lag = startedAt + (tick + 1) * tickMs - Date.now();
  if (lag > 0) await new Promise((resolve) => setTimeout(resolve, lag));
}
await waitFor(before + ticks * perTick);
const latency = (await executionSql.query(
  `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99, max(ms) AS max, count(*) AS n
     FROM (SELECT extract(epoch FROM received_at - sent_at) * 1000 AS ms FROM wall_inbound ORDER BY received_at OFFSET $1) l`,
  [before],
)).rows[0];
const rejected = Number((await executionSql.query('SELECT count(*) AS n FROM wall_rejection')).rows[0].n);

// The way back: every intent answered and booked at the customer once its inbound resumes.
// The database's superuser: order_intent is under row-level security, which hides every row from a session without a tenant.
const customerSql = new pg.Pool({ connectionString: testSuperuserUrl(customerDb), max: 1, application_name: BENCH_APPLICATION_NAME });
const intentsSent = 200 + BURST + ticks * perTick;
const resumedAt = Date.now();
await customer.get(WallService).resumeInbound();
await eventually(async () => {
  const { rows } = await customerSql.query(`SELECT count(*) AS n FROM order_intent WHERE status = 'accepted'`);
  return Number(rows[0].n) === intentsSent ? true : undefined;
}, 600_000, 'every intent answered and booked');
const answersBookedS = (Date.now() - resumedAt) / 1000;
await customerSql.end();

const result = {
  bench: 'wall-pipeline',
  burst_messages: Number(burst.n),
  burst_messages_per_s: Math.round(Number(burst.n) / Number(burst.seconds)),
  paced_rate_per_s: RATE,
  paced_messages: Number(latency.n),
  p50_ms: Number(Number(latency.p50).toPrecision(3)),
  p99_ms: Number(Number(latency.p99).toPrecision(3)),
  max_ms: Number(Number(latency.max).toPrecision(3)),
  rejected,
  answers_booked: intentsSent,
  answers_booked_per_s_after_resume: Math.round(intentsSent / answersBookedS),
  // CPU per message by process over the burst (µs); the return answers are included.
  burst_cpu_us_per_message: { ...cpuUsPerMessage, total: Object.values(cpuUsPerMessage).reduce((a, b) => a + b, 0) },
  idle_cpu_ms_per_s: { ...idleCpuMsPerS, total: Object.values(idleCpuMsPerS).reduce((a, b) => a + b, 0) },
  targets: { messages_per_s_min: 5_000, p99_ms_max: 50 },
};
console.log(JSON.stringify(result));

await executionSql.end();
await customer.close();
execution.kill('SIGTERM');
await new Promise((resolve) => execution.once('exit', resolve));
await customerDb.drop();
await executionDb.drop();
await nats.stop();
process.exit(result.rejected === 0 ? 0 : 1);
