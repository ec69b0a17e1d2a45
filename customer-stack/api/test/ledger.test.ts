// The ledger on real Postgres: postings, idempotency, the database's own guarantees (balanced,
// append-only, no overdraft, tenant isolation), point-in-time balances, reversals, reservations.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@bulwark/testing';
import type { SqlDatabase } from '@bulwark/shared-contracts/wall';
import { textArrayBinary, uuidArrayBinary } from '../src/database/sql-arrays.js';
import { LedgerService } from '../src/ledger/ledger.service.js';
import { RequestTransaction } from '../src/tenancy/request-transaction.js';
import { TenantScope } from '../src/tenancy/tenant-scope.js';
import type { PostingInput } from '../src/ledger/ledger.types.js';
import { startLedger, type LedgerHarness } from './support/ledger-harness.js';

let h: LedgerHarness;
beforeAll(async () => {
  h = await startLedger();
});
afterAll(async () => {
  await h?.close();
});

const cash = (ownerRef: string, unit = 'USD') => ({ kind: 'customer_cash' as const, ownerRef, unit });
const clearing = (unit = 'USD') => ({ kind: 'bank_clearing' as const, ownerRef: null, unit });
const omnibus = (unit = 'USD') => ({ kind: 'omnibus' as const, ownerRef: null, unit });

function deposit(tenantId: string, ownerRef: string, amount: string, key: string = randomUUID()): PostingInput {
  return {
    tenantId, idempotencyKey: key, kind: 'deposit', reference: null,
    legs: [{ account: clearing(), side: 'debit', amount }, { account: cash(ownerRef), side: 'credit', amount }],
  };
}

function spend(tenantId: string, ownerRef: string, amount: string, key = randomUUID()): PostingInput {
  return {
    tenantId, idempotencyKey: key, kind: 'transfer', reference: null,
    legs: [{ account: cash(ownerRef), side: 'debit', amount }, { account: omnibus(), side: 'credit', amount }],
  };
}

describe('binary array parameters', () => {
  it('reach Postgres as the values sent: empty, with nulls, non-ASCII, quotes and backslashes', async () => {
    const ids = [randomUUID(), null, randomUUID()];
    const texts = ['plain', null, 'ā ś 🌏 — 名', 'say "hi"\\ {a,b}', ''];
    const [row] = await h.db.transaction((tx) =>
      tx.query<{ texts: (string | null)[]; ids: (string | null)[]; no_texts: number; no_ids: number }>(
        `SELECT $1::text[] AS texts, $2::uuid[]::text[] AS ids, cardinality($3::text[]) AS no_texts, cardinality($4::uuid[]) AS no_ids`,
        [textArrayBinary(texts), uuidArrayBinary(ids), textArrayBinary([]), uuidArrayBinary([])],
      ),
    );
    expect(row).toEqual({ texts, ids, no_texts: 0, no_ids: 0 });
  });
});

