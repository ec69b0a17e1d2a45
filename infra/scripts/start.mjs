#!/usr/bin/env node
// `npm start`: Bulwark on one machine for a newcomer. Installs dependencies when missing,
// finds or starts Postgres and NATS, provisions the databases (one per stack, one role each)
// and the wall's JetStream streams, builds, starts both stacks and prints their URLs.
// Ctrl-C stops everything it started.
import { spawn, spawnSync } from 'node:child_process';
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

const { bringUpServices, ensureDependencies, stackEnv } = await import('./services.mjs');
if (!ensureDependencies(root)) process.exit(1);
run('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static']);

const services = await bringUpServices();
const ports = { customer: Number(process.env.CUSTOMER_HTTP_PORT ?? 3000), execution: Number(process.env.EXECUTION_HTTP_PORT ?? 3100) };
const children = [];
for (const stack of ['customer', 'execution']) {
  const env = {
    ...process.env,
    ...stackEnv(stack, { database: services.databases[stack], natsUrl: services.nats.url, secrets: services.secrets, natsAuthenticated: services.nats.authenticated, port: ports[stack] }),
  };
  const child = spawn(process.execPath, [path.join(root, `${stack}-stack/api/dist/main.js`)], { cwd: root, env, stdio: 'inherit' });
  child.on('exit', (code) => {
    if (!stopping) {
      say(`${stack} stack exited with ${code}; stopping`);
      void stop(1);
    }
  });
  children.push(child);
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
const up = await Promise.all([healthy(ports.customer), healthy(ports.execution)]);
if (!up.every(Boolean)) {
  say('a stack did not become healthy');
  await stop(1);
}
process.stdout.write(`
Bulwark is running.
  customer stack    http://127.0.0.1:${ports.customer}   (API docs: /docs, health: /health, metrics: /metrics)
  execution stack   http://127.0.0.1:${ports.execution}   (API docs: /docs, health: /health, metrics: /metrics)
  Postgres          ${services.postgres.adminUrl.replace(/:[^:@/]+@/, ':***@')}   (databases: customer, execution)
  NATS JetStream    ${services.nats.url}
Press Ctrl-C to stop.
`);
