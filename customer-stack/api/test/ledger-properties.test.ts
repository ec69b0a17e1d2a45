// Properties of the ledger on real Postgres, over random sequences (fast-check): every journal
// transaction balances per unit (Σ debits = Σ credits), every stored balance equals the sum of its
// postings, customer balances never go negative and match an exact model; and parallel debits,
// through group commit or through separate transactions, never overdraw.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { canonicalDecimal, decimal } from '@bulwark/shared-contracts';
import type { AccountKey, PostingInput, PostingResult } from '../src/ledger/ledger.types.js';
import { startLedger, type LedgerHarness } from './support/ledger-harness.js';

let h: LedgerHarness;
beforeAll(async () => {
  h = await startLedger({ queueMax: 10_000, batchSizeMax: 64, lingerMs: 0, concurrencyMax: 2, retriesMax: 3 });
});
afterAll(async () => {
  await h?.close();
});

const amount = fc.tuple(fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 0, max: 99 })).filter(([u, c]) => u + c > 0).map(([u, c]) => `${u}.${String(c).padStart(2, '0')}`);
const operation = fc.record({
  kind: fc.constantFrom('deposit', 'spend', 'move', 'fx'),
  from: fc.integer({ min: 0, max: 2 }),
  to: fc.integer({ min: 0, max: 2 }),
  amount,
  viaGroupCommit: fc.boolean(),
  repeatKey: fc.boolean(),
});

describe('ledger properties', () => {
  it('after any sequence: Σ debits = Σ credits per unit, balances = Σ postings, customers never negative and as the model says', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 40 }), async (operations) => {
        const tenantId = randomUUID();
        const owners = [randomUUID(), randomUUID(), randomUUID()];
        const cash = (i: number, unit = 'USD'): AccountKey => ({ kind: 'customer_cash', ownerRef: owners[i] ?? '', unit });
        const model = new Map<string, ReturnType<typeof decimal>>();
        const get = (k: string) => model.get(k) ?? decimal('0');
        let lastKey: string | undefined;
        const pending: Promise<PostingResult>[] = [];
        for (const op of operations) {
          const key = op.repeatKey && lastKey ? lastKey : randomUUID();
          lastKey = key;
          const legs: PostingInput['legs'] =
            op.kind === 'deposit'
              ? [{ account: { kind: 'bank_clearing', ownerRef: null, unit: 'USD' }, side: 'debit', amount: op.amount }, { account: cash(op.to), side: 'credit', amount: op.amount }]
              : op.kind === 'spend'
                ? [{ account: cash(op.from), side: 'debit', amount: op.amount }, { account: { kind: 'omnibus', ownerRef: null, unit: 'USD' }, side: 'credit', amount: op.amount }]
                : op.kind === 'move'
                  ? [{ account: cash(op.from), side: 'debit', amount: op.amount }, { account: cash(op.to), side: 'credit', amount: op.amount }]
                  : [
                      { account: cash(op.from), side: 'debit', amount: op.amount },
                      { account: { kind: 'fx_conversion', ownerRef: null, unit: 'USD' }, side: 'credit', amount: op.amount },
                      { account: { kind: 'fx_conversion', ownerRef: null, unit: 'LKR' }, side: 'debit', amount: op.amount },
                      { account: cash(op.to, 'LKR'), side: 'credit', amount: op.amount },
                    ];
          const posting: PostingInput = { tenantId, idempotencyKey: key, kind: op.kind === 'spend' ? 'transfer' : op.kind === 'move' ? 'transfer' : op.kind === 'fx' ? 'fx_conversion' : 'deposit', reference: null, legs };
          if (op.viaGroupCommit) pending.push(h.ledger.submit(posting));
          else {
            await Promise.all(pending.splice(0));
            await h.inTenant(tenantId, (tx) => h.ledger.post(tx, posting));
          }
        }
        await Promise.all(pending);
        // The model replays the journal in order: what was posted is what the model applies.
        const journal = await h.inTenant(tenantId, (tx) =>
          tx.query<{ transaction_id: string; account_id: string; kind: string; owner_ref: string | null; unit: string; amount: string }>(
            `SELECT e.transaction_id, e.account_id, a.kind, a.owner_ref, e.unit, e.amount::text AS amount FROM ledger_entry e JOIN ledger_account a ON a.id = e.account_id ORDER BY e.transaction_id, e.leg`,
          ),
        );
        const perTransactionUnit = new Map<string, ReturnType<typeof decimal>>();
        for (const entry of journal) {
          const k = `${entry.transaction_id}|${entry.unit}`;
          perTransactionUnit.set(k, (perTransactionUnit.get(k) ?? decimal('0')).plus(decimal(entry.amount)));
          const sign = ['customer_cash', 'customer_reserved', 'customer_position', 'fees'].includes(entry.kind) ? -1 : 1;
          model.set(entry.account_id, get(entry.account_id).plus(sign === 1 ? decimal(entry.amount) : decimal(entry.amount).neg()));
        }
        for (const net of perTransactionUnit.values()) expect(canonicalDecimal(net)).toBe('0');
        const accounts = await h.inTenant(tenantId, (tx) => tx.query<{ id: string; kind: string; balance: string }>(`SELECT id, kind, balance::text AS balance FROM ledger_account`));
        for (const account of accounts) {
          expect(canonicalDecimal(account.balance)).toBe(canonicalDecimal(get(account.id)));
          if (account.kind.startsWith('customer_')) expect(decimal(account.balance).gte(decimal('0'))).toBe(true);
        }
        const totals = await h.inTenant(tenantId, (tx) => tx.query<{ unit: string; debits: string; credits: string }>(
          `SELECT unit, coalesce(sum(amount) FILTER (WHERE amount > 0), 0)::text AS debits, coalesce(-sum(amount) FILTER (WHERE amount < 0), 0)::text AS credits FROM ledger_entry GROUP BY unit`,
        ));
        for (const total of totals) expect(canonicalDecimal(total.debits)).toBe(canonicalDecimal(total.credits));
      }),
      { numRuns: 25 },
    );
  });
});

