// One instrument's market as a deterministic state machine around the matching engine: the
// trading session (open, halted, closed), the volatility circuit breaker, the call auction that
// ends a halt, and order ids. No I/O and no clock: every command carries its time, so replaying
// the journal of commands rebuilds the same state and the same events.
import {
  MatchingEngine,
  OrderType,
  RejectCode,
  Side,
  TimeInForce,
  type CancelReason,
  type EngineEventSink,
  type EngineSnapshot,
  type InstrumentConfig,
  type StpMode,
} from '@bulwark/engine';
import { assert } from '@bulwark/shared-contracts';
import { AUCTION_ORDERS_MAX, uncross, type AuctionOrder } from './call-auction.js';

export type SessionState = 'open' | 'halted' | 'closed';
export type HaltReason = 'volatility' | 'operator';

export interface BreakerConfig {
  /** A move of at least this many basis points between the extreme trade prices inside the window halts; 0 disables. */
  readonly haltMoveBps: number;
  readonly haltWindowMs: number;
  /** How long a volatility halt lasts before the call auction reopens the market. */
  readonly cooldownMs: number;
}

/** Trades remembered for the volatility window (per command, its extreme prices): a limit on everything. */
export const VOLATILITY_WINDOW_ENTRIES_MAX = 10_000;

export interface OrderSpec {
  readonly ownerId: number;
  readonly side: Side;
  readonly type: OrderType;
  readonly priceTicks: number;
  readonly stopPriceTicks: number;
  readonly lots: number;
  readonly tif: TimeInForce;
  readonly expiryMs: number;
  readonly postOnly: boolean;
  readonly stp: StpMode;
}

export type MarketCommand =
  | { readonly kind: 'submit'; readonly nowMs: number; readonly order: OrderSpec }
  | { readonly kind: 'cancel'; readonly nowMs: number; readonly orderId: number }
  | { readonly kind: 'replace'; readonly nowMs: number; readonly orderId: number; readonly priceTicks: number; readonly lots: number }
  /**
   * Takes `lots` off what still rests of an order, keeping its price and place; all of it (a
   * cancel) when no more than that rests. Relative, so fills that came first are never undone.
   */
  | { readonly kind: 'reduce'; readonly nowMs: number; readonly orderId: number; readonly lots: number }
  | { readonly kind: 'tick'; readonly nowMs: number }
  /** cooldownMs null: halted until an operator resumes. */
  | { readonly kind: 'halt'; readonly nowMs: number; readonly cooldownMs: number | null }
  | { readonly kind: 'resume'; readonly nowMs: number }
  | { readonly kind: 'close'; readonly nowMs: number }
  | { readonly kind: 'open'; readonly nowMs: number };

export const MarketRejectCode = {
  ...RejectCode,
  MarketHalted: 'market_halted',
  MarketClosed: 'market_closed',
  BadSessionChange: 'bad_session_change',
  Overloaded: 'overloaded',
  UnknownInstrument: 'unknown_instrument',
} as const;
export type MarketRejectCode = (typeof MarketRejectCode)[keyof typeof MarketRejectCode];

export type MarketResult = { readonly ok: true; readonly orderId: number | null } | { readonly ok: false; readonly code: MarketRejectCode; readonly orderId: number | null };

