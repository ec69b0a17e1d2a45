// The double-entry ledger. Postings run either inside a caller's transaction (post, postMany:
// a deposit, a reservation and the intent that needs it commit together) or on their own through
// group commit (submit: many callers' postings share one durable transaction). Both paths run
// the same plan: idempotency check, accounts locked in id order, per-posting balance checks,
// then one insert per table, one balance UPDATE for the batch and one audit call.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { assert, canonicalDecimal, decimal } from '@bulwark/shared-contracts';
import type { SqlTx } from '@bulwark/shared-contracts/wall';
import { AuditService, type AuditActor } from '../audit/audit.service.js';
import { TenantScope } from '../tenancy/tenant-scope.js';
import { GroupCommitter, QueueFullError, RetryGroup, type GroupCommitLimits } from './group-commit.js';
import { LedgerError } from './ledger.errors.js';
import { LedgerRepository, type NewAccount, type ReservationRow } from './ledger.repository.js';
import {
  NORMAL_SIDE, allowsNegative, type PostingInput, type AccountBalance, type AccountKey, type AccountKind, type Leg, type Posting,
  type PostingResult, type Statement, type StatementEntry,
} from './ledger.types.js';
import {
  accountIdOf, decidesTheSameFrom, planBatch, preparePosting, type JournaledPosting, type LockedAccount, type PreparedPosting, type TransactionRow,
} from './posting-plan.js';
import { parsePosting } from './posting-input.js';

const ZERO = decimal('0');

export const LEDGER_LIMITS = Symbol('LEDGER_LIMITS');

export const DEFAULT_LEDGER_LIMITS: GroupCommitLimits = Object.freeze({
  queueMax: 100_000,
  batchSizeMax: 2_000,
  lingerMs: 0,
  concurrencyMax: 2,
  retriesMax: 3,
});

export const POSTINGS_PER_CALL_MAX = 10_000;
/** Accounts whose last committed balance this process knows (accounts are never deleted); cleared when it grows past this. */
export const KNOWN_ACCOUNTS_MAX = 1_000_000;
export const RESERVATIONS_EXPIRED_PER_CALL_MAX = 500;
/** Entries one statement lists; a longer period is asked for in parts. */
export const STATEMENT_ENTRIES_MAX = 10_000;

export type Actor = AuditActor;

/** The actor of postings the system makes on its own (group commit, expiry, wall handlers). */
export const SYSTEM_ACTOR: Actor = Object.freeze({ actor: 'system:ledger', role: 'system' });

/** The most (account, instrument) holdings one point-in-time read returns. */
export const UNIT_HOLDINGS_MAX = 1_000_000;

export type ReservationSource = 'customer_cash' | 'customer_position';

export interface ReservationView {
  readonly id: string;
  readonly ownerRef: string;
  readonly unit: string;
  readonly source: ReservationSource;
  readonly amount: string;
  readonly posted: string;
  readonly released: string;
  readonly status: 'pending' | 'posted' | 'voided' | 'expired';
  readonly expiresAt: Date;
}

export type ReservationResult =
  | { readonly status: 'reserved'; readonly reservationId: string; readonly replayed: boolean }
  | { readonly status: 'rejected'; readonly code: 'insufficient_funds' | 'idempotency_conflict' };

export type ReservationChangeResult =
  | { readonly status: 'posted'; readonly transactionId: string; readonly replayed: boolean }
  | { readonly status: 'rejected'; readonly code: 'insufficient_funds' | 'idempotency_conflict' | 'reservation_closed' | 'reservation_exceeded' };

export interface PostReservationInput {
  readonly tenantId: string;
  readonly reservationId: string;
  readonly idempotencyKey: string;
  readonly reference?: string | null;
  /** Where the posted amount goes; the sum is the amount taken from the reservation. */
  readonly credits: readonly { readonly account: AccountKey; readonly amount: string }[];
  /** Releases whatever the reservation still holds back to cash once this is posted. */
  readonly final: boolean;
}

@Injectable()
export class LedgerService implements OnApplicationShutdown {
  private readonly repository = new LedgerRepository();
  /**
   * Each account's balance as this process last committed it: what group commit plans from. It
   * may be stale (another process, a caller's transaction, two batches settling out of order);
   * the plan is checked against the balances found under lock before anything commits, so a
   * stale entry costs a second plan, never a wrong decision. Presence also means the account exists.
   */
  private readonly settledAccounts = new Map<string, LockedAccount>();
  private readonly committer: GroupCommitter<PreparedPosting, PostingResult>;
  /**
   * Whether group commit reads the postings journaled under a batch's keys before planning (see
   * `apply`): set when a batch that did not read found a key journaled already (a retried posting),
   * cleared when a read finds none. A wrong guess costs one batch a second run, never a wrong answer.
   */
  private lookUpKeysFirst = false;

