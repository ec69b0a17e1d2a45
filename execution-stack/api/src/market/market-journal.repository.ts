// The market's SQL: the journal and snapshots a book is recovered from, and the orders, trades
// and candles one journal batch produced, all written in the batch's transaction.
import { lotsToQuantity, OrderType, Side, ticksToPrice, TimeInForce } from '@bulwark/engine';
import { assert, decimal } from '@bulwark/shared-contracts';
import type { SqlTx } from '@bulwark/shared-contracts/wall';
import { candlesOf, type CandleInterval } from './candles.js';
import { priceText, quantityText } from './wire-decimal.js';
import type { MarketBookSnapshot, MarketCommand, MarketEvent } from './market-book.js';
import type { MarketOrderStatus } from './market-records.entity.js';

/** Journal entries read per query while replaying. */
export const JOURNAL_REPLAY_PAGE = 5_000;

export interface Scale {
  readonly tickSize: string;
  readonly lotSize: string;
}

export interface AppliedCommand {
  readonly seq: number;
  readonly command: MarketCommand;
  readonly events: readonly MarketEvent[];
}

export interface TradeRecord {
  readonly tradeSeq: number;
  readonly price: string;
  readonly quantity: string;
  readonly aggressor: 'buy' | 'sell' | 'auction';
  readonly tradedAtMs: number;
}

export interface CandleRecord {
  readonly interval: CandleInterval;
  readonly startMs: number;
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly close: string;
  readonly volume: string;
  readonly trades: number;
}

export async function latestSnapshot(tx: SqlTx, instrumentId: string): Promise<MarketBookSnapshot | null> {
  const [row] = await tx.query<{ state: MarketBookSnapshot }>(
    `SELECT state FROM market_snapshot WHERE instrument_id = $1 ORDER BY seq DESC LIMIT 1`,
    [instrumentId],
  );
  return row?.state ?? null;
}

