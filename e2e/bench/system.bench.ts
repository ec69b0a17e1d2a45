// bench:system — many concurrent investors placing intents through the real HTTP API, measured
// from placement to the allocation booked in the customer ledger. Both stacks run as processes
// from their builds, over a private nats-server with the project's permissions and real Postgres.
//
// Setup, all through the stacks' own paths: INVESTORS investors register, sign in (access tokens
// signed by the stack with jose) and pass KYC at tier 2 over HTTP; their cash is booked by the
// ledger service as a settled deposit (the e2e fault tests' creditCash). Registration and sign-in
// are rate limited per client address, so the investors come from several loopback addresses
// (127.0.0.0/8), as many clients would. A market maker (a member with its own PS256 key) rests one
// large ask on the instrument's internal book over the signed member API; the investors' buy
// intents (limit above the ask) are pooled into omnibus orders that trade against it.
//
// The run: CONCURRENCY HTTP clients (undici, keep-alive) each place one intent at a time, POST
// /v1/orders/intents with a Bearer token and a fresh Idempotency-Key (KYC, tier, velocity and
// balance checks, ledger reservation, intent.submitted.v1 through the outbox), for SECONDS. The
// velocity limit is raised for the run (ORDERS_VELOCITY_MAX, a tenant operator's setting) so
// that a few hundred investors can carry the load; the daily tier limit is not.
//
// Measured per intent from the customer stack's own stamps (not the client's clock): placement
// (order_intent.created_at) to its last allocation booked (order_allocation.booked_at, the
// booking transaction's clock_timestamp()). intents/s = intents booked over (last booking − first
// placement). At the end every intent is accounted for and the bench fails loudly otherwise:
// each HTTP-accepted intent exists once and is filled, its allocations are the execution side's
// exactly (by id) and add up to its quantity, Σ allocations = Σ fills, every account's position and
// cash match what was allocated, the journal balances per unit, and every wall message was
// handled once. CPU per intent per process is read from /proc (the machine is shared; CPU per
// intent does not depend on what else runs). The load generator in this process is left out.
// Statements and commits per intent in each database come from pg_stat_statements where the
// server preloads it (a throwaway cluster: `shared_preload_libraries = pg_stat_statements`, the
// bench pointed at it with DATABASE_URL): that count is what the CPU follows.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import { Agent, request } from 'undici';
import { canonicalDecimal, decimal, sumDecimals } from '@bulwark/shared-contracts';
import { eventually } from '@bulwark/testing';
import { REFERENCE_TENANT_ID } from '../../customer-stack/api/dist/tenancy/reference-tenant.js';
import { signRequest } from '../../execution-stack/api/dist/members/request-signature.js';
import { TestSystem } from '../test/support/system.js';
import { exactlyOnceProblems, settledAccounting } from '../test/support/wall-accounting.js';

const arg = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number.parseInt(process.argv[index + 1] ?? '', 10) : fallback;
};
const INVESTORS = arg('investors', 200);
const CONCURRENCY = arg('concurrency', 64);
const SECONDS = arg('seconds', 20);
const WARMUP = arg('warmup', 400);
/** Registrations per client address stay under the stack's limit (20 an hour, 30 sign-ins per 15 min). */
const INVESTORS_PER_ADDRESS = 15;
const SETUP_CONCURRENCY = 8;
const CASH_PER_INVESTOR_USD = '5000';
const ASK_PRICE = '0.50';
const LIMIT_PRICE = '0.55';
const ASK_QUANTITY = '10000000';
const BOOKED_WITHIN_MS = 600_000;
const tenantId = REFERENCE_TENANT_ID;
/** `--cpu-prof DIR`: both stacks write a V8 CPU profile there when they stop (open it in Chrome DevTools). */
const profileIndex = process.argv.indexOf('--cpu-prof');
const PROFILE_DIR = profileIndex > 0 ? process.argv[profileIndex + 1] : undefined;

// Each stack with the production default pool (the test harness gives 8 connections).
const POOL = { DATABASE_POOL_MAX: '10' };
const system = await TestSystem.start({
  customerEnv: { ORDERS_VELOCITY_MAX: '10000', ...POOL }, executionEnv: POOL, ...(PROFILE_DIR ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] } : {}),
});

