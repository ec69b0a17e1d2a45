// OHLC candles from trades: pure bucketing on UTC boundaries. A batch of trades becomes one
// row per (interval, bucket) that the database merges into the stored candle (open kept,
// high/low widened, close replaced, volume added), so batches can be folded in any size.
import { assert } from '@bulwark/shared-contracts';

export const CANDLE_INTERVALS = { '1s': 1_000, '1m': 60_000, '1h': 3_600_000, '1d': 86_400_000 } as const;
export type CandleInterval = keyof typeof CANDLE_INTERVALS;
export const CANDLE_INTERVAL_NAMES = Object.keys(CANDLE_INTERVALS) as CandleInterval[];

export interface CandleTrade {
  readonly atMs: number;
  readonly priceTicks: number;
  readonly lots: number;
}

export interface Candle {
  readonly interval: CandleInterval;
  readonly startMs: number;
  readonly openTicks: number;
  readonly highTicks: number;
  readonly lowTicks: number;
  readonly closeTicks: number;
  readonly volumeLots: number;
  readonly trades: number;
}

export function bucketStart(atMs: number, interval: CandleInterval): number {
  const width = CANDLE_INTERVALS[interval];
  return atMs - (((atMs % width) + width) % width);
}

/** Folds trades (in time order) into candles, one per interval and bucket touched. */
export function candlesOf(trades: readonly CandleTrade[]): Candle[] {
  const out = new Map<string, Candle>();
  let previousMs = -Infinity;
  for (const trade of trades) {
    assert(trade.atMs >= previousMs, 'trades arrive in time order');
    assert(trade.lots > 0, 'a trade moves at least one lot');
    previousMs = trade.atMs;
    for (const interval of CANDLE_INTERVAL_NAMES) {
      const startMs = bucketStart(trade.atMs, interval);
      const key = `${interval}:${startMs}`;
      const held = out.get(key);
      out.set(
        key,
        held
          ? {
              ...held,
              highTicks: Math.max(held.highTicks, trade.priceTicks),
              lowTicks: Math.min(held.lowTicks, trade.priceTicks),
              closeTicks: trade.priceTicks,
              volumeLots: held.volumeLots + trade.lots,
              trades: held.trades + 1,
            }
          : {
              interval,
              startMs,
              openTicks: trade.priceTicks,
              highTicks: trade.priceTicks,
              lowTicks: trade.priceTicks,
              closeTicks: trade.priceTicks,
              volumeLots: trade.lots,
              trades: 1,
            },
      );
    }
  }
  return [...out.values()];
}

/** Merges a later partial candle of the same bucket into an earlier one (what the SQL upsert does). */
export function mergeCandles(earlier: Candle, later: Candle): Candle {
  assert(earlier.interval === later.interval && earlier.startMs === later.startMs, 'same bucket');
  return {
    ...earlier,
    highTicks: Math.max(earlier.highTicks, later.highTicks),
    lowTicks: Math.min(earlier.lowTicks, later.lowTicks),
    closeTicks: later.closeTicks,
    volumeLots: earlier.volumeLots + later.volumeLots,
    trades: earlier.trades + later.trades,
  };
}
