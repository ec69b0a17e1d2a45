// The wall runtime speaks to each stack's own database through this narrow interface, so the
// nonce claim, the handler's effects and the outbound messages share one transaction.
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
}

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
}

export function typeormDatabase(dataSource: TypeOrmLikeDataSource): SqlDatabase {
  return {
    transaction: (work) =>
      dataSource.transaction(async (manager) => {
        const runner = manager.queryRunner;
        if (!runner) throw new Error('transaction without a query runner');
        const hooks: (() => Promise<void>)[] = [];
        const result = await work({
          query: async <R>(text: string, params?: readonly unknown[]) =>
            (await runner.query(text, params ? [...params] : undefined, true)).records as R[],
          beforeCommit: (hook) => {
            if (hooks.length >= BEFORE_COMMIT_HOOKS_MAX) throw new Error(`more than ${BEFORE_COMMIT_HOOKS_MAX} before-commit hooks in one transaction`);
            hooks.push(hook);
          },
        });
        // By index: a hook may add another, which then runs too.
        for (let i = 0; i < hooks.length; i += 1) await (hooks[i] as () => Promise<void>)();
        return result;
      }),
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
