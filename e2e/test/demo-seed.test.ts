// The demo world `npm start` seeds, with a chain: both stacks' seed scripts run from their builds
// exactly as infra/scripts/start.mjs runs them (same environment, before the stacks serve),
// against real Postgres, NATS and anvil. Then the stacks start and the world must be usable: the
// instruments listed with their token suites deployed, the house and the reference tenant's
// omnibus wallets registered in each, every demo login working, each operator signing in with the
// key file the seed wrote. Seeding again, before and after the chain deployed the suites, changes nothing.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { importJWK, type CryptoKey, type JWK } from 'jose';
import { Contract, JsonRpcProvider } from 'ethers';
import pg from 'pg';
import { artifact } from '@bulwark/solidity';
import { createTestDatabase, startTestNats, testStackEnv, testSuperuserUrl, type StackName, type TestDatabase, type TestNats } from '@bulwark/testing';
import { REFERENCE_TENANT_ID } from '../../customer-stack/api/dist/tenancy/reference-tenant.js';
import { DEMO_PASSWORD, DEMO_USERS } from '../../customer-stack/api/dist/auth/demo-users.js';
import { DEMO_INSTRUMENTS, DEMO_MARKET_MAKER_QUOTES, DEMO_OPERATORS } from '../../execution-stack/api/dist/demo/seed-demo-data.js';
import { freePort } from '../../infra/scripts/services.mjs';
import { HOUSE_WALLET_REF } from '../../execution-stack/api/dist/chain/chain.service.js';
import { signRequest } from '../../execution-stack/api/dist/members/request-signature.js';
import { chainTestEnv, RestartableAnvil } from '../../execution-stack/api/test/support/anvil-node.js';
import { HttpClient, signIn } from './support/http-client.js';
import { StackProcess } from './support/stack-process.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/**
 * The running execution stack deploys both suites and registers the wallets in worker cycles on
 * anvil: a few dozen transactions, each mined before the next is sent. The test waits as long as
 * they keep being mined (a loaded machine only slows them down) and fails once none was mined for
 * this long: the deployment is stuck, not slow.
 */
const CHAIN_STALLED_MS = 60_000;

let nats: TestNats;
let databases: Record<StackName, TestDatabase>;
let anvil: RestartableAnvil;
let keysDir: string;
let env: Record<StackName, Record<string, string>>;
let sql: Record<StackName, pg.Pool>;
const stacks: StackProcess[] = [];

/** Runs a stack's demo seed from its build as npm start does; resolves with its exit code and what it wrote to stderr. */
function seed(stack: StackName): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, `${stack}-stack/api/dist/demo/seed-demo.js`)], {
      cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env[stack] }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

async function seedBoth(): Promise<void> {
  for (const stack of ['customer', 'execution'] as const) {
    const { code, stderr } = await seed(stack);
    if (code !== 0) throw new Error(`the ${stack} seed exited with ${code}: ${stderr}`);
  }
}

/** What the seeds create, counted: seeding again must leave every count (and every key file) as it was. */
async function seededWorld() {
  const count = async (stack: StackName, query: string, params: unknown[] = []) => Number((await sql[stack].query<{ n: string }>(query, params)).rows[0]?.n);
  return {
    instruments: await count('execution', `SELECT count(*) AS n FROM instrument`),
    members: await count('execution', `SELECT count(*) AS n FROM member`),
    operators: await count('execution', `SELECT count(*) AS n FROM operator`),
    approvers: await count('execution', `SELECT count(*) AS n FROM settlement_approver WHERE active`),
    listings: await count('execution', `SELECT count(*) AS n FROM chain_listing`),
    wallets: await count('execution', `SELECT count(*) AS n FROM chain_wallet`),
    users: await count('customer', `SELECT count(*) AS n FROM user_account`),
    keyFiles: readdirSync(keysDir).sort().map((file) => readFileSync(path.join(keysDir, file), 'utf8')),
  };
}

