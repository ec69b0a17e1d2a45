import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { auctionPrice, uncross, type AuctionOrder } from './call-auction.js';

let nextId = 1;
const buy = (priceTicks: number, lots: number, ownerId = 1): AuctionOrder => ({ orderId: nextId++, ownerId, side: 0, priceTicks, lots });
const sell = (priceTicks: number, lots: number, ownerId = 2): AuctionOrder => ({ orderId: nextId++, ownerId, side: 1, priceTicks, lots });

describe('call auction price', () => {
  // One line per rule: [what it proves, orders, reference, expected price, expected lots].
  const cases: [string, AuctionOrder[], number | null, number | null, number][] = [
    ['nothing crosses: no auction', [buy(99, 5), sell(100, 5)], 100, null, 0],
    ['one side only: no auction', [buy(99, 5), buy(101, 5)], 100, null, 0],
    ['the price maximising volume wins', [buy(102, 10), buy(101, 5), sell(100, 8), sell(101, 7)], null, 101, 15],
    ['equal volume: the smaller imbalance wins', [buy(11, 5), buy(9, 2), sell(9, 5)], null, 11, 5],
    ['equal volume and imbalance, no reference: the lower price', [buy(12, 3), buy(10, 7), sell(9, 7), sell(11, 1)], null, 9, 7],
    ['equal volume and imbalance: nearest the reference', [buy(105, 5), sell(100, 5)], 104, 105, 5],
    ['equal on all three rules: the lower price', [buy(105, 5), sell(100, 5)], null, 100, 5],
    ['reference below the range: the nearest end', [buy(105, 5), sell(100, 5)], 90, 100, 5],
  ];
  it.each(cases)('%s', (_what, orders, reference, price, lots) => {
    const chosen = auctionPrice(orders, reference);
    expect(chosen === null ? null : chosen.priceTicks).toBe(price);
    expect(chosen?.lots ?? 0).toBe(lots);
  });
});

describe('uncross', () => {
  it('fills in price then time priority at one price', () => {
    const b1 = buy(12, 3);
    const b2 = buy(10, 4);
    const b3 = buy(10, 4);
    const s1 = sell(9, 7);
    const s2 = sell(11, 1);
    const result = uncross([b1, b2, b3, s1, s2], null);
    expect(result?.priceTicks).toBe(9);
    expect(result?.fills.map((f) => [f.buyOrderId, f.sellOrderId, f.lots, f.buyRemainingLots, f.sellRemainingLots])).toEqual([
      [b1.orderId, s1.orderId, 3, 0, 4],
      [b2.orderId, s1.orderId, 4, 0, 0],
    ]);
  });

  const order = fc.record({ side: fc.constantFrom<0 | 1>(0, 1), priceTicks: fc.integer({ min: 1, max: 20 }), lots: fc.integer({ min: 1, max: 50 }) });

  it('conserves quantity, maximises volume and leaves an uncrossed book (property)', () => {
    fc.assert(
      fc.property(fc.array(order, { maxLength: 40 }), fc.option(fc.integer({ min: 1, max: 20 }), { nil: null }), (specs, reference) => {
        const orders = specs.map((o, i) => ({ ...o, orderId: i + 1, ownerId: 0 }));
        const result = uncross(orders, reference);
        const left = new Map(orders.map((o) => [o.orderId, o.lots]));
        for (const fill of result?.fills ?? []) {
          left.set(fill.buyOrderId, (left.get(fill.buyOrderId) ?? 0) - fill.lots);
          left.set(fill.sellOrderId, (left.get(fill.sellOrderId) ?? 0) - fill.lots);
          expect(left.get(fill.buyOrderId)).toBe(fill.buyRemainingLots);
          expect(left.get(fill.sellOrderId)).toBe(fill.sellRemainingLots);
        }
        for (const o of orders) {
          expect(left.get(o.orderId)).toBeGreaterThanOrEqual(0);
          if ((left.get(o.orderId) ?? 0) < o.lots && result) {
            // Only orders at or better than the auction price trade.
            expect(o.side === 0 ? o.priceTicks >= result.priceTicks : o.priceTicks <= result.priceTicks).toBe(true);
          }
        }
        // No other price would have executed more.
        for (let p = 1; p <= 20; p++) {
          const demand = orders.filter((o) => o.side === 0 && o.priceTicks >= p).reduce((s, o) => s + o.lots, 0);
          const supply = orders.filter((o) => o.side === 1 && o.priceTicks <= p).reduce((s, o) => s + o.lots, 0);
          expect(Math.min(demand, supply)).toBeLessThanOrEqual(result?.lots ?? 0);
        }
        const bestBid = Math.max(-Infinity, ...orders.filter((o) => o.side === 0 && (left.get(o.orderId) ?? 0) > 0).map((o) => o.priceTicks));
        const bestAsk = Math.min(Infinity, ...orders.filter((o) => o.side === 1 && (left.get(o.orderId) ?? 0) > 0).map((o) => o.priceTicks));
        expect(bestBid).toBeLessThan(bestAsk);
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic: the same orders give the same fills', () => {
    const orders = [buy(10, 5), sell(9, 3), sell(10, 3), buy(11, 1)];
    expect(uncross(orders, 10)).toEqual(uncross(orders, 10));
  });
});
