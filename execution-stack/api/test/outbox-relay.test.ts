// The outbox relay and its batch publisher against the real JetStream and Postgres: each message's
// acknowledgement comes back to its own request (a re-publish is reported as JetStream's
// duplicate, not stored again), a subject no stream takes is refused rather than lost, two relays
// of one database publish every pending row exactly once between them, and the relay's cursor
// (the snapshot it has published through) takes every committed row once: a row whose
// transaction commits after later rows went out, a relay that stops halfway or crashes between
// publishing and moving its cursor, a refused publish, and the rows already in the table when the
// cursor replaced the per-row mark.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import {
  OutboxRelay, WALL_OUTBOX_CURSOR_DDL, WALL_STREAMS, WALL_TABLES_DDL, clientTx, connectWall, enqueueOutbound, poolDatabase, systemClock,
  type BatchPublisher, type OutboundMessage, type PublishRequest, type PublishResult, type SqlDatabase, type WallConnection, type WallLogger,
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
  await pool.query(WALL_OUTBOX_CURSOR_DDL);
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

const keyringOf = (secrets: TestNats['secrets']) => createKeyring([
  { direction: 'c2e', current: { kid: secrets.wall.c2e.kid, secret: secrets.wall.c2e.secret } },
  { direction: 'e2c', current: { kid: secrets.wall.e2c.kid, secret: secrets.wall.e2c.secret } },
]);

/**
 * The real publisher, with a record of every message it was asked to send and of the ones
 * JetStream stored for the first time; `refuse` answers chosen messages with an error instead
 * of sending them, `afterPublish` runs once the acknowledgements are in (a crash there, say).
 */
function recordingPublisher(options: { refuse?: (request: PublishRequest) => boolean; afterPublish?: () => void } = {}) {
  const requested: string[] = [];
  const stored: string[] = [];
  const publisher: BatchPublisher = {
    async publishBatch(requests, timeoutMs) {
      requested.push(...requests.map((request) => request.msgId));
      const refused = new Set(requests.filter((request) => options.refuse?.(request)));
      const sent = requests.filter((request) => !refused.has(request));
      const acks = await execution.publisher.publishBatch(sent, timeoutMs);
      const results: PublishResult[] = requests.map((request) => {
        if (refused.has(request)) return { ok: false, error: 'refused by the test' };
        const result = acks[sent.indexOf(request)];
        if (result === undefined) throw new Error('one acknowledgement per message sent');
        if (result.ok && !result.ack.duplicate) stored.push(request.msgId);
        return result;
      });
      options.afterPublish?.();
      return results;
    },
  };
  return { publisher, requested, stored };
}

const relayOn = (db: SqlDatabase, publisher: BatchPublisher, batchSizeMax = 100) => new OutboxRelay({
  db, publisher, keyring: keyringOf(nats.secrets), direction: 'e2c', clock: systemClock, logger: quietLogger, batchSizeMax,
});

/** The message ids of the outbox rows the cursor has not passed. */
const pendingIds = async (on: pg.Pool = pool) =>
  (await on.query<{ message_id: string }>('SELECT message_id FROM wall_outbox_status WHERE NOT published ORDER BY seq')).rows.map((row) => row.message_id);

/** Runs the relay's batches until one finds nothing to publish. */
async function drain(relay: OutboxRelay): Promise<void> {
  for (let batches = 0; batches < 1_000; batches += 1) if ((await relay.publishBatch()) === 0) return;
  throw new Error('the outbox did not drain in 1,000 batches');
}

const enqueue = (db: SqlDatabase, count: number) => db.transaction((tx) => enqueueOutbound(tx, Array.from({ length: count }, accepted)));

describe('OutboxRelay', () => {
  it('two relays of one database publish every pending row exactly once between them', async () => {
    const db = poolDatabase(pool);
    const total = 1_200;
    expect(await pendingIds()).toEqual([]);
    await db.transaction(async (tx) => {
      for (let n = 0; n < total; n += 400) await enqueueOutbound(tx, Array.from({ length: 400 }, accepted));
    });
    const { publisher, requested, stored } = recordingPublisher();
    const streamBefore = (await provisioner.jsm.streams.info(WALL_STREAMS.e2c)).state.messages;
    // Both relays run batches side by side until nothing is pending; a relay that finds the other publishing returns 0.
    const counts = await Promise.all([relayOn(db, publisher), relayOn(db, publisher)].map(async (r) => {
      let published = 0;
      while ((await pendingIds()).length > 0) published += await r.publishBatch();
      return published;
    }));
    expect(counts[0]! + counts[1]!).toBe(total);
    expect((await provisioner.jsm.streams.info(WALL_STREAMS.e2c)).state.messages - streamBefore).toBe(total);
    // Each row was sent once: not sent twice and dropped by JetStream as a duplicate.
    expect(requested).toHaveLength(total);
    expect(new Set(stored).size).toBe(total);
  }, 60_000);
});