beforeAll(async () => {
  const [started, customerDb, executionDb, node] = await Promise.all([
    startTestNats(), createTestDatabase('customer'), createTestDatabase('execution'),
    // As npm start runs it: a block a second, besides those a transaction mines at once.
    RestartableAnvil.start(['--block-time', '1', '--mixed-mining']),
  ]);
  nats = started;
  databases = { customer: customerDb, execution: executionDb };
  anvil = node;
  keysDir = mkdtempSync(path.join(tmpdir(), 'bulwark-demo-keys-'));
  const executionPort = await freePort();
  env = {
    customer: { ...testStackEnv('customer', customerDb, nats), DEMO_KEYS_DIR: keysDir },
    execution: {
      ...testStackEnv('execution', executionDb, nats),
      // npm start's chain settings: the reference tenant's omnibus wallet (Sri Lanka, 144) and the chain's signer and wallets.
      CHAIN_OMNIBUS_WALLETS: `${REFERENCE_TENANT_ID}:144`,
      ...chainTestEnv(anvil, { CHAIN_POLL_INTERVAL_MS: '200' }),
      DEMO_KEYS_DIR: keysDir,
      // npm start's market maker, in the seed's environment too: it quotes the seeded LK instruments.
      HTTP_PORT: String(executionPort),
      MARKET_MAKER_ENABLED: 'true',
      MARKET_MAKER_BASE_URL: `http://127.0.0.1:${executionPort}`,
      MARKET_MAKER_QUOTES: DEMO_MARKET_MAKER_QUOTES,
    },
  };
  sql = {
    customer: new pg.Pool({ connectionString: testSuperuserUrl(customerDb), max: 2 }),
    execution: new pg.Pool({ connectionString: testSuperuserUrl(executionDb), max: 2 }),
  };
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(stacks.map((s) => s.stop()));
  await Promise.allSettled([sql?.customer.end(), sql?.execution.end()]);
  await anvil?.close();
  await Promise.allSettled([databases?.customer.drop(), databases?.execution.drop()]);
  await nats?.stop();
  if (keysDir) rmSync(keysDir, { recursive: true, force: true });
});

