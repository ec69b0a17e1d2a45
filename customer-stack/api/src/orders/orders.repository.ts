// SQL for order intents, their booked allocations and payouts. Every method runs inside the
// caller's transaction, with its tenant set (row-level security: rows of other tenants are
// neither visible nor writable).
import { assert } from '@bulwark/shared-contracts';
import type { SqlTx } from '@bulwark/shared-contracts/wall';
import type { IntentStatus, IntentTimeInForce } from './order-intent.entity.js';

export interface IntentRow {
  id: string;
  account_ref: string;
  tenant_id: string;
  user_id: string | null;
  instrument_id: string;
  side: 'buy' | 'sell';
  quantity: string;
  limit_price: string;
  time_in_force: IntentTimeInForce;
  status: IntentStatus;
  reject_code: string | null;
  reservation_id: string | null;
  filled_quantity: string;
  notional: string;
  fee: string;
  expires_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface PlacedIntent {
  readonly status: IntentStatus;
  readonly quantity: string;
  readonly limit_price: string;
  readonly notional: string;
  readonly created_at: Date;
}

export interface NewIntent {
  readonly id: string;
  readonly accountRef: string;
  readonly tenantId: string;
  readonly userId?: string | null;
  readonly instrumentId: string;
  readonly side: 'buy' | 'sell';
  readonly quantity: string;
  readonly limitPrice: string;
  readonly timeInForce: IntentTimeInForce;
  readonly expiresAt?: Date | null;
  readonly createdAt: Date;
  /** The hold placed for it before it is stored (a placement), if any. */
  readonly reservationId?: string | null;
}

export interface NewAllocation {
  readonly allocationId: string;
  readonly tenantId: string;
  readonly intentId: string;
  readonly quantity: string;
  readonly notional: string;
  readonly fee: string;
  readonly remainingQuantity: string;
  readonly inputsHash: string;
  readonly allocatedAt: string;
}

export interface NewPayout {
  readonly payoutId: string;
  readonly tenantId: string;
  readonly accountRef: string;
  readonly instrumentId: string;
  readonly eventRef: string;
  readonly kind: 'resolution' | 'distribution';
  readonly quantity: string;
  readonly amount: string;
  readonly paidAt: string;
}

export interface AllocationRow {
  allocation_id: string;
  quantity: string;
  notional: string;
  fee: string;
  remaining_quantity: string;
  allocated_at: Date;
  booked_at: Date;
}

export interface PayoutRow {
  payout_id: string;
  instrument_id: string;
  event_ref: string;
  kind: 'resolution' | 'distribution';
  quantity: string;
  amount: string;
  paid_at: Date;
  booked_at: Date;
}

const INTENT_COLUMNS = `id, account_ref, tenant_id, user_id, instrument_id, side, quantity::text AS quantity, limit_price::text AS limit_price,
  time_in_force, status, reject_code, reservation_id, filled_quantity::text AS filled_quantity, notional::text AS notional, fee::text AS fee,
  expires_at, created_at, updated_at`;

export class OrdersRepository {
  /** Stores the intents as submitted; returns them as stored, in the order given. */
  async insert(tx: SqlTx, intents: readonly NewIntent[]): Promise<IntentRow[]> {
    const rows = await tx.query<IntentRow>(
      `INSERT INTO order_intent (id, account_ref, tenant_id, user_id, instrument_id, side, quantity, limit_price, time_in_force, status, expires_at, created_at,
                                 updated_at, reservation_id)
       SELECT id, account_ref, tenant_id, user_id, instrument_id, side, quantity, limit_price, tif, 'submitted', expires_at, created_at, created_at, reservation_id
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $7::numeric[], $8::numeric[], $9::text[], $10::timestamptz[],
                     $11::timestamptz[], $12::uuid[])
           AS t(id, account_ref, tenant_id, user_id, instrument_id, side, quantity, limit_price, tif, expires_at, created_at, reservation_id)
       RETURNING ${INTENT_COLUMNS}`,
      [
        intents.map((i) => i.id),
        intents.map((i) => i.accountRef),
        intents.map((i) => i.tenantId),
        intents.map((i) => i.userId ?? null),
        intents.map((i) => i.instrumentId),
        intents.map((i) => i.side),
        intents.map((i) => i.quantity),
        intents.map((i) => i.limitPrice),
        intents.map((i) => i.timeInForce),
        intents.map((i) => i.expiresAt?.toISOString() ?? null),
        intents.map((i) => i.createdAt.toISOString()),
        intents.map((i) => i.reservationId ?? null),
      ],
    );
    assert(rows.length === intents.length, 'every intent given is stored');
    const byId = new Map(rows.map((row) => [row.id, row]));
    return intents.map((i) => {
      const row = byId.get(i.id);
      assert(row, 'a stored intent is returned');
      return row;
    });
  }

