// The internal CLOB as a venue, and the default one: an omnibus order becomes a limit order of
// the tenant's omnibus member on the instrument's journaled book, where it meets resting member
// orders (the market maker's, other tenants' omnibus orders). Its fills are the book's own
// trades, reported under ids derived from (instrument, trade sequence), so a fill reported twice
// is allocated once. The omnibus order → book order mapping is written inside the book's
// journal transaction: it exists exactly when the book took the command, so an order without it
// was never placed (the stack stopped first) and is placed when submitted again; one with it is
// reported, never placed twice (its primary key fails the journal batch of a second placement).
import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { OrderType, Side, StpMode, TimeInForce, lotsToQuantity, priceToTicks, quantityToLots, ticksToPrice } from '@bulwark/engine';
import { assert, canonicalDecimal, decimal } from '@bulwark/shared-contracts';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import type { SqlDatabase } from '@bulwark/shared-contracts/wall';
import type { VenueFill } from '../allocation/pro-rata-allocation.js';
import { MarketService } from '../market/market.service.js';
import { MembersService, type OmnibusLimits } from '../members/members.service.js';
import { POST_TRADE_CONFIG, type PostTradeConfig } from './post-trade-config.js';
import { VenueUnavailableError, type Venue, type VenueExecution, type VenueOrder, type VenueQuote } from './venue.js';

export const INTERNAL_VENUE_ID = 'internal';
/** Trades one omnibus order reports; an order has at most as many fills as lots, in practice few. */
export const CLOB_FILLS_PER_ORDER_MAX = 10_000;
/** Price levels a quote walks. */
export const CLOB_QUOTE_LEVELS_MAX = 1_000;
/** What the omnibus member of a tenant may send: the aggregator's windows bound its orders. */
export const OMNIBUS_ORDER_NOTIONAL_MAX = '1000000000000';
export const OMNIBUS_OPEN_ORDERS_MAX = 100_000;
export const OMNIBUS_MESSAGES_PER_SECOND = 100_000;
/** Book order mappings the venue keeps in memory (the oldest is dropped first and read again when asked). */
export const CLOB_MAPPINGS_CACHED_MAX = 10_000;

const LIVE_STATUSES: ReadonlySet<string> = new Set(['pending', 'auction', 'open']);
const TIFS = { GTC: TimeInForce.GTC, IOC: TimeInForce.IOC, FOK: TimeInForce.FOK } as const;

