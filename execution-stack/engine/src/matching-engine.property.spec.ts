// Property tests over random command sequences: book invariants after every command, lots
// conserved per order, determinism, snapshot + journal replay equal to the uninterrupted run,
// and price-time priority equal to a small (slow, obvious) reference model.

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { CommandJournal, replayJournal } from './command-journal.js';
import { newOrder, OrderType, Side, TimeInForce, type EngineCommand, type StpMode } from './engine-types.js';
import { RecordingEventSink, type EngineEvent } from './event-sink.js';
import { MatchingEngine, type EngineSnapshot } from './matching-engine.js';
import { formatBook, formatEvent, testConfig } from './testing/engine-scenario.fixture.js';

const config = { ...testConfig, ordersMax: 256 };
const priceArb = fc.integer({ min: 95, max: 105 });
const lotsArb = fc.integer({ min: 1, max: 10 });
const sideArb = fc.constantFrom(Side.Buy, Side.Sell);

type RawCommand =
  | { op: 'limit'; side: Side; price: number; lots: number; tif: number; postOnly: boolean; owner: number; stp: number; ttl: number }
  | { op: 'market'; side: Side; lots: number; fok: boolean; owner: number; stp: number }
  | { op: 'stop'; side: Side; stopPrice: number; price: number; lots: number; limit: boolean; gtd: boolean; ttl: number }
  | { op: 'cancel'; target: number }
  | { op: 'replace'; target: number; price: number; lots: number }
  | { op: 'advance'; ms: number };

const rawCommandArb: fc.Arbitrary<RawCommand> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('limit' as const),
      side: sideArb,
      price: priceArb,
      lots: lotsArb,
      tif: fc.constantFrom(TimeInForce.GTC, TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK, TimeInForce.GTD),
      postOnly: fc.boolean(),
      owner: fc.integer({ min: 0, max: 3 }),
      stp: fc.integer({ min: 0, max: 4 }),
      ttl: fc.integer({ min: 1, max: 40 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('market' as const),
      side: sideArb,
      lots: fc.integer({ min: 1, max: 25 }),
      fok: fc.boolean(),
      owner: fc.integer({ min: 0, max: 3 }),
      stp: fc.integer({ min: 0, max: 4 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('stop' as const),
      side: sideArb,
      stopPrice: priceArb,
      price: priceArb,
      lots: lotsArb,
      limit: fc.boolean(),
      gtd: fc.boolean(),
      ttl: fc.integer({ min: 1, max: 40 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('cancel' as const), target: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('replace' as const), target: fc.nat(), price: priceArb, lots: lotsArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 20 }) }) },
);

/** Turns raw draws into commands: submissions get ids 1, 2, …; cancels and replaces aim at earlier ids. */
function toCommands(raw: RawCommand[]): EngineCommand[] {
  let nowMs = 0;
  return raw.map((r, i): EngineCommand => {
    const id = i + 1;
    const target = (t: number): number => 1 + (t % id);
    switch (r.op) {
      case 'limit':
        return {
          kind: 'submit',
          order: newOrder({
            id,
            side: r.side,
            priceTicks: r.price,
            lots: r.lots,
            tif: r.tif as TimeInForce,
            expiryMs: nowMs + r.ttl,
            postOnly: r.postOnly,
            ownerId: r.owner,
            stp: r.stp as StpMode,
          }),
        };
      case 'market':
        return {
          kind: 'submit',
          order: newOrder({
            id,
            side: r.side,
            type: OrderType.Market,
            lots: r.lots,
            tif: r.fok ? TimeInForce.FOK : TimeInForce.IOC,
            ownerId: r.owner,
            stp: r.stp as StpMode,
          }),
        };
      case 'stop':
        return {
          kind: 'submit',
          order: newOrder({
            id,
            side: r.side,
            type: r.limit ? OrderType.StopLimit : OrderType.Stop,
            stopPriceTicks: r.stopPrice,
            priceTicks: r.price,
            lots: r.lots,
            tif: r.gtd ? TimeInForce.GTD : TimeInForce.GTC,
            expiryMs: nowMs + r.ttl,
          }),
        };
      case 'cancel':
        return { kind: 'cancel', id: target(r.target) };
      case 'replace':
        return { kind: 'replace', id: target(r.target), priceTicks: r.price, lots: r.lots };
      case 'advance':
        nowMs += r.ms;
        return { kind: 'advance_time', nowMs };
    }
  });
}

const commandsArb = fc.array(rawCommandArb, { minLength: 1, maxLength: 150 }).map(toCommands);

function run(commands: EngineCommand[]): { events: EngineEvent[]; snapshot: EngineSnapshot } {
  const sink = new RecordingEventSink();
  const engine = new MatchingEngine(config, sink);
  for (const c of commands) engine.apply(c);
  return { events: sink.events, snapshot: engine.snapshot() };
}

