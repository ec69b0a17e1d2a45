#!/usr/bin/env node
// `npm start`: Bulwark on one machine for a newcomer. Installs dependencies when missing,
// finds or starts Postgres and NATS, provisions the databases (one per stack, one role each)
// and the wall's JetStream streams, starts a local chain (or uses CHAIN_RPC_URL), builds, starts
// both stacks and prints their URLs.
// Ctrl-C stops everything it started.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const say = (message) => process.stderr.write(`[bulwark] ${message}\n`);
const run = (command, args) => {
  if (spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, NX_DAEMON: 'false' } }).status !== 0) {
    say(`failed: ${command} ${args.join(' ')}`);
    process.exit(1);
  }
};

const { STATE_DIR, bringUpServices, ensureDependencies, stackEnv } = await import('./services.mjs');
if (!ensureDependencies(root)) process.exit(1);
run('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static']);

const services = await bringUpServices();
const chain = await ensureChain();
// The reference tenant trades through its omnibus wallet on chain (Sri Lanka, ISO 3166-1 numeric 144).
const { REFERENCE_TENANT_ID } = await import('../../customer-stack/api/dist/tenancy/reference-tenant.js');
// Demo data for a newcomer (idempotent): run before the stacks serve, with each stack's own settings.
const demoKeysDir = path.join(STATE_DIR, 'operator-keys');
const LOG_DIR = path.join(STATE_DIR, 'logs');
const { DEMO_MARKET_MAKER_QUOTES } = await import('../../execution-stack/api/dist/demo/seed-demo-data.js');
const ports = { customer: Number(process.env.CUSTOMER_HTTP_PORT ?? 3000), execution: Number(process.env.EXECUTION_HTTP_PORT ?? 3100) };
const children = [];
/** Node flags of a stack process, as its image sets them (infra/docker/stack.Dockerfile). */
const STACK_NODE_FLAGS = ['--max-semi-space-size=64'];
for (const stack of ['customer', 'execution']) {
  const env = {
    ...process.env,
    ...stackEnv(stack, { database: services.databases[stack], natsUrl: services.nats.url, secrets: services.secrets, natsAuthenticated: services.nats.authenticated, port: ports[stack] }),
    // The chain signer keys go to the execution stack only.
    ...(stack === 'execution' ? { CHAIN_OMNIBUS_WALLETS: `${REFERENCE_TENANT_ID}:144`, ...chain.env } : {}),
    DEMO_KEYS_DIR: demoKeysDir,
    // A fresh install has a live market: the simulator lists demo event contracts and quotes them.
    // It quotes the seeded LK instruments too, so they trade (and settle on chain) from the start.
    ...(stack === 'execution'
      ? {
          MARKET_MAKER_ENABLED: process.env.MARKET_MAKER_ENABLED ?? 'true',
          MARKET_MAKER_BASE_URL: `http://127.0.0.1:${ports.execution}`,
          MARKET_MAKER_QUOTES: process.env.MARKET_MAKER_QUOTES ?? DEMO_MARKET_MAKER_QUOTES,
        }
      : {}),
    // The investor app reads public market data from the execution stack under another host name
    // (localhost, not 127.0.0.1), so the customer session cookie never travels there.
    ...(stack === 'customer' ? { MARKET_DATA_URL: process.env.MARKET_DATA_URL ?? `http://localhost:${ports.execution}` } : {}),
  };
  say(`seeding ${stack} demo data`);
  // The seed boots the stack's modules: only its warnings and errors are worth showing.
  const seeded = spawnSync(process.execPath, [path.join(root, `${stack}-stack/api/dist/demo/seed-demo.js`)], { cwd: root, env: { LOG_LEVEL: 'warn', ...env }, stdio: 'inherit' });
  if (seeded.status !== 0) {
    say(`seeding the ${stack} stack failed`);
    await chain.stop();
    await services.stop();
    process.exit(1);
  }
  const child = spawn(process.execPath, [...STACK_NODE_FLAGS, path.join(root, `${stack}-stack/api/dist/main.js`)], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  teeLog(stack, child);
  child.on('exit', (code) => {
    if (!stopping) {
      say(`${stack} stack exited with ${code}; stopping`);
      void stop(1);
    }
  });
  children.push(child);
}

/**
 * A stack's whole log (pino JSON lines, request logs included) goes to .bulwark/logs/<stack>.log;
 * the console shows only warnings, errors and anything that is not a log line (a crash).
 */
function teeLog(stack, child) {
  mkdirSync(LOG_DIR, { recursive: true });
  const file = createWriteStream(path.join(LOG_DIR, `${stack}.log`), { flags: 'a' });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      file.write(`${line}\n`);
      const level = /^\{"level":(\d+)/.exec(line)?.[1];
      if (level === undefined || Number(level) >= 40) process.stdout.write(`${line}\n`);
    });
  }
}