/** The fill id of a book trade: stable, so a trade is one fill however often it is reported. */
export function clobFillRef(instrumentId: string, tradeSeq: string): string {
  const hex = createHash('sha256').update(`bulwark:clob-fill:${instrumentId}:${tradeSeq}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

@Injectable()
export class ClobVenue implements Venue {
  readonly id = INTERNAL_VENUE_ID;
  private readonly omnibusLimits: OmnibusLimits;
  /**
   * Committed mappings by order ref. A mapping is written once, in the book's journal transaction,
   * and never changed or deleted, so one read from the database stays true: the aggregator polls
   * every working order each tick, and reading it again cost a transaction per order per tick.
   * Only mappings found are kept; an order without one is looked up again.
   */
  private readonly mappings = new Map<string, { instrumentId: string; bookOrderId: number }>();

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(MarketService) private readonly market: MarketService,
    @Inject(MembersService) private readonly members: MembersService,
    @Inject(POST_TRADE_CONFIG) config: PostTradeConfig,
  ) {
    this.omnibusLimits = {
      orderQuantityMax: config.windowQuantityMax, orderNotionalMax: OMNIBUS_ORDER_NOTIONAL_MAX,
      openOrdersMax: OMNIBUS_OPEN_ORDERS_MAX, messagesPerSecond: OMNIBUS_MESSAGES_PER_SECOND,
    };
  }

  /**
   * What the book would fill now within the limit, from its committed depth. Advisory, as any
   * venue's quote: the omnibus member's own resting orders count here, although self-trade
   * prevention would not trade against them.
   */
  async quote(order: VenueOrder): Promise<VenueQuote | null> {
    const desk = await this.market.desk(order.instrumentId);
    if (!desk || desk.book.state.state !== 'open') return null;
    const { tickSize, lotSize } = desk.instrument;
    const limit = priceToTicks(order.limitPrice, tickSize);
    const wanted = quantityToLots(order.quantity, lotSize);
    if (!limit.ok || !wanted.ok) return null;
    let left = wanted.units;
    let notional = decimal('0');
    for (const level of desk.book.engine.depth(order.side === 'buy' ? Side.Sell : Side.Buy, CLOB_QUOTE_LEVELS_MAX)) {
      if (order.side === 'buy' ? level.priceTicks > limit.units : level.priceTicks < limit.units) break;
      const take = Math.min(left, level.lots);
      notional = notional.plus(decimal(ticksToPrice(level.priceTicks, tickSize)).times(decimal(lotsToQuantity(take, lotSize))));
      left -= take;
      if (left === 0) break;
    }
    const filledLots = wanted.units - left;
    if (filledLots === 0) return null;
    const quantity = lotsToQuantity(filledLots, lotSize);
    return { venue: this.id, quantity, averagePrice: canonicalDecimal(notional.div(decimal(quantity))) };
  }

  async submit(order: VenueOrder): Promise<VenueExecution> {
    const taken = await this.report(order.orderRef);
    if (taken) return taken;
    const desk = await this.market.desk(order.instrumentId);
    if (!desk) throw new VenueUnavailableError(`the internal book has no instrument ${order.instrumentId}`);
    const member = await this.members.omnibusMember(order.tenantRef, this.omnibusLimits);
    if (member.status !== 'active') throw new VenueUnavailableError('the tenant omnibus member is suspended');
    const priceTicks = priceToTicks(order.limitPrice, desk.instrument.tickSize);
    const lots = quantityToLots(order.quantity, desk.instrument.lotSize);
    // The intake admitted only whole ticks and lots of this instrument.
    assert(priceTicks.ok && lots.ok, 'an omnibus order is in whole ticks and lots');
    try {
      await this.market.execute(
        order.instrumentId,
        {
          kind: 'submit',
          order: {
            ownerId: member.ownerNo, side: order.side === 'buy' ? Side.Buy : Side.Sell, type: OrderType.Limit, priceTicks: priceTicks.units,
            stopPriceTicks: 0, lots: lots.units, tif: TIFS[order.timeInForce], expiryMs: 0, postOnly: false,
            // Two pools of one tenant on opposite sides never trade with each other (no wash trades).
            stp: StpMode.CancelNewest,
          },
        },
        async (tx, result) => {
          if (result.orderId === null) return;
          await tx.query(
            `INSERT INTO clob_venue_order (order_ref, instrument_id, book_order_id, owner_no, reject_code, submitted_at) VALUES ($1, $2, $3, $4, $5, clock_timestamp())`,
            [order.orderRef, order.instrumentId, result.orderId, member.ownerNo, result.ok ? null : result.code],
          );
        },
      );
    } catch (error) {
      // The batch did not commit: the book was rebuilt without the order, which can be routed again.
      throw new VenueUnavailableError(`the internal book did not take the order: ${(error as Error).message}`);
    }
    // No mapping: the book refused the order before it had an id, so nothing rests or trades.
    return (await this.report(order.orderRef)) ?? { fills: [], working: false };
  }

  /**
   * Takes `quantity` off the book order the omnibus order became, with the book's relative reduce
   * (what rests, less the quantity; a cancel when no more rests), so a trade that came first is
   * never undone. The reduction is recorded in the book's journal transaction: a ref already
   * recorded is not applied again.
   */
  async reduce(orderRef: string, reductionRef: string, quantity: string): Promise<void> {
    const [mapped] = await this.db.transaction((tx) =>
      tx.query<{ instrument_id: string; book_order_id: string; applied: boolean }>(
        `SELECT instrument_id, book_order_id, EXISTS (SELECT 1 FROM clob_venue_reduction WHERE reduction_ref = $2) AS applied
           FROM clob_venue_order WHERE order_ref = $1`,
        [orderRef, reductionRef],
      ),
    );
    if (!mapped || mapped.applied) return; // never reached the book (nothing rests), or reduced already
    const desk = await this.market.desk(mapped.instrument_id);
    if (!desk) throw new VenueUnavailableError(`the internal book has no instrument ${mapped.instrument_id}`);
    const lots = quantityToLots(quantity, desk.instrument.lotSize);
    // Intents are admitted in whole lots, so what they leave of an order is whole lots too.
    assert(lots.ok && lots.units > 0, 'a reduction is a positive number of whole lots');
    try {
      await this.market.execute(mapped.instrument_id, { kind: 'reduce', orderId: Number(mapped.book_order_id), lots: lots.units }, async (tx, result) => {
        await tx.query(
          `INSERT INTO clob_venue_reduction (reduction_ref, order_ref, lots, reject_code, reduced_at) VALUES ($1, $2, $3, $4, clock_timestamp())`,
          [reductionRef, orderRef, lots.units, result.ok ? null : result.code],
        );
      });
    } catch (error) {
      throw new VenueUnavailableError(`the internal book did not take the reduction: ${(error as Error).message}`);
    }
  }

  /** Every fill of the order so far (the aggregator keeps the new ones), and whether it still rests; null if the book never took it. */
  poll(orderRef: string): Promise<VenueExecution | null> {
    return this.report(orderRef);
  }

  private async mapping(orderRef: string): Promise<{ instrumentId: string; bookOrderId: number } | null> {
    const cached = this.mappings.get(orderRef);
    if (cached) return cached;
    const [row] = await this.db.transaction((tx) =>
      tx.query<{ instrument_id: string; book_order_id: string }>(`SELECT instrument_id, book_order_id FROM clob_venue_order WHERE order_ref = $1`, [orderRef]),
    );
    if (!row) return null;
    const mapped = { instrumentId: row.instrument_id, bookOrderId: Number(row.book_order_id) };
    assert(Number.isSafeInteger(mapped.bookOrderId) && mapped.bookOrderId > 0, 'a book order id is a positive safe integer');
    if (this.mappings.size >= CLOB_MAPPINGS_CACHED_MAX) {
      const oldest = this.mappings.keys().next();
      if (!oldest.done) this.mappings.delete(oldest.value);
    }
    this.mappings.set(orderRef, mapped);
    assert(this.mappings.size <= CLOB_MAPPINGS_CACHED_MAX, 'cached mappings within limit');
    return mapped;
  }

  private async report(orderRef: string): Promise<VenueExecution | null> {
    const mapped = await this.mapping(orderRef);
    if (!mapped) return null;
    const { status, trades } = await this.market.orderTrades(mapped.instrumentId, mapped.bookOrderId, CLOB_FILLS_PER_ORDER_MAX);
    const fills: VenueFill[] = trades.map((t) => ({ fillRef: clobFillRef(mapped.instrumentId, t.tradeSeq), price: t.price, quantity: t.quantity }));
    return { fills, working: status !== null && LIVE_STATUSES.has(status) };
  }
}