// ------------------------------------------------------------------ HTTP clients

/** One keep-alive client per source address; the run's intents all go through the first. */
const agents = new Map<string, Agent>();
const agentFrom = (address: string) => {
  let agent = agents.get(address);
  if (!agent) {
    // A connect function of our own: undici's connect options do not pass localAddress on to the socket.
    agent = new Agent({
      connections: CONCURRENCY, pipelining: 1,
      connect: (options, callback) => {
        const socket = connect({ host: options.hostname, port: Number(options.port), localAddress: address });
        socket.setNoDelay(true);
        socket.once('connect', () => callback(null, socket)).once('error', (error) => callback(error, null));
      },
    });
    agents.set(address, agent);
  }
  return agent;
};
async function http<T>(address: string, method: 'GET' | 'POST', path: string, options: { token?: string; body?: unknown } = {}): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['idempotency-key'] = randomUUID();
  }
  const answer = await request(`${system.customer.baseUrl}${path}`, {
    method, headers, dispatcher: agentFrom(address), ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await answer.body.text();
  return { status: answer.statusCode, body: (text ? JSON.parse(text) : undefined) as T };
}
async function expectStatus<T>(what: string, status: number, answer: Promise<{ status: number; body: T }>): Promise<T> {
  const { status: got, body } = await answer;
  if (got !== status) throw new Error(`${what}: HTTP ${got} ${JSON.stringify(body)}`);
  return body;
}
async function inParallel<T>(count: number, width: number, work: (n: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, count) }, async () => {
    for (let n = next++; n < count; n = next++) results[n] = await work(n);
  }));
  return results;
}

// ------------------------------------------------------------------ the market

const instrumentId = await system.execution.call('listInstrument', { symbol: 'BENCH-SYS-YES', kind: 'event', tickSize: '0.01', lotSize: '1' });
const makerKeys = await generateKeyPair('PS256', { extractable: true });
const makerKeyId = await system.execution.call('createMarketMaker', {
  publicJwk: { ...(await exportJWK(makerKeys.publicKey)) }, orderQuantityMax: ASK_QUANTITY, orderNotionalMax: ASK_QUANTITY,
});
{
  const ask = JSON.stringify({ instrumentId, side: 'sell', price: ASK_PRICE, quantity: ASK_QUANTITY });
  const signed = await signRequest({ keyId: makerKeyId, privateKey: makerKeys.privateKey }, { method: 'POST', path: '/v1/member/orders', body: ask });
  const placed = await fetch(`${system.execution.baseUrl}/v1/member/orders`, { method: 'POST', headers: { ...signed, 'content-type': 'application/json' }, body: ask });
  if (placed.status !== 201) throw new Error(`the market maker's ask was refused: ${placed.status} ${await placed.text()}`);
}

// ------------------------------------------------------------------ the investors

await system.customer.call('importSanctionsLists', {});
interface Investor { readonly accountRef: string; readonly token: string }
const kycSubmission = {
  givenNames: 'Nimal', familyName: 'Perera', dateOfBirth: '1985-12-05', residenceCountry: 'LK',
  address: { line1: '12 Galle Road', city: 'Colombo', postalCode: '00300', country: 'LK' },
  document: { type: 'lk_nic', number: '853400937V', country: 'LK' }, livenessToken: 'selfie-ok', requestedTier: 2,
};
const setupStartedMs = Date.now();
const investors: Investor[] = await inParallel(INVESTORS, SETUP_CONCURRENCY, async (n) => {
  const address = `127.0.0.${10 + Math.floor(n / INVESTORS_PER_ADDRESS)}`;
  const email = `bench-${randomUUID()}@example.test`;
  const password = `pw-${randomUUID()}`;
  const { accountRef } = await expectStatus<{ accountRef: string }>('register', 201, http(address, 'POST', '/auth/register', { body: { tenantId, email, password } }));
  const { accessToken } = await expectStatus<{ accessToken: string }>('sign-in', 200, http(address, 'POST', '/auth/login', {
    body: { tenantId, email, password, transport: 'token' },
  }));
  const kyc = await expectStatus<{ status: string; tier: number }>('KYC', 200, http(address, 'POST', '/kyc/submissions', { token: accessToken, body: kycSubmission }));
  if (kyc.status !== 'approved' || kyc.tier !== 2) throw new Error(`KYC: ${JSON.stringify(kyc)}`);
  await system.customer.call('creditCash', { tenantId, accountRef, amount: CASH_PER_INVESTOR_USD });
  return { accountRef, token: accessToken };
});
const setupS = (Date.now() - setupStartedMs) / 1000;

