import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { OrderType, Side, StpMode, TimeInForce } from '@bulwark/engine';
import { MarketBook, type BreakerConfig, type MarketCommand, type MarketEvent, type OrderSpec } from './market-book.js';

const engineConfig = {
  symbol: 'TEST',
  tickSize: '0.01',
  lotSize: '1',
  priceTicksMin: 1,
  priceTicksMax: 1_000,
  bandTicks: 0,
  referencePriceTicks: null,
  ordersMax: 1_024,
  orderLotsMax: 10_000,
};
const breaker: BreakerConfig = { haltMoveBps: 1_000, haltWindowMs: 10_000, cooldownMs: 5_000 };

const limit = (side: Side, priceTicks: number, lots: number, ownerId = 0, extra: Partial<OrderSpec> = {}): OrderSpec => ({
  ownerId,
  side,
  type: OrderType.Limit,
  priceTicks,
  stopPriceTicks: 0,
  lots,
  tif: TimeInForce.GTC,
  expiryMs: 0,
  postOnly: false,
  stp: StpMode.CancelNewest,
  ...extra,
});
const submit = (nowMs: number, order: OrderSpec): MarketCommand => ({ kind: 'submit', nowMs, order });
const trades = (events: MarketEvent[]) => events.flatMap((e) => (e.kind === 'trade' ? [[e.priceTicks, e.lots, e.aggressor]] : []));

describe('market book sessions', () => {
  it('refuses new orders when closed, still lets orders be cancelled, and reopens', () => {
    const book = new MarketBook(engineConfig, breaker);
    const placed = book.apply(submit(1, limit(Side.Buy, 100, 5)));
    expect(placed.result).toEqual({ ok: true, orderId: 1 });
    expect(book.apply({ kind: 'close', nowMs: 2 }).events).toEqual([{ kind: 'status', state: 'closed', reason: 'operator', resumeAtMs: null }]);
    expect(book.apply(submit(3, limit(Side.Sell, 100, 5))).result).toEqual({ ok: false, code: 'market_closed', orderId: 2 });
    expect(book.apply({ kind: 'cancel', nowMs: 4, orderId: 1 }).result.ok).toBe(true);
    expect(book.apply({ kind: 'close', nowMs: 5 }).result).toMatchObject({ ok: false, code: 'bad_session_change' });
    expect(book.apply({ kind: 'open', nowMs: 6 }).result.ok).toBe(true);
    expect(book.state.state).toBe('open');
  });

  it('an operator halt collects orders for the auction until the operator resumes', () => {
    const book = new MarketBook(engineConfig, breaker);
    book.apply(submit(1, limit(Side.Sell, 105, 5)));
    book.apply({ kind: 'halt', nowMs: 2, cooldownMs: null });
    const held = book.apply(submit(3, limit(Side.Buy, 110, 3)));
    expect(held.events).toEqual([expect.objectContaining({ kind: 'accepted', phase: 'auction' })]);
    expect(book.apply(submit(4, { ...limit(Side.Buy, 110, 1), tif: TimeInForce.IOC })).result).toMatchObject({ ok: false, code: 'market_halted' });
    expect(book.apply({ kind: 'tick', nowMs: 1_000_000 }).events).toEqual([]); // no cool-down: still halted
    const resumed = book.apply({ kind: 'resume', nowMs: 1_000_001 });
    // The auction trades at one price: 105 and 110 both cross 3 lots; nearer the reference (none) → the lower.
    expect(trades(resumed.events)).toEqual([[105, 3, 'auction']]);
    expect(book.engine.depth(Side.Sell, 5)).toEqual([{ priceTicks: 105, lots: 2, orders: 1 }]);
    expect(book.state).toEqual({ state: 'open', reason: null, resumeAtMs: null });
  });
});

