import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { decimal } from '@bulwark/shared-contracts';
import { PostingInput, type AccountKey } from './ledger.types.js';
import { toScaled } from './scaled-decimal.js';
import { accountIdOf, decidesTheSameFrom, planBatch, postingBodyHash, preparePosting, type LockedAccount } from './posting-plan.js';

const tenantId = '00000000-0000-4000-8000-000000000001';
const alice = '00000000-0000-4000-8000-00000000000a';
const bob = '00000000-0000-4000-8000-00000000000b';
const cash = (ownerRef: string): AccountKey => ({ kind: 'customer_cash', ownerRef, unit: 'USD' });
const omnibus: AccountKey = { kind: 'omnibus', ownerRef: null, unit: 'USD' };

const transfer = (key: string, from: AccountKey, to: AccountKey, amount: string) =>
  preparePosting(
    PostingInput.parse({ tenantId, idempotencyKey: key, kind: 'transfer', legs: [{ account: from, side: 'debit', amount }, { account: to, side: 'credit', amount }] }),
  );

const locked = (key: AccountKey, balance: string): [string, LockedAccount] => {
  const id = accountIdOf(tenantId, key);
  return [id, { id, balanceScaled: toScaled(balance), allowNegative: key.kind === 'omnibus', normalSide: key.kind === 'omnibus' ? 'debit' : 'credit' }];
};

let counter = 0;
const newId = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;