// ------------------------------------------------------------------ placing intents

const RUN_ADDRESS = '127.0.0.1';
const accepted: string[] = [];
const refused = new Map<string, number>();
let next = 0;
async function place(): Promise<void> {
  const n = next++;
  const investor = investors[n % investors.length] as Investor;
  const answer = await http<{ intentId?: string; status?: string; code?: string }>(RUN_ADDRESS, 'POST', '/v1/orders/intents', {
    token: investor.token, body: { instrumentId, side: 'buy', quantity: String(1 + (n % 5)), limitPrice: LIMIT_PRICE, timeInForce: 'GTC' },
  });
  if (answer.status === 201 && answer.body.intentId && answer.body.status === 'submitted') accepted.push(answer.body.intentId);
  else {
    const key = `${answer.status} ${answer.body.code ?? ''}`;
    refused.set(key, (refused.get(key) ?? 0) + 1);
  }
}

/** Waits until every accepted intent is filled and its allocations booked, then until the wall is quiet. */
async function allBooked(): Promise<void> {
  await eventually(async () => {
    const { rows } = await system.customerSql.query<{ n: number }>(`SELECT count(*)::int AS n FROM order_intent WHERE status = 'filled' AND id = ANY($1::uuid[])`, [accepted]);
    return rows[0]?.n === accepted.length ? true : undefined;
  }, BOOKED_WITHIN_MS, `all ${accepted.length} intents filled and booked`);
}

// Warm-up: the stacks' pools, JIT, JetStream consumers and the book.
await inParallel(WARMUP, CONCURRENCY, place);
if (refused.size > 0) console.error(`warm-up: ${accepted.length} accepted, refused ${JSON.stringify(Object.fromEntries(refused))}`);
await allBooked();
await settledAccounting(system, 120_000);

// CPU seconds of the system's processes: both stacks, nats-server and the Postgres backends of
// the two databases (the bench's own few reading connections among them).
const CLOCK_TICKS_PER_S = 100;
function cpuSecondsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
  } catch {
    return 0; // the process has exited: its time is not counted
  }
}
/**
 * The Postgres backends' CPU, read every BACKEND_SAMPLE_MS: a pool closes idle connections and
 * opens new ones during a run, so a backend's time counts up to its last reading (one that exits
 * loses at most one interval) and one that starts during the run counts from zero.
 */
const BACKEND_SAMPLE_MS = 200;
const IDLE_S = 5;
const processCpu = () => ({ customer: cpuSecondsOf(system.customer.pid), execution: cpuSecondsOf(system.execution.pid), nats: cpuSecondsOf(system.nats.pid) });

/** CPU seconds each part of the system spent while `during` ran, and how long it ran. */
async function cpuDuring(during: () => Promise<void>): Promise<{ cpuS: Record<string, number>; seconds: number }> {
  const first = new Map<number, number>();
  const last = new Map<number, { database: string; cpuS: number }>();
  const sample = async (atStart: boolean) => {
    const { rows } = await system.customerSql.query<{ pid: number; datname: string }>(
      'SELECT pid, datname FROM pg_stat_activity WHERE datname = ANY($1) AND pid <> pg_backend_pid()', [[system.customerDb.name, system.executionDb.name]],
    );
    for (const { pid, datname } of rows) {
      const cpuS = cpuSecondsOf(pid);
      if (!first.has(pid)) first.set(pid, atStart ? cpuS : 0);
      if (cpuS > 0) last.set(pid, { database: datname, cpuS });
    }
  };
  const backends = (database: string) => [...last].filter(([, b]) => b.database === database).reduce((total, [pid, b]) => total + b.cpuS - (first.get(pid) ?? 0), 0);
  const before = processCpu();
  const startedMs = Date.now();
  await sample(true);
  const sampler = setInterval(() => void sample(false).catch(() => undefined), BACKEND_SAMPLE_MS);
  try {
    await during();
  } finally {
    clearInterval(sampler);
  }
  await sample(false);
  const after = processCpu();
  return {
    cpuS: {
      customer: after.customer - before.customer, execution: after.execution - before.execution, nats: after.nats - before.nats,
      postgres_customer: backends(system.customerDb.name), postgres_execution: backends(system.executionDb.name),
    },
    seconds: (Date.now() - startedMs) / 1000,
  };
}

