// The outbox relay and its batch publisher against the real JetStream and Postgres: each message's
// acknowledgement comes back to its own request (a re-publish is reported as JetStream's
// duplicate, not stored again), a subject no stream takes is refused rather than lost, and two
// relays of one database publish every pending row exactly once between them.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import {
  OutboxRelay, WALL_STREAMS, WALL_TABLES_DDL, connectWall, enqueueOutbound, poolDatabase, systemClock,
  type OutboundMessage, type WallConnection, type WallLogger,
} from '@bulwark/shared-contracts/wall';
import { createKeyring, subjectOf } from '@bulwark/shared-contracts';
import { createTestDatabase, startTestNats, type TestDatabase, type TestNats } from '@bulwark/testing';

let nats: TestNats;
let database: TestDatabase;
let pool: pg.Pool;
let execution: WallConnection;
let provisioner: WallConnection;

const ACCEPTED = subjectOf('intent.accepted.v1');
const quietLogger: WallLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

const accepted = (): OutboundMessage<'intent.accepted.v1'> => ({
  type: 'intent.accepted.v1', body: { intentId: randomUUID(), accountRef: randomUUID(), acceptedAt: new Date().toISOString() },
});

beforeAll(async () => {
  nats = await startTestNats();
  database = await createTestDatabase('execution');
  pool = new pg.Pool({ connectionString: database.ownerUrl, max: 4 });
  await pool.query(WALL_TABLES_DDL);
  execution = await connectWall({ servers: nats.url, ...nats.credentials('execution'), name: 'relay-test', inboxPrefix: '_INBOX_execution' });
  provisioner = await connectWall({ servers: nats.url, ...nats.credentials('provisioner'), name: 'relay-test-provisioner', inboxPrefix: '_INBOX' });
});

afterAll(async () => {
  await execution?.nc.drain();
  await provisioner?.nc.drain();
  await pool?.end();
  await database?.drop();
  await nats?.stop();
});

describe('JetStreamBatchPublisher', () => {
  it('answers each message with its own stream sequence, and a re-publish of the same id as a duplicate', async () => {
    const requests = Array.from({ length: 50 }, (_, n) => ({ subject: ACCEPTED, data: `message ${n}`, msgId: randomUUID() }));
    const first = await execution.publisher.publishBatch(requests, 5_000);
    const seqs = first.map((result) => (result.ok && !result.ack.duplicate ? result.ack.seq : -1));
    expect(seqs.every((seq) => seq > 0)).toBe(true);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b)); // one connection publishes in order
    // Each acknowledgement belongs to its request: the stored message at that sequence is that request's.
    for (const n of [0, 17, 49]) {
      const stored = await provisioner.jsm.streams.getMessage(WALL_STREAMS.e2c, { seq: seqs[n] ?? 0 });
      expect(stored?.string()).toBe(`message ${n}`);
    }
    const again = await execution.publisher.publishBatch(requests, 5_000);
    expect(again).toEqual(seqs.map((seq) => ({ ok: true, ack: { stream: WALL_STREAMS.e2c, seq, duplicate: true } })));
  });

  it('refuses a message no stream takes instead of reporting it published', async () => {
    const [result] = await provisioner.publisher.publishBatch([{ subject: 'bulwark.nowhere.test', data: 'lost?', msgId: randomUUID() }], 5_000);
    expect(result).toEqual({ ok: false, error: expect.stringContaining('503') });
  });
});

describe('OutboxRelay', () => {
  it('two relays of one database publish every pending row exactly once between them', async () => {
    const db = poolDatabase(pool);
    const total = 1_200;
    await db.transaction(async (tx) => {
      for (let n = 0; n < total; n += 400) await enqueueOutbound(tx, Array.from({ length: 400 }, accepted));
    });
    const { secrets } = nats;
    const keyring = createKeyring([
      { direction: 'c2e', current: { kid: secrets.wall.c2e.kid, secret: secrets.wall.c2e.secret } },
      { direction: 'e2c', current: { kid: secrets.wall.e2c.kid, secret: secrets.wall.e2c.secret } },
    ]);
    const relay = () => new OutboxRelay({ db, publisher: execution.publisher, keyring, direction: 'e2c', clock: systemClock, logger: quietLogger, batchSizeMax: 100 });
    const streamBefore = (await provisioner.jsm.streams.info(WALL_STREAMS.e2c)).state.messages;
    const pending = async () => Number((await pool.query('SELECT count(*) AS n FROM wall_outbox WHERE published_at IS NULL')).rows[0].n);
    // Both relays run batches side by side until nothing is pending; a relay that finds the other publishing returns 0.
    const counts = await Promise.all([relay(), relay()].map(async (r) => {
      let published = 0;
      while ((await pending()) > 0) published += await r.publishBatch();
      return published;
    }));
    expect(counts[0]! + counts[1]!).toBe(total);
    expect((await provisioner.jsm.streams.info(WALL_STREAMS.e2c)).state.messages - streamBefore).toBe(total);
    const { rows } = await pool.query(`SELECT count(DISTINCT stream_seq)::int AS seqs, count(*) FILTER (WHERE attempts = 1)::int AS once FROM wall_outbox`);
    expect(rows[0]).toEqual({ seqs: total, once: total });
  }, 60_000);
});
