#!/usr/bin/env node
// Runs a command with Bulwark's services up (as npm start finds or starts them) and their
// coordinates in the environment: BULWARK_PG_ADMIN_URL and NATS_SERVER_BIN.
import { spawnSync } from 'node:child_process';
import { ensurePostgres, findNatsServer } from './services.mjs';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('usage: with-services.mjs COMMAND [ARGS…]\n');
  process.exit(2);
}
const postgres = await ensurePostgres();
const natsBin = findNatsServer();
const status = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, BULWARK_PG_ADMIN_URL: postgres.adminUrl, NATS_SERVER_BIN: natsBin ?? '' } }).status ?? 1;
await postgres.stop();
process.exit(status);
