import { describe, expect, it } from '@jest/globals';
import { SERIALIZATION_ATTEMPTS_MAX, transactionRetryingSerialization, type SqlDatabase, type SqlTx } from './sql.js';

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