describe('concurrency', () => {
  it.each([
    ['group commit', true],
    ['separate transactions', false],
  ])('parallel debits through %s never overdraw: exactly the funded ones succeed', async (_name, viaGroupCommit) => {
    const tenantId = randomUUID();
    const owner = randomUUID();
    const cash: AccountKey = { kind: 'customer_cash', ownerRef: owner, unit: 'USD' };
    const omnibus: AccountKey = { kind: 'omnibus', ownerRef: null, unit: 'USD' };
    await h.ledger.submit({ tenantId, idempotencyKey: randomUUID(), kind: 'deposit', reference: null, legs: [{ account: { kind: 'bank_clearing', ownerRef: null, unit: 'USD' }, side: 'debit', amount: '1000' }, { account: cash, side: 'credit', amount: '1000' }] });
    const debit = (): PostingInput => ({ tenantId, idempotencyKey: randomUUID(), kind: 'transfer', reference: null, legs: [{ account: cash, side: 'debit', amount: '7.5' }, { account: omnibus, side: 'credit', amount: '7.5' }] });
    const results = await Promise.all(
      Array.from({ length: 200 }, () => (viaGroupCommit ? h.ledger.submit(debit()) : h.inTenant(tenantId, (tx) => h.ledger.post(tx, debit())))),
    );
    const posted = results.filter((r) => r.status === 'posted').length;
    expect(posted).toBe(133); // floor(1000 / 7.5)
    expect(results.filter((r) => r.status === 'rejected' && r.code === 'insufficient_funds').length).toBe(67);
    expect(await h.inTenant(tenantId, (tx) => h.ledger.balance(tx, tenantId, cash))).toBe('2.5');
  });
});