export async function journalAfter(tx: SqlTx, instrumentId: string, afterSeq: number): Promise<{ seq: number; command: MarketCommand }[]> {
  const rows = await tx.query<{ seq: string; command: MarketCommand }>(
    `SELECT seq, command FROM market_journal WHERE instrument_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    [instrumentId, afterSeq, JOURNAL_REPLAY_PAGE],
  );
  return rows.map((row) => ({ seq: Number(row.seq), command: row.command }));
}

export async function writeSnapshot(tx: SqlTx, instrumentId: string, snapshot: MarketBookSnapshot): Promise<void> {
  await tx.query(`INSERT INTO market_snapshot (instrument_id, seq, state) VALUES ($1, $2, $3)`, [instrumentId, snapshot.commandSeq, JSON.stringify(snapshot)]);
}

interface NewOrderRow {
  ownerId: number;
  side: Side;
  type: OrderType;
  tif: TimeInForce;
  priceTicks: number | null;
  stopTicks: number | null;
  lots: number;
  atMs: number;
}

interface OrderChange {
  /** null: unchanged by this batch. */
  status: MarketOrderStatus | null;
  remainingLots: number;
  filledLots: number;
  priceTicks: number | null;
  cancelReason: string | null;
}

export const sideName = (side: Side): 'buy' | 'sell' => (side === Side.Buy ? 'buy' : 'sell');
const TYPE_NAMES: Readonly<Record<OrderType, string>> = { [OrderType.Limit]: 'limit', [OrderType.Market]: 'market', [OrderType.Stop]: 'stop', [OrderType.StopLimit]: 'stop_limit' };
const TIF_NAMES: Readonly<Record<TimeInForce, string>> = { [TimeInForce.GTC]: 'GTC', [TimeInForce.IOC]: 'IOC', [TimeInForce.FOK]: 'FOK', [TimeInForce.GTD]: 'GTD' };
export const orderTypeName = (type: OrderType): string => TYPE_NAMES[type];
export const timeInForceName = (tif: TimeInForce): string => TIF_NAMES[tif];

/**
 * Writes one journal batch and everything it produced. A primary-key conflict on the journal
 * means a second writer for the book: the transaction fails and the caller recovers.
 */
export async function persistBatch(
  tx: SqlTx,
  instrumentId: string,
  scale: Scale,
  applied: readonly AppliedCommand[],
): Promise<{ trades: TradeRecord[]; candles: CandleRecord[] }> {
  assert(applied.length > 0, 'a batch holds at least one command');
  await tx.query(
    `INSERT INTO market_journal (instrument_id, seq, command) SELECT $1, * FROM unnest($2::bigint[], $3::jsonb[])`,
    [instrumentId, applied.map((a) => a.seq), applied.map((a) => JSON.stringify(a.command))],
  );
  const price = (ticks: number) => ticksToPrice(ticks, scale.tickSize);
  const quantity = (lots: number) => lotsToQuantity(lots, scale.lotSize);

  const created = new Map<number, NewOrderRow>();
  const changes = new Map<number, OrderChange>();
  const changeOf = (orderId: number): OrderChange => {
    let change = changes.get(orderId);
    if (!change) {
      change = { status: null, remainingLots: -1, filledLots: 0, priceTicks: null, cancelReason: null };
      changes.set(orderId, change);
    }
    return change;
  };
  const trades: (TradeRecord & { buyOrderId: number; sellOrderId: number; buyOwnerId: number; sellOwnerId: number; lots: number; priceTicks: number })[] = [];
  let status: string | null = null;
  for (const { command, events } of applied) {
    for (const event of events) {
      switch (event.kind) {
        case 'accepted': {
          const o = event.order;
          const isStop = o.type === OrderType.Stop || o.type === OrderType.StopLimit;
          const hasPrice = o.type === OrderType.Limit || o.type === OrderType.StopLimit;
          created.set(event.orderId, {
            ownerId: o.ownerId,
            side: o.side,
            type: o.type,
            tif: o.tif,
            priceTicks: hasPrice ? o.priceTicks : null,
            stopTicks: isStop ? o.stopPriceTicks : null,
            lots: o.lots,
            atMs: command.nowMs,
          });
          const change = changeOf(event.orderId);
          change.status = event.phase === 'auction' ? 'auction' : isStop ? 'pending' : 'open';
          change.remainingLots = o.lots;
          break;
        }
        case 'trade': {
          trades.push({ ...event, price: priceText(event.priceTicks, scale.tickSize), quantity: quantityText(event.lots, scale.lotSize), tradedAtMs: command.nowMs });
          for (const [orderId, remaining] of [
            [event.buyOrderId, event.buyRemainingLots],
            [event.sellOrderId, event.sellRemainingLots],
          ] as const) {
            const change = changeOf(orderId);
            change.filledLots += event.lots;
            change.remainingLots = remaining;
            change.status = remaining === 0 ? 'filled' : 'open';
          }
          break;
        }
        case 'cancelled': {
          const change = changeOf(event.orderId);
          change.remainingLots = event.remainingLots;
          if (event.remainingLots === 0) {
            change.status = 'cancelled';
            change.cancelReason = event.reason;
          }
          break;
        }
        case 'expired': {
          const change = changeOf(event.orderId);
          change.remainingLots = 0;
          change.status = 'expired';
          break;
        }
        case 'triggered':
          changeOf(event.orderId).status = 'open';
          break;
        case 'replaced': {
          const change = changeOf(event.orderId);
          change.priceTicks = event.priceTicks;
          change.remainingLots = event.lots;
          break;
        }
        case 'status':
          status = event.state;
          break;
        case 'rejected':
          break;
      }
    }
  }

  const fresh = [...created.entries()];
  if (fresh.length > 0) {
    await tx.query(
      `INSERT INTO market_order (instrument_id, order_id, owner_no, side, order_type, time_in_force, price, stop_price, quantity,
                                 remaining_quantity, filled_quantity, status, cancel_reason, created_at, updated_at)
       SELECT $1, u.*, u.created_at FROM unnest($2::bigint[], $3::int[], $4::text[], $5::text[], $6::text[], $7::numeric[], $8::numeric[],
                                  $9::numeric[], $10::numeric[], $11::numeric[], $12::text[], $13::text[], $14::timestamptz[])
         AS u(order_id, owner_no, side, order_type, time_in_force, price, stop_price, quantity, remaining_quantity, filled_quantity,
              status, cancel_reason, created_at)`,
      [
        instrumentId,
        fresh.map(([id]) => id),
        fresh.map(([, o]) => o.ownerId),
        fresh.map(([, o]) => sideName(o.side)),
        fresh.map(([, o]) => orderTypeName(o.type)),
        fresh.map(([, o]) => timeInForceName(o.tif)),
        fresh.map(([id, o]) => {
          const ticks = changes.get(id)?.priceTicks ?? o.priceTicks;
          return ticks === null ? null : price(ticks);
        }),
        fresh.map(([, o]) => (o.stopTicks === null ? null : price(o.stopTicks))),
        fresh.map(([id, o]) => quantity(Math.max(o.lots, (changes.get(id)?.filledLots ?? 0) + (changes.get(id)?.remainingLots ?? 0)))),
        fresh.map(([id]) => quantity(Math.max(changes.get(id)?.remainingLots ?? 0, 0))),
        fresh.map(([id]) => quantity(changes.get(id)?.filledLots ?? 0)),
        fresh.map(([id]) => changes.get(id)?.status ?? 'open'),
        fresh.map(([id]) => changes.get(id)?.cancelReason ?? null),
        fresh.map(([, o]) => new Date(o.atMs).toISOString()),
      ],
    );
  }
  const updated = [...changes.entries()].filter(([id]) => !created.has(id));
  if (updated.length > 0) {
    await tx.query(
      `UPDATE market_order o
          SET remaining_quantity = CASE WHEN u.remaining < 0 THEN o.remaining_quantity ELSE u.remaining END,
              filled_quantity = o.filled_quantity + u.filled,
              quantity = GREATEST(o.quantity, o.filled_quantity + u.filled + CASE WHEN u.remaining < 0 THEN o.remaining_quantity ELSE u.remaining END),
              price = COALESCE(u.price, o.price),
              status = COALESCE(u.status, o.status),
              cancel_reason = COALESCE(u.cancel_reason, o.cancel_reason),
              updated_at = u.updated_at
         FROM unnest($2::bigint[], $3::numeric[], $4::numeric[], $5::numeric[], $6::text[], $7::text[], $8::timestamptz[])
           AS u(order_id, remaining, filled, price, status, cancel_reason, updated_at)
        WHERE o.instrument_id = $1 AND o.order_id = u.order_id`,
      [
        instrumentId,
        updated.map(([id]) => id),
        updated.map(([, c]) => (c.remainingLots < 0 ? '-1' : quantity(c.remainingLots))),
        updated.map(([, c]) => quantity(c.filledLots)),
        updated.map(([, c]) => (c.priceTicks === null ? null : price(c.priceTicks))),
        updated.map(([, c]) => c.status),
        updated.map(([, c]) => c.cancelReason),
        updated.map(() => new Date((applied.at(-1)?.command.nowMs ?? 0)).toISOString()),
      ],
    );
  }
  if (status !== null) await tx.query(`UPDATE instrument SET status = $2 WHERE id = $1`, [instrumentId, status]);
  if (trades.length === 0) return { trades: [], candles: [] };

  await tx.query(
    `INSERT INTO market_trade (instrument_id, trade_seq, price, quantity, aggressor, buy_order_id, sell_order_id, buy_owner_no, sell_owner_no, traded_at)
     SELECT $1, * FROM unnest($2::bigint[], $3::numeric[], $4::numeric[], $5::text[], $6::bigint[], $7::bigint[], $8::int[], $9::int[], $10::timestamptz[])`,
    [
      instrumentId,
      trades.map((t) => t.tradeSeq),
      trades.map((t) => t.price),
      trades.map((t) => t.quantity),
      trades.map((t) => t.aggressor),
      trades.map((t) => t.buyOrderId),
      trades.map((t) => t.sellOrderId),
      trades.map((t) => t.buyOwnerId),
      trades.map((t) => t.sellOwnerId),
      trades.map((t) => new Date(t.tradedAtMs).toISOString()),
    ],
  );
  const folded = candlesOf(trades.map((t) => ({ atMs: t.tradedAtMs, priceTicks: t.priceTicks, lots: t.lots })));
  const candles = await tx.query<{ interval: CandleInterval; start_ms: string; open: string; high: string; low: string; close: string; volume: string; trades: number }>(
    `INSERT INTO market_candle AS c (instrument_id, interval, bucket_start, open, high, low, close, volume, trades)
     SELECT $1, u.interval, to_timestamp(u.start_ms / 1000.0), u.open, u.high, u.low, u.close, u.volume, u.trades
       FROM unnest($2::text[], $3::bigint[], $4::numeric[], $5::numeric[], $6::numeric[], $7::numeric[], $8::numeric[], $9::int[])
         AS u(interval, start_ms, open, high, low, close, volume, trades)
     ON CONFLICT (instrument_id, interval, bucket_start) DO UPDATE
        SET high = GREATEST(c.high, EXCLUDED.high), low = LEAST(c.low, EXCLUDED.low), close = EXCLUDED.close,
            volume = c.volume + EXCLUDED.volume, trades = c.trades + EXCLUDED.trades
     RETURNING interval, (extract(epoch FROM bucket_start) * 1000)::bigint AS start_ms, open::text, high::text, low::text, close::text,
               volume::text, trades`,
    [
      instrumentId,
      folded.map((c) => c.interval),
      folded.map((c) => c.startMs),
      folded.map((c) => price(c.openTicks)),
      folded.map((c) => price(c.highTicks)),
      folded.map((c) => price(c.lowTicks)),
      folded.map((c) => price(c.closeTicks)),
      folded.map((c) => quantity(c.volumeLots)),
      folded.map((c) => c.trades),
    ],
  );
  return {
    trades: trades.map(({ tradeSeq, price: p, quantity: q, aggressor, tradedAtMs }) => ({ tradeSeq, price: p, quantity: q, aggressor, tradedAtMs })),
    candles: candles.map((c) => ({
      interval: c.interval,
      startMs: Number(c.start_ms),
      open: decimal(c.open).toString(),
      high: decimal(c.high).toString(),
      low: decimal(c.low).toString(),
      close: decimal(c.close).toString(),
      volume: decimal(c.volume).toString(),
      trades: c.trades,
    })),
  };
}