describe('reduce', () => {
  const reduce = (nowMs: number, orderId: number, lots: number): MarketCommand => ({ kind: 'reduce', nowMs, orderId, lots });

  it('takes lots off a resting order, which keeps its price and place; all of it cancels; what filled first is never undone', () => {
    const book = new MarketBook(engineConfig, breaker);
    expect(book.apply(submit(1, limit(Side.Buy, 100, 10, 7))).result).toEqual({ ok: true, orderId: 1 });
    expect(book.apply(submit(2, limit(Side.Buy, 100, 5, 8))).result).toEqual({ ok: true, orderId: 2 });
    expect(book.apply(reduce(3, 1, 4)).events).toEqual([{ kind: 'replaced', orderId: 1, ownerId: 7, priceTicks: 100, lots: 6 }]);
    expect(book.engine.orderLotsOf(1)).toBe(6);
    // Still first at its level: a seller of 6 trades with order 1 only.
    expect(trades(book.apply(submit(4, limit(Side.Sell, 100, 6, 9))).events)).toEqual([[100, 6, 'sell']]);
    expect(book.engine.orderLotsOf(1)).toBeNull();
    expect(book.engine.orderLotsOf(2)).toBe(5);
    // Reducing by more than rests ends the order; an order already gone is refused.
    expect(book.apply(reduce(5, 2, 9)).events).toEqual([{ kind: 'cancelled', orderId: 2, ownerId: 8, lots: 5, remainingLots: 0, reason: 'requested' }]);
    expect(book.apply(reduce(6, 1, 1)).result).toEqual({ ok: false, code: 'unknown_order', orderId: 1 });
    expect(book.apply(reduce(7, 2, 0)).result).toEqual({ ok: false, code: 'bad_lot', orderId: 2 });
  });

  it('reduces an order while the book is halted (no price moves), and an auction order the same way', () => {
    const book = new MarketBook(engineConfig, breaker);
    book.apply(submit(1, limit(Side.Buy, 100, 10, 7)));
    book.apply({ kind: 'halt', nowMs: 2, cooldownMs: null });
    expect(book.apply(reduce(3, 1, 3)).result).toEqual({ ok: true, orderId: 1 });
    expect(book.engine.orderLotsOf(1)).toBe(7);
    expect(book.apply(submit(4, limit(Side.Sell, 105, 4, 9))).result).toEqual({ ok: true, orderId: 2 });
    expect(book.apply(reduce(5, 2, 1)).events).toEqual([{ kind: 'replaced', orderId: 2, ownerId: 9, priceTicks: 105, lots: 3 }]);
    expect(book.apply(reduce(6, 2, 3)).events).toEqual([{ kind: 'cancelled', orderId: 2, ownerId: 9, lots: 3, remainingLots: 0, reason: 'requested' }]);
  });
});

describe('volatility breaker', () => {
  it('halts when the price moves 10 % inside the window, then reopens through the auction after the cool-down', () => {
    const book = new MarketBook(engineConfig, breaker);
    book.apply(submit(1_000, limit(Side.Sell, 100, 1)));
    book.apply(submit(1_001, limit(Side.Buy, 100, 1)));
    book.apply(submit(2_000, limit(Side.Sell, 109, 1)));
    const small = book.apply(submit(2_001, limit(Side.Buy, 109, 1)));
    expect(small.events.some((e) => e.kind === 'status')).toBe(false); // 9 %: still open
    book.apply(submit(3_000, limit(Side.Sell, 110, 5)));
    const big = book.apply(submit(3_001, limit(Side.Buy, 110, 1)));
    expect(big.events.at(-1)).toEqual({ kind: 'status', state: 'halted', reason: 'volatility', resumeAtMs: 8_001 });
    book.apply(submit(4_000, limit(Side.Buy, 112, 2)));
    book.apply(submit(4_001, limit(Side.Buy, 111, 3)));
    expect(book.apply({ kind: 'tick', nowMs: 8_000 }).events).toEqual([]);
    const reopened = book.apply({ kind: 'tick', nowMs: 8_001 });
    expect(trades(reopened.events)).toEqual([
      [110, 2, 'auction'],
      [110, 2, 'auction'],
    ]);
    expect(reopened.events.at(-1)).toEqual({ kind: 'status', state: 'open', reason: 'auction', resumeAtMs: null });
    expect(book.engine.bestBidTicks()).toBe(111);
    expect(book.engine.bestAskTicks()).toBeNull();
  });

  it('forgets moves older than the window', () => {
    const book = new MarketBook(engineConfig, breaker);
    book.apply(submit(0, limit(Side.Sell, 100, 1)));
    book.apply(submit(1, limit(Side.Buy, 100, 1)));
    book.apply(submit(20_000, limit(Side.Sell, 120, 1)));
    const later = book.apply(submit(20_001, limit(Side.Buy, 120, 1)));
    expect(later.events.some((e) => e.kind === 'status')).toBe(false);
  });

  it('a halt by breaker on a single sweeping order still ends that order first', () => {
    const book = new MarketBook(engineConfig, { ...breaker, haltMoveBps: 500 });
    book.apply(submit(1, limit(Side.Sell, 100, 1)));
    book.apply(submit(2, limit(Side.Sell, 106, 1)));
    const sweep = book.apply(submit(3, limit(Side.Buy, 106, 2)));
    expect(trades(sweep.events)).toEqual([
      [100, 1, 'buy'],
      [106, 1, 'buy'],
    ]);
    expect(book.state.state).toBe('halted');
  });
});

