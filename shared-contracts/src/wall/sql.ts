// The wall runtime speaks to each stack's own database through this narrow interface, so the
// nonce claim, the handler's effects and the outbound messages share one transaction.
import { assert } from '../assert.js';
export interface SqlTx {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]>;
  /**
   * Runs `hook` in this transaction after its work returned, just before it commits (hooks in the
   * order given; a hook that throws rolls the transaction back). What must lock a row every
   * transaction contends for (the audit chain's head) does it here, last, so it holds that lock
   * only for its own statement and the commit and never waits for another row while holding it.
   * Optional: a transaction without it has its callers do the work at once.
   */
  beforeCommit?(hook: () => Promise<void>): void;
}

export interface SqlDatabase {
  transaction<T>(work: (tx: SqlTx) => Promise<T>): Promise<T>;
  /**
   * Calls `listener` after each commit of a transaction that wrote to the outbox (ran
   * OUTBOX_INSERT_SQL, directly or in a savepoint whose wrapper passed the statement on), so the
   * stack's relay publishes at once instead of at its next idle poll. Optional: a database without
   * it leaves the relay to its poll.
   */
  onOutboxCommitted?(listener: () => void): void;
  /**
   * Runs one read on its own, outside an explicit transaction (one round trip instead of three:
   * a single statement sees one snapshot either way). Optional: see readOnce.
   */
  read?<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]>;
}

/** One read statement: on its own where the database can, else in a transaction of its own. */
export function readOnce<R = Record<string, unknown>>(db: SqlDatabase, text: string, params?: readonly unknown[]): Promise<R[]> {
  assert(/^\s*SELECT\b/i.test(text), 'readOnce runs a SELECT');
  return db.read ? db.read<R>(text, params) : db.transaction((tx) => tx.query<R>(text, params));
}

/** The one statement that writes outbox rows (enqueueOutbound); the adapter watches for it. */
export const OUTBOX_INSERT_SQL = 'INSERT INTO wall_outbox (message_id, subject, body) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])';

/** Listeners of one database's outbox commits: the stack's relay, and little else. */
export const OUTBOX_COMMIT_LISTENERS_MAX = 4;

/** Hooks one transaction may register to run before its commit. */
export const BEFORE_COMMIT_HOOKS_MAX = 16;

/** How many times a transaction that lost a serialization race is run again before the error stands. */
export const SERIALIZATION_ATTEMPTS_MAX = 5;

/** Postgres's SQLSTATE for a transaction that lost a race under REPEATABLE READ or SERIALIZABLE. */
function isSerializationFailure(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '40001';
}

/**
 * Runs a transaction that reads under REPEATABLE READ (or SERIALIZABLE) and also writes rows other
 * transactions write (an audit chain's head, say): when it loses a serialization race, nothing of
 * it was committed, so it runs again on a fresh snapshot, at most SERIALIZATION_ATTEMPTS_MAX times.
 */
export async function transactionRetryingSerialization<T>(db: SqlDatabase, work: (tx: SqlTx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.transaction(work);
    } catch (error) {
      if (!isSerializationFailure(error) || attempt >= SERIALIZATION_ATTEMPTS_MAX) throw error;
    }
  }
}

/** The slice of a TypeORM DataSource the adapter needs (structural, so no dependency here). */
interface StructuredQueryRunner {
  query(q: string, p: unknown[] | undefined, structured: true): Promise<{ records: unknown[] }>;
}

export interface TypeOrmLikeDataSource {
  transaction<T>(work: (manager: { queryRunner?: StructuredQueryRunner | undefined }) => Promise<T>): Promise<T>;
  /** TypeORM's DataSource.query: a pooled connection, no transaction; a SELECT answers its rows. */
  query?(q: string, p?: unknown[]): Promise<unknown>;
}

/** The before-commit hooks of one transaction: at most BEFORE_COMMIT_HOOKS_MAX, run in the order added. */
function beforeCommitHooks(): { add: (hook: () => Promise<void>) => void; run: () => Promise<void> } {
  const hooks: (() => Promise<void>)[] = [];
  return {
    add: (hook) => {
      if (hooks.length >= BEFORE_COMMIT_HOOKS_MAX) throw new Error(`more than ${BEFORE_COMMIT_HOOKS_MAX} before-commit hooks in one transaction`);
      hooks.push(hook);
    },
    run: async () => {
      // By index: a hook may add another, which then runs too.
      for (let i = 0; i < hooks.length; i += 1) await (hooks[i] as () => Promise<void>)();
    },
  };
}

