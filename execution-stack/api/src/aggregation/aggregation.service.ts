// Omnibus aggregation: accepted intents wait in a pool per (tenant, instrument, side, limit,
// time in force); a pool's window closes after windowMs, or once its quantity or intent count
// reaches its limit, and becomes one omnibus order routed to the best venue. Fills come back
// (at once, or later for a resting GTC or GTD order), are stored and allocated in one
// transaction. An intent asked to close (intent.cancel.v1, or a GTD intent's expiry here) leaves
// its pool at once, or its omnibus order once the venue has reduced it; either way it is
// answered with intent.closed.v1 and everything it was allocated.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { assert, decimal, sumDecimals, type MessageBody } from '@bulwark/shared-contracts';
import { enqueueOutbound, readOnce, type OutboundMessage, type SqlDatabase, type SqlTx } from '@bulwark/shared-contracts/wall';
import { SQL_DATABASE, WallService } from '@bulwark/shared-contracts/platform';
import { AllocationModule, AllocationService } from '../allocation/allocation.service.js';
import type { VenueFill } from '../allocation/pro-rata-allocation.js';
import { ExecutionAuditModule, ExecutionAuditService } from '../audit/execution-audit.service.js';
import { POST_TRADE_CONFIG, type PostTradeConfig } from './post-trade-config.js';
import { MarketModule } from '../market/market.module.js';
import { MembersModule } from '../members/members.module.js';
import { ClobVenue } from './clob-venue.js';
import { OmnibusPoolsController } from './omnibus-pools.controller.js';
import { OmnibusPoolsService } from './omnibus-pools.service.js';
import { SandboxVenue } from './sandbox-venue.js';
import { BreakerVenue, VENUES, VenueUnavailableError, routeOrder, type Venue, type VenueExecution, type VenueOrder } from './venue.js';
import { reductionOutcome } from './withdrawal.js';

/** Pools closed, orders sent and working orders polled per tick. */
export const POOLS_PER_TICK_MAX = 100;
export const ORDERS_PER_TICK_MAX = 100;
/** GTD intents expired per tick; a backlog drains over the next ticks. */
export const INTENTS_EXPIRED_PER_TICK_MAX = 500;

export type CloseReason = 'cancelled' | 'expired';

/** A pooled intent leaving its omnibus order, as the answer to it needs it. */
interface LeavingIntent {
  intent_id: string;
  account_ref: string;
  quantity: string;
  open_quantity: string;
  close_reason: CloseReason;
}

interface OrderRow {
  order_ref: string;
  tenant_ref: string;
  instrument_id: string;
  side: 'buy' | 'sell';
  limit_price: string;
  time_in_force: 'GTC' | 'IOC' | 'FOK' | 'GTD';
  quantity: string;
  venue: string;
}

const toVenueOrder = (row: OrderRow): VenueOrder => ({
  orderRef: row.order_ref, tenantRef: row.tenant_ref, instrumentId: row.instrument_id, side: row.side,
  limitPrice: decimal(row.limit_price).toString(), quantity: decimal(row.quantity).toString(),
  // The intents of a GTD pool expire one by one (each is withdrawn at its time): the order itself rests until cancelled.
  timeInForce: row.time_in_force === 'GTD' ? 'GTC' : row.time_in_force,
});

