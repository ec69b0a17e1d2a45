// The engine against the shared workload's reference matcher (../shared/bench/clob-workload.mjs)
// on a small seed: same trades, same matched lots, same resting orders, same best prices.

import { describe, expect, it } from '@jest/globals';
import { generateWorkload, opCancel, opLimit } from './bench/workload-source.js';
import { newOrder, OrderType, Side, TimeInForce } from './engine-types.js';
import { CountingEventSink } from './event-sink.js';
import { MatchingEngine } from './matching-engine.js';
import { benchConfig } from './bench/bench-runners.js';

describe('shared workload reference', () => {
  it.each([
    [42, 20_000],
    [7, 20_000],
  ])('seed %i, n = %i: trades, lots and resting orders match the reference', async (seed, n) => {
    const w = await generateWorkload(seed, n);
    const sink = new CountingEventSink();
    const engine = new MatchingEngine({ ...benchConfig, ordersMax: 1 << 15 }, sink);
    const order = newOrder({ id: 0, side: Side.Buy, lots: 1 });
    for (let i = 0; i < w.n; i++) {
      const t = w.type[i];
      order.side = w.side[i] === 0 ? Side.Buy : Side.Sell;
      order.lots = w.size[i] ?? 0;
      if (t === opLimit) {
        order.type = OrderType.Limit;
        order.tif = TimeInForce.GTC;
        order.id = w.id[i] ?? -1;
        order.priceTicks = w.price[i] ?? 0;
        engine.submit(order);
      } else if (t === opCancel) {
        expect(engine.cancel(w.id[i] ?? -1)).toBe('ok');
      } else {
        order.type = OrderType.Market;
        order.tif = TimeInForce.IOC;
        order.id = 1e12 + i;
        engine.submit(order);
      }
    }
    engine.checkInvariants();
    const expectation = w.expect as typeof w.expect & { bestBid: number | null; bestAsk: number | null };
    expect({
      trades: sink.tradeCount,
      lots: sink.tradedLots,
      resting: engine.restingOrdersCount,
      bestBid: engine.bestBidTicks(),
      bestAsk: engine.bestAskTicks(),
    }).toEqual({
      trades: w.expect.trades,
      lots: w.expect.volume,
      resting: w.expect.finalLive,
      bestBid: expectation.bestBid,
      bestAsk: expectation.bestAsk,
    });
    expect(sink.rejectedCount).toBeLessThanOrEqual(w.expect.marketUnfilled ?? 0);
  });
});