  constructor(
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(TenantScope) private readonly tenants: TenantScope,
    @Optional() @Inject(LEDGER_LIMITS) limits: GroupCommitLimits | null,
  ) {
    this.committer = new GroupCommitter<PreparedPosting, PostingResult>(
      limits ?? DEFAULT_LEDGER_LIMITS,
      (prepared) => prepared.posting.tenantId,
      (group, attempt) => this.commitGroup(group, attempt),
    );
  }

  /** Posts inside the caller's transaction (the tenant must be set on it). */
  async post(tx: SqlTx, input: PostingInput, actor: Actor = SYSTEM_ACTOR): Promise<PostingResult> {
    const [result] = await this.postMany(tx, [input], actor);
    assert(result, 'one result');
    return result;
  }

  async postMany(tx: SqlTx, inputs: readonly PostingInput[], actor: Actor = SYSTEM_ACTOR): Promise<PostingResult[]> {
    assert(inputs.length >= 1 && inputs.length <= POSTINGS_PER_CALL_MAX, 'postings per call within limit');
    const prepared = inputs.map((input) => preparePosting(parsePosting(input)));
    const results = await this.apply(tx, prepared, actor, new Map());
    if (results === 'race') throw new LedgerError('idempotency_race');
    assert(results !== 'stale', 'a plan made under lock is never stale');
    return results;
  }

  /**
   * Posts on its own, durably, sharing a transaction with whatever else is queued (group commit).
   * Invalid or unbalanced input throws here, before it could join anyone's batch.
   */
  async submit(input: PostingInput): Promise<PostingResult> {
    const prepared = preparePosting(parsePosting(input));
    try {
      return await this.committer.submit(prepared);
    } catch (error) {
      if (error instanceof QueueFullError) throw new LedgerError('queue_full');
      throw error;
    }
  }

  /** Resolves when the group-commit queue is empty (shutdown, tests, benchmarks). */
  drained(): Promise<void> {
    return this.committer.drained();
  }

  /** Queued postings are committed (or refused) before the database goes away. */
  async onApplicationShutdown(): Promise<void> {
    await this.drained();
  }

  /** Corrects a transaction the only way the journal allows: a new one with every leg flipped. */
  async reverse(tx: SqlTx, input: { tenantId: string; transactionId: string; idempotencyKey: string }, actor: Actor = SYSTEM_ACTOR): Promise<PostingResult> {
    const original = await this.repository.transaction(tx, input.transactionId);
    if (!original || original.tenant_id !== input.tenantId) throw new LedgerError('transaction_not_found');
    const [earlier] = await tx.query<{ id: string; idempotency_key: string }>(`SELECT id, idempotency_key FROM ledger_transaction WHERE reverses = $1`, [input.transactionId]);
    if (earlier) {
      if (earlier.idempotency_key !== input.idempotencyKey) throw new LedgerError('already_reversed');
      return { status: 'posted', transactionId: earlier.id, replayed: true };
    }
    const entries = await tx.query<{ kind: AccountKind; owner_ref: string | null; unit: string; amount: string }>(
      `SELECT a.kind, a.owner_ref, e.unit, e.amount::text AS amount FROM ledger_entry e JOIN ledger_account a ON a.id = e.account_id
        WHERE e.transaction_id = $1 ORDER BY e.leg`,
      [input.transactionId],
    );
    assert(entries.length >= 2, 'a journaled transaction has at least two entries');
    const legs: Leg[] = entries.map((entry) => {
      const amount = decimal(entry.amount);
      return {
        account: { kind: entry.kind, ownerRef: entry.owner_ref, unit: entry.unit },
        side: amount.gt(ZERO) ? 'credit' : 'debit',
        amount: canonicalDecimal(amount.abs()),
      };
    });
    const posting = parsePosting({ tenantId: input.tenantId, idempotencyKey: input.idempotencyKey, kind: 'reversal', reference: `reverses:${input.transactionId}`, legs });
    const results = await this.apply(tx, [preparePosting(posting)], actor, new Map([[0, input.transactionId]]));
    if (results === 'race') throw new LedgerError('idempotency_race');
    assert(results !== 'stale' && results[0], 'one result, planned under lock');
    return results[0];
  }

  /** The balance now, or at a point in time from the journal. Zero for an account never used. */
  async balance(tx: SqlTx, tenantId: string, key: AccountKey, at: Date | null = null): Promise<string> {
    return canonicalDecimal(await this.repository.balance(tx, accountIdOf(tenantId, key), at));
  }

  /** Every customer's instrument units (free plus held) at a point in time, non-zero only; at most `rowsMax` rows, asserted. */
  async unitHoldingsAt(tx: SqlTx, tenantId: string, at: Date, rowsMax = UNIT_HOLDINGS_MAX): Promise<{ ownerRef: string; instrumentId: string; quantity: string }[]> {
    const rows = await this.repository.unitHoldingsAt(tx, tenantId, at, rowsMax + 1);
    assert(rows.length <= rowsMax, `unit holdings of tenant ${tenantId} within ${rowsMax} rows`);
    return rows.map((r) => ({ ownerRef: r.owner_ref, instrumentId: r.unit, quantity: canonicalDecimal(r.quantity) }));
  }