describe('planBatch', () => {
  it.each([
    ['a funded transfer posts', [['k1', '10']], '10', ['posted']],
    ['an overdraft is refused', [['k1', '10.01']], '10', ['insufficient_funds']],
    ['the second of two spends that together overdraw is refused', [['k1', '6'], ['k2', '6']], '10', ['posted', 'insufficient_funds']],
    ['a repeated key with the same body replays', [['k1', '3'], ['k1', '3']], '10', ['posted', 'replayed']],
    ['a repeated key with another body conflicts', [['k1', '3'], ['k1', '4']], '10', ['posted', 'idempotency_conflict']],
    ['a refused posting frees nothing for the next', [['k1', '11'], ['k2', '10']], '10', ['insufficient_funds', 'posted']],
  ] as const)('%s', (_name, spends, funded, expected) => {
    const postings = spends.map(([key, amount]) => transfer(key, cash(alice), omnibus, amount));
    const plan = planBatch({ postings, accounts: new Map([locked(cash(alice), funded), locked(omnibus, '0')]), journaled: new Map(), newId });
    expect(plan.results.map((r) => (r.status === 'posted' ? (r.replayed ? 'replayed' : 'posted') : r.code))).toEqual(expected);
    expect(plan.transactions.length).toBe(expected.filter((e) => e === 'posted').length);
    expect(plan.entries.length).toBe(2 * plan.transactions.length);
  });

  it('answers keys journaled earlier from the journal', () => {
    const posting = transfer('k1', cash(alice), cash(bob), '1');
    const plan = planBatch({
      postings: [posting],
      accounts: new Map([locked(cash(alice), '0'), locked(cash(bob), '0')]),
      journaled: new Map([['k1', { transactionId: 'tx-1', bodyHash: posting.bodyHash }]]),
      newId,
    });
    expect(plan.results).toEqual([{ status: 'posted', transactionId: 'tx-1', replayed: true }]);
    expect(plan.transactions).toEqual([]);
  });

  it('asserts balance per unit and refuses a posting with only debits', () => {
    const posting = (legs: unknown) => () => preparePosting(PostingInput.parse({ tenantId, idempotencyKey: 'x', kind: 'transfer', legs }));
    const lkr = { ...omnibus, unit: 'LKR' };
    expect(posting([{ account: cash(alice), side: 'debit', amount: '1' }, { account: lkr, side: 'credit', amount: '1' }])).toThrow(/does not balance in USD/);
    expect(posting([{ account: cash(alice), side: 'debit', amount: '1' }, { account: omnibus, side: 'debit', amount: '1' }])).toThrow();
    expect(posting([{ account: cash(alice), side: 'debit', amount: '0' }, { account: omnibus, side: 'credit', amount: '0' }])).toThrow();
  });

  it('hashes bodies so that "10" and "10.00" are the same amount', () => {
    expect(transfer('a', cash(alice), omnibus, '10').bodyHash).toBe(transfer('b', cash(alice), omnibus, '10.00').bodyHash);
    expect(postingBodyHash(transfer('a', cash(alice), omnibus, '10').posting)).not.toBe(transfer('a', cash(bob), omnibus, '10').bodyHash);
  });

  it('derives stable, distinct, UUID-shaped account ids', () => {
    expect(accountIdOf(tenantId, cash(alice))).toBe(accountIdOf(tenantId, cash(alice)));
    expect(accountIdOf(tenantId, cash(alice))).not.toBe(accountIdOf(tenantId, cash(bob)));
    expect(accountIdOf(tenantId, cash(alice))).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('keeps every account id it ever derived (stored rows name accounts by it), cached or not', () => {
    const pinned: [AccountKey, string][] = [[cash(alice), 'de2ebb0e-1acf-5496-8119-c7a48d6aaad0'], [omnibus, 'd8c152c4-54d7-5f6f-9231-12b486e990ff']];
    for (const [key, id] of pinned) {
      expect(accountIdOf(tenantId, key)).toBe(id);
      expect(accountIdOf(tenantId, { ...key })).toBe(id);
    }
  });

  it('property: deltas equal the entries, entries balance, and no customer ends negative', () => {
    const amount = fc.integer({ min: 1, max: 10_000 }).map((cents) => decimal(String(cents)).div(decimal('100')).toString());
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), amount), { minLength: 1, maxLength: 50 }), fc.integer({ min: 0, max: 50_000 }), (moves, fundedCents) => {
        const funded = decimal(String(fundedCents)).div(decimal('100')).toString();
        const postings = moves.map(([toBob, value], i) => transfer(`k${i}`, cash(alice), toBob ? cash(bob) : omnibus, value));
        const plan = planBatch({ postings, accounts: new Map([locked(cash(alice), funded), locked(cash(bob), '0'), locked(omnibus, '0')]), journaled: new Map(), newId });
        const net = plan.entries.reduce((sum, e) => sum.plus(decimal(e.amount)), decimal('0'));
        expect(net.eq(decimal('0'))).toBe(true);
        const aliceDelta = decimal(plan.balanceDeltas.get(accountIdOf(tenantId, cash(alice))) ?? '0');
        expect(decimal(funded).plus(aliceDelta).gte(decimal('0'))).toBe(true);
        const aliceEntries = plan.entries.filter((e) => e.accountId === accountIdOf(tenantId, cash(alice))).reduce((s, e) => s.minus(decimal(e.amount)), decimal('0'));
        expect(aliceEntries.eq(aliceDelta)).toBe(true);
      }),
    );
  });

  it('property: when decidesTheSameFrom says other starting balances decide the same, planning from them does', () => {
    const cents = (n: number) => decimal(String(n)).div(decimal('100')).toString();
    const carol = '00000000-0000-4000-8000-00000000000c';
    const people = [alice, bob, carol];
    const move = fc.tuple(fc.nat({ max: 2 }), fc.nat({ max: 3 }), fc.integer({ min: 1, max: 5_000 }));
    let sure = 0;
    fc.assert(
      fc.property(fc.array(move, { minLength: 1, maxLength: 30 }), fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 3, maxLength: 3 }), fc.integer({ min: -5_000, max: 5_000 }), (moves, first, second, omnibusShift) => {
          // Each move: from one person to another person or (3) the omnibus account.
          const postings = moves.map(([from, to, amount], i) =>
            transfer(`k${i}`, cash(people[from] ?? alice), to === 3 || to === from ? omnibus : cash(people[to] ?? bob), cents(amount)));
          const balances = (funded: number[], shift: number) =>
            new Map([...people.map((person, i) => locked(cash(person), cents(funded[i] ?? 0))), locked(omnibus, cents(shift))]);
          const planned = balances(first, 0);
          const other = balances(second, omnibusShift);
          const plan = planBatch({ postings, accounts: planned, journaled: new Map(), newId });
          if (!decidesTheSameFrom(plan, planned, other)) return;
          sure += 1;
          const again = planBatch({ postings, accounts: other, journaled: new Map(), newId });
          const decisions = (p: typeof plan) => p.results.map((r) => (r.status === 'posted' ? 'posted' : r.code));
          expect(decisions(again)).toEqual(decisions(plan));
          expect([...again.balanceDeltas]).toEqual([...plan.balanceDeltas]);
        }),
      { numRuns: 1_000 },
    );
    expect(sure).toBeGreaterThan(100); // the shortcut is taken often enough to be tested
  });
});
