// poolDatabase, the wall's SqlDatabase over a plain pg pool (what tests, benchmarks and commands
// use), against the real Postgres: the work and its before-commit hooks commit together; a throw
// in either rolls everything back and reaches the caller; the client goes back to the pool on
// both paths, and is discarded when the connection died under the transaction.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { BEFORE_COMMIT_HOOKS_MAX, poolDatabase, type SqlDatabase } from '@bulwark/shared-contracts/wall';
import { createTestDatabase, type TestDatabase } from '@bulwark/testing';

let database: TestDatabase;
let pool: pg.Pool;
let db: SqlDatabase;

const rows = async () => (await pool.query<{ note: string }>('SELECT note FROM pool_database_probe ORDER BY id')).rows.map((row) => row.note);
/** Every client the pool made is back in it, idle, and nobody waits for one. */
const allReturned = () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount });

beforeAll(async () => {
  database = await createTestDatabase('execution');
  // One client: a transaction that kept its client would leave the next one waiting forever.
  pool = new pg.Pool({ connectionString: database.ownerUrl, max: 1 });
  await pool.query('CREATE TABLE pool_database_probe (id serial PRIMARY KEY, note text NOT NULL)');
  db = poolDatabase(pool);
});

beforeEach(async () => {
  await pool.query('TRUNCATE pool_database_probe');
});

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

describe('poolDatabase', () => {
  it('commits the work, then its hooks in order (a hook may add another), and returns what the work returned', async () => {
    const result = await db.transaction(async (tx) => {
      tx.beforeCommit?.(async () => {
        await tx.query("INSERT INTO pool_database_probe (note) VALUES ('first hook')");
        tx.beforeCommit?.(async () => void (await tx.query("INSERT INTO pool_database_probe (note) VALUES ('added hook')")));
      });
      tx.beforeCommit?.(async () => void (await tx.query("INSERT INTO pool_database_probe (note) VALUES ('second hook')")));
      const [row] = await tx.query<{ id: number }>("INSERT INTO pool_database_probe (note) VALUES ($1) RETURNING id", ['work']);
      return row?.id;
    });
    expect(typeof result).toBe('number');
    expect(await rows()).toEqual(['work', 'first hook', 'second hook', 'added hook']);
    expect(allReturned()).toEqual({ total: 1, idle: 1, waiting: 0 });
  });

  it('rolls back what the work did when it throws, and throws the same error', async () => {
    const failure = new Error('work failed');
    const failing = db.transaction(async (tx) => {
      await tx.query("INSERT INTO pool_database_probe (note) VALUES ('lost')");
      throw failure;
    });
    await expect(failing).rejects.toBe(failure);
    expect(await rows()).toEqual([]);
    expect(allReturned()).toEqual({ total: 1, idle: 1, waiting: 0 });
  });

  it('rolls back the work and the hooks before it when a hook throws', async () => {
    const failing = db.transaction(async (tx) => {
      tx.beforeCommit?.(async () => void (await tx.query("INSERT INTO pool_database_probe (note) VALUES ('hook before')")));
      tx.beforeCommit?.(async () => {
        throw new Error('hook failed');
      });
      await tx.query("INSERT INTO pool_database_probe (note) VALUES ('work')");
    });
    await expect(failing).rejects.toThrow('hook failed');
    expect(await rows()).toEqual([]);
  });

  it('rolls back a statement Postgres refused, and the client serves the next transaction', async () => {
    const failing = db.transaction(async (tx) => {
      await tx.query("INSERT INTO pool_database_probe (note) VALUES ('lost')");
      await tx.query('INSERT INTO pool_database_probe (note) VALUES (NULL)');
    });
    await expect(failing).rejects.toThrow(/null value/);
    await db.transaction(async (tx) => void (await tx.query("INSERT INTO pool_database_probe (note) VALUES ('next')")));
    expect(await rows()).toEqual(['next']);
    expect(allReturned()).toEqual({ total: 1, idle: 1, waiting: 0 });
  });

  it('refuses more before-commit hooks than its limit, committing nothing', async () => {
    const many = db.transaction(async (tx) => {
      await tx.query("INSERT INTO pool_database_probe (note) VALUES ('lost')");
      for (let i = 0; i <= BEFORE_COMMIT_HOOKS_MAX; i += 1) tx.beforeCommit?.(async () => undefined);
    });
    await expect(many).rejects.toThrow(`more than ${BEFORE_COMMIT_HOOKS_MAX} before-commit hooks`);
    expect(await rows()).toEqual([]);
  });

  it('discards a client whose connection died under the transaction (the rollback fails too), and opens a fresh one', async () => {
    const died = db.transaction(async (tx) => {
      await tx.query("INSERT INTO pool_database_probe (note) VALUES ('lost')");
      await tx.query('SELECT pg_terminate_backend(pg_backend_pid())');
    });
    await expect(died).rejects.toThrow(/terminat/);
    expect(allReturned()).toEqual({ total: 0, idle: 0, waiting: 0 });
    await db.transaction(async (tx) => void (await tx.query("INSERT INTO pool_database_probe (note) VALUES ('after')")));
    expect(await rows()).toEqual(['after']);
  });
});
