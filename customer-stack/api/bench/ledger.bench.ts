// bench:ledger: durable postings per second through LedgerService.submit (group commit) on real
// Postgres with synchronous_commit on, side by side in the same run with a raw-SQL baseline that
// does the same double-entry writes (transactions, entries, one balance UPDATE per batch) in
// batches of the same size, without the ledger's checks and without the audit chain. Two workloads: transfers between random
// customers, and every posting touching the one omnibus account (a single hot row).
// Besides wall-clock rates it prints the CPU each side spent per posting: this process (user +
// system, from process.cpuUsage) and the Postgres backends serving the run's database (from
// /proc/<pid>/stat). On a shared machine those say what a posting costs whatever else runs.
//   npm run bench:ledger [-- --postings 100000 --customers 10000 --inflight 8000]
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import pg from 'pg';
import { typeormDatabase } from '@bulwark/shared-contracts/wall';
import { AuditService } from '../dist/audit/audit.service.js';
import { DEFAULT_LEDGER_LIMITS, LedgerService } from '../dist/ledger/ledger.service.js';
import { accountIdOf } from '../dist/ledger/posting-plan.js';
import { RequestTransaction } from '../dist/tenancy/request-transaction.js';
import { TenantScope } from '../dist/tenancy/tenant-scope.js';
import type { AccountKey, PostingInput } from '../dist/ledger/ledger.types.js';
import { migratedDatabase } from '../test/support/ledger-harness.js';

const arg = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number.parseInt(process.argv[index + 1] ?? '', 10) : fallback;
};
const POSTINGS = arg('postings', 100_000);
const CUSTOMERS = arg('customers', 10_000);
const INFLIGHT = arg('inflight', 8_000);
const BATCH = DEFAULT_LEDGER_LIMITS.batchSizeMax;
const RAW_CONCURRENCY = DEFAULT_LEDGER_LIMITS.concurrencyMax;

// The real audit chain and tenant scope: every batch writes one audit entry per posting.
const { database, owner, dataSource } = await migratedDatabase();
const syncCommit = (await dataSource.query('SHOW synchronous_commit'))[0].synchronous_commit as string;
const db = typeormDatabase(dataSource);
const audit = new AuditService(db);
const ledger = new LedgerService(audit, new TenantScope(db, audit, new RequestTransaction(db)), null);
const pool = new pg.Pool({ connectionString: database.url, max: RAW_CONCURRENCY });

const tenantId = randomUUID();
const owners = Array.from({ length: CUSTOMERS }, () => randomUUID());
const cash = (i: number): AccountKey => ({ kind: 'customer_cash', ownerRef: owners[i % CUSTOMERS] ?? '', unit: 'USD' });
const OMNIBUS: AccountKey = { kind: 'omnibus', ownerRef: null, unit: 'USD' };
const CLEARING: AccountKey = { kind: 'bank_clearing', ownerRef: null, unit: 'USD' };
const random = (n: number) => Math.floor(Math.random() * n);

type Workload = 'transfers' | 'omnibus';