export type Aggressor = 'buy' | 'sell' | 'auction';
export type MarketEvent =
  | { kind: 'accepted'; orderId: number; order: OrderSpec; phase: 'book' | 'auction' }
  /** ownerId on order events: the member whose order it is (null only for refused session commands). */
  | { kind: 'rejected'; orderId: number | null; ownerId: number | null; code: MarketRejectCode }
  | {
      kind: 'trade';
      tradeSeq: number;
      priceTicks: number;
      lots: number;
      aggressor: Aggressor;
      buyOrderId: number;
      sellOrderId: number;
      buyOwnerId: number;
      sellOwnerId: number;
      buyRemainingLots: number;
      sellRemainingLots: number;
    }
  /** lots left the book; remainingLots > 0 only when self-trade decrement reduced the order. */
  | { kind: 'cancelled'; orderId: number; ownerId: number | null; lots: number; remainingLots: number; reason: CancelReason | MarketRejectCode }
  | { kind: 'expired'; orderId: number; ownerId: number | null; lots: number }
  | { kind: 'triggered'; orderId: number; ownerId: number | null }
  | { kind: 'replaced'; orderId: number; ownerId: number | null; priceTicks: number; lots: number }
  | { kind: 'status'; state: SessionState; reason: HaltReason | 'auction' | 'operator' | null; resumeAtMs: number | null };

export interface MarketBookSnapshot {
  readonly version: 1;
  readonly commandSeq: number;
  readonly nowMs: number;
  readonly nextOrderId: number;
  readonly tradeSeq: number;
  readonly lastPriceTicks: number | null;
  readonly session: { state: SessionState; reason: HaltReason | null; resumeAtMs: number | null };
  readonly breaker: BreakerConfig;
  readonly window: readonly (readonly [number, number, number])[];
  readonly auction: readonly (AuctionOrder & { tif: TimeInForce; expiryMs: number; postOnly: boolean; stp: StpMode })[];
  readonly engine: EngineSnapshot;
}

interface LiveOrder {
  readonly ownerId: number;
  readonly side: Side;
  readonly tif: TimeInForce;
}

type AuctionEntry = MarketBookSnapshot['auction'][number];

/** Translates engine events into market events (the engine knows order ids, the book knows owners). */
class EngineEvents implements EngineEventSink {
  /** While the auction adjusts the frozen book, the engine's own cancel/replace events are not news. */
  muted = false;
  constructor(private readonly book: MarketBook) {}

  accepted(_seq: number, orderId: number): void {
    if (!this.muted) this.book.onEngineAccepted(orderId);
  }
  rejected(_seq: number, orderId: number, code: RejectCode): void {
    this.book.onEngineRejected(orderId, code);
  }
  trade(_seq: number, makerId: number, takerId: number, takerSide: Side, priceTicks: number, lots: number, makerRemaining: number, takerRemaining: number): void {
    this.book.onEngineTrade(makerId, takerId, takerSide, priceTicks, lots, makerRemaining, takerRemaining);
  }
  cancelled(_seq: number, orderId: number, lots: number, remainingLots: number, reason: CancelReason): void {
    if (!this.muted) this.book.onEngineGone(orderId, remainingLots, { kind: 'cancelled', orderId, ownerId: this.book.eventOwner(orderId), lots, remainingLots, reason });
  }
  expired(_seq: number, orderId: number, lots: number): void {
    this.book.onEngineGone(orderId, 0, { kind: 'expired', orderId, ownerId: this.book.eventOwner(orderId), lots });
  }
  triggered(_seq: number, orderId: number): void {
    this.book.emit({ kind: 'triggered', orderId, ownerId: this.book.eventOwner(orderId) });
  }
  replaced(_seq: number, orderId: number, priceTicks: number, lots: number): void {
    if (!this.muted) this.book.emit({ kind: 'replaced', orderId, ownerId: this.book.eventOwner(orderId), priceTicks, lots });
  }
}

export class MarketBook {
  readonly engine: MatchingEngine;
  private readonly sink: EngineEvents;
  private readonly live = new Map<number, LiveOrder>();
  /** Orders collected during a halt, in arrival order (a Map keeps insertion order). */
  private readonly auction = new Map<number, AuctionEntry>();
  private events: MarketEvent[] = [];
  private pendingSubmit: { orderId: number; order: OrderSpec } | null = null;
  private commandSeq = 0;
  private nowMs = 0;
  private nextOrderId = 1;
  private tradeSeq = 0;
  private lastPriceTicks: number | null = null;
  private session: MarketBookSnapshot['session'] = { state: 'open', reason: null, resumeAtMs: null };
  private breaker: BreakerConfig;
  /** [atMs, lowTicks, highTicks] per command that traded while open. */
  private window: [number, number, number][] = [];
  private gtdLive = 0;
  /** The size of the auction remnant being moved into the reopened book. */
  private remnantLots = 0;