let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  await Promise.all(children.map((child) => new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
  })));
  await chain.stop();
  await services.stop();
  process.exit(code);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

async function healthy(port) {
  for (let attempt = 0; attempt < 120; attempt += 1) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return true;
    } catch { /* not up yet */ }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}
const { DEMO_PASSWORD, DEMO_USERS } = await import('../../customer-stack/api/dist/auth/demo-users.js');
const { DEMO_INSTRUMENTS } = await import('../../execution-stack/api/dist/demo/seed-demo-data.js');
const up = await Promise.all([healthy(ports.customer), healthy(ports.execution)]);
if (!up.every(Boolean)) {
  say('a stack did not become healthy');
  await stop(1);
}
process.stdout.write(`
Bulwark is running.
  customer stack    http://127.0.0.1:${ports.customer}   (API docs: /docs, health: /health, metrics: /metrics)
  execution stack   http://127.0.0.1:${ports.execution}   (API docs: /docs, health: /health, metrics: /metrics)
  investor app      http://127.0.0.1:${ports.customer}/app/
  compliance        http://127.0.0.1:${ports.customer}/console/
  operator admin    http://127.0.0.1:${ports.execution}/admin/   (sign in with a key file from ${demoKeysDir})
  Postgres          ${services.postgres.adminUrl.replace(/:[^:@/]+@/, ':***@')}   (databases: customer, execution)
  NATS JetStream    ${services.nats.url}
  EVM chain         ${chain.env.CHAIN_RPC_URL}   (chain id ${chain.env.CHAIN_ID}${chain.local ? ', local anvil, state kept in .bulwark/anvil-state.json' : ''})
  Logs              ${LOG_DIR}/customer.log, execution.log   (warnings and errors also shown here)

Demo logins (tenant: Sri Lanka reference), password ${DEMO_PASSWORD}:
${DEMO_USERS.map((user) => `  ${user.role.padEnd(19)} ${user.email}`).join('\n')}
Demo instruments: ${DEMO_INSTRUMENTS.map((i) => i.symbol).join(', ')}
Press Ctrl-C to stop.
`);

/**
 * The chain the execution stack settles on: CHAIN_RPC_URL with CHAIN_ID, CHAIN_SIGNER_KEY and
 * CHAIN_WALLET_MNEMONIC when given, else a local anvil (npm @foundry-rs/anvil) mining a block a
 * second, whose state survives restarts in .bulwark/, signed by anvil's first development account
 * and with custodial wallets derived from a mnemonic generated once into .bulwark/chain.json.
 */
async function ensureChain() {
  if (process.env.CHAIN_RPC_URL) {
    say('chain: using CHAIN_RPC_URL');
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('CHAIN_')));
    return { env, local: false, stop: async () => {} };
  }
  const { existsSync, mkdirSync, readFileSync, writeFileSync } = await import('node:fs');
  const { Wallet } = await import('ethers');
  const { startAnvil } = await import('@bulwark/solidity');
  mkdirSync(STATE_DIR, { recursive: true });
  const secretsFile = path.join(STATE_DIR, 'chain.json');
  if (!existsSync(secretsFile)) {
    writeFileSync(secretsFile, JSON.stringify({ walletMnemonic: Wallet.createRandom().mnemonic.phrase }, null, 2), { mode: 0o600 });
  }
  const { walletMnemonic } = JSON.parse(readFileSync(secretsFile, 'utf8'));
  const node = await startAnvil({ args: ['--chain-id', '31337', '--block-time', '1', '--state', path.join(STATE_DIR, 'anvil-state.json')] });
  say(`chain: local anvil on ${node.url}`);
  return {
    local: true,
    env: {
      CHAIN_RPC_URL: node.url,
      CHAIN_ID: '31337',
      // anvil's first development account (public knowledge): for a local chain only.
      CHAIN_SIGNER_KEY: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
      CHAIN_WALLET_MNEMONIC: walletMnemonic,
      CHAIN_CONFIRMATIONS: '1',
    },
    stop: () => node.kill(),
  };
}