// CPU seconds of the Postgres backends serving this run's database (the raw pool and the ledger's).
const CLOCK_TICKS_PER_S = 100;
const BACKEND_SAMPLE_MS = 200;
function cpuSecondsOf(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
  } catch {
    return undefined; // the backend has exited
  }
}
async function backendPids(): Promise<number[]> {
  const rows: { pid: number }[] = await owner.query('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database.name]);
  return rows.map((row) => row.pid);
}

/**
 * The backends' CPU over a stretch of time. Pools close idle connections, so a backend alive at
 * the start may be gone at the end: each backend is sampled while the work runs and counted from
 * its first to its last sample (a backend born meanwhile from zero), so an exit neither subtracts
 * what it spent before the start nor hides what it spent during the run (at most one sample's worth).
 */
async function postgresCpuDuring(work: () => Promise<number>): Promise<{ posted: number; seconds: number }> {
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  const sample = async (startedAlready: boolean) => {
    for (const pid of await backendPids()) {
      const cpu = cpuSecondsOf(pid);
      if (cpu === undefined) continue;
      if (!first.has(pid)) first.set(pid, startedAlready ? 0 : cpu);
      last.set(pid, cpu);
    }
  };
  await sample(false);
  let running = true;
  const sampler = (async () => {
    while (running) {
      await new Promise((resolve) => setTimeout(resolve, BACKEND_SAMPLE_MS));
      await sample(true);
    }
  })();
  const posted = await work();
  running = false;
  await sampler;
  await sample(true);
  let seconds = 0;
  for (const [pid, end] of last) seconds += end - (first.get(pid) ?? 0);
  return { posted, seconds };
}

interface Measured {
  readonly perSecond: number;
  readonly posted: number;
  /** CPU per posting, µs: this process and the database's backends. */
  readonly nodeUs: number;
  readonly postgresUs: number;
}

/** Runs `work` and reports its rate and the CPU it cost per posting on both sides. */
async function measured(work: () => Promise<number>): Promise<Measured> {
  let seconds = 0;
  let used = { user: 0, system: 0 };
  const { posted, seconds: pgSeconds } = await postgresCpuDuring(async () => {
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    const done = await work();
    seconds = Number(process.hrtime.bigint() - started) / 1e9;
    used = process.cpuUsage(cpu);
    return done;
  });
  return { perSecond: posted / seconds, posted, nodeUs: (used.user + used.system) / posted, postgresUs: (pgSeconds * 1e6) / posted };
}
const postingOf = (workload: Workload, key: string): PostingInput => {
  const from = random(CUSTOMERS);
  const to = workload === 'omnibus' ? OMNIBUS : cash((from + 1 + random(CUSTOMERS - 1)) % CUSTOMERS);
  return { tenantId, idempotencyKey: key, kind: 'transfer', reference: null, legs: [{ account: cash(from), side: 'debit', amount: '0.01' }, { account: to, side: 'credit', amount: '0.01' }] };
};

async function throughLedger(workload: Workload): Promise<number> {
  let next = 0;
  let posted = 0;
  await Promise.all(
    Array.from({ length: INFLIGHT }, async () => {
      while (next < POSTINGS) {
        next += 1;
        const result = await ledger.submit(postingOf(workload, randomUUID()));
        if (result.status === 'posted') posted += 1;
      }
    }),
  );
  return posted;
}

async function rawBaseline(workload: Workload): Promise<number> {
  let next = 0;
  await Promise.all(
    Array.from({ length: RAW_CONCURRENCY }, async () => {
      const client = await pool.connect();
      try {
        while (next < POSTINGS) {
          const size = Math.min(BATCH, POSTINGS - next);
          next += size;
          const postings = Array.from({ length: size }, () => postingOf(workload, randomUUID()));
          const ids = postings.map(() => randomUUID());
          const entries = postings.flatMap((p, i) =>
            p.legs.map((leg, index) => ({ tx: ids[i] ?? '', leg: index, account: accountIdOf(tenantId, leg.account), amount: leg.side === 'debit' ? leg.amount : `-${leg.amount}`, credit: leg.side === 'credit' })),
          );
          const omnibusId = accountIdOf(tenantId, OMNIBUS);
          const deltas = new Map<string, bigint>(); // in cents: every posting moves 0.01
          for (const e of entries) deltas.set(e.account, (deltas.get(e.account) ?? 0n) + ((e.account === omnibusId) === e.credit ? -1n : 1n));
          await client.query('BEGIN');
          await client.query(`SELECT set_config('bulwark.tenant_id', $1, true)`, [tenantId]);
          await client.query(
            `INSERT INTO ledger_transaction (id, tenant_id, idempotency_key, body_hash, kind) SELECT id, $2, id::text, repeat('0', 64), 'transfer' FROM unnest($1::uuid[]) id`,
            [ids, tenantId],
          );
          await client.query(`INSERT INTO ledger_entry (transaction_id, leg, tenant_id, account_id, unit, amount)
             SELECT t, l, $2, a, 'USD', m FROM unnest($1::uuid[], $5::smallint[], $3::uuid[], $4::numeric[]) AS x(t, l, a, m)`,
            [entries.map((e) => e.tx), tenantId, entries.map((e) => e.account), entries.map((e) => e.amount), entries.map((e) => e.leg)],
          );
          const touched = [...deltas.keys()].sort();
          await client.query(`UPDATE ledger_account a SET balance = a.balance + d.cents / 100.0 FROM unnest($1::uuid[], $2::bigint[]) AS d(id, cents) WHERE a.id = d.id`, [
            touched, touched.map((k) => String(deltas.get(k) ?? 0n)),
          ]);
          await client.query('COMMIT');
        }
      } finally {
        client.release();
      }
    }),
  );
  return POSTINGS;
}

// Fund every customer (and create the accounts) through the ledger itself.
await Promise.all(owners.map((_, i) => ledger.submit({ tenantId, idempotencyKey: `fund-${i}`, kind: 'deposit', reference: null, legs: [{ account: CLEARING, side: 'debit', amount: '1000000' }, { account: cash(i), side: 'credit', amount: '1000000' }] })));
await ledger.submit(postingOf('omnibus', 'warm-omnibus'));

process.stderr.write('funded; measuring\n');
const rows: string[] = [];
const cpuRows: string[] = [];
const loads: number[] = [];
const fmt = (n: number) => Math.round(n).toLocaleString('en');
/** One decimal, for CPU microseconds and load averages (not money). */
const one = (n: number) => (Math.round(n * 10) / 10).toLocaleString('en', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
for (const workload of ['transfers', 'omnibus'] as const) {
  loads.push(loadavg()[0] ?? 0);
  const raw = await measured(() => rawBaseline(workload));
  const service = await measured(() => throughLedger(workload));
  loads.push(loadavg()[0] ?? 0);
  const ratio = (Math.round((service.perSecond / raw.perSecond) * 100) / 100).toLocaleString('en', { minimumFractionDigits: 2 });
  // What two idle cores could sustain if the CPU per posting were the only limit (Node and Postgres overlap).
  const ceiling = (m: Measured) => 2e6 / (m.nodeUs + m.postgresUs);
  rows.push(`| ${workload} | ${fmt(service.perSecond)} | ${fmt(raw.perSecond)} | ${ratio} | ${fmt(1e6 / service.nodeUs)} |`);
  cpuRows.push(
    `| ${workload} | ${one(service.nodeUs)} + ${one(service.postgresUs)} = ${one(service.nodeUs + service.postgresUs)} | ${one(raw.nodeUs)} + ${one(raw.postgresUs)} = ${one(raw.nodeUs + raw.postgresUs)} | ${fmt(ceiling(service))} | ${fmt(ceiling(raw))} |`,
  );
  process.stdout.write(
    `${workload}: ledger ${Math.round(service.perSecond)}/s (${service.posted} posted, ${one(service.nodeUs)} µs Node + ${one(service.postgresUs)} µs Postgres CPU per posting), ` +
      `raw ${Math.round(raw.perSecond)}/s (${one(raw.nodeUs)} + ${one(raw.postgresUs)} µs), ratio ${ratio}\n`,
  );
}
const check = await dataSource.transaction(async (manager) => {
  await manager.query(`SELECT set_config('bulwark.tenant_id', $1, true)`, [tenantId]);
  return manager.query(`SELECT (SELECT count(*) FROM ledger_account a WHERE a.balance <> (CASE a.normal_side WHEN 'debit' THEN 1 ELSE -1 END) * coalesce((SELECT sum(amount) FROM ledger_entry e WHERE e.account_id = a.id), 0))::int AS off, (SELECT coalesce(sum(amount), 0) FROM ledger_entry)::text AS net`);
});
process.stdout.write(`\nsynchronous_commit=${syncCommit}, ${POSTINGS} postings per run, batch ≤ ${BATCH}, ${INFLIGHT} submitters in flight, ${CUSTOMERS} customers\n`);
process.stdout.write(`load average during the runs: ${one(Math.min(...loads))}–${one(Math.max(...loads))} on ${availableParallelism()} cores\n`);
process.stdout.write(`| workload | ledger postings/s | raw SQL postings/s | ratio | ledger postings per Node CPU-second |\n|---|---:|---:|---:|---:|\n${rows.join('\n')}\n`);
process.stdout.write(
  `\n| workload | ledger CPU µs per posting (Node + Postgres) | raw SQL CPU µs per posting | ledger CPU-bound ceiling on 2 idle cores (/s) | raw ceiling (/s) |\n|---|---:|---:|---:|---:|\n${cpuRows.join('\n')}\n`,
);
process.stdout.write(`consistency: accounts whose balance differs from Σ entries: ${check[0].off}; Σ all entries: ${check[0].net}\n`);
await ledger.drained();
await pool.end();
await dataSource.destroy();
await owner.destroy();
await database.drop();