describe('MatchingEngine properties', () => {
  it('keeps the book invariants and conserves every order’s lots after every command', () => {
    fc.assert(
      fc.property(commandsArb, (commands) => {
        const sink = new RecordingEventSink();
        const engine = new MatchingEngine(config, sink);
        const open = new Map<number, number>();
        const take = (id: number, lots: number): void => {
          const left = (open.get(id) ?? 0) - lots;
          expect(left).toBeGreaterThanOrEqual(0);
          open.set(id, left);
        };
        for (const command of commands) {
          engine.apply(command);
          engine.checkInvariants();
          for (const e of sink.drain()) {
            if (e.kind === 'accepted') open.set(e.orderId, e.lots);
            else if (e.kind === 'trade') {
              take(e.makerId, e.lots);
              take(e.takerId, e.lots);
              expect(open.get(e.makerId)).toBe(e.makerRemainingLots);
              expect(open.get(e.takerId)).toBe(e.takerRemainingLots);
            } else if (e.kind === 'cancelled') take(e.orderId, e.lots);
            else if (e.kind === 'expired') take(e.orderId, e.lots);
            else if (e.kind === 'replaced') open.set(e.orderId, e.lots);
          }
          // What the events say is open is exactly what the engine holds.
          for (const [id, lots] of open) expect(engine.orderLotsOf(id)).toBe(lots === 0 ? null : lots);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic: the same commands give the same events and the same book', () => {
    fc.assert(
      fc.property(commandsArb, (commands) => {
        expect(run(commands)).toEqual(run(commands));
      }),
      { numRuns: 60 },
    );
  });

  it('restores a snapshot and replays the journal to the same book and the same later events', () => {
    fc.assert(
      fc.property(commandsArb, fc.nat(), (commands, cut) => {
        const at = cut % (commands.length + 1);
        const journal = new CommandJournal();
        const sinkA = new RecordingEventSink();
        const engineA = new MatchingEngine(config, sinkA);
        let snapshot: EngineSnapshot | null = null;
        let eventsBeforeCut = 0;
        commands.forEach((command, i) => {
          if (i === at) {
            // Through JSON, as it would be persisted.
            snapshot = JSON.parse(JSON.stringify(engineA.snapshot())) as EngineSnapshot;
            eventsBeforeCut = sinkA.events.length;
          }
          journal.applyAndRecord(engineA, command);
        });
        if (snapshot === null) {
          snapshot = JSON.parse(JSON.stringify(engineA.snapshot())) as EngineSnapshot;
          eventsBeforeCut = sinkA.events.length;
        }
        const restoredFrom: EngineSnapshot = snapshot;
        const sinkB = new RecordingEventSink();
        const engineB = MatchingEngine.restore(restoredFrom, sinkB);
        replayJournal(engineB, journal.entriesAfter(restoredFrom.commandSeq));
        engineB.checkInvariants();
        expect(sinkB.events).toEqual(sinkA.events.slice(eventsBeforeCut));
        expect(engineB.snapshot()).toEqual(engineA.snapshot());
      }),
      { numRuns: 300 },
    );
  });

  it('restores resting stops and GTD orders: they trigger and expire as in the uninterrupted run', () => {
    const commands: EngineCommand[] = [
      { kind: 'submit', order: newOrder({ id: 1, side: Side.Sell, priceTicks: 100, lots: 1 }) },
      { kind: 'submit', order: newOrder({ id: 2, side: Side.Sell, priceTicks: 101, lots: 2 }) },
      { kind: 'submit', order: newOrder({ id: 3, side: Side.Buy, type: OrderType.Stop, stopPriceTicks: 100, lots: 1 }) },
      { kind: 'submit', order: newOrder({ id: 4, side: Side.Buy, type: OrderType.StopLimit, stopPriceTicks: 101, priceTicks: 99, lots: 1, tif: TimeInForce.GTD, expiryMs: 50 }) },
      { kind: 'submit', order: newOrder({ id: 5, side: Side.Buy, priceTicks: 98, lots: 1, tif: TimeInForce.GTD, expiryMs: 50 }) },
      // --- snapshot here ---
      { kind: 'submit', order: newOrder({ id: 6, side: Side.Buy, priceTicks: 100, lots: 1 }) },
      { kind: 'advance_time', nowMs: 50 },
    ];
    const journal = new CommandJournal();
    const sinkA = new RecordingEventSink();
    const engineA = new MatchingEngine(config, sinkA);
    commands.slice(0, 5).forEach((c) => journal.applyAndRecord(engineA, c));
    const snapshot = JSON.parse(JSON.stringify(engineA.snapshot())) as EngineSnapshot;
    expect(snapshot.stops.map((s) => s.id)).toEqual([3, 4]);
    const before = sinkA.events.length;
    commands.slice(5).forEach((c) => journal.applyAndRecord(engineA, c));
    const after = sinkA.events.slice(before).map(formatEvent);
    expect(after).toEqual([
      'accepted #6 buy limit 1@100',
      'trade #1<-#6 1@100 left 0/0',
      'triggered #3 at 100',
      'trade #2<-#3 1@101 left 1/0',
      'triggered #4 at 101',
      // Same expiry: acceptance order (the stop-limit, now resting, was accepted first).
      'expired #4 1',
      'expired #5 1',
    ]);
    const sinkB = new RecordingEventSink();
    const engineB = MatchingEngine.restore(snapshot, sinkB);
    replayJournal(engineB, journal.entriesAfter(snapshot.commandSeq));
    expect(sinkB.events).toEqual(sinkA.events.slice(before));
    expect(formatBook(engineB)).toBe(formatBook(engineA));
  });
});

// ---- reference model -------------------------------------------------------------------------

interface ModelOrder {
  id: number;
  side: Side;
  price: number;
  lots: number;
  seq: number;
}

/** Obvious and slow: sorts the whole book for every fill. GTC/IOC limits, markets, cancels. */
class ReferenceBook {
  private orders: ModelOrder[] = [];
  private seq = 0;
  readonly trades: string[] = [];

  submit(id: number, side: Side, price: number | null, lots: number, rest: boolean): void {
    let left = lots;
    for (;;) {
      const candidates = this.orders
        .filter((o) => o.side !== side && (price === null || (side === Side.Buy ? o.price <= price : o.price >= price)))
        .sort((a, b) => (side === Side.Buy ? a.price - b.price : b.price - a.price) || a.seq - b.seq);
      const maker = candidates[0];
      if (maker === undefined || left === 0) break;
      const fill = Math.min(left, maker.lots);
      maker.lots -= fill;
      left -= fill;
      this.trades.push(`${maker.id}<-${id} ${fill}@${maker.price}`);
      if (maker.lots === 0) this.orders = this.orders.filter((o) => o !== maker);
    }
    if (left > 0 && rest && price !== null) this.orders.push({ id, side, price, lots: left, seq: this.seq++ });
  }

  cancel(id: number): void {
    this.orders = this.orders.filter((o) => o.id !== id);
  }

  depth(side: Side): string {
    const levels = new Map<number, number>();
    for (const o of this.orders) if (o.side === side) levels.set(o.price, (levels.get(o.price) ?? 0) + o.lots);
    return [...levels.entries()]
      .sort((a, b) => (side === Side.Buy ? b[0] - a[0] : a[0] - b[0]))
      .map(([p, l]) => `${l}@${p}`)
      .join(' ');
  }
}

const simpleCommandArb = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constant('limit' as const), sideArb, priceArb, lotsArb, fc.boolean()) },
  { weight: 1, arbitrary: fc.tuple(fc.constant('market' as const), sideArb, priceArb, fc.integer({ min: 1, max: 30 }), fc.boolean()) },
  { weight: 3, arbitrary: fc.tuple(fc.constant('cancel' as const), sideArb, fc.nat(), lotsArb, fc.boolean()) },
);

describe('MatchingEngine against a reference model', () => {
  it('trades in price-time priority at the maker price, exactly like the model', () => {
    fc.assert(
      fc.property(fc.array(simpleCommandArb, { minLength: 1, maxLength: 200 }), (draws) => {
        const sink = new RecordingEventSink();
        const engine = new MatchingEngine(config, sink);
        const model = new ReferenceBook();
        draws.forEach(([op, side, price, lots, ioc], i) => {
          const id = i + 1;
          if (op === 'limit') {
            const tif = ioc ? TimeInForce.IOC : TimeInForce.GTC;
            engine.submit(newOrder({ id, side, priceTicks: price, lots, tif }));
            model.submit(id, side, price, lots, !ioc);
          } else if (op === 'market') {
            engine.submit(newOrder({ id, side, type: OrderType.Market, tif: TimeInForce.IOC, lots }));
            model.submit(id, side, null, lots, false);
          } else {
            const target = 1 + (price % id);
            engine.cancel(target);
            model.cancel(target);
          }
        });
        const engineTrades = sink.events.flatMap((e) => (e.kind === 'trade' ? [`${e.makerId}<-${e.takerId} ${e.lots}@${e.priceTicks}`] : []));
        expect(engineTrades).toEqual(model.trades);
        const depth = (s: Side): string =>
          engine
            .depth(s, 1000)
            .map((l) => `${l.lots}@${l.priceTicks}`)
            .join(' ');
        expect(depth(Side.Buy)).toBe(model.depth(Side.Buy));
        expect(depth(Side.Sell)).toBe(model.depth(Side.Sell));
      }),
      { numRuns: 300 },
    );
  });
});