/**
 * Statements and commits each database ran for the stacks (the bench's own queries, as the
 * superuser, left out), from pg_stat_statements when the server preloads it: the CPU per intent
 * follows their count. Null where the server does not (its extension is created in this run's
 * throwaway customer database, which is dropped with it).
 */
async function statementCounts(): Promise<Record<string, { statements: number; commits: number }> | null> {
  const [preloaded] = (await system.customerSql.query<{ on: boolean }>(
    `SELECT current_setting('shared_preload_libraries') ~ 'pg_stat_statements' AS on`)).rows;
  if (!preloaded?.on) return null;
  await system.customerSql.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  const { rows } = await system.customerSql.query<{ datname: string; statements: string; commits: string }>(
    `SELECT d.datname, coalesce(sum(s.calls), 0)::text AS statements, coalesce(sum(s.calls) FILTER (WHERE s.query ~* '^\\s*commit'), 0)::text AS commits
       FROM pg_database d LEFT JOIN pg_stat_statements s ON s.dbid = d.oid AND s.userid <> (SELECT oid FROM pg_roles WHERE rolname = current_user)
      WHERE d.datname = ANY($1) GROUP BY d.datname`,
    [[system.customerDb.name, system.executionDb.name]],
  );
  const of = (name: string) => {
    const row = rows.find((r) => r.datname === name);
    return { statements: Number(row?.statements ?? 0), commits: Number(row?.commits ?? 0) };
  };
  return { customer: of(system.customerDb.name), execution: of(system.executionDb.name) };
}

// What the system spends doing nothing (timers, sweeps, relays polling): at a low rate it is a
// large part of the CPU per intent, so it is reported and subtracted for the net figure.
const idle = await cpuDuring(() => new Promise((resolve) => setTimeout(resolve, IDLE_S * 1000)));
const warmedUp = accepted.length;
const startedAt = new Date();
let placedS = 0;
let accounting: Awaited<ReturnType<typeof settledAccounting>> | undefined;
const statementsBefore = await statementCounts();
const run = await cpuDuring(async () => {
  const deadline = Date.now() + SECONDS * 1000;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (Date.now() < deadline) await place();
  }));
  placedS = (Date.now() - startedAt.getTime()) / 1000;
  await allBooked();
  accounting = await settledAccounting(system, 120_000);
});
if (!accounting) throw new Error('the run did not settle');
const statementsAfter = await statementCounts();
const runIds = accepted.slice(warmedUp);

// ------------------------------------------------------------------ latency and throughput

const { rows: [latency] } = await system.customerSql.query<{ n: number; seconds: number; p50: number; p99: number; max: number }>(
  `SELECT count(*)::int AS n, extract(epoch FROM max(booked) - min(placed))::float8 AS seconds,
          percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99, max(ms)::float8 AS max
     FROM (SELECT i.created_at AS placed, max(a.booked_at) AS booked, extract(epoch FROM max(a.booked_at) - i.created_at)::float8 * 1000 AS ms
             FROM order_intent i JOIN order_allocation a ON a.intent_id = i.id WHERE i.id = ANY($1::uuid[]) GROUP BY i.id, i.created_at) t`,
  [runIds],
);
if (!latency) throw new Error('no latency row');

// ------------------------------------------------------------------ every intent accounted for