  async accountsOf(tx: SqlTx, ownerRef: string): Promise<AccountBalance[]> {
    const rows = await this.repository.accountsOf(tx, ownerRef);
    return rows.map((row) => ({ accountId: row.id, kind: row.kind, ownerRef: row.owner_ref, unit: row.unit, balance: canonicalDecimal(row.balance) }));
  }

  /**
   * An owner's statement for [from, to): per account the balance before, each entry and the
   * balance after (opening + Σ entries), all from the journal. Refused, never cut short, past
   * STATEMENT_ENTRIES_MAX entries, so a statement is always whole. Entries are read before the
   * accounts (which are never deleted), so every entry finds its account.
   */
  async statement(tx: SqlTx, ownerRef: string, from: Date, to: Date): Promise<Statement> {
    assert(from.getTime() < to.getTime(), 'a statement period ends after it starts');
    const entries = await this.repository.periodEntriesOf(tx, ownerRef, from, to, STATEMENT_ENTRIES_MAX + 1);
    if (entries.length > STATEMENT_ENTRIES_MAX) throw new LedgerError('invalid_request', `More than ${STATEMENT_ENTRIES_MAX} entries in the period: ask for a shorter one.`);
    const accounts = await this.repository.openingBalancesOf(tx, ownerRef, from);
    const byAccount = new Map<string, StatementEntry[]>();
    for (const e of entries) {
      const list = byAccount.get(e.account_id) ?? [];
      list.push({ at: new Date(e.created_at).toISOString(), transactionId: e.transaction_id, kind: e.kind, reference: e.reference, amount: canonicalDecimal(e.amount) });
      byAccount.set(e.account_id, list);
    }
    const shown = accounts.map((a) => {
      const own = byAccount.get(a.id) ?? [];
      const closing = own.reduce((sum, e) => sum.plus(decimal(e.amount)), decimal(a.opening));
      return { accountId: a.id, kind: a.kind, unit: a.unit, opening: canonicalDecimal(a.opening), closing: canonicalDecimal(closing.toString()), entries: own };
    });
    assert(shown.reduce((n, a) => n + a.entries.length, 0) === entries.length, 'every entry belongs to one of the owner\'s accounts');
    return { ownerRef, from: from.toISOString(), to: to.toISOString(), accounts: shown.filter((a) => a.entries.length > 0 || !decimal(a.closing).eq(decimal('0'))) };
  }

  // ------------------------------------------------------------------ reservations

  /**
   * Holds cash (customer cash → customer reserved) or, with `source: 'customer_position'`, units
   * of a position (a sell). The reservation's id is its posting's id; whatever it does not post
   * returns to where it came from.
   */
  async reserve(
    tx: SqlTx,
    input: {
      tenantId: string; ownerRef: string; unit: string; amount: string; expiresAt: Date; reference: string | null; idempotencyKey: string;
      source?: ReservationSource;
    },
    actor: Actor = SYSTEM_ACTOR,
  ): Promise<ReservationResult> {
    const source = input.source ?? 'customer_cash';
    const result = await this.post(
      tx,
      {
        tenantId: input.tenantId,
        idempotencyKey: input.idempotencyKey,
        kind: 'reservation',
        reference: input.reference,
        legs: [
          { account: { kind: source, ownerRef: input.ownerRef, unit: input.unit }, side: 'debit', amount: input.amount },
          { account: { kind: 'customer_reserved', ownerRef: input.ownerRef, unit: input.unit }, side: 'credit', amount: input.amount },
        ],
      },
      actor,
    );
    if (result.status === 'rejected') return { status: 'rejected', code: result.code === 'insufficient_funds' ? 'insufficient_funds' : 'idempotency_conflict' };
    if (!result.replayed) {
      const { tenantId, ownerRef, unit, amount, reference, expiresAt } = input;
      await this.repository.insertReservation(tx, { id: result.transactionId, tenantId, ownerRef, unit, sourceKind: source, amount, reference, expiresAt });
      await this.audit.recordMany(tx, [
        { tenantId, ...actor, action: 'ledger.reservation.created', resource: `ledger_reservation:${result.transactionId}`, diff: { unit, amount, source } },
      ]);
    }
    return { status: 'reserved', reservationId: result.transactionId, replayed: result.replayed };
  }

