// The pure heart of the ledger: given a batch of postings, the locked balances of the accounts
// they touch and the postings already journaled under the same idempotency keys, decide each
// posting's fate in order and produce exactly the rows to write. No I/O, no clock: the service
// feeds it what it read under lock and writes what it returns.
import { createHash } from 'node:crypto';
import { assert } from '@bulwark/shared-contracts';
import { type AccountKey, type Posting, type PostingResult } from './ledger.types.js';
import { canonicalDecimalText, fromScaled, toScaled } from './scaled-decimal.js';


const ACCOUNT_IDS_CACHED_MAX = 200_000;
const accountIds = new Map<string, string>();

/** The account's id is derived from what it is, so a batch never looks an account up by key. */
export function accountIdOf(tenantId: string, key: AccountKey): string {
  const name = `bulwark-ledger-account|${tenantId}|${key.kind}|${key.ownerRef ?? ''}|${key.unit}`;
  const cached = accountIds.get(name);
  if (cached) return cached;
  const digest = createHash('sha256').update(name).digest('hex');
  // Shaped as an RFC 4122 name-based UUID (version 5 bits, variant 10).
  const variant = ((Number.parseInt(digest[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const id = `${digest.slice(0, 8)}-${digest.slice(8, 12)}-5${digest.slice(13, 16)}-${variant}${digest.slice(17, 20)}-${digest.slice(20, 32)}`;
  if (accountIds.size >= ACCOUNT_IDS_CACHED_MAX) accountIds.clear();
  accountIds.set(name, id);
  return id;
}

/** What the idempotency check compares: everything a posting says except its key ("10" = "10.00"). */
export function postingBodyHash(posting: Posting): string {
  const legs = posting.legs.map((leg) => `${leg.account.kind},${leg.account.ownerRef ?? ''},${leg.account.unit},${leg.side},${canonicalDecimalText(leg.amount)}`);
  return createHash('sha256').update(`${posting.kind}\n${posting.reference ?? '\u0000'}\n${legs.join('\n')}`).digest('hex');
}

/** Asserts a posting balances per unit: a caller that builds an unbalanced one has a bug. */
export function assertBalanced(posting: Posting): void {
  const net = new Map<string, bigint>();
  for (const leg of posting.legs) {
    const amount = toScaled(leg.amount);
    net.set(leg.account.unit, (net.get(leg.account.unit) ?? 0n) + (leg.side === 'debit' ? amount : -amount));
  }
  for (const [unit, total] of net) assert(total === 0n, `posting ${posting.idempotencyKey} does not balance in ${unit}: net ${fromScaled(total)}`);
  const debits = posting.legs.filter((leg) => leg.side === 'debit').length;
  assert(debits >= 1 && debits < posting.legs.length, 'a posting has at least one debit and one credit');
}

export interface PreparedPosting {
  readonly posting: Posting;
  readonly bodyHash: string;
  readonly accountIds: readonly string[]; // per leg
}

export function preparePosting(posting: Posting): PreparedPosting {
  assertBalanced(posting);
  return { posting, bodyHash: postingBodyHash(posting), accountIds: posting.legs.map((leg) => accountIdOf(posting.tenantId, leg.account)) };
}

export interface LockedAccount {
  readonly id: string;
  readonly balance: string;
  readonly allowNegative: boolean;
  readonly normalSide: 'debit' | 'credit';
}

export interface JournaledPosting {
  readonly transactionId: string;
  readonly bodyHash: string;
}

export interface TransactionRow {
  readonly id: string;
  readonly tenantId: string;
  readonly idempotencyKey: string;
  readonly bodyHash: string;
  readonly kind: string;
  readonly reference: string | null;
  readonly reverses: string | null;
}

export interface EntryRow {
  readonly transactionId: string;
  readonly leg: number;
  readonly tenantId: string;
  readonly accountId: string;
  readonly unit: string;
  /** Signed: a debit is positive, a credit negative; each transaction's entries sum to zero per unit. */
  readonly amount: string;
}

export interface BatchPlan {
  readonly results: PostingResult[];
  readonly transactions: TransactionRow[];
  readonly entries: EntryRow[];
  /** Net change of each touched account's balance (in its normal side's terms), non-zero only. */
  readonly balanceDeltas: Map<string, string>;
  /** Index into the batch of each posting newly journaled, parallel to `transactions`. */
  readonly postedIndexes: number[];
}

export interface PlanInputs {
  readonly postings: readonly PreparedPosting[];
  readonly accounts: ReadonlyMap<string, LockedAccount>;
  /** Postings already in the journal, by idempotency key (of this batch's tenant). */
  readonly journaled: ReadonlyMap<string, JournaledPosting>;
  /** Reversals: for a posting index, the transaction it reverses. */
  readonly reverses?: ReadonlyMap<number, string>;
  readonly newId: () => string;
}

export function planBatch({ postings, accounts, journaled, reverses, newId }: PlanInputs): BatchPlan {
  const running = new Map<string, bigint>();
  const balanceOf = (id: string): bigint => {
    const known = running.get(id);
    if (known !== undefined) return known;
    const locked = accounts.get(id);
    assert(locked, `account ${id} was locked before planning`);
    return toScaled(locked.balance);
  };
  const accepted = new Map<string, JournaledPosting>(journaled);
  const plan: BatchPlan = { results: [], transactions: [], entries: [], balanceDeltas: new Map(), postedIndexes: [] };

  postings.forEach((prepared, index) => {
    const { posting, bodyHash, accountIds } = prepared;
    const tenantId = posting.tenantId;
    const earlier = accepted.get(posting.idempotencyKey);
    if (earlier) {
      plan.results.push(
        earlier.bodyHash === bodyHash
          ? { status: 'posted', transactionId: earlier.transactionId, replayed: true }
          : { status: 'rejected', code: 'idempotency_conflict' },
      );
      return;
    }
    // The posting's effect on each account, in the account's own normal-side terms.
    const effect = new Map<string, bigint>();
    posting.legs.forEach((leg, legIndex) => {
      const accountId = accountIds[legIndex];
      assert(accountId !== undefined, 'every leg has an account id');
      const locked = accounts.get(accountId);
      assert(locked, `account ${accountId} was locked before planning`);
      const grows = leg.side === locked.normalSide;
      const amount = toScaled(leg.amount);
      effect.set(accountId, (effect.get(accountId) ?? 0n) + (grows ? amount : -amount));
    });
    for (const [accountId, delta] of effect) {
      const locked = accounts.get(accountId);
      assert(locked, 'locked');
      if (!locked.allowNegative && balanceOf(accountId) + delta < 0n) {
        plan.results.push({ status: 'rejected', code: 'insufficient_funds', accountId });
        return;
      }
    }
    for (const [accountId, delta] of effect) running.set(accountId, balanceOf(accountId) + delta);
    const transactionId = newId();
    accepted.set(posting.idempotencyKey, { transactionId, bodyHash });
    plan.transactions.push({
      id: transactionId,
      tenantId,
      idempotencyKey: posting.idempotencyKey,
      bodyHash,
      kind: posting.kind,
      reference: posting.reference,
      reverses: reverses?.get(index) ?? null,
    });
    posting.legs.forEach((leg, legIndex) => {
      const accountId = accountIds[legIndex] ?? '';
      const amount = canonicalDecimalText(leg.amount);
      plan.entries.push({ transactionId, leg: legIndex, tenantId, accountId, unit: leg.account.unit, amount: leg.side === 'debit' ? amount : `-${amount}` });
    });
    plan.postedIndexes.push(index);
    plan.results.push({ status: 'posted', transactionId, replayed: false });
  });

  for (const [accountId, balance] of running) {
    const locked = accounts.get(accountId);
    assert(locked, 'locked');
    const delta = balance - toScaled(locked.balance);
    if (delta !== 0n) plan.balanceDeltas.set(accountId, fromScaled(delta));
  }
  assert(plan.results.length === postings.length, 'one result per posting');
  assert(plan.transactions.length === plan.postedIndexes.length, 'one transaction per newly posted posting');
  return plan;
}