describe('snapshot and replay', () => {
  const command = fc.oneof(
    fc.record({
      kind: fc.constant('submit' as const),
      side: fc.constantFrom(Side.Buy, Side.Sell),
      priceTicks: fc.integer({ min: 90, max: 110 }),
      lots: fc.integer({ min: 1, max: 20 }),
      ownerId: fc.integer({ min: 0, max: 3 }),
      tif: fc.constantFrom(TimeInForce.GTC, TimeInForce.IOC, TimeInForce.GTD),
    }),
    fc.record({ kind: fc.constant('cancel' as const), orderId: fc.integer({ min: 1, max: 60 }) }),
    fc.record({ kind: fc.constant('reduce' as const), orderId: fc.integer({ min: 1, max: 60 }), lots: fc.integer({ min: 1, max: 25 }) }),
    fc.record({ kind: fc.constant('halt' as const) }),
    fc.record({ kind: fc.constant('resume' as const) }),
  );
  const toCommand = (c: { kind: string }, nowMs: number): MarketCommand => {
    const r = c as Record<string, number> & { kind: string };
    if (r.kind === 'submit') {
      return submit(nowMs, limit(r.side as Side, r.priceTicks ?? 0, r.lots ?? 0, r.ownerId, { tif: r.tif as TimeInForce, expiryMs: nowMs + 3_000 }));
    }
    if (r.kind === 'cancel') return { kind: 'cancel', nowMs, orderId: r.orderId ?? 0 };
    if (r.kind === 'reduce') return { kind: 'reduce', nowMs, orderId: r.orderId ?? 0, lots: r.lots ?? 0 };
    if (r.kind === 'halt') return { kind: 'halt', nowMs, cooldownMs: 2_000 };
    return { kind: 'resume', nowMs };
  };

  it('a snapshot taken anywhere plus the later commands gives the same state and events (property)', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 60 }), fc.nat(), (specs, cut) => {
        const commands = specs.map((c, i) => toCommand(c, 1_000 * i));
        const at = cut % commands.length;
        const straight = new MarketBook(engineConfig, { ...breaker, haltMoveBps: 300 });
        let snapshot = straight.snapshot();
        const laterEvents: MarketEvent[] = [];
        commands.forEach((c, i) => {
          const { events } = straight.apply(c);
          if (i === at) snapshot = JSON.parse(JSON.stringify(straight.snapshot()));
          if (i > at) laterEvents.push(...events);
        });
        const restored = new MarketBook(engineConfig, { ...breaker, haltMoveBps: 300 }, snapshot);
        const replayed = commands.slice(at + 1).flatMap((c) => restored.apply(c).events);
        expect(replayed).toEqual(laterEvents);
        expect(restored.snapshot()).toEqual(straight.snapshot());
        restored.engine.checkInvariants();
      }),
      { numRuns: 150 },
    );
  });
});
