import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { bucketStart, candlesOf, mergeCandles } from './candles.js';

describe('candles', () => {
  it.each([
    ['1s', 1_700_000_000_999, 1_700_000_000_000],
    ['1m', 1_700_000_059_999, 1_700_000_040_000],
    ['1h', 1_700_003_599_000, 1_700_002_800_000],
    ['1d', 1_700_000_000_000, 1_699_920_000_000],
  ] as const)('%s buckets start on UTC boundaries (%d → %d)', (interval, atMs, start) => {
    expect(bucketStart(atMs, interval)).toBe(start);
  });

  it('folds trades into open, high, low, close and volume per bucket', () => {
    const candles = candlesOf([
      { atMs: 1_000, priceTicks: 10, lots: 1 },
      { atMs: 1_500, priceTicks: 12, lots: 2 },
      { atMs: 1_900, priceTicks: 9, lots: 3 },
      { atMs: 2_000, priceTicks: 11, lots: 4 },
    ]);
    expect(candles.filter((c) => c.interval === '1s')).toEqual([
      { interval: '1s', startMs: 1_000, openTicks: 10, highTicks: 12, lowTicks: 9, closeTicks: 9, volumeLots: 6, trades: 3 },
      { interval: '1s', startMs: 2_000, openTicks: 11, highTicks: 11, lowTicks: 11, closeTicks: 11, volumeLots: 4, trades: 1 },
    ]);
    expect(candles.filter((c) => c.interval === '1m')).toEqual([
      { interval: '1m', startMs: 0, openTicks: 10, highTicks: 12, lowTicks: 9, closeTicks: 11, volumeLots: 10, trades: 4 },
    ]);
  });

  it('folding in batches and merging equals folding at once (property)', () => {
    const trade = fc.record({ gapMs: fc.integer({ min: 0, max: 90_000 }), priceTicks: fc.integer({ min: 1, max: 100 }), lots: fc.integer({ min: 1, max: 9 }) });
    fc.assert(
      fc.property(fc.array(trade, { minLength: 1, maxLength: 50 }), fc.nat(), (specs, cut) => {
        let atMs = 0;
        const trades = specs.map((t) => ({ atMs: (atMs += t.gapMs), priceTicks: t.priceTicks, lots: t.lots }));
        const split = cut % trades.length;
        const merged = new Map(candlesOf(trades.slice(0, split)).map((c) => [`${c.interval}:${c.startMs}`, c]));
        for (const c of candlesOf(trades.slice(split))) {
          const held = merged.get(`${c.interval}:${c.startMs}`);
          merged.set(`${c.interval}:${c.startMs}`, held ? mergeCandles(held, c) : c);
        }
        const whole = candlesOf(trades);
        expect(whole.length).toBe(merged.size);
        for (const c of whole) expect(merged.get(`${c.interval}:${c.startMs}`)).toEqual(c);
      }),
    );
  });
});