@Injectable()
export class AggregationService {
  private readonly logger = new Logger(AggregationService.name);

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(POST_TRADE_CONFIG) private readonly config: PostTradeConfig,
    @Inject(VENUES) private readonly venues: readonly Venue[],
    @Inject(AllocationService) private readonly allocation: AllocationService,
    @Inject(ExecutionAuditService) private readonly audit: ExecutionAuditService,
    @Inject(WallService) private readonly wall: WallService,
  ) {
    assert(venues.length > 0, 'at least one venue');
  }

  /** Admits accepted intents into their pools, in the intake's transaction. */
  async admit(tx: SqlTx, intents: readonly MessageBody<'intent.submitted.v1'>[]): Promise<void> {
    if (intents.length === 0) return;
    await tx.query(
      `INSERT INTO pooled_intent (intent_id, seq, tenant_ref, account_ref, instrument_id, side, limit_price, time_in_force, quantity, open_quantity, status,
                                  expires_at, accepted_at)
       SELECT i.id, nextval('pooled_intent_seq_gen'), i.tenant, i.account, i.instrument, i.side, i.price, i.tif, i.qty, i.qty, 'waiting', i.expires, clock_timestamp()
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::numeric[], $7::text[], $8::numeric[], $9::timestamptz[])
              WITH ORDINALITY AS i(id, tenant, account, instrument, side, price, tif, qty, expires, n)
        ORDER BY i.n
       ON CONFLICT (intent_id) DO NOTHING`,
      [
        intents.map((i) => i.intentId), intents.map((i) => i.tenantRef), intents.map((i) => i.accountRef), intents.map((i) => i.instrumentId),
        intents.map((i) => i.side), intents.map((i) => i.limitPrice), intents.map((i) => i.timeInForce), intents.map((i) => i.quantity),
        intents.map((i) => i.expiresAt ?? null),
      ],
    );
  }

  /**
   * Asks intents to close (`reasons`: intent → why). One still waiting in its pool is withdrawn
   * there (cancelled, never pooled) and answered at once with intent.closed.v1 (nothing filled),
   * so the customer stack releases the hold it kept. One already pooled keeps trading until the
   * next tick takes it out of its omnibus order (withdrawPooledIntents), which answers it with
   * what it was allocated. An intent already closing, done or withdrawn stays as it is.
   */
  async requestClose(tx: SqlTx, reasons: ReadonlyMap<string, CloseReason>, actor: string): Promise<void> {
    if (reasons.size === 0) return;
    const ids = [...reasons.keys()];
    const closing = await tx.query<{ intent_id: string; account_ref: string; status: 'cancelled' | 'pooled' }>(
      `UPDATE pooled_intent p SET close_reason = r.reason, status = CASE WHEN p.status = 'waiting' THEN 'cancelled' ELSE p.status END
         FROM unnest($1::uuid[], $2::text[]) AS r(intent_id, reason)
        WHERE p.intent_id = r.intent_id AND p.status IN ('waiting', 'pooled') AND p.close_reason IS NULL
       RETURNING p.intent_id, p.account_ref, p.status`,
      [ids, ids.map((id) => reasons.get(id))],
    );
    if (closing.length === 0) return;
    const withdrawn = closing.filter((c) => c.status === 'cancelled');
    if (withdrawn.length > 0) {
      await tx.query(`UPDATE omnibus_intent SET cancelled_at = clock_timestamp() WHERE intent_id = ANY($1::uuid[])`, [withdrawn.map((w) => w.intent_id)]);
    }
    for (const c of closing) {
      await this.audit.record(tx, {
        actor, action: c.status === 'cancelled' ? 'omnibus_intent.cancelled' : 'omnibus_intent.close_requested', resource: `omnibus_intent:${c.intent_id}`,
        diff: { reason: reasons.get(c.intent_id) ?? null },
      });
    }
    const closedAt = new Date().toISOString();
    await enqueueOutbound(tx, withdrawn.map((w): OutboundMessage<'intent.closed.v1'> => ({
      type: 'intent.closed.v1', body: { intentId: w.intent_id, accountRef: w.account_ref, filledQuantity: '0', reason: reasons.get(w.intent_id) ?? 'cancelled', closedAt },
    })));
    this.wall.nudge();
  }

  /**
   * Expires GTD intents whose time has come, by this stack's own clock: the customer stack
   * expires them too, and whichever side is first, the intent closes once with reason expired.
   */
  async expireDue(): Promise<number> {
    return this.db.transaction(async (tx) => {
      const due = await tx.query<{ intent_id: string }>(
        `SELECT intent_id FROM pooled_intent
          WHERE status IN ('waiting', 'pooled') AND expires_at IS NOT NULL AND expires_at <= clock_timestamp() AND close_reason IS NULL
          ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [INTENTS_EXPIRED_PER_TICK_MAX],
      );
      await this.requestClose(tx, new Map(due.map((d) => [d.intent_id, 'expired' as const])), 'system:aggregation-expiry');
      return due.length;
    });
  }

  /** Intents waiting in a pool and omnibus orders not done, for one instrument: work a resolution must not cut. */
  async openWork(tx: SqlTx, instrumentId: string): Promise<{ waitingIntents: number; openOrders: number }> {
    const [row] = await tx.query<{ waiting: number; orders: number }>(
      `SELECT (SELECT count(*)::int FROM pooled_intent WHERE instrument_id = $1 AND status = 'waiting') AS waiting,
              (SELECT count(*)::int FROM omnibus_order WHERE instrument_id = $1 AND status <> 'done') AS orders`,
      [instrumentId],
    );
    assert(row !== undefined, 'one row of counts');
    return { waitingIntents: row.waiting, openOrders: row.orders };
  }

  /** Closes every due window into an omnibus order; returns the new order refs. */
  async closeWindows(): Promise<string[]> {
    return this.db.transaction(async (tx) => {
      const due = await tx.query<{ tenant_ref: string; instrument_id: string; side: string; limit_price: string; time_in_force: string }>(
        `SELECT tenant_ref, instrument_id, side, limit_price, time_in_force FROM pooled_intent
          WHERE status = 'waiting' AND (expires_at IS NULL OR expires_at > clock_timestamp())
          GROUP BY tenant_ref, instrument_id, side, limit_price, time_in_force
         HAVING min(accepted_at) <= clock_timestamp() - make_interval(secs => $1::double precision / 1000)
             OR sum(quantity) >= $2::numeric OR count(*) >= $3
          LIMIT $4`,
        [this.config.windowMs, this.config.windowQuantityMax, this.config.windowIntentsMax, POOLS_PER_TICK_MAX],
      );
      const orders: string[] = [];
      for (const pool of due) {
        const orderRef = randomUUID();
        // The earliest intents up to the window's limits; the rest wait for the next window.
        const taken = await tx.query<{ quantity: string }>(
          `WITH locked AS (
             SELECT intent_id, quantity, seq FROM pooled_intent
              WHERE status = 'waiting' AND tenant_ref = $1 AND instrument_id = $2 AND side = $3 AND limit_price = $4 AND time_in_force = $5
                AND (expires_at IS NULL OR expires_at > clock_timestamp())
              FOR UPDATE SKIP LOCKED),
           ranked AS (SELECT intent_id, sum(quantity) OVER (ORDER BY seq) AS running, row_number() OVER (ORDER BY seq) AS n FROM locked)
           UPDATE pooled_intent p SET status = 'pooled', order_ref = $6
             FROM ranked r WHERE p.intent_id = r.intent_id AND r.n <= $7 AND (r.n = 1 OR r.running <= $8::numeric)
           RETURNING p.quantity`,
          [pool.tenant_ref, pool.instrument_id, pool.side, pool.limit_price, pool.time_in_force, orderRef, this.config.windowIntentsMax, this.config.windowQuantityMax],
        );
        if (taken.length === 0) continue;
        const quantity = sumDecimals(taken.map((t) => decimal(t.quantity).toString()));
        await tx.query(
          `INSERT INTO omnibus_order (order_ref, tenant_ref, instrument_id, side, limit_price, time_in_force, quantity, filled_quantity, venue, status, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 0, '', 'new', clock_timestamp())`,
          [orderRef, pool.tenant_ref, pool.instrument_id, pool.side, pool.limit_price, pool.time_in_force, quantity],
        );
        await this.audit.record(tx, {
          actor: 'system:aggregation', action: 'omnibus_order.created', resource: `omnibus_order:${orderRef}`,
          diff: { instrumentId: pool.instrument_id, side: pool.side, limitPrice: decimal(pool.limit_price).toString(), quantity, intents: taken.length },
        });
        orders.push(orderRef);
      }
      return orders;
    });
  }

  private venue(id: string): Venue {
    const venue = this.venues.find((v) => v.id === id);
    assert(venue, `venue ${id} is configured`);
    return venue;
  }

  /** Routes and sends new orders. A venue that fails leaves its order new, to be routed again. */
  async sendNewOrders(): Promise<number> {
    const orders = await readOnce<OrderRow>(this.db, `SELECT * FROM omnibus_order WHERE status = 'new' ORDER BY created_at LIMIT $1`, [ORDERS_PER_TICK_MAX]);
    let sent = 0;
    for (const row of orders) {
      const order = toVenueOrder(row);
      const routed = await routeOrder(this.venues, order);
      if (!routed) continue; // every venue is down: try again next tick
      // Claimed for the venue before the call, so a crash never sends the same order twice; one the
      // crash kept from the venue is placed by the next poll (pollOrPlace).
      const [claimed] = await this.db.transaction((tx) =>
        tx.query<OrderRow>(`UPDATE omnibus_order SET status = 'working', venue = $2 WHERE order_ref = $1 AND status = 'new' RETURNING *`, [row.order_ref, routed.venue.id]),
      );
      if (!claimed) continue;
      let execution: VenueExecution;
      try {
        // As claimed: intents withdrawn since it was read made it smaller.
        execution = await routed.venue.submit(toVenueOrder(claimed));
      } catch (error) {
        if (!(error instanceof VenueUnavailableError)) throw error;
        this.logger.warn({ event: 'aggregation.venue.failed', orderRef: row.order_ref, venue: routed.venue.id }, 'venue failed: order routed again next tick');
        await this.db.transaction((tx) => tx.query(`UPDATE omnibus_order SET status = 'new', venue = '' WHERE order_ref = $1`, [row.order_ref]));
        continue;
      }
      await this.db.transaction((tx) => this.recordExecution(tx, claimed, execution));
      sent++;
    }
    return sent;
  }

  /**
   * A working order's fills since the last call. One the venue never took (the stack stopped
   * between claiming it and the venue's durable acceptance) is submitted now, as claimed: the
   * venue places an order once per ref, so this never places it twice, and it is never closed
   * as ended by the venue for the stack's own crash.
   */
  private async pollOrPlace(venue: Venue, row: OrderRow): Promise<VenueExecution> {
    const execution = await venue.poll(row.order_ref);
    if (execution) return execution;
    this.logger.warn({ event: 'aggregation.order.placed_again', orderRef: row.order_ref, venue: venue.id }, 'the venue never took a working order: placed now');
    return venue.submit(toVenueOrder(row));
  }

  /** Collects later fills of working orders. */
  async pollWorkingOrders(): Promise<number> {
    // An order with a reduction under way is polled by the withdrawal, which knows which intents are leaving.
    const orders = await readOnce<OrderRow>(
      this.db, `SELECT * FROM omnibus_order WHERE status = 'working' AND reduction_ref IS NULL ORDER BY created_at LIMIT $1`, [ORDERS_PER_TICK_MAX],
    );
    let filled = 0;
    for (const row of orders) {
      let execution: VenueExecution;
      try {
        execution = await this.pollOrPlace(this.venue(row.venue), row);
      } catch (error) {
        if (error instanceof VenueUnavailableError) continue;
        throw error;
      }
      // A resting order the venue has filled nothing of would be recorded unchanged (a row lock and
      // a rewrite of the same row every tick, per order): nothing to store, allocate or answer.
      if (execution.working && execution.fills.length === 0) continue;
      await this.db.transaction((tx) => this.recordExecution(tx, row, execution));
      filled += execution.fills.length;
    }
    return filled;
  }

  /**
   * The order is done: its intents are too. Each one left with an open remainder (an IOC or FOK
   * order's unfilled part, or an order the venue ended) gets an intent.closed.v1 with everything it
   * was allocated, in this same transaction, so the customer stack releases what it still holds.
   */
  private async closeIntents(tx: SqlTx, row: OrderRow): Promise<number> {
    const intents = await tx.query<{ intent_id: string; account_ref: string; filled: string; open_quantity: string; close_reason: CloseReason | null }>(
      `UPDATE pooled_intent SET status = 'done' WHERE order_ref = $1 AND status = 'pooled'
       RETURNING intent_id, account_ref, (quantity - open_quantity)::text AS filled, open_quantity::text, close_reason`,
      [row.order_ref],
    );
    const closedAt = new Date().toISOString();
    const ended = row.time_in_force === 'IOC' || row.time_in_force === 'FOK' ? 'unfilled_remainder' : 'venue_ended';
    const messages = intents
      .filter((i) => decimal(i.open_quantity).gt(decimal('0')))
      .map((i): OutboundMessage<'intent.closed.v1'> => ({
        type: 'intent.closed.v1',
        // An intent asked to close says so, whatever ended its order.
        body: { intentId: i.intent_id, accountRef: i.account_ref, filledQuantity: decimal(i.filled).toString(), reason: i.close_reason ?? ended, closedAt },
      }));
    await enqueueOutbound(tx, messages);
    return messages.length;
  }

  /** Stores an execution's fills, updates the order and allocates the round: one transaction. */
  async recordExecution(tx: SqlTx, row: OrderRow, execution: VenueExecution): Promise<void> {
    const [locked] = await tx.query<{ status: string; quantity: string; filled_quantity: string }>(
      `SELECT status, quantity, filled_quantity FROM omnibus_order WHERE order_ref = $1 FOR UPDATE`,
      [row.order_ref],
    );
    assert(locked?.status === 'working', 'fills are recorded for a working order');
    const roundRef = randomUUID();
    const fills: VenueFill[] = execution.fills.map((f) => ({ ...f, price: decimal(f.price).toString(), quantity: decimal(f.quantity).toString() }));
    const inserted = fills.length === 0 ? [] : await tx.query<{ fill_ref: string }>(
      `INSERT INTO omnibus_fill (fill_ref, order_ref, tenant_ref, instrument_id, side, venue, price, quantity, round_ref, traded_at)
       SELECT f.ref, $1, $2, $3, $4, $5, f.price, f.qty, $6, clock_timestamp()
         FROM unnest($7::uuid[], $8::numeric[], $9::numeric[]) AS f(ref, price, qty)
       ON CONFLICT (fill_ref) DO NOTHING RETURNING fill_ref`,
      [row.order_ref, row.tenant_ref, row.instrument_id, row.side, row.venue, roundRef, fills.map((f) => f.fillRef), fills.map((f) => f.price), fills.map((f) => f.quantity)],
    );
    const fresh = fills.filter((f) => inserted.some((i) => i.fill_ref === f.fillRef)); // a fill reported twice is allocated once
    const filledNow = sumDecimals(fresh.map((f) => f.quantity));
    const filledTotal = decimal(locked.filled_quantity).plus(decimal(filledNow));
    assert(filledTotal.lte(decimal(locked.quantity)), 'a venue never fills more than the order');
    const done = !execution.working || filledTotal.eq(decimal(locked.quantity));
    await tx.query(`UPDATE omnibus_order SET filled_quantity = $2, status = $3 WHERE order_ref = $1`, [row.order_ref, filledTotal.toString(), done ? 'done' : 'working']);
    const allocated = { orderRef: row.order_ref, tenantRef: row.tenant_ref, instrumentId: row.instrument_id, side: row.side };
    await this.allocation.allocateRound(tx, allocated, roundRef, fresh, this.config.feeBps);
    const closed = done ? await this.closeIntents(tx, row) : 0;
    if (fresh.length > 0 || done) {
      await this.audit.record(tx, {
        actor: `system:venue-${row.venue}`, action: done ? 'omnibus_order.done' : 'omnibus_order.filled', resource: `omnibus_order:${row.order_ref}`,
        diff: { roundRef, fills: fresh.length, filled: filledNow, filledTotal: filledTotal.toString(), ...(done ? { closedIntents: closed } : {}) },
      });
    }
    this.wall.nudge();
  }

  /**
   * Takes the intents asked to close (close_reason set) out of their omnibus orders, order by
   * order, so they are answered promptly and never allocated another fill. An order not sent yet
   * simply gets smaller. A working one: its latest fills are allocated first (the intents were in
   * the order when they were made); then a reduction of what the leaving intents still have open
   * is claimed, the venue takes it off the order, and the fills it reports are allocated to the
   * intents that stay (reductionOutcome); the leaving ones are withdrawn and answered with
   * intent.closed.v1 and exactly what they were allocated. A venue that fails leaves the
   * reduction claimed, to be asked again (under the same ref) next tick.
   */
  async withdrawPooledIntents(): Promise<number> {
    const orders = await readOnce<OrderRow & { status: 'new' | 'working'; reduction_ref: string | null; reduction_quantity: string | null }>(
      this.db,
      `SELECT * FROM omnibus_order o
        WHERE o.status IN ('new', 'working')
          AND (o.reduction_ref IS NOT NULL
               OR EXISTS (SELECT 1 FROM pooled_intent p WHERE p.order_ref = o.order_ref AND p.status = 'pooled' AND p.close_reason IS NOT NULL))
        ORDER BY o.created_at LIMIT $1`,
      [ORDERS_PER_TICK_MAX],
    );
    let withdrawn = 0;
    for (const row of orders) {
      try {
        withdrawn += row.status === 'new'
          ? await this.withdrawFromNewOrder(row.order_ref)
          : await this.withdrawFromWorkingOrder(row, row.reduction_ref && row.reduction_quantity ? { ref: row.reduction_ref, quantity: row.reduction_quantity } : null);
      } catch (error) {
        if (!(error instanceof VenueUnavailableError)) throw error;
        this.logger.warn({ event: 'aggregation.withdrawal.venue_failed', orderRef: row.order_ref, venue: row.venue }, 'venue failed: the withdrawal is asked again next tick');
      }
    }
    return withdrawn;
  }

  /** An order no venue has seen: the leaving intents come out of it and it gets smaller (done when nobody stays). */
  private async withdrawFromNewOrder(orderRef: string): Promise<number> {
    return this.db.transaction(async (tx) => {
      const [order] = await tx.query<{ quantity: string; filled_quantity: string }>(
        `SELECT quantity, filled_quantity FROM omnibus_order WHERE order_ref = $1 AND status = 'new' FOR UPDATE`,
        [orderRef],
      );
      if (!order) return 0; // sent meanwhile: the next tick takes the intents out at the venue
      assert(decimal(order.filled_quantity).eq(decimal('0')), 'an order no venue has seen has no fills');
      const leaving = await tx.query<LeavingIntent>(
        `UPDATE pooled_intent SET status = 'withdrawn' WHERE order_ref = $1 AND status = 'pooled' AND close_reason IS NOT NULL
         RETURNING intent_id, account_ref, quantity::text, open_quantity::text, close_reason`,
        [orderRef],
      );
      const removed = sumDecimals(leaving.map((l) => decimal(l.open_quantity).toString()));
      const quantity = decimal(order.quantity).minus(decimal(removed));
      assert(quantity.gte(decimal('0')), 'an order loses at most what its intents had');
      await tx.query(`UPDATE omnibus_order SET quantity = $2, status = CASE WHEN $2::numeric = 0 THEN 'done' ELSE status END WHERE order_ref = $1`, [
        orderRef, quantity.toString(),
      ]);
      await this.answerWithdrawn(tx, orderRef, leaving, removed);
      return leaving.length;
    });
  }

  private async withdrawFromWorkingOrder(row: OrderRow, pending: { ref: string; quantity: string } | null): Promise<number> {
    const venue = this.venue(row.venue);
    let reduction = pending;
    if (!reduction) {
      const execution = await this.pollOrPlace(venue, row);
      await this.db.transaction((tx) => this.recordExecution(tx, row, execution));
      reduction = await this.db.transaction((tx) => this.claimReduction(tx, row.order_ref));
      if (!reduction) return 0;
    }
    const claimed = reduction;
    await venue.reduce(row.order_ref, claimed.ref, decimal(claimed.quantity).toString());
    // Claimed only after a poll that placed the order if needed: the venue knows it.
    const execution = await venue.poll(row.order_ref);
    assert(execution, 'a venue knows an order it reduced');
    return this.db.transaction((tx) => this.recordReduction(tx, row, claimed.ref, execution));
  }

  /**
   * Claims a reduction of a working order by what its leaving intents still have open, before
   * the venue is asked; null when the order ended meanwhile or they have nothing open (an intent
   * whose allocations completed it is simply done).
   */
  private async claimReduction(tx: SqlTx, orderRef: string): Promise<{ ref: string; quantity: string } | null> {
    const [order] = await tx.query<{ status: string }>(`SELECT status FROM omnibus_order WHERE order_ref = $1 FOR UPDATE`, [orderRef]);
    if (order?.status !== 'working') return null;
    await tx.query(`UPDATE pooled_intent SET status = 'done' WHERE order_ref = $1 AND status = 'pooled' AND close_reason IS NOT NULL AND open_quantity = 0`, [orderRef]);
    const ref = randomUUID();
    const leaving = await tx.query<{ open_quantity: string }>(
      `UPDATE pooled_intent SET withdrawal_ref = $2 WHERE order_ref = $1 AND status = 'pooled' AND close_reason IS NOT NULL RETURNING open_quantity::text`,
      [orderRef, ref],
    );
    if (leaving.length === 0) return null;
    const quantity = sumDecimals(leaving.map((l) => decimal(l.open_quantity).toString()));
    await tx.query(`UPDATE omnibus_order SET reduction_ref = $2, reduction_quantity = $3 WHERE order_ref = $1`, [orderRef, ref, quantity]);
    return { ref, quantity };
  }

  /** Records what a reduction did (see reductionOutcome), then allocates the fills reported with it: one transaction. */
  private async recordReduction(tx: SqlTx, row: OrderRow, ref: string, execution: VenueExecution): Promise<number> {
    const [order] = await tx.query<{ status: string; reduction_ref: string | null; reduction_quantity: string }>(
      `SELECT status, reduction_ref, reduction_quantity::text FROM omnibus_order WHERE order_ref = $1 FOR UPDATE`,
      [row.order_ref],
    );
    assert(order?.status === 'working' && order.reduction_ref === ref, 'a claimed reduction is recorded once, on its working order');
    const reported = execution.fills.map((f) => f.fillRef);
    const known = new Set(
      (await tx.query<{ fill_ref: string }>(`SELECT fill_ref FROM omnibus_fill WHERE fill_ref = ANY($1::uuid[])`, [reported])).map((f) => f.fill_ref),
    );
    const freshFilled = sumDecimals(execution.fills.filter((f) => !known.has(f.fillRef)).map((f) => decimal(f.quantity).toString()));
    const [staying] = await tx.query<{ open: string }>(
      `SELECT coalesce(sum(open_quantity), 0)::text AS open FROM pooled_intent WHERE order_ref = $1 AND status = 'pooled' AND withdrawal_ref IS NULL`,
      [row.order_ref],
    );
    assert(staying, 'one sum row');
    const outcome = reductionOutcome({ freshFilled, stayingOpen: staying.open, working: execution.working });
    let withdrawn = 0;
    if (outcome === 'withdrawn') {
      const leaving = await tx.query<LeavingIntent>(
        `UPDATE pooled_intent SET status = 'withdrawn' WHERE order_ref = $1 AND withdrawal_ref = $2
         RETURNING intent_id, account_ref, quantity::text, open_quantity::text, close_reason`,
        [row.order_ref, ref],
      );
      const removed = sumDecimals(leaving.map((l) => decimal(l.open_quantity).toString()));
      // The pair across the venue: what came off the order is what the leaving intents had open.
      assert(decimal(removed).eq(decimal(order.reduction_quantity)), 'the reduction is what the withdrawn intents had open');
      await tx.query(`UPDATE omnibus_order SET quantity = quantity - $2::numeric, reduction_ref = NULL, reduction_quantity = NULL WHERE order_ref = $1`, [
        row.order_ref, removed,
      ]);
      await this.answerWithdrawn(tx, row.order_ref, leaving, removed);
      withdrawn = leaving.length;
    } else {
      // They stay in the order, which the venue ended: the round below shares its fills and closes them all.
      await tx.query(`UPDATE pooled_intent SET withdrawal_ref = NULL WHERE order_ref = $1 AND withdrawal_ref = $2`, [row.order_ref, ref]);
      await tx.query(`UPDATE omnibus_order SET reduction_ref = NULL, reduction_quantity = NULL WHERE order_ref = $1`, [row.order_ref]);
    }
    await this.recordExecution(tx, row, execution);
    return withdrawn;
  }

  /** Each withdrawn intent is answered with intent.closed.v1: everything it was allocated, and why it closed. */
  private async answerWithdrawn(tx: SqlTx, orderRef: string, leaving: readonly LeavingIntent[], removed: string): Promise<void> {
    if (leaving.length === 0) return;
    const closedAt = new Date().toISOString();
    await enqueueOutbound(tx, leaving.map((l): OutboundMessage<'intent.closed.v1'> => ({
      type: 'intent.closed.v1',
      body: {
        intentId: l.intent_id, accountRef: l.account_ref, filledQuantity: decimal(l.quantity).minus(decimal(l.open_quantity)).toString(), reason: l.close_reason,
        closedAt,
      },
    })));
    await this.audit.record(tx, {
      actor: 'system:aggregation', action: 'omnibus_order.reduced', resource: `omnibus_order:${orderRef}`,
      diff: { quantity: removed, intents: leaving.map((l) => l.intent_id) },
    });
    this.wall.nudge();
  }

  /** One pass of the aggregator. */
  async tick(): Promise<void> {
    await this.expireDue();
    await this.closeWindows();
    await this.withdrawPooledIntents();
    await this.sendNewOrders();
    await this.pollWorkingOrders();
  }
}

@Injectable()
export class AggregationWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AggregationWorker.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    @Inject(AggregationService) private readonly aggregation: AggregationService,
    @Inject(POST_TRADE_CONFIG) private readonly config: PostTradeConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.aggregation.tick().catch((error: unknown) => this.logger.error({ err: error }, 'aggregation tick failed')).finally(() => {
        this.running = null;
      });
    }, this.config.tickMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}

@Module({
  imports: [AllocationModule, ExecutionAuditModule, MarketModule, MembersModule],
  providers: [
    SandboxVenue,
    ClobVenue,
    {
      // The internal CLOB is the default venue: listed first, it wins ties and takes what no venue
      // quotes; the sandbox external venue sits behind its breaker.
      provide: VENUES,
      inject: [ClobVenue, SandboxVenue, POST_TRADE_CONFIG],
      useFactory: (clob: ClobVenue, sandbox: SandboxVenue, config: PostTradeConfig): Venue[] => [
        clob,
        new BreakerVenue(sandbox, { timeoutMs: config.venueTimeoutMs, resetMs: config.venueResetMs }),
      ],
    },
    AggregationService,
    AggregationWorker,
    OmnibusPoolsService,
  ],
  controllers: [OmnibusPoolsController],
  exports: [AggregationService, SandboxVenue],
})
export class AggregationModule {}