  constructor(engineConfig: InstrumentConfig, breaker: BreakerConfig, snapshot?: MarketBookSnapshot) {
    this.sink = new EngineEvents(this);
    this.breaker = breaker;
    if (!snapshot) {
      this.engine = new MatchingEngine(engineConfig, this.sink);
      return;
    }
    assert(snapshot.version === 1, 'market snapshot version');
    this.engine = MatchingEngine.restore(snapshot.engine, this.sink);
    this.commandSeq = snapshot.commandSeq;
    this.nowMs = snapshot.nowMs;
    this.nextOrderId = snapshot.nextOrderId;
    this.tradeSeq = snapshot.tradeSeq;
    this.lastPriceTicks = snapshot.lastPriceTicks;
    this.session = { ...snapshot.session };
    this.window = snapshot.window.map(([a, b, c]) => [a, b, c]);
    for (const order of [...snapshot.engine.orders, ...snapshot.engine.stops]) this.remember(order.id, order.ownerId, order.side, order.tif);
    for (const order of snapshot.auction) {
      this.auction.set(order.orderId, { ...order });
      this.remember(order.orderId, order.ownerId, order.side, order.tif);
    }
  }

  // ---- commands -------------------------------------------------------------------------

  /** Applies one command; returns its result and the events it caused, in order. */
  apply(command: MarketCommand): { result: MarketResult; events: MarketEvent[] } {
    assert(this.events.length === 0, 'no events left over from the previous command');
    this.commandSeq += 1;
    this.advance(command.nowMs);
    let result: MarketResult;
    switch (command.kind) {
      case 'submit':
        result = this.submit(command.order);
        break;
      case 'cancel':
        result = this.cancel(command.orderId);
        break;
      case 'replace':
        result = this.replace(command.orderId, command.priceTicks, command.lots);
        break;
      case 'reduce':
        result = this.reduce(command.orderId, command.lots);
        break;
      case 'tick':
        result = { ok: true, orderId: null };
        break;
      case 'halt':
        result = this.halt('operator', command.cooldownMs);
        break;
      case 'resume':
        result = this.session.state === 'halted' ? this.endHalt() : this.refuse(MarketRejectCode.BadSessionChange, null);
        break;
      case 'close':
        result = this.setSession('closed');
        break;
      case 'open':
        result = this.session.state === 'closed' ? this.setSession('open') : this.refuse(MarketRejectCode.BadSessionChange, null);
        break;
    }
    const events = this.events;
    this.events = [];
    return { result, events };
  }

  private advance(commandMs: number): void {
    assert(Number.isSafeInteger(commandMs), 'command time is an integer');
    // The clock never goes backwards: a command stamped earlier runs at the current time.
    const nowMs = Math.max(commandMs, this.nowMs);
    this.nowMs = nowMs;
    if (nowMs > this.engine.clockMs) this.engine.advanceTime(nowMs);
    if (this.auction.size > 0) this.expireAuctionOrders();
    if (this.session.state === 'halted' && this.session.resumeAtMs !== null && nowMs >= this.session.resumeAtMs) this.endHalt();
  }

  private submit(order: OrderSpec): MarketResult {
    const orderId = this.nextOrderId++;
    // Set for the whole submit, so a refusal of the new order names its owner.
    this.pendingSubmit = { orderId, order };
    try {
      if (this.session.state === 'closed') return this.refuse(MarketRejectCode.MarketClosed, orderId);
      if (this.session.state === 'halted') return this.submitToAuction(orderId, order);
      const before = this.tradeSeq;
      const code = this.engine.submit({ id: orderId, ...order });
      if (this.tradeSeq > before) this.afterTrades();
      return code === 'ok' ? { ok: true, orderId } : { ok: false, code, orderId };
    } finally {
      this.pendingSubmit = null;
    }
  }