export function typeormDatabase(dataSource: TypeOrmLikeDataSource): SqlDatabase {
  const outboxListeners: (() => void)[] = [];
  const query = dataSource.query?.bind(dataSource);
  return {
    ...(query && {
      read: async <R>(text: string, params?: readonly unknown[]) => {
        const rows = await query(text, params ? [...params] : undefined);
        assert(Array.isArray(rows), 'a SELECT answers its rows');
        return rows as R[];
      },
    }),
    onOutboxCommitted: (listener) => {
      assert(outboxListeners.length < OUTBOX_COMMIT_LISTENERS_MAX, 'outbox commit listeners within limit');
      outboxListeners.push(listener);
    },
    transaction: async (work) => {
      let wroteOutbox = false;
      const result = await dataSource.transaction(async (manager) => {
        const runner = manager.queryRunner;
        if (!runner) throw new Error('transaction without a query runner');
        const hooks = beforeCommitHooks();
        const result = await work({
          query: async <R>(text: string, params?: readonly unknown[]) => {
            // By identity, not by parsing: every outbox write is enqueueOutbound's one statement.
            if (text === OUTBOX_INSERT_SQL) wroteOutbox = true;
            return (await runner.query(text, params ? [...params] : undefined, true)).records as R[];
          },
          beforeCommit: hooks.add,
        });
        await hooks.run();
        return result;
      });
      // Committed (a rollback threw above): the rows are now visible to the relay.
      if (wroteOutbox) for (const listener of outboxListeners) listener();
      return result;
    },
  };
}

/** The slice of a pg client poolDatabase needs (structural, so no dependency on pg here). */
export interface PgLikeClient {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** A client checked out of a pg pool: its connection's errors, and back to the pool (with an error: discarded). */
export interface PgLikePoolClient extends PgLikeClient {
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
  release(error?: Error): void;
}

/** The slice of a pg pool poolDatabase needs. */
export interface PgLikePool {
  connect(): Promise<PgLikePoolClient>;
}

/** Statements on a connected client, inside whatever transaction its caller opened (no before-commit hooks: the caller commits). */
export function clientTx(client: PgLikeClient): SqlTx {
  return { query: async <R>(text: string, params?: readonly unknown[]) => (await client.query(text, params ? [...params] : undefined)).rows as R[] };
}

/**
 * The wall's SqlDatabase over a plain pg pool (tests, benchmarks, commands): one client per
 * transaction, before-commit hooks as typeormDatabase runs them, the client released whether the
 * transaction committed or rolled back, and discarded when its connection failed or even the
 * rollback did.
 */
export function poolDatabase(pool: PgLikePool): SqlDatabase {
  return {
    async transaction(work) {
      const client = await pool.connect();
      let broken: Error | undefined;
      // A connection lost while checked out is reported here (unheard, the error would end the process).
      const lost = (error: Error) => {
        broken = error;
      };
      client.on('error', lost);
      try {
        await client.query('BEGIN');
        const hooks = beforeCommitHooks();
        const result = await work({
          ...clientTx(client),
          beforeCommit: hooks.add,
        });
        await hooks.run();
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          // The connection is in an unknown state: the pool must not hand it out again.
          broken ??= rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        }
        throw error;
      } finally {
        client.off('error', lost);
        client.release(broken);
      }
    },
  };
}

/** DDL of the wall tables, identical in both stacks' databases; each stack's migration runs it. */
export const WALL_TABLES_DDL = `
CREATE TABLE wall_outbox (
  seq           bigserial PRIMARY KEY,
  message_id    uuid NOT NULL UNIQUE,
  subject       text NOT NULL CHECK (subject ~ '^bulwark\\.(c2e|e2c)\\.'),
  body          text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  published_at  timestamptz,
  stream_seq    bigint,
  attempts      integer NOT NULL DEFAULT 0,
  last_error    text
);
CREATE INDEX wall_outbox_pending ON wall_outbox (seq) WHERE published_at IS NULL;

CREATE TABLE wall_inbound (
  kid           text NOT NULL,
  nonce         text NOT NULL,
  message_id    uuid NOT NULL,
  subject       text NOT NULL,
  body_sha256   char(64) NOT NULL,
  stream_seq    bigint,
  sent_at       timestamptz NOT NULL,
  received_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (kid, nonce)
);
CREATE UNIQUE INDEX wall_inbound_message_id ON wall_inbound (message_id);

CREATE TABLE wall_rejection (
  id            bigserial PRIMARY KEY,
  reason        text NOT NULL CHECK (reason IN ('malformed','unknown_key','wrong_direction','bad_mac','stale','future','replay','nonce_reuse','schema','pii')),
  subject       text NOT NULL,
  kid           text,
  message_id    text,
  stream_seq    bigint,
  detail        text NOT NULL,
  rejected_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX wall_rejection_reason ON wall_rejection (reason, rejected_at);

CREATE TABLE wall_dead_letter (
  id            bigserial PRIMARY KEY,
  subject       text NOT NULL,
  message_id    text,
  stream_seq    bigint,
  deliveries    integer NOT NULL,
  cause         text NOT NULL,
  dead_at       timestamptz NOT NULL DEFAULT clock_timestamp()
);
`;