  /** A reservation as it stands now (read in the caller's transaction, tenant set), or null. */
  async reservation(tx: SqlTx, reservationId: string): Promise<ReservationView | null> {
    const row = await this.repository.findReservation(tx, reservationId);
    if (!row) return null;
    return {
      id: row.id, ownerRef: row.owner_ref, unit: row.unit, source: row.source_kind, amount: canonicalDecimal(row.amount), posted: canonicalDecimal(row.posted),
      released: canonicalDecimal(row.released), status: row.status, expiresAt: new Date(row.expires_at),
    };
  }

  /** Takes part (or all) of a reservation to the given accounts; `final` releases the rest. */
  async postReservation(tx: SqlTx, input: PostReservationInput, actor: Actor = SYSTEM_ACTOR): Promise<ReservationChangeResult> {
    return this.changeReservation(tx, input.tenantId, input.reservationId, input.idempotencyKey, input.reference ?? null, actor, (reservation) =>
      reservationPost(reservation, input),
    );
  }

  /** Returns what a reservation still holds to where it came from: a void (on request) or an expiry. */
  async releaseReservation(
    tx: SqlTx,
    input: { tenantId: string; reservationId: string; idempotencyKey: string; reason: 'voided' | 'expired' },
    actor: Actor = SYSTEM_ACTOR,
  ): Promise<ReservationChangeResult> {
    return this.changeReservation(tx, input.tenantId, input.reservationId, input.idempotencyKey, null, actor, (reservation) => reservationRelease(reservation, input.reason));
  }

  /**
   * Books many postings in the caller's transaction (tenant set) as one plan: one lock of the
   * reservations drawn on, one lock of every account (both in id order, so concurrent batches
   * and single postings never deadlock), one insert per table, one balance update, one
   * reservation update and one audit call. A `ReservedStep` takes from its reservation as
   * `postReservation` would; when the reservation is missing, closed or too small it posts
   * `otherwise` from the available balance instead and, when final and too small, releases what
   * the reservation still holds. Steps are planned in order against the balances they leave.
   * Anything the ledger refuses is a break (the trade happened): it throws and nothing is kept.
   */
  async postBatch(tx: SqlTx, tenantId: string, steps: readonly (ReservedStep | PostingInput)[], actor: Actor = SYSTEM_ACTOR): Promise<void> {
    assert(steps.length >= 1 && steps.length <= POSTINGS_PER_CALL_MAX, 'steps per call within limit');
    const reservedSteps = steps.filter(isReservedStep);
    const reservationIds = [...new Set(reservedSteps.flatMap((step) => (step.reservation ? [step.reservation.reservationId] : [])))];
    const reservations = reservationIds.length > 0 ? await this.repository.lockReservations(tx, reservationIds) : new Map<string, ReservationRow>();
    const reservationKeys = reservedSteps.flatMap((step) => (step.reservation ? [step.reservation.idempotencyKey, step.releaseKey] : []));
    const journaled = reservationKeys.length > 0 ? await this.repository.journaled(tx, tenantId, reservationKeys) : new Map();
    const postings: PostingInput[] = [];
    const changes: { reservationId: string; posting: number; posted: string; released: string; status: ReservationRow['status'] }[] = [];
    const change = (reservation: ReservationRow, decision: ReservationDecision, posting: PostingInput) => {
      changes.push({ reservationId: reservation.id, posting: postings.length, posted: decision.posted, released: decision.released, status: decision.status });
      postings.push(posting);
      // Later steps of the batch draw on what this one left.
      reservation.posted = canonicalDecimal(decimal(reservation.posted).plus(decimal(decision.posted)));
      reservation.released = canonicalDecimal(decimal(reservation.released).plus(decimal(decision.released)));
      reservation.status = decision.status;
    };
    for (const step of steps) {
      if (!isReservedStep(step)) {
        postings.push(step);
        continue;
      }
      const wanted = step.reservation;
      const reservation = wanted ? reservations.get(wanted.reservationId) : undefined;
      if (wanted && (!reservation || reservation.tenant_id !== tenantId)) throw new LedgerError('reservation_not_found');
      // A change keyed by its cause that is journaled already answers as posted (see changeReservation).
      if (wanted && journaled.has(wanted.idempotencyKey)) continue;
      const decision = wanted && reservation?.status === 'pending' ? reservationPost(reservation, wanted) : undefined;
      if (wanted && reservation && decision && decision !== 'reservation_exceeded') {
        const reference = wanted.reference ?? `reservation:${reservation.id}`;
        change(reservation, decision, { tenantId, idempotencyKey: wanted.idempotencyKey, kind: decision.kind, reference, legs: decision.legs });
        continue;
      }
      postings.push(step.otherwise);
      if (wanted && reservation && decision === 'reservation_exceeded' && wanted.final && !journaled.has(step.releaseKey)) {
        const release = reservationRelease(reservation, 'voided');
        change(reservation, release, { tenantId, idempotencyKey: step.releaseKey, kind: release.kind, reference: `reservation:${reservation.id}`, legs: release.legs });
      }
    }
    if (postings.length === 0) return;
    const results = await this.apply(tx, postings.map((input) => preparePosting(parsePosting(input))), actor, new Map());
    if (results === 'race') throw new LedgerError('idempotency_race');
    assert(results !== 'stale', 'a plan made under lock is never stale');
    const transactionIds = results.map((result, index) => {
      const posting = postings[index];
      // Not a refusal to return to anyone: the trade happened; a ledger that cannot book it is a break.
      assert(result.status === 'posted', `${posting?.reference ?? ''}: the ledger refused ${posting?.idempotencyKey ?? ''} (${result.status === 'rejected' ? result.code : ''})`);
      return result.transactionId;
    });
    const totals = new Map<string, { id: string; posted: string; released: string; status: ReservationRow['status'] }>();
    for (const c of changes) {
      const total = totals.get(c.reservationId);
      totals.set(c.reservationId, {
        id: c.reservationId, status: c.status,
        posted: canonicalDecimal(decimal(total?.posted ?? '0').plus(decimal(c.posted))),
        released: canonicalDecimal(decimal(total?.released ?? '0').plus(decimal(c.released))),
      });
    }
    await this.repository.updateReservations(tx, [...totals.values()]);
    await this.audit.recordMany(tx, changes.map((c) => ({
      tenantId, ...actor, action: `ledger.reservation.${c.status === 'pending' ? 'posted_partially' : c.status}`,
      resource: `ledger_reservation:${c.reservationId}`, diff: { posted: c.posted, released: c.released, transactionId: transactionIds[c.posting] },
    })));
  }