  private cancel(orderId: number): MarketResult {
    const held = this.auction.get(orderId);
    if (held) {
      this.auction.delete(orderId);
      this.forget(orderId);
      this.emit({ kind: 'cancelled', orderId, ownerId: held.ownerId, lots: held.lots, remainingLots: 0, reason: 'requested' });
      return { ok: true, orderId };
    }
    const code = this.engine.cancel(orderId);
    return code === 'ok' ? { ok: true, orderId } : { ok: false, code, orderId };
  }

  private replace(orderId: number, priceTicks: number, lots: number): MarketResult {
    const held = this.auction.get(orderId);
    if (held) {
      const code = this.auctionRefusal({ ...held, priceTicks, lots, type: OrderType.Limit, stopPriceTicks: 0 });
      if (code !== null) return this.refuse(code, orderId);
      // A replaced auction order loses its time priority, as in the continuous book.
      this.auction.delete(orderId);
      this.auction.set(orderId, { ...held, priceTicks, lots });
      this.emit({ kind: 'replaced', orderId, ownerId: held.ownerId, priceTicks, lots });
      return { ok: true, orderId };
    }
    if (this.session.state !== 'open' && this.live.has(orderId)) {
      // Prices in the frozen book stay put while halted or closed: cancel instead.
      return this.refuse(this.session.state === 'halted' ? MarketRejectCode.MarketHalted : MarketRejectCode.MarketClosed, orderId);
    }
    const before = this.tradeSeq;
    const code = this.engine.replace(orderId, priceTicks, lots);
    if (this.tradeSeq > before) this.afterTrades();
    return code === 'ok' ? { ok: true, orderId } : { ok: false, code, orderId };
  }

  private reduce(orderId: number, lots: number): MarketResult {
    if (!Number.isSafeInteger(lots) || lots <= 0) return this.refuse(MarketRejectCode.BadLot, orderId);
    const held = this.auction.get(orderId);
    if (held) {
      if (lots >= held.lots) return this.cancel(orderId);
      // Map.set on a present key keeps its place: a smaller auction order keeps its priority.
      this.auction.set(orderId, { ...held, lots: held.lots - lots });
      this.emit({ kind: 'replaced', orderId, ownerId: held.ownerId, priceTicks: held.priceTicks, lots: held.lots - lots });
      return { ok: true, orderId };
    }
    const left = this.engine.orderLotsOf(orderId);
    const priceTicks = this.engine.orderPriceTicksOf(orderId);
    if (left === null || priceTicks === null) return this.refuse(MarketRejectCode.UnknownOrder, orderId);
    if (lots >= left) return this.cancel(orderId);
    // Same price, fewer lots: the engine keeps its time priority and nothing can trade, in any session.
    const code = this.engine.replace(orderId, priceTicks, left - lots);
    return code === 'ok' ? { ok: true, orderId } : { ok: false, code, orderId };
  }

  private halt(reason: HaltReason, cooldownMs: number | null): MarketResult {
    if (this.session.state !== 'open') return this.refuse(MarketRejectCode.BadSessionChange, null);
    assert(cooldownMs === null || (Number.isSafeInteger(cooldownMs) && cooldownMs >= 0), 'cool-down is a non-negative integer');
    const resumeAtMs = cooldownMs === null ? null : this.nowMs + cooldownMs;
    this.session = { state: 'halted', reason, resumeAtMs };
    this.window = [];
    this.emit({ kind: 'status', state: 'halted', reason, resumeAtMs });
    return { ok: true, orderId: null };
  }