  /**
   * Moves submitted intents to their answer; returns the ids that actually moved. A rejection also
   * moves an intent cancelled before its answer came (it never traded; its hold goes back).
   */
  async settleSubmitted(tx: SqlTx, ids: readonly string[], status: 'accepted' | 'rejected', rejectCodes: readonly (string | null)[]): Promise<string[]> {
    const rows = await tx.query<{ id: string }>(
      `UPDATE order_intent o SET status = $2, reject_code = r.code, updated_at = clock_timestamp()
         FROM unnest($1::uuid[], $3::text[]) AS r(id, code)
        WHERE o.id = r.id AND (o.status = 'submitted' OR ($2 = 'rejected' AND o.status IN ('cancel_requested', 'expire_requested') AND o.filled_quantity = 0))
        RETURNING o.id`,
      [ids, status, rejectCodes],
    );
    return rows.map((r) => r.id);
  }

  async find(tx: SqlTx, ids: readonly string[]): Promise<IntentRow[]> {
    return tx.query<IntentRow>(`SELECT ${INTENT_COLUMNS} FROM order_intent WHERE id = ANY($1::uuid[]) ORDER BY created_at, id`, [ids]);
  }

  /** Locks intents in id order (one statement, so concurrent batches never deadlock on them). */
  async lockMany(tx: SqlTx, ids: readonly string[]): Promise<IntentRow[]> {
    return tx.query<IntentRow>(`SELECT ${INTENT_COLUMNS} FROM order_intent WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [ids]);
  }

  async lock(tx: SqlTx, id: string): Promise<IntentRow | undefined> {
    const [row] = await tx.query<IntentRow>(`SELECT ${INTENT_COLUMNS} FROM order_intent WHERE id = $1 FOR UPDATE`, [id]);
    return row;
  }

  /** An account's intents, newest first, optionally older than a point (keyset paging). */
  async listOf(tx: SqlTx, accountRef: string, limit: number, before: Date | null): Promise<IntentRow[]> {
    return tx.query<IntentRow>(
      `SELECT ${INTENT_COLUMNS} FROM order_intent WHERE account_ref = $1 AND ($3::timestamptz IS NULL OR created_at < $3)
        ORDER BY created_at DESC, id DESC LIMIT $2`,
      [accountRef, limit, before?.toISOString() ?? null],
    );
  }

  /** The allocations booked against one intent, in the order they were allocated. */
  async allocationsOf(tx: SqlTx, intentId: string, limit: number): Promise<AllocationRow[]> {
    return tx.query<AllocationRow>(
      `SELECT allocation_id, quantity::text AS quantity, notional::text AS notional, fee::text AS fee, remaining_quantity::text AS remaining_quantity,
              allocated_at, booked_at
         FROM order_allocation WHERE intent_id = $1 ORDER BY allocated_at, allocation_id LIMIT $2`,
      [intentId, limit],
    );
  }

  /** An account's payouts, newest first. */
  async payoutsOf(tx: SqlTx, accountRef: string, limit: number): Promise<PayoutRow[]> {
    return tx.query<PayoutRow>(
      `SELECT payout_id, instrument_id, event_ref, kind, quantity::text AS quantity, amount::text AS amount, paid_at, booked_at
         FROM order_payout WHERE account_ref = $1 ORDER BY paid_at DESC, payout_id DESC LIMIT $2`,
      [accountRef, limit],
    );
  }

  /** The account's intents created since a point: what the daily limit counts. */
  /**
   * An account's intents created since a point, with what the placement limits read of them (the
   * day's usage and the velocity window's count both come from this one read).
   */
  async placedSince(tx: SqlTx, accountRef: string, since: Date): Promise<PlacedIntent[]> {
    assert(Number.isFinite(since.getTime()), 'a placement history starts at a real time');
    return tx.query<PlacedIntent>(
      `SELECT status, quantity::text AS quantity, limit_price::text AS limit_price, notional::text AS notional, created_at
         FROM order_intent WHERE account_ref = $1 AND created_at >= $2`,
      [accountRef, since.toISOString()],
    );
  }

  /** Closes an open or cancel-requested intent (cancelled or expired); false when it was neither. */
  async close(tx: SqlTx, id: string, status: 'cancelled' | 'expired'): Promise<boolean> {
    const rows = await tx.query(
      `UPDATE order_intent SET status = $2, updated_at = clock_timestamp()
        WHERE id = $1 AND status IN ('submitted', 'accepted', 'cancel_requested', 'expire_requested') RETURNING id`,
      [id, status],
    );
    return rows.length === 1;
  }

  /** Marks an open intent cancel- or expire-requested (it keeps its hold); false when it was no longer open. */
  async requestClose(tx: SqlTx, id: string, status: 'cancel_requested' | 'expire_requested'): Promise<boolean> {
    const rows = await tx.query(
      `UPDATE order_intent SET status = $2, updated_at = clock_timestamp() WHERE id = $1 AND status IN ('submitted', 'accepted') RETURNING id`,
      [id, status],
    );
    return rows.length === 1;
  }

  /**
   * How many intents have waited longer than since `before` for the execution stack to confirm
   * their cancel or expiry (their holds stay meanwhile), and the oldest of them.
   */
  async closeRequestsWaitingSince(tx: SqlTx, before: Date): Promise<{ count: number; oldest: Date | null }> {
    const [row] = await tx.query<{ count: number; oldest: Date | null }>(
      `SELECT count(*)::int AS count, min(updated_at) AS oldest FROM order_intent
        WHERE status IN ('cancel_requested', 'expire_requested') AND updated_at < $1`,
      [before.toISOString()],
    );
    return { count: row?.count ?? 0, oldest: row?.oldest ?? null };
  }

  /** Adds allocations' figures, summed per intent; an intent one of them completes becomes filled, whatever it was. */
  async recordFills(tx: SqlTx, fills: readonly { id: string; quantity: string; notional: string; fee: string; complete: boolean }[]): Promise<void> {
    const rows = await tx.query(
      `UPDATE order_intent o SET filled_quantity = o.filled_quantity + f.quantity, notional = o.notional + f.notional, fee = o.fee + f.fee,
              status = CASE WHEN f.complete THEN 'filled' ELSE o.status END, updated_at = clock_timestamp()
         FROM (SELECT id, sum(quantity) AS quantity, sum(notional) AS notional, sum(fee) AS fee, bool_or(complete) AS complete
                 FROM unnest($1::uuid[], $2::numeric[], $3::numeric[], $4::numeric[], $5::boolean[]) AS t(id, quantity, notional, fee, complete)
                GROUP BY id) f
        WHERE o.id = f.id RETURNING o.id`,
      [fills.map((f) => f.id), fills.map((f) => f.quantity), fills.map((f) => f.notional), fills.map((f) => f.fee), fills.map((f) => f.complete)],
    );
    if (rows.length !== new Set(fills.map((f) => f.id)).size) throw new Error('an intent vanished while booking its allocations');
  }

  async allocationBooked(tx: SqlTx, allocationIds: readonly string[]): Promise<Set<string>> {
    const rows = await tx.query<{ allocation_id: string }>(`SELECT allocation_id FROM order_allocation WHERE allocation_id = ANY($1::uuid[])`, [allocationIds]);
    return new Set(rows.map((r) => r.allocation_id));
  }

  async insertAllocations(tx: SqlTx, allocations: readonly NewAllocation[]): Promise<void> {
    await tx.query(
      `INSERT INTO order_allocation (allocation_id, tenant_id, intent_id, quantity, notional, fee, remaining_quantity, inputs_hash, allocated_at, booked_at)
       SELECT allocation_id, tenant_id, intent_id, quantity, notional, fee, remaining_quantity, inputs_hash, allocated_at, clock_timestamp()
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::numeric[], $5::numeric[], $6::numeric[], $7::numeric[], $8::text[], $9::timestamptz[])
           AS t(allocation_id, tenant_id, intent_id, quantity, notional, fee, remaining_quantity, inputs_hash, allocated_at)`,
      [
        allocations.map((a) => a.allocationId), allocations.map((a) => a.tenantId), allocations.map((a) => a.intentId), allocations.map((a) => a.quantity),
        allocations.map((a) => a.notional), allocations.map((a) => a.fee), allocations.map((a) => a.remainingQuantity), allocations.map((a) => a.inputsHash),
        allocations.map((a) => a.allocatedAt),
      ],
    );
  }

  /**
   * Net trade and payout cash per account over [start, end), by the execution stack's own times
   * (allocated_at, paid_at): sells bring notional, buys cost it, fees cost, payouts bring their amount.
   */
  async bookedCash(tx: SqlTx, accountRefs: readonly string[], start: Date, end: Date): Promise<{ account_ref: string; amount: string }[]> {
    return tx.query(
      `SELECT account_ref, sum(amount)::text AS amount FROM (
         SELECT i.account_ref, CASE i.side WHEN 'sell' THEN a.notional ELSE -a.notional END - a.fee AS amount
           FROM order_allocation a JOIN order_intent i ON i.id = a.intent_id
          WHERE i.account_ref = ANY($1::uuid[]) AND a.allocated_at >= $2 AND a.allocated_at < $3
         UNION ALL
         SELECT account_ref, amount FROM order_payout WHERE account_ref = ANY($1::uuid[]) AND paid_at >= $2 AND paid_at < $3) c
        GROUP BY account_ref`,
      [accountRefs, start.toISOString(), end.toISOString()],
    );
  }

  /** The accounts of a tenant with any trade or payout cash booked in [start, end). */
  async accountsWithBookedCash(tx: SqlTx, tenantId: string, start: Date, end: Date, rowsMax: number): Promise<string[]> {
    const rows = await tx.query<{ account_ref: string }>(
      `SELECT i.account_ref FROM order_allocation a JOIN order_intent i ON i.id = a.intent_id
        WHERE i.tenant_id = $1 AND a.allocated_at >= $2 AND a.allocated_at < $3
       UNION
       SELECT account_ref FROM order_payout WHERE tenant_id = $1 AND paid_at >= $2 AND paid_at < $3
       ORDER BY 1 LIMIT $4`,
      [tenantId, start.toISOString(), end.toISOString(), rowsMax],
    );
    return rows.map((r) => r.account_ref);
  }

  async payoutBooked(tx: SqlTx, payoutIds: readonly string[]): Promise<Set<string>> {
    const rows = await tx.query<{ payout_id: string }>(`SELECT payout_id FROM order_payout WHERE payout_id = ANY($1::uuid[])`, [payoutIds]);
    return new Set(rows.map((r) => r.payout_id));
  }

  async insertPayout(tx: SqlTx, p: NewPayout): Promise<void> {
    await tx.query(
      `INSERT INTO order_payout (payout_id, tenant_id, account_ref, instrument_id, event_ref, kind, quantity, amount, paid_at, booked_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, clock_timestamp())`,
      [p.payoutId, p.tenantId, p.accountRef, p.instrumentId, p.eventRef, p.kind, p.quantity, p.amount, p.paidAt],
    );
  }

  /** Open intents past their expiry, locked (skipping those another sweep holds). */
  async dueIntents(tx: SqlTx, now: Date, limit: number): Promise<IntentRow[]> {
    return tx.query<IntentRow>(
      `SELECT ${INTENT_COLUMNS} FROM order_intent WHERE status IN ('submitted', 'accepted') AND expires_at <= $1
        ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now.toISOString(), limit],
    );
  }

  async openIntentsIn(tx: SqlTx, accountRef: string, instrumentId: string, side: 'buy' | 'sell'): Promise<IntentRow[]> {
    return tx.query<IntentRow>(
      `SELECT ${INTENT_COLUMNS} FROM order_intent
        WHERE account_ref = $1 AND instrument_id = $2 AND side = $3 AND status IN ('submitted', 'accepted', 'cancel_requested', 'expire_requested')
        ORDER BY created_at FOR UPDATE`,
      [accountRef, instrumentId, side],
    );
  }

  /** The investor behind an account reference, as their intents recorded it (null: none placed over HTTP). */
  async userOf(tx: SqlTx, accountRef: string): Promise<string | null> {
    const [row] = await tx.query<{ user_id: string }>(`SELECT user_id FROM order_intent WHERE account_ref = $1 AND user_id IS NOT NULL LIMIT 1`, [accountRef]);
    return row?.user_id ?? null;
  }
}
