// The pure heart of the ledger: given a batch of postings, the locked balances of the accounts
// they touch and the postings already journaled under the same idempotency keys, decide each
// posting's fate in order and produce exactly the rows to write. No I/O, no clock: the service
// feeds it what it read under lock and writes what it returns.
import { hash } from 'node:crypto';
import { assert } from '@bulwark/shared-contracts';
import { type AccountKey, type Posting, type PostingResult } from './ledger.types.js';
import { canonicalDecimalText, fromScaled, toScaled } from './scaled-decimal.js';


const ACCOUNT_IDS_CACHED_MAX = 200_000;
/**
 * Ids by tenant, then kind and unit, then owner: lookups by the key's own strings (whose hashes V8
 * keeps), where one joined key was a fresh string to build and hash on every leg of every posting.
 */
const accountIds = new Map<string, Map<string, Map<string, Map<string, string>>>>();
let accountIdsCached = 0;

/** The account's id is derived from what it is, so a batch never looks an account up by key. */
export function accountIdOf(tenantId: string, key: AccountKey): string {
  const owner = key.ownerRef ?? '';
  const byOwner = accountIds.get(tenantId)?.get(key.kind)?.get(key.unit);
  const cached = byOwner?.get(owner);
  if (cached) return cached;
  const digest = hash('sha256', `bulwark-ledger-account|${tenantId}|${key.kind}|${owner}|${key.unit}`, 'hex');
  // Shaped as an RFC 4122 name-based UUID (version 5 bits, variant 10).
  const variant = ((Number.parseInt(digest[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const id = `${digest.slice(0, 8)}-${digest.slice(8, 12)}-5${digest.slice(13, 16)}-${variant}${digest.slice(17, 20)}-${digest.slice(20, 32)}`;
  if (accountIdsCached >= ACCOUNT_IDS_CACHED_MAX) {
    accountIds.clear();
    accountIdsCached = 0;
  }
  const byKind = accountIds.get(tenantId) ?? new Map<string, Map<string, Map<string, string>>>();
  accountIds.set(tenantId, byKind);
  const byUnit = byKind.get(key.kind) ?? new Map<string, Map<string, string>>();
  byKind.set(key.kind, byUnit);
  const owners = byUnit.get(key.unit) ?? new Map<string, string>();
  byUnit.set(key.unit, owners);
  owners.set(owner, id);
  accountIdsCached += 1;
  return id;
}

/** What the idempotency check compares: everything a posting says except its key ("10" = "10.00"). */
export function postingBodyHash(posting: Posting): string {
  return bodyHashOf(posting, posting.legs.map((leg) => canonicalDecimalText(leg.amount)));
}

function bodyHashOf(posting: Posting, amountTexts: readonly string[]): string {
  let text = `${posting.kind}\n${posting.reference ?? '\u0000'}`;
  posting.legs.forEach((leg, index) => {
    text += `\n${leg.account.kind},${leg.account.ownerRef ?? ''},${leg.account.unit},${leg.side},${amountTexts[index] ?? ''}`;
  });
  return hash('sha256', text, 'hex');
}

/** Asserts a posting balances per unit: a caller that builds an unbalanced one has a bug. */
export function assertBalanced(posting: Posting): void {
  assertBalancedScaled(posting, posting.legs.map((leg) => toScaled(leg.amount)));
}

function assertBalancedScaled(posting: Posting, amounts: readonly bigint[]): void {
  const net = new Map<string, bigint>();
  let debits = 0;
  posting.legs.forEach((leg, index) => {
    const amount = amounts[index];
    assert(amount !== undefined && amount > 0n, 'every leg moves a positive amount');
    if (leg.side === 'debit') debits += 1;
    net.set(leg.account.unit, (net.get(leg.account.unit) ?? 0n) + (leg.side === 'debit' ? amount : -amount));
  });
  // The message is built only on failure: it formats the net amount, which costs more than the check.
  for (const [unit, total] of net) if (total !== 0n) assert(false, `posting ${posting.idempotencyKey} does not balance in ${unit}: net ${fromScaled(total)}`);
  assert(debits >= 1 && debits < posting.legs.length, 'a posting has at least one debit and one credit');
}

export interface PreparedPosting {
  readonly posting: Posting;
  readonly bodyHash: string;
  readonly accountIds: readonly string[]; // per leg
  /** Per leg: the amount in units of 1e-18 (positive), and its canonical text. */
  readonly amountsScaled: readonly bigint[];
  readonly amountTexts: readonly string[];
}

/** Everything the batch needs from a posting, computed once when it is submitted. */
export function preparePosting(posting: Posting): PreparedPosting {
  const amountsScaled = posting.legs.map((leg) => toScaled(leg.amount));
  assertBalancedScaled(posting, amountsScaled);
  const amountTexts = posting.legs.map((leg) => canonicalDecimalText(leg.amount));
  return {
    posting,
    bodyHash: bodyHashOf(posting, amountTexts),
    accountIds: posting.legs.map((leg) => accountIdOf(posting.tenantId, leg.account)),
    amountsScaled,
    amountTexts,
  };
}

export interface LockedAccount {
  readonly id: string;
  /** The balance in units of 1e-18 (parsed once where it is read, not again per plan). */
  readonly balanceScaled: bigint;
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
  /** The same deltas, scaled. */
  readonly balanceDeltasScaled: Map<string, bigint>;
  /** Index into the batch of each posting newly journaled, parallel to `transactions`. */
  readonly postedIndexes: number[];
  /**
   * For each account that may not go negative and that a posted posting moved: the lowest balance
   * it reached during the batch (scaled). Tells whether other starting balances would decide the
   * same (see `decidesTheSameFrom`).
   */
  readonly lowestBalances: Map<string, bigint>;
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
  // Each touched account's balance as the batch runs, and where it started (scaled integers).
  const running = new Map<string, bigint>();
  const started = new Map<string, bigint>();
  const balanceOf = (id: string): bigint => {
    const known = running.get(id);
    if (known !== undefined) return known;
    const locked = accounts.get(id);
    if (!locked) assert(false, `account ${id} was locked before planning`);
    const balance = locked.balanceScaled;
    started.set(id, balance);
    running.set(id, balance);
    return balance;
  };
  const accepted = new Map<string, JournaledPosting>(journaled);
  const plan: BatchPlan = {
    results: [], transactions: [], entries: [], balanceDeltas: new Map(), balanceDeltasScaled: new Map(), postedIndexes: [], lowestBalances: new Map(),
  };
  // The posting's effect on each account it touches, in the account's own normal-side terms
  // (a posting has at most LEGS_PER_POSTING_MAX legs, so a linear search beats a Map).
  const effectIds: string[] = [];
  const effects: bigint[] = [];

  postings.forEach((prepared, index) => {
    const { posting, bodyHash, accountIds, amountsScaled, amountTexts } = prepared;
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
    effectIds.length = 0;
    effects.length = 0;
    const legs = posting.legs;
    for (let legIndex = 0; legIndex < legs.length; legIndex++) {
      const accountId = accountIds[legIndex];
      const amount = amountsScaled[legIndex];
      const leg = legs[legIndex];
      assert(accountId !== undefined && amount !== undefined && leg !== undefined, 'every leg has an account id and an amount');
      const locked = accounts.get(accountId);
      if (!locked) assert(false, `account ${accountId} was locked before planning`);
      const signed = leg.side === locked.normalSide ? amount : -amount;
      const at = effectIds.indexOf(accountId);
      if (at < 0) {
        effectIds.push(accountId);
        effects.push(signed);
      } else {
        effects[at] = (effects[at] ?? 0n) + signed;
      }
    }
    for (let i = 0; i < effectIds.length; i++) {
      const accountId = effectIds[i] ?? '';
      const locked = accounts.get(accountId);
      assert(locked, 'locked');
      if (!locked.allowNegative && balanceOf(accountId) + (effects[i] ?? 0n) < 0n) {
        plan.results.push({ status: 'rejected', code: 'insufficient_funds', accountId });
        return;
      }
    }
    for (let i = 0; i < effectIds.length; i++) {
      const accountId = effectIds[i] ?? '';
      const balance = balanceOf(accountId) + (effects[i] ?? 0n);
      running.set(accountId, balance);
      if (!accounts.get(accountId)?.allowNegative) {
        const lowest = plan.lowestBalances.get(accountId);
        if (lowest === undefined || balance < lowest) plan.lowestBalances.set(accountId, balance);
      }
    }
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
    for (let legIndex = 0; legIndex < legs.length; legIndex++) {
      const leg = legs[legIndex];
      const amount = amountTexts[legIndex];
      assert(leg !== undefined && amount !== undefined, 'leg text');
      const accountId = accountIds[legIndex] ?? '';
      plan.entries.push({ transactionId, leg: legIndex, tenantId, accountId, unit: leg.account.unit, amount: leg.side === 'debit' ? amount : `-${amount}` });
    }
    plan.postedIndexes.push(index);
    plan.results.push({ status: 'posted', transactionId, replayed: false });
  });

  for (const [accountId, balance] of running) {
    const delta = balance - (started.get(accountId) ?? 0n);
    if (delta === 0n) continue;
    plan.balanceDeltas.set(accountId, fromScaled(delta));
    plan.balanceDeltasScaled.set(accountId, delta);
  }
  assert(plan.results.length === postings.length, 'one result per posting');
  assert(plan.transactions.length === plan.postedIndexes.length, 'one transaction per newly posted posting');
  return plan;
}

/**
 * Whether planning the same postings from `other` starting balances would decide every posting as
 * `plan` did (and so write the same rows), judged without planning again: true is certain; false
 * means "plan again to know". Balances only ever decide through accounts that may not go negative,
 * and the decisions are monotone in the starting balance: with every posted posting still covered
 * when an account starts lower (its lowest point stays at or above zero), nothing posted is
 * refused and nothing refused is posted; an account starting higher could only turn a refusal into
 * a posting, so it is certain only when nothing was refused for lack of funds.
 */
export function decidesTheSameFrom(plan: BatchPlan, planned: ReadonlyMap<string, LockedAccount>, other: ReadonlyMap<string, LockedAccount>): boolean {
  const refused = plan.results.some((result) => result.status === 'rejected' && result.code === 'insufficient_funds');
  for (const [id, account] of planned) {
    const now = other.get(id);
    if (!now) return false;
    if (now.balanceScaled === account.balanceScaled || account.allowNegative) continue;
    const shift = now.balanceScaled - account.balanceScaled;
    if (shift > 0n) {
      if (refused) return false;
      continue;
    }
    const lowest = plan.lowestBalances.get(id);
    if (lowest !== undefined && lowest + shift < 0n) return false;
  }
  return planned.size === other.size;
}