  private setSession(state: 'open' | 'closed'): MarketResult {
    if (this.session.state === state) return this.refuse(MarketRejectCode.BadSessionChange, null);
    if (this.session.state === 'halted') this.endHalt();
    this.session = { state, reason: null, resumeAtMs: null };
    this.emit({ kind: 'status', state, reason: 'operator', resumeAtMs: null });
    return { ok: true, orderId: null };
  }

  // ---- the call auction -----------------------------------------------------------------

  private auctionRefusal(order: Omit<OrderSpec, 'ownerId'> & { ownerId?: number }): MarketRejectCode | null {
    const config = this.engine.config;
    if (order.type !== OrderType.Limit || (order.tif !== TimeInForce.GTC && order.tif !== TimeInForce.GTD)) return MarketRejectCode.MarketHalted;
    if (!Number.isInteger(order.priceTicks) || order.priceTicks < config.priceTicksMin || order.priceTicks > config.priceTicksMax) {
      return MarketRejectCode.PriceOutOfBand;
    }
    if (!Number.isInteger(order.lots) || order.lots <= 0 || order.lots > config.orderLotsMax) return MarketRejectCode.BadLot;
    if (order.tif === TimeInForce.GTD && order.expiryMs <= this.nowMs) return MarketRejectCode.AlreadyExpired;
    return null;
  }

  private submitToAuction(orderId: number, order: OrderSpec): MarketResult {
    const code = this.auctionRefusal(order);
    if (code !== null) return this.refuse(code, orderId);
    if (this.auction.size >= AUCTION_ORDERS_MAX) return this.refuse(MarketRejectCode.BookFull, orderId);
    this.auction.set(orderId, {
      orderId,
      ownerId: order.ownerId,
      side: order.side,
      priceTicks: order.priceTicks,
      lots: order.lots,
      tif: order.tif,
      expiryMs: order.expiryMs,
      postOnly: order.postOnly,
      stp: order.stp,
    });
    this.remember(orderId, order.ownerId, order.side, order.tif);
    this.emit({ kind: 'accepted', orderId, order, phase: 'auction' });
    return { ok: true, orderId };
  }

  private expireAuctionOrders(): void {
    for (const [orderId, order] of this.auction) {
      if (order.tif === TimeInForce.GTD && order.expiryMs <= this.nowMs) {
        this.auction.delete(orderId);
        this.forget(orderId);
        this.emit({ kind: 'expired', orderId, ownerId: order.ownerId, lots: order.lots });
      }
    }
  }

  /**
   * Ends a halt through the call auction: the frozen book and the orders collected during the
   * halt uncross at one price; what is left rests in the continuous book, which reopens.
   */
  private endHalt(): MarketResult {
    assert(this.session.state === 'halted', 'only a halt ends in an auction');
    const frozen = this.engine.snapshot().orders;
    const collected = [...this.auction.values()];
    const orders: AuctionOrder[] = [
      ...frozen.map((o) => ({ orderId: o.id, ownerId: o.ownerId, side: o.side, priceTicks: o.priceTicks, lots: o.lots })),
      ...collected,
    ];
    const result = uncross(orders, this.lastPriceTicks ?? this.engine.snapshot().referencePriceTicks);
    const remaining = new Map(orders.map((o) => [o.orderId, o.lots]));
    if (result !== null) {
      for (const fill of result.fills) {
        this.tradeSeq += 1;
        remaining.set(fill.buyOrderId, fill.buyRemainingLots);
        remaining.set(fill.sellOrderId, fill.sellRemainingLots);
        if (fill.buyRemainingLots === 0) this.forget(fill.buyOrderId);
        if (fill.sellRemainingLots === 0) this.forget(fill.sellOrderId);
        this.emit({ kind: 'trade', tradeSeq: this.tradeSeq, priceTicks: result.priceTicks, aggressor: 'auction', ...fill });
      }
      this.lastPriceTicks = result.priceTicks;
      // The frozen book gives up what traded (silently: the trades above are the news).
      this.sink.muted = true;
      for (const order of frozen) {
        const left = remaining.get(order.id) ?? 0;
        if (left === 0) assert(this.engine.cancel(order.id) === 'ok', 'a filled book order leaves the book');
        else if (left < order.lots) assert(this.engine.replace(order.id, order.priceTicks, left) === 'ok', 'a part-filled book order keeps its place');
      }
      this.sink.muted = false;
      this.engine.setReferencePrice(result.priceTicks);
    }
    this.session = { state: 'open', reason: null, resumeAtMs: null };
    this.window = [];
    this.emit({ kind: 'status', state: 'open', reason: 'auction', resumeAtMs: null });
    // What was collected and not filled now rests in the continuous book (it cannot cross).
    this.auction.clear();
    this.sink.muted = true;
    for (const order of collected) {
      const left = remaining.get(order.orderId) ?? 0;
      if (left === 0) continue;
      this.remnantLots = left;
      const code = this.engine.submit({ id: order.orderId, type: OrderType.Limit, stopPriceTicks: 0, ...order, lots: left });
      if (code !== 'ok') this.forget(order.orderId);
    }
    this.remnantLots = 0;
    this.sink.muted = false;
    return { ok: true, orderId: null };
  }

