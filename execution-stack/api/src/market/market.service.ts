// The market: one desk (single writer, journaled book) per listed instrument, the clock that
// drives due auctions and expiries, the feed, and the read side (book, orders, trades, candles).
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { assert, decimal } from '@bulwark/shared-contracts';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import type { SqlDatabase } from '@bulwark/shared-contracts/wall';
import { EXECUTION_CONFIG, type ExecutionConfig } from '../config/execution-config.js';
import type { CandleInterval } from './candles.js';
import { FeedHub } from './feed-hub.js';
import { MarketRejectCode, type MarketResult } from './market-book.js';
import { MarketDesk, type DeskInstrument, type InTransaction, type MarketClock, type PublishedBatch, type TimelessCommand } from './market-desk.js';
import type { MarketOrderStatus } from './market-records.entity.js';
import { InstrumentsService, INSTRUMENTS_LISTED_MAX, type Instrument, type NewInstrument } from './instruments.service.js';

export const MARKET_CLOCK = Symbol('MARKET_CLOCK');
export const systemClock: MarketClock = { nowMs: () => Date.now() };
/** Rows per page of orders, fills, trades and candles. */
export const MARKET_PAGE_ROWS_MAX = 500;
/** A book with live good-till-date orders is ticked at most this often when nothing else happens. */
export const MARKET_EXPIRY_TICK_MS = 1_000;
export const MARKET_BATCH_LISTENERS_MAX = 8;

/** Hears every committed batch of every book, after the public feed (the member stream listens). */
export type BatchListener = (instrument: DeskInstrument, batch: PublishedBatch) => void;

export interface BookView {
  instrumentId: string;
  state: string;
  resumeAt: number | null;
  lastPrice: string | null;
  bids: [string, string][];
  asks: [string, string][];
  auctionOrders: number;
}