describe('postings', () => {
  it('posts a balanced deposit, moves both balances and writes one audit entry in the same transaction', async () => {
    const tenantId = randomUUID();
    const owner = randomUUID();
    const result = await h.inTenant(tenantId, (tx) => h.ledger.post(tx, deposit(tenantId, owner, '100.25')));
    expect(result).toMatchObject({ status: 'posted', replayed: false });
    await h.inTenant(tenantId, async (tx) => {
      expect(await h.ledger.balance(tx, tenantId, cash(owner))).toBe('100.25');
      expect(await h.ledger.balance(tx, tenantId, clearing())).toBe('100.25');
    });
    const resource = `ledger_transaction:${result.status === 'posted' ? result.transactionId : ''}`;
    const entries = await h.inTenant(tenantId, (tx) => h.audit.ofResource(tx, resource));
    expect(entries).toEqual([expect.objectContaining({ tenantId, action: 'ledger.posting.created', actor: 'system:ledger', diff: { kind: 'deposit', reference: null, reverses: null } })]);
    expect((await h.audit.verify()).ok).toBe(true);
  });

  it('answers the same key and body with the same result, and refuses the same key with another body', async () => {
    const tenantId = randomUUID();
    const owner = randomUUID();
    const key = randomUUID();
    const first = await h.ledger.submit(deposit(tenantId, owner, '10', key));
    const again = await h.ledger.submit(deposit(tenantId, owner, '10.00', key));
    const other = await h.ledger.submit(deposit(tenantId, owner, '11', key));
    expect(first.status).toBe('posted');
    expect(again).toEqual({ status: 'posted', transactionId: first.status === 'posted' ? first.transactionId : '', replayed: true });
    expect(other).toEqual({ status: 'rejected', code: 'idempotency_conflict' });
    expect(await h.inTenant(tenantId, (tx) => h.ledger.balance(tx, tenantId, cash(owner)))).toBe('10');
  });

  it('refuses to overdraw a customer and writes nothing for the refused posting', async () => {
    const tenantId = randomUUID();
    const owner = randomUUID();
    await h.ledger.submit(deposit(tenantId, owner, '5'));
    expect(await h.ledger.submit(spend(tenantId, owner, '5.01'))).toMatchObject({ status: 'rejected', code: 'insufficient_funds' });
    const [row] = await h.inTenant(tenantId, (tx) => tx.query<{ n: number }>('SELECT count(*)::int AS n FROM ledger_transaction'));
    expect(row?.n).toBe(1);
  });

  it('throws on an unbalanced posting before it reaches the database', async () => {
    const tenantId = randomUUID();
    const bad: PostingInput = { ...deposit(tenantId, randomUUID(), '1'), legs: [{ account: clearing(), side: 'debit', amount: '1' }, { account: cash(randomUUID()), side: 'credit', amount: '2' }] };
    await expect(h.ledger.submit(bad)).rejects.toThrow(/does not balance in USD/);
    await expect(h.ledger.submit({ ...deposit(tenantId, randomUUID(), '1'), legs: [] })).rejects.toThrow();
    await expect(h.ledger.submit(deposit(tenantId, randomUUID(), '1e3'))).rejects.toThrow();
  });

  it('gives point-in-time balances from the journal', async () => {
    const tenantId = randomUUID();
    const owner = randomUUID();
    await h.ledger.submit(deposit(tenantId, owner, '40'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const between = new Date();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await h.ledger.submit(spend(tenantId, owner, '15'));
    await h.inTenant(tenantId, async (tx) => {
      expect(await h.ledger.balance(tx, tenantId, cash(owner), between)).toBe('40');
      expect(await h.ledger.balance(tx, tenantId, cash(owner), new Date())).toBe('25');
      expect(await h.ledger.balance(tx, tenantId, cash(owner), new Date(0))).toBe('0');
      expect(await h.ledger.balance(tx, tenantId, omnibus(), between)).toBe('0');
      expect(await h.ledger.balance(tx, tenantId, omnibus())).toBe('-15');
    });
  });

  it('corrects only by reversal: every leg flipped, once', async () => {
    const tenantId = randomUUID();
    const owner = randomUUID();
    const posted = await h.ledger.submit(deposit(tenantId, owner, '30'));
    if (posted.status !== 'posted') throw new Error('setup');
    const reversal = await h.inTenant(tenantId, (tx) => h.ledger.reverse(tx, { tenantId, transactionId: posted.transactionId, idempotencyKey: 'fix-1' }));
    expect(reversal).toMatchObject({ status: 'posted', replayed: false });
    expect(await h.inTenant(tenantId, (tx) => h.ledger.balance(tx, tenantId, cash(owner)))).toBe('0');
    await expect(h.inTenant(tenantId, (tx) => h.ledger.reverse(tx, { tenantId, transactionId: posted.transactionId, idempotencyKey: 'fix-2' }))).rejects.toThrow(/reversed already/);
    expect(await h.inTenant(tenantId, (tx) => h.ledger.reverse(tx, { tenantId, transactionId: posted.transactionId, idempotencyKey: 'fix-1' }))).toEqual({ ...reversal, replayed: true });
    await expect(h.inTenant(tenantId, (tx) => h.ledger.reverse(tx, { tenantId: randomUUID(), transactionId: posted.transactionId, idempotencyKey: 'x' }))).rejects.toThrow(/No such ledger transaction/);
  });
});

describe('group commit plans before it locks (late locking)', () => {
  // A concurrent transaction holds the account and moves its balance while a group is between its
  // unlocked read and its lock; the group must then decide from the balance it finds under lock.
  const racedBy = async (funded: string, concurrentSpend: string, groupSpend: string) => {
    const tenantId = randomUUID();
    const owner = randomUUID();
    await h.ledger.submit(deposit(tenantId, owner, funded));
    let release!: () => void;
    let locked!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holding = new Promise<void>((resolve) => (locked = resolve));
    const concurrent = h.inTenant(tenantId, async (tx) => {
      const result = await h.ledger.post(tx, spend(tenantId, owner, concurrentSpend));
      locked();
      await held; // the account stays locked, its new balance uncommitted, until the group waits for it
      return result;
    });
    await holding;
    const group = h.ledger.submit(spend(tenantId, owner, groupSpend));
    // The group has planned from the committed balance, written its journal rows, and waits for the lock.
    await eventually(async () => {
      const [row] = await h.dataSource.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
      return (row as { n: number }).n > 0 ? true : undefined;
    }, 15_000, 'the group waiting for the account lock');
    release();
    expect(await concurrent).toMatchObject({ status: 'posted' });
    return { result: await group, balance: await h.inTenant(tenantId, (tx) => h.ledger.balance(tx, tenantId, cash(owner))) };
  };

  it('refuses a posting the locked balance no longer covers (planned as covered from the read one)', async () => {
    expect(await racedBy('1000', '600', '500')).toEqual({ result: expect.objectContaining({ status: 'rejected', code: 'insufficient_funds' }), balance: '400' });
  });

  it('runs again, locking first, when it deadlocks with a caller writing the same key (and answers as a replay)', async () => {
    const tenantId = randomUUID();
    const owner = randomUUID();
    await h.ledger.submit(deposit(tenantId, owner, '100'));
    await h.ledger.submit(spend(tenantId, owner, '1')); // every account exists and is known
    const same = spend(tenantId, owner, '10');
    let locked!: () => void;
    const holding = new Promise<void>((resolve) => (locked = resolve));
    let proceed!: () => void;
    const proceeding = new Promise<void>((resolve) => (proceed = resolve));
    const caller = h.inTenant(tenantId, async (tx) => {
      await h.ledger.post(tx, spend(tenantId, owner, '1')); // holds the account
      locked();
      await proceeding;
      return h.ledger.post(tx, same); // the group holds this key: a cycle Postgres must break
    });
    await holding;
    const grouped = h.ledger.submit(same);
    await eventually(async () => {
      const [row] = await h.dataSource.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
      return (row as { n: number }).n > 0 ? true : undefined;
    }, 15_000, 'the group waiting for the account lock');
    proceed();
    const first = await caller;
    expect(first).toMatchObject({ status: 'posted', replayed: false });
    expect(await grouped).toEqual({ status: 'posted', transactionId: first.status === 'posted' ? first.transactionId : '', replayed: true });
    expect(await h.inTenant(tenantId, (tx) => h.ledger.balance(tx, tenantId, cash(owner)))).toBe('88');
  });

  it('keeps its plan when the locked balance decides every posting the same way', async () => {
    expect(await racedBy('1000', '600', '300')).toEqual({ result: expect.objectContaining({ status: 'posted', replayed: false }), balance: '100' });
  });

  it('plans from the balance it last committed, and decides from the one under lock when another process moved it since', async () => {
    const tenantId = randomUUID();
    const owner = randomUUID();
    const balance = () => h.inTenant(tenantId, (tx) => h.ledger.balance(tx, tenantId, cash(owner)));
    await h.ledger.submit(deposit(tenantId, owner, '100')); // this process has seen 100 committed
    const otherProcess = new LedgerService(h.audit, h.tenants, null);
    expect(await otherProcess.submit(spend(tenantId, owner, '70'))).toMatchObject({ status: 'posted' });
    // Covered by the 100 it knows, not by the 30 under lock: the database refuses the move, the group runs again.
    expect(await h.ledger.submit(spend(tenantId, owner, '50'))).toMatchObject({ status: 'rejected', code: 'insufficient_funds' });
    expect(await h.ledger.submit(spend(tenantId, owner, '20'))).toMatchObject({ status: 'posted', replayed: false });
    expect(await balance()).toBe('10');
    // The other way round: refused by the 10 it knows, covered by the 50 under lock.
    expect(await otherProcess.submit(deposit(tenantId, owner, '40'))).toMatchObject({ status: 'posted' });
    expect(await h.ledger.submit(spend(tenantId, owner, '45'))).toMatchObject({ status: 'posted', replayed: false });
    expect(await balance()).toBe('5');
    await otherProcess.drained();
  });
});

describe('one group-commit batch, many callers', () => {
  const journaledCount = (tenantId: string, keys: string[]) =>
    h.inTenant(tenantId, async (tx) => {
      const [row] = await tx.query<{ n: number; times: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT created_at)::int AS times FROM ledger_transaction WHERE idempotency_key = ANY($1::text[])`, [keys],
      );
      return row;
    });

  it('fails only the postings that fail (an overdraft, a key reused with another body); their batch-mates post, each with its audit entry', async () => {
    const tenantId = randomUUID();
    const [rich, poor] = [randomUUID(), randomUUID()];
    await h.ledger.submit(deposit(tenantId, rich, '100'));
    await h.ledger.submit(deposit(tenantId, poor, '1'));
    const reusedKey = randomUUID();
    const reused = spend(tenantId, rich, '1', reusedKey);
    await h.ledger.submit(reused);
    // Submitted in one tick: one batch, one database transaction.
    const batch = [spend(tenantId, rich, '10'), spend(tenantId, poor, '5'), spend(tenantId, rich, '2', reusedKey), spend(tenantId, rich, '20'), reused];
    const results = await Promise.all(batch.map((posting) => h.ledger.submit(posting)));
    expect(results.map((r) => (r.status === 'posted' ? (r.replayed ? 'replayed' : 'posted') : r.code))).toEqual(['posted', 'insufficient_funds', 'idempotency_conflict', 'posted', 'replayed']);
    const posted = [batch[0], batch[3]].map((p) => p?.idempotencyKey ?? '');
    expect(await journaledCount(tenantId, posted)).toEqual({ n: 2, times: 1 }); // committed together
    const balances = await h.inTenant(tenantId, (tx) => Promise.all([rich, poor].map((owner) => h.ledger.balance(tx, tenantId, cash(owner)))));
    expect(balances).toEqual(['69', '1']);
    for (const result of [results[0], results[3]]) {
      const transactionId = result?.status === 'posted' ? result.transactionId : '';
      expect(await h.inTenant(tenantId, (tx) => h.audit.ofResource(tx, `ledger_transaction:${transactionId}`))).toHaveLength(1);
    }
    expect((await h.audit.verify()).ok).toBe(true);
  });

  it('keeps nothing of a batch whose transaction dies before its commit, fails every caller of it, and posts the same postings anew afterwards', async () => {
    const tenantId = randomUUID();
    const owner = randomUUID();
    await h.ledger.submit(deposit(tenantId, owner, '100'));
    const headBefore = await h.audit.head();
    let release!: () => void;
    let locked!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holding = new Promise<void>((resolve) => (locked = resolve));
    // A caller's transaction holds the account, so the batch stops after its journal rows, before balances, audit and commit.
    const holder = h.inTenant(tenantId, async (tx) => {
      await tx.query(`SELECT 1 FROM ledger_account WHERE owner_ref = $1 FOR UPDATE`, [owner]);
      locked();
      await held;
    });
    await holding;
    const batch = [spend(tenantId, owner, '10'), spend(tenantId, owner, '20'), spend(tenantId, owner, '30')];
    const submitted = batch.map((posting) => h.ledger.submit(posting).then(() => 'posted', (error: unknown) => `failed: ${(error as Error).message}`));
    const waiting = await eventually(async () => {
      const rows = await h.dataSource.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
      return (rows as { pid: number }[])[0]?.pid;
    }, 15_000, 'the batch waiting for the account lock');
    await h.dataSource.query('SELECT pg_terminate_backend($1)', [waiting]); // the crash: the batch's connection dies mid-transaction
    const outcomes = await Promise.all(submitted);
    release();
    await holder;
    expect(outcomes.every((outcome) => outcome.startsWith('failed'))).toBe(true);
    expect(await journaledCount(tenantId, batch.map((p) => p.idempotencyKey))).toEqual({ n: 0, times: 0 });
    expect(await h.inTenant(tenantId, (tx) => h.ledger.balance(tx, tenantId, cash(owner)))).toBe('100');
    expect((await h.audit.head()).seq).toBe(headBefore.seq);
    const again = await Promise.all(batch.map((posting) => h.ledger.submit(posting)));
    expect(again.map((r) => r.status === 'posted' && !r.replayed)).toEqual([true, true, true]);
    expect(await h.inTenant(tenantId, (tx) => h.ledger.balance(tx, tenantId, cash(owner)))).toBe('40');
    expect((await h.audit.verify()).ok).toBe(true);
  });
});

describe('group commit lets the journal\'s unique key find a key used before', () => {
  it('reads no keys before journaling until a batch meets one journaled already: that batch runs again reading first and answers it as a replay or a conflict', async () => {
    // A ledger of its own (it guesses from what its own batches met), over a database that counts the key reads.
    let keyReads = 0;
    const counting: SqlDatabase = {
      transaction: (work) => h.db.transaction((tx) => work({
        query: (text, params) => {
          if (text.startsWith('SELECT idempotency_key, id, body_hash FROM ledger_transaction')) keyReads += 1;
          return tx.query(text, params);
        },
        ...(tx.beforeCommit ? { beforeCommit: (hook: () => Promise<void>) => tx.beforeCommit?.(hook) } : {}),
      })),
    };
    const ledger = new LedgerService(h.audit, new TenantScope(counting, h.audit, new RequestTransaction(counting)), null);
    const tenantId = randomUUID();
    const owner = randomUUID();
    const reads = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
      const before = keyReads;
      const result = await work();
      return [result, keyReads - before];
    };

    const funded = deposit(tenantId, owner, '100');
    const [first, firstReads] = await reads(() => ledger.submit(funded));
    expect(first).toMatchObject({ status: 'posted', replayed: false });
    expect(firstReads).toBe(0);

    // One batch: a retried posting, the same key with another body, and a new posting.
    const fresh = spend(tenantId, owner, '30');
    const [results, batchReads] = await reads(() => Promise.all([funded, deposit(tenantId, owner, '100.00', funded.idempotencyKey), deposit(tenantId, owner, '7', funded.idempotencyKey), fresh].map((p) => ledger.submit(p))));
    expect(results[0]).toEqual({ status: 'posted', transactionId: first.status === 'posted' ? first.transactionId : '', replayed: true });
    expect(results[1]).toEqual(results[0]); // 100.00 is 100: the same posting
    expect(results[2]).toMatchObject({ status: 'rejected', code: 'idempotency_conflict' });
    expect(results[3]).toMatchObject({ status: 'posted', replayed: false });
    expect(batchReads).toBe(2); // the first run read only the refused posting's key (the conflict), the second run read all

    const [, nextReads] = await reads(() => ledger.submit(spend(tenantId, owner, '1'))); // reads first, finds none
    const two = spend(tenantId, owner, '2');
    const [twoPosted, afterReads] = await reads(() => ledger.submit(two)); // reads no more
    expect([nextReads, afterReads]).toEqual([1, 0]);
    // Retried while the balance still covers it: the insert writes fewer rows than planned, the second run reads.
    const [twoAgain, twoAgainReads] = await reads(() => ledger.submit(two));
    expect(twoAgain).toEqual({ ...twoPosted, replayed: true });
    expect(twoAgainReads).toBe(1);

    // Retried when the balance (7) no longer covers it: still the posting it was, not a refusal.
    const big = spend(tenantId, owner, '60');
    const posted = await ledger.submit(big); // reads first (after the retry), finds none
    expect(posted).toMatchObject({ status: 'posted', replayed: false });
    const [again, againReads] = await reads(() => ledger.submit(big));
    expect(again).toEqual({ ...posted, replayed: true });
    expect(againReads).toBe(2); // the refused key's read, then the second run's
    expect(await ledger.submit(spend(tenantId, owner, '8'))).toMatchObject({ status: 'rejected', code: 'insufficient_funds' });

    const journaled = await h.inTenant(tenantId, (tx) =>
      tx.query<{ key: string; n: number }>(`SELECT idempotency_key AS key, count(*)::int AS n FROM ledger_transaction GROUP BY idempotency_key`));
    expect(journaled).toHaveLength(5);
    expect(journaled.every((row) => row.n === 1)).toBe(true);
    expect(await h.inTenant(tenantId, (tx) => h.ledger.balance(tx, tenantId, cash(owner)))).toBe('7');
    expect((await h.audit.verify()).ok).toBe(true);
  });
});

describe('what the database itself enforces', () => {
  it.each([
    ['UPDATE of a journal transaction', `UPDATE ledger_transaction SET reference = 'x'`],
    ['DELETE of a journal entry', 'DELETE FROM ledger_entry'],
    ['TRUNCATE of the journal', 'TRUNCATE ledger_entry CASCADE'],
  ])('refuses %s: the application role has no grant, and a trigger stops even the owner', async (_name, sql) => {
    const tenantId = randomUUID();
    await h.ledger.submit(deposit(tenantId, randomUUID(), '1'));
    await expect(h.inTenant(tenantId, (tx) => tx.query(sql))).rejects.toThrow(/permission denied/);
    await expect(h.asOwnerInTenant(tenantId, (tx) => tx.query(sql))).rejects.toThrow(/append-only/);
  });

  it('refuses at commit a transaction whose entries do not balance, and one with a single entry', async () => {
    const tenantId = randomUUID();
    const account = await h.ledger.submit(deposit(tenantId, randomUUID(), '1'));
    expect(account.status).toBe('posted');
    const [row] = await h.inTenant(tenantId, (tx) => tx.query<{ id: string }>(`SELECT id FROM ledger_account WHERE kind = 'bank_clearing'`));
    const writeRaw = (amounts: string[], transactionId?: string) =>
      h.inTenant(tenantId, async (tx) => {
        const id = transactionId ?? randomUUID();
        if (!transactionId) {
          await tx.query(`INSERT INTO ledger_transaction (id, tenant_id, idempotency_key, body_hash, kind) VALUES ($1::uuid, $2, $1::text, repeat('0', 64), 'transfer')`, [id, tenantId]);
        }
        if (amounts.length > 0) {
          await tx.query(`INSERT INTO ledger_entry (transaction_id, leg, tenant_id, account_id, unit, amount)
             SELECT $1, ord + $5 - 1, $2, $3, 'USD', a FROM unnest($4::numeric[]) WITH ORDINALITY AS x(a, ord)`, [id, tenantId, row?.id, amounts, transactionId ? 10 : 0]);
        }
        return id;
      });
    await expect(writeRaw(['5'])).rejects.toThrow(/does not balance after this insert/);
    await expect(writeRaw(['5', '-4'])).rejects.toThrow(/does not balance after this insert/);
    // No entries at all: only the deferred constraint trigger, at commit, can see that.
    await expect(writeRaw([])).rejects.toThrow(/1 of 1 ledger transactions of this database transaction have no entries/);
    // Legs not numbered 0..n-1 within the statement: entries of one transaction split over statements.
    await expect(h.inTenant(tenantId, async (tx) => {
      const id = randomUUID();
      await tx.query(`INSERT INTO ledger_transaction (id, tenant_id, idempotency_key, body_hash, kind) VALUES ($1::uuid, $2, $1::text, repeat('0', 64), 'transfer')`, [id, tenantId]);
      for (const legs of [[0, 1], [2, 3]]) {
        await tx.query(`INSERT INTO ledger_entry (transaction_id, leg, tenant_id, account_id, unit, amount) SELECT $1, leg, $2, $3, 'USD', a FROM unnest($4::smallint[], $5::numeric[]) AS x(leg, a)`,
          [id, tenantId, row?.id, legs, ['1', '-1']]);
      }
    })).rejects.toThrow(/entries are written by one statement/);
    const committed = await writeRaw(['5', '-5']);
    await expect(writeRaw(['1', '-1'], committed)).rejects.toThrow(/must belong to a transaction created in the same database transaction/);
  });

  it('refuses a negative customer balance even from raw SQL (CHECK constraint)', async () => {
    const tenantId = randomUUID();
    const owner = randomUUID();
    await h.ledger.submit(deposit(tenantId, owner, '1'));
    await expect(h.inTenant(tenantId, (tx) => tx.query(`UPDATE ledger_account SET balance = -1 WHERE kind = 'customer_cash'`))).rejects.toThrow(/ledger_account_no_overdraft/);
  });

  it('keeps tenants apart: another tenant sees none of the rows, and cannot write into them', async () => {
    const tenantId = randomUUID();
    const owner = randomUUID();
    await h.ledger.submit(deposit(tenantId, owner, '9'));
    const stranger = randomUUID();
    const seen = await h.inTenant(stranger, (tx) => tx.query<{ n: number }>(`SELECT (SELECT count(*) FROM ledger_entry)::int + (SELECT count(*) FROM ledger_account)::int AS n`));
    expect(seen[0]?.n).toBe(0);
    const none = await h.db.transaction((tx) => tx.query<{ n: number }>('SELECT count(*)::int AS n FROM ledger_transaction'));
    expect(none[0]?.n).toBe(0);
    await expect(h.inTenant(stranger, (tx) => tx.query(`INSERT INTO ledger_account (id, tenant_id, kind, unit, normal_side, allow_negative) VALUES ($1, $2, 'fees', 'USD', 'credit', true)`, [randomUUID(), tenantId]))).rejects.toThrow(/row-level security/);
  });
});

describe('reservations', () => {
  const setup = async () => {
    const tenantId = randomUUID();
    const owner = randomUUID();
    await h.ledger.submit(deposit(tenantId, owner, '100'));
    const reserve = (amount: string, key = randomUUID(), expiresAt = new Date(Date.now() + 60_000)) =>
      h.inTenant(tenantId, (tx) => h.ledger.reserve(tx, { tenantId, ownerRef: owner, unit: 'USD', amount, expiresAt, reference: 'intent:x', idempotencyKey: key }));
    const balances = () =>
      h.inTenant(tenantId, async (tx) => ({
        cash: await h.ledger.balance(tx, tenantId, cash(owner)),
        reserved: await h.ledger.balance(tx, tenantId, { kind: 'customer_reserved', ownerRef: owner, unit: 'USD' }),
        omnibus: await h.ledger.balance(tx, tenantId, omnibus()),
      }));
    return { tenantId, owner, reserve, balances };
  };

  it('holds cash, posts part of it, then releases the rest on the final post', async () => {
    const { tenantId, reserve, balances } = await setup();
    const held = await reserve('60');
    if (held.status !== 'reserved') throw new Error('setup');
    expect(await balances()).toEqual({ cash: '40', reserved: '60', omnibus: '0' });
    expect(await reserve('41')).toEqual({ status: 'rejected', code: 'insufficient_funds' });
    const part = (amount: string, final: boolean, key: string) =>
      h.inTenant(tenantId, (tx) => h.ledger.postReservation(tx, { tenantId, reservationId: held.reservationId, idempotencyKey: key, credits: [{ account: omnibus(), amount }], final }));
    expect(await part('25', false, 'alloc-1')).toMatchObject({ status: 'posted', replayed: false });
    expect(await part('25', false, 'alloc-1')).toMatchObject({ status: 'posted', replayed: true });
    expect(await part('36', false, 'alloc-2')).toEqual({ status: 'rejected', code: 'reservation_exceeded' });
    expect(await balances()).toEqual({ cash: '40', reserved: '35', omnibus: '-25' });
    expect(await part('5', true, 'alloc-3')).toMatchObject({ status: 'posted' });
    expect(await balances()).toEqual({ cash: '70', reserved: '0', omnibus: '-30' });
    expect(await part('1', false, 'alloc-4')).toEqual({ status: 'rejected', code: 'reservation_closed' });
    const [row] = await h.inTenant(tenantId, (tx) => tx.query<{ status: string; posted: string; released: string }>(
      `SELECT status, posted::text AS posted, released::text AS released FROM ledger_reservation WHERE id = $1`, [held.reservationId]));
    expect(row).toEqual({ status: 'posted', posted: '30.000000000000000000', released: '30.000000000000000000' });
  });

  it('voids a reservation back to cash, and expires due ones', async () => {
    const { tenantId, reserve, balances } = await setup();
    const voided = await reserve('10');
    const due = await reserve('20', randomUUID(), new Date(Date.now() - 1_000));
    if (voided.status !== 'reserved' || due.status !== 'reserved') throw new Error('setup');
    expect(await h.inTenant(tenantId, (tx) => h.ledger.releaseReservation(tx, { tenantId, reservationId: voided.reservationId, idempotencyKey: 'void-1', reason: 'voided' }))).toMatchObject({ status: 'posted' });
    expect(await balances()).toEqual({ cash: '80', reserved: '20', omnibus: '0' });
    expect(await h.inTenant(tenantId, (tx) => h.ledger.expireDue(tx, tenantId, new Date()))).toBe(1);
    expect(await h.inTenant(tenantId, (tx) => h.ledger.expireDue(tx, tenantId, new Date()))).toBe(0);
    expect(await balances()).toEqual({ cash: '100', reserved: '0', omnibus: '0' });
    const same = randomUUID();
    expect(await reserve('10', same)).toMatchObject({ status: 'reserved', replayed: false });
    expect(await reserve('10', same)).toMatchObject({ status: 'reserved', replayed: true });
  });
});