  // ---- the volatility breaker -----------------------------------------------------------

  /** After a command traded in the continuous book: the band follows the price, the breaker watches it. */
  private afterTrades(): void {
    let lowTicks = Infinity;
    let highTicks = -Infinity;
    for (const event of this.events) {
      if (event.kind !== 'trade') continue;
      lowTicks = Math.min(lowTicks, event.priceTicks);
      highTicks = Math.max(highTicks, event.priceTicks);
    }
    assert(this.lastPriceTicks !== null && lowTicks <= highTicks, 'trades set a last price');
    this.engine.setReferencePrice(this.lastPriceTicks);
    const { haltMoveBps, haltWindowMs, cooldownMs } = this.breaker;
    if (haltMoveBps <= 0) return;
    this.window.push([this.nowMs, lowTicks, highTicks]);
    while (this.window.length > 0 && ((this.window[0]?.[0] ?? 0) < this.nowMs - haltWindowMs || this.window.length > VOLATILITY_WINDOW_ENTRIES_MAX)) {
      this.window.shift();
    }
    let low = Infinity;
    let high = -Infinity;
    for (const [, l, h] of this.window) {
      low = Math.min(low, l);
      high = Math.max(high, h);
    }
    // Integer arithmetic: (high - low) / low >= bps / 10_000.
    if ((high - low) * 10_000 >= haltMoveBps * Math.max(low, 1)) this.halt('volatility', cooldownMs);
  }

  // ---- engine event translation (called by EngineEvents) --------------------------------

  emit(event: MarketEvent): void {
    this.events.push(event);
  }

  onEngineAccepted(orderId: number): void {
    const pending = this.pendingSubmit;
    assert(pending !== null && pending.orderId === orderId, 'only a submit is accepted');
    this.remember(orderId, pending.order.ownerId, pending.order.side, pending.order.tif);
    this.emit({ kind: 'accepted', orderId, order: pending.order, phase: 'book' });
  }

  onEngineRejected(orderId: number, code: RejectCode): void {
    if (this.sink.muted) {
      // An auction remnant the reopened book refused (outside the new band): it is cancelled.
      this.emit({ kind: 'cancelled', orderId, ownerId: this.eventOwner(orderId), lots: this.remnantLots, remainingLots: 0, reason: code });
      return;
    }
    const id = orderId >= 0 ? orderId : null;
    this.emit({ kind: 'rejected', orderId: id, ownerId: this.eventOwner(id), code });
  }