describe('the demo seed with a chain', () => {
  let first: Awaited<ReturnType<typeof seededWorld>>;

  it('seeds the tenant\'s demo users, the instruments and the operators, and seeding twice changes nothing', async () => {
    await seedBoth();
    first = await seededWorld();
    // The seed lists the demo instruments, with their own kinds, and nothing else: no member, no simulator.
    expect(first).toMatchObject({ instruments: DEMO_INSTRUMENTS.length, members: 0, operators: DEMO_OPERATORS.length, approvers: DEMO_OPERATORS.length, users: DEMO_USERS.length });
    const { rows: instruments } = await sql.execution.query<{ symbol: string; kind: string }>(`SELECT symbol, kind FROM instrument ORDER BY symbol`);
    expect(instruments).toEqual(DEMO_INSTRUMENTS.map((i) => ({ symbol: i.symbol, kind: i.kind })).sort((a, b) => a.symbol.localeCompare(b.symbol)));
    // Each instrument is queued for its token suite; the house and the reference tenant's omnibus wallets are requested.
    expect(first.listings).toBe(DEMO_INSTRUMENTS.length);
    const { rows: wallets } = await sql.execution.query<{ wallet_ref: string; kind: string }>(`SELECT wallet_ref, kind FROM chain_wallet ORDER BY kind`);
    expect(wallets).toEqual([{ wallet_ref: HOUSE_WALLET_REF, kind: 'house' }, { wallet_ref: REFERENCE_TENANT_ID, kind: 'omnibus' }]);
    expect(first.keyFiles).toHaveLength(DEMO_OPERATORS.length);
    await seedBoth();
    expect(await seededWorld()).toEqual(first);
  }, 240_000);

  it('starts usable: instruments listed with their token suites deployed and the wallets registered, every login working', async () => {
    const execution = new StackProcess('execution', env.execution);
    const customer = new StackProcess('customer', env.customer);
    stacks.push(execution, customer);
    await execution.start();
    await customer.start();

    const { body } = await new HttpClient(execution.baseUrl).get<{ instruments: { id: string; symbol: string; kind: string }[] }>('/v1/instruments');
    const listed = DEMO_INSTRUMENTS.map((demo) => body.instruments.find((i) => i.symbol === demo.symbol && i.kind === demo.kind));
    expect(listed.every(Boolean)).toBe(true);
    const instrumentIds = listed.map((i) => i!.id);

    // The running stack's chain worker deploys each suite and registers the wallets the configuration names.
    const deployed = async () => {
      const { rows: [row] } = await sql.execution.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM chain_listing l JOIN chain_registration r ON r.instrument_id = l.instrument_id
          WHERE l.instrument_id = ANY($1::uuid[]) AND l.status = 'deployed' AND r.wallet_ref = ANY($2::uuid[])`,
        [instrumentIds, [HOUSE_WALLET_REF, REFERENCE_TENANT_ID]],
      );
      return row?.n === instrumentIds.length * 2;
    };
    const mined = async () => Number((await sql.execution.query<{ n: string }>(`SELECT count(*) AS n FROM chain_tx WHERE status = 'mined'`)).rows[0]?.n);
    let progress = { mined: await mined(), at: Date.now() };
    while (!(await deployed())) {
      const now = { mined: await mined(), at: Date.now() };
      if (now.mined > progress.mined) progress = now;
      if (now.at - progress.at > CHAIN_STALLED_MS) {
        const what = 'the demo instruments are not deployed on chain with the house and omnibus wallets registered';
        throw new Error(`${what}: no transaction mined for ${CHAIN_STALLED_MS} ms (${now.mined} mined)`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    // Every operator signs in with the key file the seed wrote: the chain status names both suites.
    for (const handle of DEMO_OPERATORS) {
      const { keyId, privateJwk } = JSON.parse(readFileSync(path.join(keysDir, `${handle}.json`), 'utf8')) as { keyId: string; privateJwk: JWK };
      const privateKey = await importJWK(privateJwk, 'PS256');
      const route = '/v1/operator/chain/status';
      const headers = await signRequest({ keyId, privateKey: privateKey as CryptoKey }, { method: 'GET', path: route, body: '' });
      const response = await fetch(`${execution.baseUrl}${route}`, { headers });
      expect(response.status).toBe(200);
      const status = (await response.json()) as { instruments: { instrumentId: string; tokenAddress: string; contracts: { identityRegistry: string } }[] };
      expect(status.instruments.map((i) => i.instrumentId)).toEqual(expect.arrayContaining(instrumentIds));
    }

    // The suites are real contracts on the node, and both wallets are verified in each identity registry.
    const provider = new JsonRpcProvider(anvil.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    try {
      const { rows: suites } = await sql.execution.query<{ token_address: string; contracts: { identityRegistry: string } }>(
        `SELECT token_address, contracts FROM chain_instrument WHERE instrument_id = ANY($1::uuid[])`, [instrumentIds],
      );
      const { rows: wallets } = await sql.execution.query<{ wallet_address: string }>(
        `SELECT wallet_address FROM chain_wallet WHERE wallet_ref = ANY($1::uuid[])`, [[HOUSE_WALLET_REF, REFERENCE_TENANT_ID]],
      );
      expect(wallets).toHaveLength(2);
      expect(suites).toHaveLength(instrumentIds.length);
      for (const suite of suites) {
        expect(await provider.getCode(suite.token_address)).not.toBe('0x');
        const registry = new Contract(suite.contracts.identityRegistry, artifact('IdentityRegistry').abi, provider);
        for (const wallet of wallets) expect(await registry.getFunction('isVerified')(wallet.wallet_address)).toBe(true);
      }
    } finally {
      provider.destroy();
    }

    // Every demo account signs in to the reference tenant with the demo password, in its role.
    const http = new HttpClient(customer.baseUrl);
    for (const user of DEMO_USERS) {
      const { principal } = await signIn(http, REFERENCE_TENANT_ID, user.email, DEMO_PASSWORD);
      expect(principal.roles).toEqual([user.role]);
    }
  }, 300_000);

  it('seeding again after the suites are deployed changes nothing and deploys nothing again', async () => {
    await Promise.all(stacks.map((s) => s.stop()));
    const deployments = async () => (await sql.execution.query<{ n: string }>(`SELECT count(*) AS n FROM chain_tx WHERE operation = 'deploy'`)).rows[0]?.n;
    const before = { world: await seededWorld(), deployments: await deployments() };
    expect(Number(before.deployments)).toBeGreaterThanOrEqual(DEMO_INSTRUMENTS.length); // the simulator's own demo events too
    await seedBoth();
    expect({ world: await seededWorld(), deployments: await deployments() }).toEqual(before);
  }, 240_000);
});