  /**
   * Expires due reservations of the tenant set on tx; returns how many it released. Reservations
   * whose reference starts with one of `ownedPrefixes` are left alone: their domain expires them
   * itself, when it knows nothing more can draw on them (an intent's hold outlives its expiry
   * while the execution stack may still fill it).
   */
  async expireDue(tx: SqlTx, tenantId: string, now: Date, limit = RESERVATIONS_EXPIRED_PER_CALL_MAX, ownedPrefixes: readonly string[] = []): Promise<number> {
    assert(limit >= 1 && limit <= RESERVATIONS_EXPIRED_PER_CALL_MAX, 'expiry batch within limit');
    const due = await this.repository.dueReservations(tx, now, limit, ownedPrefixes);
    for (const reservationId of due) {
      const result = await this.releaseReservation(tx, { tenantId, reservationId, idempotencyKey: `reservation-expiry:${reservationId}`, reason: 'expired' });
      assert(result.status === 'posted', `expiry of ${reservationId} posted`);
    }
    return due.length;
  }

  private async changeReservation(
    tx: SqlTx,
    tenantId: string,
    reservationId: string,
    idempotencyKey: string,
    reference: string | null,
    actor: Actor,
    decide: (reservation: ReservationRow) => 'reservation_exceeded' | ReservationDecision,
  ): Promise<ReservationChangeResult> {
    const reservation = await this.repository.lockReservation(tx, reservationId);
    if (!reservation || reservation.tenant_id !== tenantId) throw new LedgerError('reservation_not_found');
    // A reservation change is keyed by its cause (an allocation, an expiry): a repeat of the key
    // answers from the journal, whatever the reservation's state has become since.
    const [earlier] = (await this.repository.journaled(tx, tenantId, [idempotencyKey])).values();
    if (earlier) return { status: 'posted', transactionId: earlier.transactionId, replayed: true };
    if (reservation.status !== 'pending') return { status: 'rejected', code: 'reservation_closed' };
    const decision = decide(reservation);
    if (decision === 'reservation_exceeded') return { status: 'rejected', code: 'reservation_exceeded' };
    const posting = parsePosting({ tenantId, idempotencyKey, kind: decision.kind, reference: reference ?? `reservation:${reservationId}`, legs: decision.legs });
    const result = await this.post(tx, posting, actor);
    if (result.status === 'rejected') return { status: 'rejected', code: result.code === 'insufficient_funds' ? 'insufficient_funds' : 'idempotency_conflict' };
    assert(!result.replayed, 'a reservation change not journaled before is posted anew');
    await this.repository.updateReservation(tx, reservationId, { posted: decision.posted, released: decision.released, status: decision.status });
    await this.audit.recordMany(tx, [{
      tenantId, ...actor, action: `ledger.reservation.${decision.status === 'pending' ? 'posted_partially' : decision.status}`,
      resource: `ledger_reservation:${reservationId}`, diff: { posted: decision.posted, released: decision.released, transactionId: result.transactionId },
    }]);
    return result;
  }

  // ------------------------------------------------------------------ the shared write path