export const WALL_TABLES_DROP = 'DROP TABLE wall_dead_letter; DROP TABLE wall_rejection; DROP TABLE wall_inbound; DROP TABLE wall_outbox;';

/**
 * The outbox cursor (after WALL_TABLES_DDL, in both stacks). Marking each row published rewrote
 * it (about 13 µs of Postgres per message); instead each row carries its inserting transaction's
 * id and the relay keeps the snapshot it has published through, as PgQ does. A row is published
 * once its transaction is visible in `published`, or while the relay works through the rows that
 * became visible between `published` and `target` in (txid, seq) order, once it is at or before
 * (after_txid, after_seq). A row whose transaction commits after a later row went out is still
 * taken: its transaction was running when `published` was taken, so it is not visible in it.
 *
 * The cut-over: rows published before it keep a NULL txid and count as published; rows still
 * pending take the migration's own transaction id, and the first `published` snapshot sees only
 * transactions that ended before the migration began, so those rows, and every later one, go out.
 * `published_at` and `stream_seq` go (nothing writes them any more); `attempts` becomes
 * `failed_attempts`, since only a failed publish now writes to the row.
 */
export const WALL_OUTBOX_CURSOR_DDL = `
ALTER TABLE wall_outbox ADD COLUMN txid xid8;
UPDATE wall_outbox SET txid = pg_current_xact_id() WHERE published_at IS NULL;
ALTER TABLE wall_outbox ALTER COLUMN txid SET DEFAULT pg_current_xact_id();
ALTER TABLE wall_outbox DROP COLUMN published_at, DROP COLUMN stream_seq;
ALTER TABLE wall_outbox RENAME COLUMN attempts TO failed_attempts;
CREATE INDEX wall_outbox_txid ON wall_outbox (txid, seq);

CREATE TABLE wall_outbox_cursor (
  id            boolean PRIMARY KEY DEFAULT true CHECK (id),
  published     pg_snapshot NOT NULL,
  target        pg_snapshot,
  after_txid    xid8 NOT NULL DEFAULT '0',
  after_seq     bigint NOT NULL DEFAULT 0,
  CHECK (target IS NOT NULL OR (after_txid = '0' AND after_seq = 0))
);
INSERT INTO wall_outbox_cursor (published)
SELECT (first_xid::text || ':' || first_xid::text || ':')::pg_snapshot
  FROM (SELECT least(pg_current_xact_id(), pg_snapshot_xmin(pg_current_snapshot())) AS first_xid) AS cut_over;

CREATE VIEW wall_outbox_status AS
SELECT o.seq, o.message_id, o.subject, o.body, o.created_at, o.failed_attempts, o.last_error,
       (o.txid IS NULL
        OR pg_visible_in_snapshot(o.txid, c.published)
        OR (c.target IS NOT NULL AND pg_visible_in_snapshot(o.txid, c.target) AND (o.txid, o.seq) <= (c.after_txid, c.after_seq))
       ) AS published
  FROM wall_outbox o CROSS JOIN wall_outbox_cursor c;
`;

/** Undoes WALL_OUTBOX_CURSOR_DDL: what the cursor says went out is marked published now. */
export const WALL_OUTBOX_CURSOR_DROP = `
ALTER TABLE wall_outbox ADD COLUMN published_at timestamptz, ADD COLUMN stream_seq bigint;
UPDATE wall_outbox o SET published_at = clock_timestamp() FROM wall_outbox_status s WHERE s.seq = o.seq AND s.published;
DROP VIEW wall_outbox_status;
DROP TABLE wall_outbox_cursor;
ALTER TABLE wall_outbox RENAME COLUMN failed_attempts TO attempts;
ALTER TABLE wall_outbox DROP COLUMN txid;
CREATE INDEX wall_outbox_pending ON wall_outbox (seq) WHERE published_at IS NULL;
`;
