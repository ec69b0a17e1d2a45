// What integration and end-to-end tests share: a private nats-server per suite (with the
// project's users and permissions, so every test runs behind the real wall), a fresh database
// per stack per suite on the real Postgres, and the environment a stack is started with.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dropDatabase, freePort, generateSecrets, provisionDatabase, provisionWall, spawnNatsServer, stackEnv, type Secrets } from '../scripts/services.mjs';

export type { Secrets };
export type StackName = 'customer' | 'execution';

export const PG_ADMIN_URL = process.env.BULWARK_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestNats {
  readonly url: string;
  /** The nats-server process (benchmarks read its CPU time). */
  readonly pid: number;
  readonly secrets: Secrets;
  credentials(user: StackName | 'provisioner'): { user: string; pass: string };
  stop(): Promise<void>;
}

export async function startTestNats(secrets: Secrets = generateSecrets()): Promise<TestNats> {
  const storeDir = mkdtempSync(path.join(tmpdir(), 'bulwark-nats-'));
  const server = await spawnNatsServer({ port: await freePort(), storeDir, secrets });
  const credentials = (user: StackName | 'provisioner') => ({ user, pass: secrets.nats[user] });
  await provisionWall(server.url, credentials('provisioner'));
  return {
    url: server.url,
    pid: server.pid,
    secrets,
    credentials,
    stop: async () => {
      await server.stop();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

export interface TestDatabase {
  /** The application role's URL: owns nothing, cannot bypass row-level security. */
  readonly url: string;
  /** The owner role's URL: owns the schema and runs the migrations. */
  readonly ownerUrl: string;
  readonly name: string;
  /** The application role's name (tests connect as it with plain pg to probe the database itself). */
  readonly role: string;
  readonly ownerRole: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(stack: StackName): Promise<TestDatabase> {
  const name = `${stack}_t_${randomBytes(5).toString('hex')}`;
  const role = `bulwark_${stack}_test`;
  const ownerRole = `${role}_owner`;
  const urls = await provisionDatabase(PG_ADMIN_URL, { role, password: 'bulwark-test', ownerRole, ownerPassword: 'bulwark-test-owner', database: name });
  return { ...urls, name, role, ownerRole, drop: () => dropDatabase(PG_ADMIN_URL, name) };
}

/** A superuser URL for the test database (tests that play a tampering administrator). */
export function testSuperuserUrl(database: TestDatabase): string {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${database.name}`;
  return url.toString();
}

/** The environment a stack gets in tests: real services, quiet logs, an ephemeral port. */
export function testStackEnv(stack: StackName, database: TestDatabase, nats: TestNats, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ...stackEnv(stack, { database, natsUrl: nats.url, secrets: nats.secrets, natsAuthenticated: true, port: 0 }),
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.BULWARK_TEST_LOG_LEVEL ?? 'silent',
    ...overrides,
  };
}

/** Polls until `probe` returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  // The monotonic clock: a jump of the machine's wall clock neither cuts a wait short nor stretches it.
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
