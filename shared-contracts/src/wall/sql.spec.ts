import { describe, expect, it } from '@jest/globals';
import {
  BEFORE_COMMIT_HOOKS_MAX, SERIALIZATION_ATTEMPTS_MAX, transactionRetryingSerialization, typeormDatabase, type SqlDatabase, type SqlTx, type TypeOrmLikeDataSource,
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
