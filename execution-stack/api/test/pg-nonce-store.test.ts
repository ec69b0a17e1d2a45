// The durable nonce store against the real Postgres: every way a claim can collide, alone and
// inside one batch, classified as the wall's rules say, and side by side with the single
// combined statement the store used before (kept here as the reference). The two agree except
// where the old statement was wrong: it marked every claim whose (kid, nonce) the batch inserted
// as fresh, so an envelope republished under another Nats-Msg-Id that landed in the same batch
// as the original was handled twice, and a re-publish of a stored message under a nonce that a
// later claim of the batch inserted read as fresh instead of duplicate.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { NonceClaim, NonceOutcome } from '@bulwark/shared-contracts';
import { PgNonceStore, WALL_TABLES_DDL, clientTx, type SqlTx } from '@bulwark/shared-contracts/wall';
import { createTestDatabase, type TestDatabase } from '@bulwark/testing';
import { referenceNonceClaim } from './support/nonce-claim-reference.js';

let database: TestDatabase;
let client: pg.Client;

const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const BODY_A = 'a'.repeat(64);
const BODY_B = 'b'.repeat(64);
const claimOf = (nonce: string, id: number, body: string, streamSeq?: number): NonceClaim => ({
  kid: 'c2e-test', nonce: `nonce-${nonce}-0123456789`, messageId: ID(id), subject: 'bulwark.c2e.intent.submitted.v1', bodySha256: body, sentAtMs: 1_767_225_600_000,
  ...(streamSeq === undefined ? {} : { streamSeq }),
});
/** Already claimed before each case: message 1 with body A, stored at stream sequence 10. */
const EXISTING = claimOf('one', 1, BODY_A, 10);

/** Runs `work` in a transaction that is rolled back, so every case starts from EXISTING alone. */
async function inRolledBack<T>(work: (tx: SqlTx) => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    return await work(clientTx(client));
  } finally {
    await client.query('ROLLBACK');
  }
}

beforeAll(async () => {
  database = await createTestDatabase('execution');
  client = new pg.Client({ connectionString: database.ownerUrl });
  await client.connect();
  await client.query(WALL_TABLES_DDL);
  await client.query('BEGIN');
  await new PgNonceStore(clientTx(client)).claim([EXISTING]);
  await client.query('COMMIT');
});

afterAll(async () => {
  await client?.end();
  await database?.drop();
});

describe('PgNonceStore.claim', () => {
  it.each<[string, NonceClaim[], NonceOutcome[], NonceOutcome[]?]>([
    ['new claims only (one statement)', [claimOf('two', 2, BODY_A, 11), claimOf('three', 3, BODY_B, 12)], ['fresh', 'fresh']],
    ['the stored message delivered again (same stream sequence)', [claimOf('one', 1, BODY_A, 10)], ['duplicate']],
    ['the same envelope replayed (another stream sequence)', [claimOf('one', 1, BODY_A, 11)], ['replay']],
    ['the nonce reused with another body', [claimOf('one', 1, BODY_B, 11)], ['nonce_reuse']],
    ['the message id re-sent with a new nonce and the same body (a relay re-publish)', [claimOf('four', 1, BODY_A, 12)], ['duplicate']],
    ['the message id reused with another body', [claimOf('four', 1, BODY_B, 12)], ['nonce_reuse']],
    ['one envelope twice in a batch (republished under another Nats-Msg-Id)', [claimOf('five', 5, BODY_A, 13), claimOf('five', 5, BODY_A, 14)], ['fresh', 'replay'], ['fresh', 'fresh']],
    ['one new message id twice in a batch under two nonces', [claimOf('six', 6, BODY_A, 15), claimOf('seven', 6, BODY_A, 16)], ['fresh', 'replay']],
    ['new and colliding claims mixed', [claimOf('eight', 8, BODY_A, 17), claimOf('one', 1, BODY_A, 10), claimOf('nine', 9, BODY_B, 18), claimOf('one', 1, BODY_B, 19)], ['fresh', 'duplicate', 'fresh', 'nonce_reuse']],
    [
      'a stored message re-published under a nonce the next claim of the batch inserts',
      [claimOf('ten', 1, BODY_A, 20), claimOf('ten', 10, BODY_B, 21)], ['duplicate', 'fresh'], ['fresh', 'fresh'],
    ],
    ['a claim whose message id an earlier claim of the batch inserted, under a used nonce', [claimOf('eleven', 11, BODY_A, 22), claimOf('one', 11, BODY_A, 23)], ['fresh', 'replay']],
    [
      'one stored message twice in a batch (redelivered while its first delivery waited in the queue)',
      [claimOf('thirteen', 13, BODY_A, 26), claimOf('thirteen', 13, BODY_A, 26)], ['fresh', 'duplicate'], ['fresh', 'fresh'],
    ],
  ])('%s', async (_case, claims, expected, referenceWas = expected) => {
    const outcomes = await inRolledBack((tx) => new PgNonceStore(tx).claim(claims));
    const reference = await inRolledBack((tx) => referenceNonceClaim(tx, claims));
    expect(outcomes).toEqual(expected);
    expect(reference).toEqual(referenceWas);
  });

  it('inserts exactly the fresh claims', async () => {
    const claims = [claimOf('twelve', 12, BODY_A, 24), claimOf('one', 1, BODY_A, 10), claimOf('twelve', 12, BODY_A, 25)];
    const stored = await inRolledBack(async (tx) => {
      await new PgNonceStore(tx).claim(claims);
      return tx.query<{ nonce: string; stream_seq: string }>(`SELECT nonce, stream_seq FROM wall_inbound ORDER BY stream_seq`);
    });
    expect(stored).toEqual([{ nonce: EXISTING.nonce, stream_seq: '10' }, { nonce: claimOf('twelve', 12, BODY_A).nonce, stream_seq: '24' }]);
  });
});
