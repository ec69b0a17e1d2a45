// What the operator sees of aggregation (read only): the pools still waiting for their window,
// the omnibus orders they became, and one order's intents, venue fills and allocations. Opaque
// references and USD amounts only; an account reference is a UUID, never a person.
import { Inject, Injectable } from '@nestjs/common';
import { assert, decimal } from '@bulwark/shared-contracts';
import type { SqlDatabase } from '@bulwark/shared-contracts/wall';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import { AllocationService } from '../allocation/allocation.service.js';
import type { OmnibusOrderDetail, OmnibusOrderStatus, OmnibusOrderView, WaitingPool } from './omnibus-pools.views.js';

/** Waiting pools and omnibus orders one listing returns. */
export const POOLS_LISTED_MAX = 200;
export const ORDERS_LISTED_MAX = 200;
/** Intents and fills one order detail returns (a window holds at most windowIntentsMax intents). */
export const ORDER_DETAIL_ROWS_MAX = 5_000;

interface OrderRow {
  order_ref: string; tenant_ref: string; instrument_id: string; side: 'buy' | 'sell'; limit_price: string; time_in_force: string;
  quantity: string; filled_quantity: string; venue: string; status: OmnibusOrderStatus; intents: number; allocated: string; created_at: Date;
}

const ORDER_COLUMNS = `o.order_ref, o.tenant_ref, o.instrument_id, o.side, o.limit_price, o.time_in_force, o.quantity, o.filled_quantity, o.venue, o.status, o.created_at,
  (SELECT count(*)::int FROM pooled_intent p WHERE p.order_ref = o.order_ref) AS intents,
  (SELECT coalesce(sum(a.quantity), 0)::text FROM allocation a WHERE a.order_ref = o.order_ref) AS allocated`;

const text = (value: string): string => decimal(value).toString();

const orderOf = (r: OrderRow): OmnibusOrderView => ({
  orderRef: r.order_ref, tenantRef: r.tenant_ref, instrumentId: r.instrument_id, side: r.side, limitPrice: text(r.limit_price), timeInForce: r.time_in_force,
  quantity: text(r.quantity), filledQuantity: text(r.filled_quantity), venue: r.venue, status: r.status, intents: r.intents, allocatedQuantity: text(r.allocated),
  createdAt: r.created_at.toISOString(),
});

@Injectable()
export class OmnibusPoolsService {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(AllocationService) private readonly allocation: AllocationService,
  ) {}

  /** Pools whose window is still open, oldest first. */
  async waitingPools(): Promise<WaitingPool[]> {
    const rows = await this.db.transaction((tx) =>
      tx.query<{ tenant_ref: string; instrument_id: string; side: 'buy' | 'sell'; limit_price: string; time_in_force: string; intents: number; quantity: string; oldest: Date }>(
        `SELECT tenant_ref, instrument_id, side, limit_price, time_in_force, count(*)::int AS intents, sum(quantity)::text AS quantity, min(accepted_at) AS oldest
           FROM pooled_intent WHERE status = 'waiting'
          GROUP BY tenant_ref, instrument_id, side, limit_price, time_in_force ORDER BY oldest LIMIT $1`,
        [POOLS_LISTED_MAX],
      ),
    );
    return rows.map((r) => ({
      tenantRef: r.tenant_ref, instrumentId: r.instrument_id, side: r.side, limitPrice: text(r.limit_price), timeInForce: r.time_in_force,
      intents: r.intents, quantity: text(r.quantity), oldestAcceptedAt: r.oldest.toISOString(),
    }));
  }

  /** Omnibus orders, newest first, optionally of one status. */
  async orders(filter: { status?: OmnibusOrderStatus; limit: number }): Promise<OmnibusOrderView[]> {
    assert(filter.limit >= 1 && filter.limit <= ORDERS_LISTED_MAX, 'an order page within its limit');
    const rows = await this.db.transaction((tx) =>
      tx.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM omnibus_order o WHERE ($1::text IS NULL OR o.status = $1) ORDER BY o.created_at DESC, o.order_ref LIMIT $2`, [
        filter.status ?? null, filter.limit,
      ]),
    );
    return rows.map(orderOf);
  }

  /** One omnibus order with its intents (acceptance order), its venue fills and its allocations; undefined when unknown. */
  async order(orderRef: string): Promise<OmnibusOrderDetail | undefined> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM omnibus_order o WHERE o.order_ref = $1`, [orderRef]);
      if (!row) return undefined;
      const intents = await tx.query<{ intent_id: string; seq: string; account_ref: string; quantity: string; open_quantity: string; status: string }>(
        `SELECT intent_id, seq, account_ref, quantity, open_quantity, status FROM pooled_intent WHERE order_ref = $1 ORDER BY seq LIMIT $2`,
        [orderRef, ORDER_DETAIL_ROWS_MAX],
      );
      const fills = await tx.query<{ fill_ref: string; venue: string; price: string; quantity: string; round_ref: string | null; traded_at: Date }>(
        `SELECT fill_ref, venue, price, quantity, round_ref, traded_at FROM omnibus_fill WHERE order_ref = $1 ORDER BY traded_at, fill_ref LIMIT $2`,
        [orderRef, ORDER_DETAIL_ROWS_MAX],
      );
      return {
        order: orderOf(row),
        intents: intents.map((i) => ({
          intentId: i.intent_id, seq: i.seq, accountRef: i.account_ref, quantity: text(i.quantity), openQuantity: text(i.open_quantity), status: i.status,
        })),
        fills: fills.map((f) => ({
          fillRef: f.fill_ref, venue: f.venue, price: text(f.price), quantity: text(f.quantity), roundRef: f.round_ref, tradedAt: f.traded_at.toISOString(),
        })),
        allocations: await this.allocation.ofOrder(tx, orderRef, ORDER_DETAIL_ROWS_MAX),
      };
    });
  }
}