  /**
   * One group's durable transaction. The first attempt plans from the balances this process last
   * committed (or reads them, unlocked, for accounts it has not seen) and locks the accounts only
   * after the journal rows are written (see `apply`), so concurrent groups touching the same
   * accounts (a hot omnibus account) overlap everything but the balance update, the audit append
   * and the commit. A retry locks first, so it cannot lose again.
   */
  private async commitGroup(group: PreparedPosting[], attempt: number): Promise<PostingResult[]> {
    const tenantId = group[0]?.posting.tenantId;
    assert(tenantId, 'a group has a tenant');
    const locking: Locking = attempt === 0 ? 'late' : 'first';
    const keys: KeyLookup = attempt === 0 && !this.lookUpKeysFirst ? 'by_insert' : 'first';
    const results = await this.tenants
      .run(tenantId, async (tx) => {
        const settled = new Map<string, LockedAccount>();
        const applied = await this.apply(tx, group, SYSTEM_ACTOR, new Map(), settled, locking, keys);
        if (applied === 'race' && keys === 'by_insert') {
          // A retried posting, or a concurrent batch's: the groups after this one look first until one finds no key journaled.
          this.lookUpKeysFirst = true;
          throw new RetryGroup('one of these keys was journaled already');
        }
        if (applied === 'race') throw new RetryGroup('a concurrent batch journaled one of these keys first');
        if (applied === 'stale') throw new RetryGroup('a concurrent batch moved a balance this plan depended on');
        return { results: applied, settled };
      })
      .catch((error: unknown) => {
        // Late locking takes the journal's key locks before the account locks: a concurrent
        // writer of the same idempotency key that locked accounts first can deadlock with it.
        // Postgres breaks the cycle by failing one side; that group runs again, locking first.
        if (locking === 'late' && postgresErrorCode(error) === DEADLOCK_DETECTED) throw new RetryGroup('deadlock with a concurrent writer of the same key');
        // Late locking moves balances as it locks them: a balance that a concurrent writer took
        // below what the plan spends fails the database's CHECK; the group runs again, locking first.
        if (locking === 'late' && postgresConstraintOf(error) === OVERDRAFT_CONSTRAINT) throw new RetryGroup('a concurrent writer spent what this plan counted on');
        throw error;
      });
    // Committed: these balances are now the accounts' own (until someone else moves them).
    if (this.settledAccounts.size + results.settled.size > KNOWN_ACCOUNTS_MAX) this.settledAccounts.clear();
    for (const [id, account] of results.settled) this.settledAccounts.set(id, account);
    return results.results;
  }