const problems = exactlyOnceProblems(accounting).map((p) => `wall: ${p}`);
const check = (ok: boolean, what: string, value: unknown) => {
  if (!ok) problems.push(`${what}: ${JSON.stringify(value).slice(0, 300)}`);
};
const c = <R>(text: string, params: unknown[] = []) => system.customerSql.query(text, params).then((r) => r.rows as R[]);
const e = <R>(text: string, params: unknown[] = []) => system.executionSql.query(text, params).then((r) => r.rows as R[]);
const acceptedSet = new Set(accepted);
check(acceptedSet.size === accepted.length, 'an intent id answered twice over HTTP', accepted.length - acceptedSet.size);
const intents = await c<{ id: string; account_ref: string; status: string; quantity: string; filled_quantity: string }>(
  `SELECT id, account_ref, status, quantity::text, filled_quantity::text FROM order_intent`,
);
check(intents.length === acceptedSet.size && intents.every((i) => acceptedSet.has(i.id)), 'intents stored other than those accepted over HTTP', {
  stored: intents.length, accepted: acceptedSet.size,
});
const unfilled = intents.filter((i) => i.status !== 'filled' || !decimal(i.filled_quantity).eq(decimal(i.quantity)));
check(unfilled.length === 0, 'intents not filled', unfilled.map((i) => i.id));
const customerAllocations = await c<{ allocation_id: string; intent_id: string; quantity: string; notional: string; fee: string }>(
  `SELECT allocation_id, intent_id, quantity::text, notional::text, fee::text FROM order_allocation`,
);
const executionAllocations = await e<{ allocation_id: string; intent_id: string; account_ref: string; quantity: string; notional: string; fee: string }>(
  `SELECT allocation_id, intent_id, account_ref, quantity::text, notional::text, fee::text FROM allocation WHERE instrument_id = $1`, [instrumentId],
);
const booked = new Map(customerAllocations.map((a) => [a.allocation_id, a]));
check(booked.size === customerAllocations.length, 'an allocation booked twice', customerAllocations.length - booked.size);
const unbooked = executionAllocations.filter((a) => !booked.has(a.allocation_id));
check(unbooked.length === 0, 'allocations made but not booked', unbooked.map((a) => a.allocation_id));
const made = new Set(executionAllocations.map((a) => a.allocation_id));
const invented = customerAllocations.filter((a) => !made.has(a.allocation_id));
check(invented.length === 0, 'allocations booked that were never made', invented.map((a) => a.allocation_id));
const differing = executionAllocations.filter((a) => {
  const b = booked.get(a.allocation_id);
  return !b || b.intent_id !== a.intent_id || !decimal(b.quantity).eq(decimal(a.quantity)) || !decimal(b.notional).eq(decimal(a.notional)) || !decimal(b.fee).eq(decimal(a.fee));
});
check(differing.length === 0, 'allocations booked differently from made', differing.map((a) => a.allocation_id));
const allocatedPerIntent = new Map<string, string[]>();
for (const a of customerAllocations) allocatedPerIntent.set(a.intent_id, [...(allocatedPerIntent.get(a.intent_id) ?? []), a.quantity]);
const short = intents.filter((i) => !decimal(sumDecimals(allocatedPerIntent.get(i.id) ?? [])).eq(decimal(i.quantity)));
check(short.length === 0, 'intents whose allocations do not add up to their quantity', short.map((i) => i.id));
const fills = await e<{ quantity: string; notional: string }>(
  `SELECT f.quantity::text, (f.quantity * f.price)::text AS notional FROM omnibus_fill f JOIN omnibus_order o ON o.order_ref = f.order_ref WHERE o.instrument_id = $1`,
  [instrumentId],
);
const filledUnits = sumDecimals(fills.map((f) => f.quantity));
const filledNotional = sumDecimals(fills.map((f) => f.notional));
check(decimal(sumDecimals(executionAllocations.map((a) => a.quantity))).eq(decimal(filledUnits)), 'Σ allocations ≠ Σ fills (units)', filledUnits);
check(decimal(sumDecimals(executionAllocations.map((a) => a.notional))).eq(decimal(filledNotional)), 'Σ allocations ≠ Σ fills (notional)', filledNotional);
const unbalanced = await c<{ unit: string; total: string }>(`SELECT unit, sum(amount)::text AS total FROM ledger_entry GROUP BY unit HAVING sum(amount) <> 0`);
check(unbalanced.length === 0, 'journal unbalanced per unit', unbalanced);
const drifted = await c<{ id: string }>(
  `SELECT a.id FROM ledger_account a LEFT JOIN ledger_entry e ON e.account_id = a.id
    GROUP BY a.id, a.balance, a.normal_side HAVING a.balance <> CASE a.normal_side WHEN 'debit' THEN 1 ELSE -1 END * coalesce(sum(e.amount), 0)`,
);
check(drifted.length === 0, 'account balances differ from their journal', drifted.map((a) => a.id));
const balances = await c<{ owner_ref: string; kind: string; unit: string; balance: string }>(
  `SELECT owner_ref, kind, unit, balance::text FROM ledger_account WHERE kind IN ('customer_cash', 'customer_reserved', 'customer_position')`,
);
const balanceOf = (owner: string, kind: string, unit: string) => balances.find((b) => b.owner_ref === owner && b.kind === kind && b.unit === unit)?.balance ?? '0';
const wrongBooks = investors.filter(({ accountRef }) => {
  const mine = executionAllocations.filter((a) => a.account_ref === accountRef);
  const spent = sumDecimals(mine.map((a) => canonicalDecimal(decimal(a.notional).plus(decimal(a.fee)))));
  const cash = decimal(balanceOf(accountRef, 'customer_cash', 'USD'));
  return !cash.eq(decimal(CASH_PER_INVESTOR_USD).minus(decimal(spent)))
    || !decimal(balanceOf(accountRef, 'customer_reserved', 'USD')).eq(decimal('0'))
    || !decimal(balanceOf(accountRef, 'customer_position', instrumentId)).eq(decimal(sumDecimals(mine.map((a) => a.quantity))));
});
check(wrongBooks.length === 0, 'investors whose cash, hold or position differ from their allocations', wrongBooks.map((i) => i.accountRef));

