#!/usr/bin/env node
// `npm test`: every test of the repository, against real services.
// Installs dependencies when missing, finds or starts Postgres (DATABASE_URL, else the local
// server, else an embedded one) and makes sure nats-server (each integration suite starts its
// own with infra/nats/nats.conf) and Debian's chromium (the browser tests) are available, builds,
// lints, runs the tidy check, then runs unit, integration and end-to-end tests through nx, and ends with one line:
// "N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const say = (message) => process.stderr.write(`[bulwark test] ${message}\n`);
const run = (command, args, env = process.env) => {
  say(`$ ${command} ${args.join(' ')}`);
  return spawnSync(command, args, { cwd: root, stdio: 'inherit', env }).status ?? 1;
};

const { ensureDependencies, ensurePostgres, findChromium, findComposeCli, findNatsServer } = await import('./services.mjs');
if (!ensureDependencies(root)) process.exit(1);
const postgres = await ensurePostgres();
const natsBin = findNatsServer();
if (!natsBin) {
  say('nats-server is missing and could not be installed (needs apt-get as root): the integration tests cannot run');
  process.exit(1);
}
// Where docker exists, docker-compose.yml is also checked by a compose CLI (e2e/test/docker-compose.test.ts).
if (findComposeCli() === undefined) say('no docker here: docker-compose.yml is checked by its structure only');
const chromiumBin = findChromium();
if (!chromiumBin) {
  say('chromium is missing and could not be installed (needs apt-get as root): the browser tests cannot run');
  process.exit(1);
}
const resultsDir = mkdtempSync(path.join(tmpdir(), 'bulwark-test-results-'));
const env = { ...process.env, BULWARK_PG_ADMIN_URL: postgres.adminUrl, NATS_SERVER_BIN: natsBin, CHROMIUM_BIN: chromiumBin, BULWARK_TEST_RESULTS_DIR: resultsDir, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };

let status = 0;
try {
  for (const step of [['nx', 'run-many', '-t', 'build', '--outputStyle=static'], ['nx', 'run-many', '-t', 'lint', '--outputStyle=static'], ['node', 'infra/scripts/tidy.mjs']]) {
    const [command, ...args] = step;
    status = command === 'nx' ? run('npx', [command, ...args], env) : run(command, args, env);
    if (status !== 0) break;
  }
  if (status === 0) status = run('npx', ['nx', 'run-many', '-t', 'test', '--outputStyle=stream', '--parallel=1'], env);
} finally {
  await postgres.stop();
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of existsSync(resultsDir) ? readdirSync(resultsDir) : []) {
  const result = JSON.parse(readFileSync(path.join(resultsDir, file), 'utf8'));
  passed += result.passed;
  failed += result.failed;
  skipped += result.skipped;
}
if (status !== 0 && failed === 0) failed = 1; // a build, lint or runner failure counts
process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(status === 0 && failed === 0 && passed > 0 ? 0 : 1);