  /**
   * The one write path. 'race' when a concurrent transaction journaled one of the keys first;
   * 'stale' (late locking only) when the balances under lock would have decided a posting
   * differently from the balances it was planned with. Either way the caller rolls back.
   *
   * Locking 'first' (a caller's transaction, a retried group): accounts locked in id order, then
   * the plan. Locking 'late': the plan is made from the balances this process last committed
   * (read unlocked for accounts it does not know), the journal rows are written, and only then
   * are the accounts locked (in id order) and moved, in one statement; if every locked balance is
   * the one planned with, or the locked balances decide every posting the same way (so the same
   * rows are written: `decidesTheSameFrom`, else a second plan from them), the plan stands;
   * otherwise nothing is kept. The database's CHECK on balances holds either way.
   * `settled` receives each account's balance as it will be once this commits.
   *
   * Keys looked up 'first': the postings already journaled under the batch's keys are read and
   * answered as replays or conflicts. 'by_insert' (group commit, which can run a batch again):
   * no read; every key is planned as new and the journal's unique key decides — if the insert
   * writes fewer transactions than planned, a key was journaled already (or by a concurrent
   * batch) and the result is 'race', so the caller rolls back and runs the batch again looking
   * first; the keys of postings the plan refuses (no row to collide) are read, and one found is
   * 'race' too. Either way a key is answered from what the journal holds under it, never twice posted.
   */
  private async apply(
    tx: SqlTx,
    prepared: readonly PreparedPosting[],
    actor: Actor,
    reverses: ReadonlyMap<number, string>,
    settled: Map<string, LockedAccount> = new Map(),
    locking: Locking = 'first',
    keys: KeyLookup = 'first',
  ): Promise<PostingResult[] | 'race' | 'stale'> {
    const tenantId = prepared[0]?.posting.tenantId;
    assert(tenantId && prepared.every((p) => p.posting.tenantId === tenantId), 'one tenant per write');
    const journaled = keys === 'first' ? await this.repository.journaled(tx, tenantId, prepared.map((p) => p.posting.idempotencyKey)) : new Map<string, JournaledPosting>();
    if (keys === 'first' && journaled.size === 0) this.lookUpKeysFirst = false;
    // Each account's key by id; the row it would be created as is built only for the accounts created.
    const accounts = new Map<string, AccountKey>();
    for (const { posting, accountIds } of prepared) {
      if (journaled.has(posting.idempotencyKey)) continue;
      posting.legs.forEach((leg, index) => {
        const id = accountIds[index];
        assert(id, 'leg account id');
        if (!accounts.has(id)) accounts.set(id, leg.account);
      });
    }
    if (accounts.size === 0) return planBatch({ postings: prepared, accounts: new Map(), journaled, reverses, newId: randomUUID }).results;
    let balances: Map<string, LockedAccount>;
    if (locking === 'first') {
      balances = await this.repository.lockAccounts(tx, [...accounts].map(([id, key]) => newAccount(id, tenantId, key)), (id) => this.settledAccounts.has(id));
    } else {
      balances = await this.plannedBalances(tx, tenantId, accounts);
    }
    assert(balances.size === accounts.size, 'every account of the batch is read');
    const plan = planBatch({ postings: prepared, accounts: balances, journaled, reverses, newId: randomUUID });
    if (keys === 'by_insert') {
      // A refused posting writes no row for the insert to collide with: its key is read (a retried
      // posting that was posted answers as a replay even when the balance would refuse it now).
      const unwritten = plan.results.flatMap((result, index) => (result.status === 'rejected' ? [prepared[index]?.posting.idempotencyKey ?? ''] : []));
      if (unwritten.length > 0 && (await this.repository.journaled(tx, tenantId, unwritten)).size > 0) return 'race';
    }
    if (plan.transactions.length > 0) {
      const inserted = await this.repository.insertTransactions(tx, plan.transactions);
      if (inserted !== plan.transactions.length) return 'race';
      await this.repository.insertEntries(tx, plan.entries);
    }
    let locked = balances;
    if (locking === 'late') {
      const { locked: lockedCount, moved, changed } = await this.repository.lockAndMove(tx, [...balances.values()], plan.balanceDeltas);
      assert(lockedCount === balances.size, 'every account of the batch is locked');
      assert(moved === plan.balanceDeltas.size, 'every balance delta moved its account');
      if (changed.size > 0) {
        const before = new Map(balances);
        for (const [id, balanceScaled] of changed) {
          const account = balances.get(id);
          assert(account, 'a changed account is one of the batch');
          before.set(id, { id, balanceScaled, allowNegative: account.allowNegative, normalSide: account.normalSide });
        }
        if (!decidesTheSameFrom(plan, balances, before)) {
          const replanned = planBatch({ postings: prepared, accounts: before, journaled, reverses, newId: randomUUID });
          if (!sameDecisions(plan.results, replanned.results)) return 'stale';
          assert(sameDeltas(plan.balanceDeltas, replanned.balanceDeltas), 'the same decisions move the same amounts');
        }
        locked = before;
      }
    } else if (plan.transactions.length > 0) {
      const moved = await this.repository.applyBalanceDeltas(tx, plan.balanceDeltas);
      assert(moved === plan.balanceDeltas.size, 'every balance delta moved its account');
    }
    for (const [id, account] of locked) {
      const delta = plan.balanceDeltasScaled.get(id);
      settled.set(id, delta === undefined ? account : { id, balanceScaled: account.balanceScaled + delta, allowNegative: account.allowNegative, normalSide: account.normalSide });
    }
    if (plan.transactions.length === 0) return plan.results;
    // Postings of one kind without a reference share one diff object: the audit chain checks a
    // shared diff once per batch instead of once per posting.
    const sharedDiffs = new Map<string, Record<string, unknown>>();
    const diffOf = (transaction: TransactionRow): Record<string, unknown> => {
      const { kind, reference, reverses } = transaction;
      if (reference !== null || reverses !== null) return { kind, reference, reverses };
      let diff = sharedDiffs.get(kind);
      if (!diff) sharedDiffs.set(kind, (diff = { kind, reference, reverses }));
      return diff;
    };
    await this.audit.recordMany(
      tx,
      plan.transactions.map((transaction) => ({
        tenantId,
        ...actor,
        action: 'ledger.posting.created',
        resource: `ledger_transaction:${transaction.id}`,
        diff: diffOf(transaction),
      })),
    );
    return plan.results;
  }

  /** The balances a late-locking plan starts from: as last committed here, else read (unlocked) after creating what is missing. */
  private async plannedBalances(tx: SqlTx, tenantId: string, accounts: ReadonlyMap<string, AccountKey>): Promise<Map<string, LockedAccount>> {
    const balances = new Map<string, LockedAccount>();
    const unknown: NewAccount[] = [];
    for (const [id, key] of accounts) {
      const settled = this.settledAccounts.get(id);
      if (settled) balances.set(id, settled);
      else unknown.push(newAccount(id, tenantId, key));
    }
    if (unknown.length === 0) return balances;
    await this.repository.createAccounts(tx, unknown, () => false);
    const read = await this.repository.accountsById(tx, unknown.map((account) => account.id), 'read');
    assert(read.size === unknown.length, 'every account created or found');
    for (const [id, account] of read) balances.set(id, account);
    return balances;
  }
}