export interface OrderView {
  instrumentId: string;
  orderId: string;
  side: 'buy' | 'sell';
  type: string;
  timeInForce: string;
  price: string | null;
  stopPrice: string | null;
  quantity: string;
  remainingQuantity: string;
  filledQuantity: string;
  status: MarketOrderStatus;
  cancelReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface OrderTrade {
  tradeSeq: string;
  price: string;
  quantity: string;
}

export interface FillView {
  instrumentId: string;
  tradeSeq: string;
  orderId: string;
  side: 'buy' | 'sell';
  price: string;
  quantity: string;
  aggressor: string;
  tradedAt: string;
}

@Injectable()
export class MarketService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('MarketService');
  private readonly desks = new Map<string, Promise<MarketDesk | null>>();
  private readonly lastTickMs = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private readonly batchListeners: BatchListener[] = [];
  readonly feed: FeedHub;

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(InstrumentsService) private readonly instruments: InstrumentsService,
    @Inject(EXECUTION_CONFIG) private readonly config: ExecutionConfig,
    @Inject(MARKET_CLOCK) private readonly clock: MarketClock,
  ) {
    this.feed = new FeedHub(config.market.feedClientBufferBytes, async (id) => (await this.desk(id)) !== null);
  }

  async onModuleInit(): Promise<void> {
    for (const instrument of await this.instruments.all()) await this.desk(instrument.id);
    this.timer = setInterval(() => this.tick(), this.config.market.tickMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.feed.close();
  }

  onBatch(listener: BatchListener): void {
    assert(this.batchListeners.length < MARKET_BATCH_LISTENERS_MAX, 'batch listeners are few');
    this.batchListeners.push(listener);
  }

  /** Lists an instrument (idempotent by symbol) and opens its book. */
  async list(input: NewInstrument): Promise<Instrument> {
    const instrument = await this.instruments.list(input);
    await this.desk(instrument.id);
    return instrument;
  }

  /** The desk of a listed instrument, recovered from the journal on first use; null if unknown. */
  desk(instrumentId: string): Promise<MarketDesk | null> {
    let desk = this.desks.get(instrumentId);
    if (!desk) {
      desk = this.openDesk(instrumentId);
      this.desks.set(instrumentId, desk);
      desk.catch(() => this.desks.delete(instrumentId));
    }
    return desk;
  }

  private async openDesk(instrumentId: string): Promise<MarketDesk | null> {
    if (this.desks.size > INSTRUMENTS_LISTED_MAX) throw new Error('more books than listed instruments allow');
    const instrument = await this.db.transaction((tx) => this.instruments.get(tx, instrumentId));
    if (!instrument) {
      this.desks.delete(instrumentId);
      return null;
    }
    const desk = await MarketDesk.open(this.db, instrument, this.clock, {
      snapshotEveryCommands: this.config.market.snapshotEveryCommands,
      onBatch: (d, batch) => {
        this.feed.publish(instrumentId, d.instrument, d.book, batch);
        for (const listener of this.batchListeners) listener(d.instrument, batch);
      },
      onError: (_d, error) => this.logger.error({ err: error, instrumentId, msg: 'journal batch failed; book rebuilt from the journal' }),
    });
    this.feed.open(instrumentId, instrument, desk.book);
    return desk;
  }

  /** Runs one command on an instrument's book; resolves once it is journaled. */
  async execute(instrumentId: string, command: TimelessCommand, inTransaction?: InTransaction): Promise<MarketResult> {
    const desk = await this.desk(instrumentId);
    if (!desk) return { ok: false, code: MarketRejectCode.UnknownInstrument, orderId: null };
    return desk.submit(command, inTransaction);
  }

  /** Due auctions and expiries: time alone changes a book only through a journaled tick. */
  private tick(): void {
    const nowMs = this.clock.nowMs();
    for (const [id, pending] of this.desks) {
      void pending.then((desk) => {
        if (!desk || desk.queued > 0) return;
        const expiryDue = desk.book.goodTillDateLive > 0 && nowMs - (this.lastTickMs.get(id) ?? 0) >= MARKET_EXPIRY_TICK_MS;
        if (!desk.book.auctionDue(nowMs) && !expiryDue) return;
        this.lastTickMs.set(id, nowMs);
        desk.submit({ kind: 'tick' }).catch((error: unknown) => this.logger.error({ err: error, instrumentId: id, msg: 'tick failed' }));
      });
    }
  }

  async book(instrumentId: string, levels: number): Promise<BookView | null> {
    const desk = await this.desk(instrumentId);
    const view = this.feed.committed(instrumentId);
    if (!desk || !view) return null;
    return {
      instrumentId,
      state: view.state,
      resumeAt: view.resumeAt,
      lastPrice: view.lastPrice,
      bids: view.bids.slice(0, levels).map(([p, q]) => [p, q]),
      asks: view.asks.slice(0, levels).map(([p, q]) => [p, q]),
      auctionOrders: desk.book.auctionOrders().length,
    };
  }

  async ordersOf(ownerNo: number, filter: { instrumentId?: string; openOnly: boolean; limit: number }): Promise<OrderView[]> {
    const rows = await this.db.transaction((tx) =>
      tx.query<Record<string, string | null> & { owner_no: number; created_at: Date; updated_at: Date }>(
        `SELECT * FROM market_order
          WHERE owner_no = $1 AND ($2::uuid IS NULL OR instrument_id = $2)
            AND (NOT $3 OR status IN ('pending', 'auction', 'open'))
          ORDER BY created_at DESC, order_id DESC LIMIT $4`,
        [ownerNo, filter.instrumentId ?? null, filter.openOnly, Math.min(filter.limit, MARKET_PAGE_ROWS_MAX)],
      ),
    );
    const d = (v: string | null | undefined) => (v === null || v === undefined ? null : decimal(v).toString());
    return rows.map((r) => ({
      instrumentId: String(r.instrument_id),
      orderId: String(r.order_id),
      side: r.side as 'buy' | 'sell',
      type: String(r.order_type),
      timeInForce: String(r.time_in_force),
      price: d(r.price),
      stopPrice: d(r.stop_price),
      quantity: d(r.quantity) ?? '0',
      remainingQuantity: d(r.remaining_quantity) ?? '0',
      filledQuantity: d(r.filled_quantity) ?? '0',
      status: r.status as MarketOrderStatus,
      cancelReason: r.cancel_reason ?? null,
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
    }));
  }

  /** The owner of a live order, as the book knows it (null when the order is not live). */
  async liveOwner(instrumentId: string, orderId: number): Promise<number | null> {
    return (await this.desk(instrumentId))?.book.ownerOf(orderId) ?? null;
  }

  async openOrderIds(ownerNo: number): Promise<{ instrumentId: string; orderId: number }[]> {
    const rows = await this.db.transaction((tx) =>
      tx.query<{ instrument_id: string; order_id: string }>(
        `SELECT instrument_id, order_id FROM market_order WHERE owner_no = $1 AND status IN ('pending', 'auction', 'open')`,
        [ownerNo],
      ),
    );
    return rows.map((r) => ({ instrumentId: r.instrument_id, orderId: Number(r.order_id) }));
  }

  async fillsOf(ownerNo: number, limit: number): Promise<FillView[]> {
    const rows = await this.db.transaction((tx) =>
      tx.query<{ instrument_id: string; trade_seq: string; order_id: string; side: 'buy' | 'sell'; price: string; quantity: string; aggressor: string; traded_at: Date }>(
        `SELECT * FROM (
           SELECT instrument_id, trade_seq, buy_order_id AS order_id, 'buy' AS side, price, quantity, aggressor, traded_at
             FROM market_trade WHERE buy_owner_no = $1
           UNION ALL
           SELECT instrument_id, trade_seq, sell_order_id, 'sell', price, quantity, aggressor, traded_at
             FROM market_trade WHERE sell_owner_no = $1) f
          ORDER BY traded_at DESC, trade_seq DESC LIMIT $2`,
        [ownerNo, Math.min(limit, MARKET_PAGE_ROWS_MAX)],
      ),
    );
    return rows.map((r) => ({
      instrumentId: r.instrument_id,
      tradeSeq: String(r.trade_seq),
      orderId: String(r.order_id),
      side: r.side,
      price: decimal(r.price).toString(),
      quantity: decimal(r.quantity).toString(),
      aggressor: r.aggressor,
      tradedAt: r.traded_at.toISOString(),
    }));
  }

  /**
   * One order's status and its trades, oldest first: how the internal venue reports an omnibus
   * order's fills (null status: the book never took the order). At most `limit` trades.
   */
  async orderTrades(instrumentId: string, orderId: number, limit: number): Promise<{ status: MarketOrderStatus | null; trades: OrderTrade[] }> {
    return this.db.transaction(async (tx) => {
      const [order] = await tx.query<{ status: MarketOrderStatus }>(`SELECT status FROM market_order WHERE instrument_id = $1 AND order_id = $2`, [instrumentId, orderId]);
      const trades = await tx.query<{ trade_seq: string; price: string; quantity: string }>(
        `SELECT trade_seq, price, quantity FROM market_trade WHERE instrument_id = $1 AND buy_order_id = $2
         UNION ALL
         SELECT trade_seq, price, quantity FROM market_trade WHERE instrument_id = $1 AND sell_order_id = $2
         ORDER BY trade_seq LIMIT $3`,
        [instrumentId, orderId, limit],
      );
      return {
        status: order?.status ?? null,
        trades: trades.map((t) => ({ tradeSeq: String(t.trade_seq), price: decimal(t.price).toString(), quantity: decimal(t.quantity).toString() })),
      };
    });
  }

  async candles(instrumentId: string, interval: CandleInterval, limit: number): Promise<Record<string, string | number>[]> {
    const rows = await this.db.transaction((tx) =>
      tx.query<{ bucket_start: Date; open: string; high: string; low: string; close: string; volume: string; trades: number }>(
        `SELECT bucket_start, open, high, low, close, volume, trades FROM market_candle
          WHERE instrument_id = $1 AND interval = $2 ORDER BY bucket_start DESC LIMIT $3`,
        [instrumentId, interval, Math.min(limit, MARKET_PAGE_ROWS_MAX)],
      ),
    );
    return rows.reverse().map((r) => ({
      start: r.bucket_start.toISOString(),
      open: decimal(r.open).toString(),
      high: decimal(r.high).toString(),
      low: decimal(r.low).toString(),
      close: decimal(r.close).toString(),
      volume: decimal(r.volume).toString(),
      trades: r.trades,
    }));
  }

  async trades(instrumentId: string, limit: number): Promise<Record<string, string>[]> {
    const rows = await this.db.transaction((tx) =>
      tx.query<{ trade_seq: string; price: string; quantity: string; aggressor: string; traded_at: Date }>(
        `SELECT trade_seq, price, quantity, aggressor, traded_at FROM market_trade WHERE instrument_id = $1 ORDER BY trade_seq DESC LIMIT $2`,
        [instrumentId, Math.min(limit, MARKET_PAGE_ROWS_MAX)],
      ),
    );
    return rows.map((r) => ({
      tradeSeq: String(r.trade_seq),
      price: decimal(r.price).toString(),
      quantity: decimal(r.quantity).toString(),
      aggressor: r.aggressor,
      tradedAt: r.traded_at.toISOString(),
    }));
  }
}