// ------------------------------------------------------------------ the report

const measured = latency.n;
check(measured === runIds.length, 'run intents without a booked allocation', runIds.length - measured);
const perIntentUs = (cpuS: Record<string, number>) => {
  const parts = Object.fromEntries(Object.entries(cpuS).map(([k, seconds]) => [k, Math.round(seconds * 1e6 / measured)]));
  return { ...parts, total: Object.values(parts).reduce((a, b) => a + b, 0) };
};
const idleCpuS = (k: string) => ((idle.cpuS[k] ?? 0) / idle.seconds) * run.seconds;
const round = (ms: number) => Number(ms.toPrecision(3));
const result = {
  bench: 'system',
  mode: 'HTTP POST /v1/orders/intents (Bearer, Idempotency-Key) to the allocation booked in the customer ledger; fills against a market maker on the internal book',
  investors: INVESTORS,
  concurrency: CONCURRENCY,
  seconds: SECONDS,
  setup_s: round(setupS),
  intents: measured,
  http_placed_per_s: Math.round(runIds.length / placedS),
  refused: Object.fromEntries(refused),
  intents_per_s: Math.round(measured / latency.seconds),
  p50_ms: round(latency.p50),
  p99_ms: round(latency.p99),
  max_ms: round(latency.max),
  cpu_us_per_intent: perIntentUs(run.cpuS),
  cpu_us_per_intent_net_of_idle: perIntentUs(Object.fromEntries(Object.entries(run.cpuS).map(([k, seconds]) => [k, seconds - idleCpuS(k)]))),
  per_intent_in_postgres: statementsBefore && statementsAfter
    ? Object.fromEntries(Object.entries(statementsAfter).map(([db, after]) => {
      const before = statementsBefore[db] ?? { statements: 0, commits: 0 };
      return [db, { statements: round((after.statements - before.statements) / measured), commits: round((after.commits - before.commits) / measured) }];
    }))
    : 'pg_stat_statements not preloaded',
  idle_cpu_ms_per_s: Object.fromEntries(Object.entries(idle.cpuS).map(([k, seconds]) => [k, Math.round((seconds / idle.seconds) * 1000)])),
  accounted: {
    intents: intents.length, allocations: customerAllocations.length, filled_units: canonicalDecimal(decimal(filledUnits)),
    c2e_messages: accounting.outboxes.c2e, e2c_messages: accounting.outboxes.e2c,
  },
  exactly_once: problems.length === 0 ? 'ok' : problems,
  load_average: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
  targets: { intents_per_s_min: 1_000, p99_ms_max: 250 },
};
console.log(JSON.stringify(result, null, 2));
await Promise.all([...agents.values()].map((agent) => agent.close()));
await system.stop();
if (problems.length > 0) console.error(`bench:system FAILED its accounting:\n${problems.join('\n')}`);
process.exit(problems.length === 0 && refused.size === 0 ? 0 : 1);