const DEADLOCK_DETECTED = '40P01';
const OVERDRAFT_CONSTRAINT = 'ledger_account_no_overdraft';

/** The constraint a Postgres error names (a CHECK or unique violation), through TypeORM's wrapper. */
function postgresConstraintOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { constraint, driverError } = error as { constraint?: unknown; driverError?: { constraint?: unknown } };
  const found = typeof constraint === 'string' ? constraint : driverError?.constraint;
  return typeof found === 'string' ? found : undefined;
}

function postgresErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, driverError } = error as { code?: unknown; driverError?: { code?: unknown } };
  const found = typeof code === 'string' ? code : driverError?.code;
  return typeof found === 'string' ? found : undefined;
}

/** When a batch's accounts are locked: before planning, or after the journal rows are written. */
type Locking = 'first' | 'late';

/** Whether a batch reads the postings journaled under its keys before planning, or lets the journal's insert tell (see `apply`). */
type KeyLookup = 'first' | 'by_insert';

/** Whether two plans of the same postings decide each one the same way (posted, replayed or refused with the same code). */
function sameDecisions(a: readonly PostingResult[], b: readonly PostingResult[]): boolean {
  const decision = (r: PostingResult) => (r.status === 'posted' ? (r.replayed ? `replayed:${r.transactionId}` : 'posted') : `${r.code}:${r.accountId ?? ''}`);
  return a.length === b.length && a.every((result, index) => decision(result) === decision(b[index] as PostingResult));
}

function sameDeltas(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  return a.size === b.size && [...a].every(([id, delta]) => b.get(id) === delta);
}

function newAccount(id: string, tenantId: string, key: AccountKey): NewAccount {
  return { id, tenantId, kind: key.kind, ownerRef: key.ownerRef, unit: key.unit, normalSide: NORMAL_SIDE[key.kind], allowNegative: allowsNegative(key.kind) };
}

/** What one change does to a reservation: the posting's legs and how much it posts and releases. */
interface ReservationDecision {
  readonly kind: 'reservation_post' | 'reservation_release';
  readonly legs: Leg[];
  readonly posted: string;
  readonly released: string;
  readonly status: ReservationRow['status'];
}

/**
 * A step of `postBatch` that draws on a reservation: `reservation` (null: the intent has none)
 * as `postReservation` takes it; else `otherwise`, and `releaseKey` for releasing the rest.
 */
export interface ReservedStep {
  readonly reservation: PostReservationInput | null;
  readonly otherwise: PostingInput;
  readonly releaseKey: string;
}

function isReservedStep(step: ReservedStep | PostingInput): step is ReservedStep {
  return 'otherwise' in step;
}

function reservationPost(reservation: ReservationRow, input: PostReservationInput): 'reservation_exceeded' | ReservationDecision {
  const amount = input.credits.reduce((sum, credit) => sum.plus(decimal(credit.amount)), decimal('0'));
  const remaining = decimal(reservation.amount).minus(decimal(reservation.posted)).minus(decimal(reservation.released));
  if (amount.gt(remaining)) return 'reservation_exceeded';
  const release = input.final ? remaining.minus(amount) : decimal('0');
  const reserved: AccountKey = { kind: 'customer_reserved', ownerRef: reservation.owner_ref, unit: reservation.unit };
  const legs: Leg[] = [];
  if (amount.gt(ZERO)) legs.push({ account: reserved, side: 'debit', amount: canonicalDecimal(amount) });
  for (const credit of input.credits) if (decimal(credit.amount).gt(ZERO)) legs.push({ account: credit.account, side: 'credit', amount: canonicalDecimal(credit.amount) });
  if (release.gt(ZERO)) {
    legs.push({ account: reserved, side: 'debit', amount: canonicalDecimal(release) });
    legs.push({ account: { kind: reservation.source_kind, ownerRef: reservation.owner_ref, unit: reservation.unit }, side: 'credit', amount: canonicalDecimal(release) });
  }
  const closes = amount.plus(release).eq(remaining);
  return { kind: 'reservation_post', legs, posted: canonicalDecimal(amount), released: canonicalDecimal(release), status: closes ? 'posted' : 'pending' };
}

function reservationRelease(reservation: ReservationRow, reason: 'voided' | 'expired'): ReservationDecision {
  const remaining = decimal(reservation.amount).minus(decimal(reservation.posted)).minus(decimal(reservation.released));
  const account = (kind: AccountKind): AccountKey => ({ kind, ownerRef: reservation.owner_ref, unit: reservation.unit });
  return {
    kind: 'reservation_release',
    legs: [
      { account: account('customer_reserved'), side: 'debit', amount: canonicalDecimal(remaining) },
      { account: account(reservation.source_kind), side: 'credit', amount: canonicalDecimal(remaining) },
    ],
    posted: '0',
    released: canonicalDecimal(remaining),
    status: reason,
  };
}

export type { Posting };
