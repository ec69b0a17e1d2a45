// The database CPU a nonce claim costs: PgNonceStore (one INSERT for a batch of new claims) side
// by side with the single combined statement it replaced (test/support/nonce-claim-reference.ts),
// batches of 256 new claims (the inbound pipeline's batch), each in its own committed transaction,
// alternating, on a fresh database with the wall tables. CPU is read from /proc for the Postgres
// backend serving the connection, so it is the server's work whatever else the machine runs.
//   npx tsx bench/nonce-claim.bench.ts [rounds (3)] [batches per round (80)]   (in execution-stack/api, local Postgres)
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import pg from 'pg';
import type { NonceClaim } from '@bulwark/shared-contracts';
import { PgNonceStore, WALL_TABLES_DDL, clientTx } from '@bulwark/shared-contracts/wall';
import { createTestDatabase } from '@bulwark/testing';
import { referenceNonceClaim } from '../test/support/nonce-claim-reference.js';

const ROUNDS = Number(process.argv[2] ?? '3');
const BATCHES = Number(process.argv[3] ?? '80');
const BATCH = 256;
const CLOCK_TICK_US = 10_000;

const database = await createTestDatabase('execution');
const client = new pg.Client({ connectionString: database.ownerUrl });
await client.connect();
try {
  await client.query(WALL_TABLES_DDL);
  const backendPid = Number((await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid);
  /** utime + stime of the backend, in clock ticks (/proc/<pid>/stat fields 14 and 15). */
  const backendTicks = () => {
    const fields = (readFileSync(`/proc/${backendPid}/stat`, 'utf8').split(') ')[1] ?? '').split(' ');
    return Number(fields[11]) + Number(fields[12]);
  };
  const tx = clientTx(client);
  let streamSeq = 0;
  const newClaims = (): NonceClaim[] => Array.from({ length: BATCH }, () => ({
    kid: 'c2e-bench', nonce: randomBytes(16).toString('base64url'), messageId: randomUUID(), subject: 'bulwark.c2e.intent.submitted.v1',
    bodySha256: randomBytes(32).toString('hex'), sentAtMs: Date.now(), streamSeq: ++streamSeq,
  }));
  const claimWith = { reference: (claims: NonceClaim[]) => referenceNonceClaim(tx, claims), store: (claims: NonceClaim[]) => new PgNonceStore(tx).claim(claims) };
  const run = async (kind: keyof typeof claimWith, batches: number) => {
    const ticks = backendTicks();
    for (let b = 0; b < batches; b++) {
      const claims = newClaims();
      await client.query('BEGIN');
      const outcomes = await claimWith[kind](claims);
      if (outcomes.some((outcome) => outcome !== 'fresh')) throw new Error('a new claim was not fresh');
      await client.query('COMMIT');
    }
    return ((backendTicks() - ticks) * CLOCK_TICK_US) / (batches * BATCH);
  };
  await run('reference', 10);
  await run('store', 10);
  for (let round = 1; round <= ROUNDS; round++) {
    const reference = await run('reference', BATCHES);
    const store = await run('store', BATCHES);
    console.log(`round ${round}: Postgres µs CPU per claim — one combined statement ${reference.toFixed(1)}, PgNonceStore ${store.toFixed(1)}; load average ${loadavg()[0]?.toFixed(1)}`);
  }
} finally {
  await client.end();
  await database.drop();
}