  onEngineTrade(makerId: number, takerId: number, takerSide: Side, priceTicks: number, lots: number, makerRemaining: number, takerRemaining: number): void {
    const maker = this.live.get(makerId);
    const taker = this.live.get(takerId);
    assert(maker !== undefined && taker !== undefined, 'both sides of a trade are known');
    const buyIsTaker = takerSide === Side.Buy;
    this.tradeSeq += 1;
    this.lastPriceTicks = priceTicks;
    this.emit({
      kind: 'trade',
      tradeSeq: this.tradeSeq,
      priceTicks,
      lots,
      aggressor: buyIsTaker ? 'buy' : 'sell',
      buyOrderId: buyIsTaker ? takerId : makerId,
      sellOrderId: buyIsTaker ? makerId : takerId,
      buyOwnerId: buyIsTaker ? taker.ownerId : maker.ownerId,
      sellOwnerId: buyIsTaker ? maker.ownerId : taker.ownerId,
      buyRemainingLots: buyIsTaker ? takerRemaining : makerRemaining,
      sellRemainingLots: buyIsTaker ? makerRemaining : takerRemaining,
    });
    if (makerRemaining === 0) this.forget(makerId);
    if (takerRemaining === 0) this.forget(takerId);
  }

  onEngineGone(orderId: number, remainingLots: number, event: MarketEvent): void {
    if (remainingLots === 0) this.forget(orderId);
    this.emit(event);
  }

  /** The owner of an order an event is about: live, or the order being submitted (null: no order). */
  eventOwner(orderId: number | null): number | null {
    const pending = this.pendingSubmit;
    if (orderId === null) return pending?.order.ownerId ?? null;
    return this.live.get(orderId)?.ownerId ?? (pending?.orderId === orderId ? pending.order.ownerId : null);
  }

  private remember(orderId: number, ownerId: number, side: Side, tif: TimeInForce): void {
    this.live.set(orderId, { ownerId, side, tif });
    if (tif === TimeInForce.GTD) this.gtdLive += 1;
  }

  private forget(orderId: number): void {
    const order = this.live.get(orderId);
    if (!order) return;
    this.live.delete(orderId);
    if (order.tif === TimeInForce.GTD) this.gtdLive -= 1;
  }

  private refuse(code: MarketRejectCode, orderId: number | null): MarketResult {
    this.emit({ kind: 'rejected', orderId, ownerId: this.eventOwner(orderId), code });
    return { ok: false, code, orderId };
  }

  // ---- queries --------------------------------------------------------------------------

  get state(): MarketBookSnapshot['session'] {
    return { ...this.session };
  }
  get sequence(): number {
    return this.commandSeq;
  }
  get lastPrice(): number | null {
    return this.lastPriceTicks;
  }
  get clockMs(): number {
    return this.nowMs;
  }
  /** Whether a halt's cool-down has run out by `nowMs` (a tick would run the auction). */
  auctionDue(nowMs: number): boolean {
    return this.session.state === 'halted' && this.session.resumeAtMs !== null && nowMs >= this.session.resumeAtMs;
  }
  /** Live good-till-date orders: time alone may expire them. */
  get goodTillDateLive(): number {
    return this.gtdLive;
  }
  ownerOf(orderId: number): number | null {
    return this.live.get(orderId)?.ownerId ?? null;
  }
  auctionOrders(): AuctionEntry[] {
    return [...this.auction.values()];
  }
  configureBreaker(breaker: BreakerConfig): void {
    this.breaker = breaker;
  }

  snapshot(): MarketBookSnapshot {
    return {
      version: 1,
      commandSeq: this.commandSeq,
      nowMs: this.nowMs,
      nextOrderId: this.nextOrderId,
      tradeSeq: this.tradeSeq,
      lastPriceTicks: this.lastPriceTicks,
      session: { ...this.session },
      breaker: { ...this.breaker },
      window: this.window.map(([a, b, c]) => [a, b, c] as const),
      auction: this.auctionOrders(),
      engine: this.engine.snapshot(),
    };
  }
}
