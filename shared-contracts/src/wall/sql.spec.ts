import { describe, expect, it } from '@jest/globals';
import {
  BEFORE_COMMIT_HOOKS_MAX, OUTBOX_COMMIT_LISTENERS_MAX, OUTBOX_INSERT_SQL, SERIALIZATION_ATTEMPTS_MAX,
  readOnce, transactionRetryingSerialization, typeormDatabase, type SqlDatabase, type SqlTx, type TypeOrmLikeDataSource,
} from './sql.js';

/** A database whose transactions fail with the given errors in turn, then succeed. */
function databaseFailingWith(errors: readonly unknown[]): SqlDatabase & { runs: number } {
  const db = {
    runs: 0,
    async transaction<T>(work: (tx: SqlTx) => Promise<T>): Promise<T> {
      const error = errors[db.runs];
      db.runs += 1;
      if (error !== undefined) throw error;
      return work({ query: async () => [] });
    },
  };
  return db;
}

const lostRace = Object.assign(new Error('could not serialize access due to concurrent update'), { code: '40001' });

describe('transactionRetryingSerialization', () => {
  it('runs a transaction that lost a serialization race again, on a fresh transaction', async () => {
    const db = databaseFailingWith([lostRace, lostRace]);
    await expect(transactionRetryingSerialization(db, async () => 'done')).resolves.toBe('done');
    expect(db.runs).toBe(3);
  });

  it('lets the error stand after the last attempt', async () => {
    const db = databaseFailingWith(Array.from({ length: SERIALIZATION_ATTEMPTS_MAX }, () => lostRace));
    await expect(transactionRetryingSerialization(db, async () => 'done')).rejects.toBe(lostRace);
    expect(db.runs).toBe(SERIALIZATION_ATTEMPTS_MAX);
  });

  it('never retries any other error', async () => {
    const unique = Object.assign(new Error('duplicate key'), { code: '23505' });
    const db = databaseFailingWith([unique]);
    await expect(transactionRetryingSerialization(db, async () => 'done')).rejects.toBe(unique);
    expect(db.runs).toBe(1);
  });
});

/** A data source that logs each statement and where its transaction committed or rolled back. */
function loggingDataSource(log: string[]): TypeOrmLikeDataSource {
  return {
    async transaction<T>(work: (manager: { queryRunner?: { query(q: string): Promise<{ records: unknown[] }> } }) => Promise<T>): Promise<T> {
      try {
        const result = await work({ queryRunner: { query: async (q: string) => (log.push(q), { records: [] }) } });
        log.push('COMMIT');
        return result;
      } catch (error) {
        log.push('ROLLBACK');
        throw error;
      }
    },
  };
}

describe('typeormDatabase before-commit hooks', () => {
  it('runs the hooks after the work, in order, inside the transaction; a hook may add another', async () => {
    const log: string[] = [];
    const result = await typeormDatabase(loggingDataSource(log)).transaction(async (tx) => {
      tx.beforeCommit?.(async () => {
        await tx.query('first hook');
        tx.beforeCommit?.(async () => void (await tx.query('added hook')));
      });
      tx.beforeCommit?.(async () => void (await tx.query('second hook')));
      await tx.query('work');
      return 'done';
    });
    expect(result).toBe('done');
    expect(log).toEqual(['work', 'first hook', 'second hook', 'added hook', 'COMMIT']);
  });

  it('rolls the transaction back when a hook throws', async () => {
    const log: string[] = [];
    const failing = typeormDatabase(loggingDataSource(log)).transaction(async (tx) => {
      tx.beforeCommit?.(async () => {
        throw new Error('hook failed');
      });
      await tx.query('work');
    });
    await expect(failing).rejects.toThrow('hook failed');
    expect(log).toEqual(['work', 'ROLLBACK']);
  });

  it('refuses more hooks than its limit', async () => {
    const log: string[] = [];
    const many = typeormDatabase(loggingDataSource(log)).transaction(async (tx) => {
      for (let i = 0; i <= BEFORE_COMMIT_HOOKS_MAX; i += 1) tx.beforeCommit?.(async () => undefined);
    });
    await expect(many).rejects.toThrow(`more than ${BEFORE_COMMIT_HOOKS_MAX} before-commit hooks`);
    expect(log).toEqual(['ROLLBACK']);
  });
});

describe('typeormDatabase outbox commit listeners', () => {
  it('calls its listeners once after the commit of a transaction that wrote the outbox, and only then', async () => {
    const log: string[] = [];
    const db = typeormDatabase(loggingDataSource(log));
    db.onOutboxCommitted?.(() => log.push('relay woken'));
    await db.transaction(async (tx) => {
      await tx.query(OUTBOX_INSERT_SQL, [[], [], []]);
      await tx.query(OUTBOX_INSERT_SQL, [[], [], []]);
    });
    expect(log).toEqual([OUTBOX_INSERT_SQL, OUTBOX_INSERT_SQL, 'COMMIT', 'relay woken']);
  });

  it('stays silent for a transaction that rolled back or wrote no outbox row', async () => {
    const log: string[] = [];
    const db = typeormDatabase(loggingDataSource(log));
    db.onOutboxCommitted?.(() => log.push('relay woken'));
    await expect(db.transaction(async (tx) => {
      await tx.query(OUTBOX_INSERT_SQL, [[], [], []]);
      throw new Error('handler failed');
    })).rejects.toThrow('handler failed');
    await db.transaction(async (tx) => void (await tx.query('SELECT 1')));
    expect(log).toEqual([OUTBOX_INSERT_SQL, 'ROLLBACK', 'SELECT 1', 'COMMIT']);
  });

  it('refuses more listeners than its limit', () => {
    const db = typeormDatabase(loggingDataSource([]));
    for (let i = 0; i < OUTBOX_COMMIT_LISTENERS_MAX; i += 1) db.onOutboxCommitted?.(() => undefined);
    expect(() => db.onOutboxCommitted?.(() => undefined)).toThrow('outbox commit listeners within limit');
  });
});

describe('readOnce', () => {
  it('reads on its own through a database that can, and in a transaction of its own through one that cannot', async () => {
    const log: string[] = [];
    const withQuery = { ...loggingDataSource(log), query: async (q: string) => (log.push(`alone: ${q}`), [{ n: 1 }]) };
    await expect(readOnce(typeormDatabase(withQuery), 'SELECT 1 AS n')).resolves.toEqual([{ n: 1 }]);
    await expect(readOnce(typeormDatabase(loggingDataSource(log)), 'SELECT 2 AS n')).resolves.toEqual([]);
    expect(log).toEqual(['alone: SELECT 1 AS n', 'SELECT 2 AS n', 'COMMIT']);
  });

  it('refuses anything but a SELECT', () => {
    expect(() => readOnce(typeormDatabase(loggingDataSource([])), `UPDATE omnibus_order SET status = 'done'`)).toThrow('readOnce runs a SELECT');
  });
});