describe('the outbox cursor', () => {
  it('publishes a row whose transaction commits after later rows went out, once', async () => {
    const db = poolDatabase(pool);
    const { publisher, requested, stored } = recordingPublisher();
    const relay = relayOn(db, publisher);
    const early = await pool.connect();
    try {
      // The early transaction writes its row first (lower seq and transaction id) and stays open.
      await early.query('BEGIN');
      const [lateCommitter] = await enqueueOutbound(clientTx(early), [accepted()]);
      const later = await enqueue(db, 3);
      await drain(relay);
      expect(stored).toEqual(later);
      expect(await pendingIds()).toEqual([]); // the open transaction's row is not visible yet
      await early.query('COMMIT');
      expect(await pendingIds()).toEqual([lateCommitter]);
      await drain(relay);
      expect(stored).toEqual([...later, lateCommitter]);
      expect(requested).toEqual(stored);
      expect(await pendingIds()).toEqual([]);
    } finally {
      early.release();
    }
  });

  it('never publishes a rolled-back row, and publishes the rows committed around it', async () => {
    const db = poolDatabase(pool);
    const { publisher, stored } = recordingPublisher();
    const before = await enqueue(db, 2);
    let rolledBack: string[] = [];
    await expect(db.transaction(async (tx) => {
      rolledBack = await enqueueOutbound(tx, [accepted(), accepted()]);
      throw new Error('the state change failed');
    })).rejects.toThrow('the state change failed');
    const after = await enqueue(db, 2);
    await drain(relayOn(db, publisher));
    expect(stored).toEqual([...before, ...after]);
    expect(stored).not.toEqual(expect.arrayContaining(rolledBack));
  });

  it('goes on where a stopped relay left off, and re-sends what a crash kept from its cursor as duplicates only', async () => {
    const db = poolDatabase(pool);
    const ids = await enqueue(db, 250);
    // A relay publishes the first 100 of the 250 (one batch of a larger snapshot) and stops.
    const first = recordingPublisher();
    expect(await relayOn(db, first.publisher).publishBatch()).toBe(100);
    expect(first.stored).toEqual(ids.slice(0, 100));
    expect(await pendingIds()).toEqual(ids.slice(100));
    // The next one publishes its batch, then dies before its cursor commits: the batch stays pending.
    const crashing = recordingPublisher({ afterPublish: () => { throw new Error('killed before the cursor moved'); } });
    await expect(relayOn(db, crashing.publisher).publishBatch()).rejects.toThrow('killed before the cursor moved');
    expect(crashing.stored).toEqual(ids.slice(100, 200));
    expect(await pendingIds()).toEqual(ids.slice(100));
    // A restarted relay sends that batch again (JetStream drops it as duplicates) and the rest once.
    const restarted = recordingPublisher();
    await drain(relayOn(db, restarted.publisher));
    expect(restarted.requested).toEqual(ids.slice(100));
    expect(restarted.stored).toEqual(ids.slice(200));
    expect(await pendingIds()).toEqual([]);
  });

  it('moves past a target whose rows filled the last batch exactly, and takes the rows after it in the same look', async () => {
    const db = poolDatabase(pool);
    await drain(relayOn(db, recordingPublisher().publisher)); // an earlier test may have left a target behind
    const ids = await enqueue(db, 100);
    const { publisher, stored } = recordingPublisher();
    const relay = relayOn(db, publisher, 100);
    expect(await relay.publishBatch()).toBe(100);
    const later = await enqueue(db, 2);
    expect(await relay.publishBatch()).toBe(2); // nothing left in the target: past it, and on to the later rows
    const { rows } = await pool.query('SELECT target FROM wall_outbox_cursor');
    expect(rows).toEqual([{ target: null }]);
    expect(stored).toEqual([...ids, ...later]);
    expect(await pendingIds()).toEqual([]);
  });

  it('queues a refused message again with its failure recorded, and sends the rows behind it meanwhile', async () => {
    const db = poolDatabase(pool);
    const ids = await enqueue(db, 5);
    const refusedId = ids[1]!;
    let refusals = 1;
    const { publisher, stored } = recordingPublisher({ refuse: (request) => request.msgId === refusedId && refusals-- > 0 });
    const relay = relayOn(db, publisher);
    expect(await relay.publishBatch()).toBe(4);
    expect(stored).toEqual(ids.filter((id) => id !== refusedId));
    expect(await pendingIds()).toEqual([refusedId]);
    const { rows } = await pool.query('SELECT failed_attempts, last_error FROM wall_outbox WHERE message_id = $1', [refusedId]);
    expect(rows).toEqual([{ failed_attempts: 1, last_error: 'refused by the test' }]);
    await drain(relay);
    expect(stored).toEqual([...ids.filter((id) => id !== refusedId), refusedId]);
    expect(await pendingIds()).toEqual([]);
  });

  it('is re-sent by hand by giving the row a new transaction id (the dead-letter runbook)', async () => {
    const db = poolDatabase(pool);
    const [id] = await enqueue(db, 1);
    await drain(relayOn(db, recordingPublisher().publisher));
    expect(await pendingIds()).toEqual([]);
    await pool.query('UPDATE wall_outbox SET txid = pg_current_xact_id() WHERE message_id = ANY($1::uuid[])', [[id]]);
    expect(await pendingIds()).toEqual([id]);
    const again = recordingPublisher();
    await drain(relayOn(db, again.publisher));
    expect(again.requested).toEqual([id]);
    expect(await pendingIds()).toEqual([]);
  });

  it('cuts over: rows the per-row mark said were published stay published, pending ones go out once', async () => {
    const old = await createTestDatabase('execution');
    const oldPool = new pg.Pool({ connectionString: old.ownerUrl, max: 2 });
    try {
      await oldPool.query(WALL_TABLES_DDL);
      const oldDb = poolDatabase(oldPool);
      const published = await enqueue(oldDb, 3);
      const pending = await enqueue(oldDb, 2);
      await oldPool.query('UPDATE wall_outbox SET published_at = clock_timestamp(), attempts = 1 WHERE message_id = ANY($1::uuid[])', [published]);
      await oldPool.query(WALL_OUTBOX_CURSOR_DDL);
      expect(await pendingIds(oldPool)).toEqual(pending);
      const later = await enqueue(oldDb, 1);
      const { publisher, stored } = recordingPublisher();
      await drain(relayOn(oldDb, publisher));
      expect(stored).toEqual([...pending, ...later]);
      expect(await pendingIds(oldPool)).toEqual([]);
    } finally {
      await oldPool.end();
      await old.drop();
    }
  });
});
