// A price-time priority central limit order book for one instrument.
//
// Layout, chosen for speed and predictable memory (all allocated once, at construction):
// - orders live in a struct-of-arrays pool of `ordersMax` slots with a free list; a slot is
//   identified by its index, an external id maps to it through OrderIdMap (constant time);
// - each price level is an intrusive doubly linked list of slots (next/prev arrays), so a
//   cancel unlinks in O(1) and the FIFO order within a level is the time priority;
// - levels are arrays indexed by a "rank" key: both sides are laid out so that a better price
//   has a smaller key (bids: priceTicksMax - price, asks: levels + price - priceTicksMin), so
//   one matching loop serves both sides and the best level is the lowest set bit of a bitset;
// - pending stops use the same scheme, ranked by closeness to their trigger.
// Nothing on the hot path allocates: events go out as scalar method calls to the sink.

import { assert } from './assert.js';
import {
  CancelReason,
  OrderType,
  RejectCode,
  Side,
  StpMode,
  TimeInForce,
  type CommandResult,
  type EngineCommand,
  type NewOrder,
} from './engine-types.js';
import type { EngineEventSink } from './event-sink.js';
import { ExpiryQueue } from './expiry-queue.js';
import { parseInstrumentConfig, type InstrumentConfig } from './instrument-config.js';
import { OrderIdMap } from './order-id-map.js';
import { RankBitset } from './rank-bitset.js';

/** Slot states. */
const slotFree = 0;
const slotResting = 1;
const slotStopPending = 2;
const slotInFlight = 3;

const ownerIdMax = 0x7fffffff;

/** A live order as a snapshot holds it: what was submitted (lots = what remains) and its priority. */
export interface SnapshotOrder extends NewOrder {
  /** The command sequence number that accepted the order (expiry tie-break). */
  seq: number;
}

/** Serialisable (JSON) state: restoring it and replaying the journal after `commandSeq` yields the same book and events. */
export interface EngineSnapshot {
  version: 1;
  config: InstrumentConfig;
  nowMs: number;
  commandSeq: number;
  eventSeq: number;
  lastTradePriceTicks: number | null;
  referencePriceTicks: number | null;
  /** Resting orders, bids then asks, each side best level first and FIFO within a level. */
  orders: SnapshotOrder[];
  /** Pending stops, buys then sells, nearest trigger first and FIFO within a trigger price. */
  stops: SnapshotOrder[];
}

export interface DepthLevel {
  priceTicks: number;
  lots: number;
  orders: number;
}

export class MatchingEngine {
  readonly config: InstrumentConfig;
  private readonly sink: EngineEventSink;

  // Price domain.
  private readonly priceMin: number;
  private readonly priceMax: number;
  /** Levels per side. */
  private readonly levels: number;

  // Order pool (struct of arrays).
  private readonly ordersMax: number;
  private readonly orderId: Float64Array;
  private readonly orderSide: Uint8Array;
  private readonly orderType: Uint8Array;
  private readonly orderTif: Uint8Array;
  private readonly orderStp: Uint8Array;
  private readonly orderPostOnly: Uint8Array;
  private readonly orderState: Uint8Array;
  private readonly orderPrice: Int32Array;
  private readonly orderStopPrice: Int32Array;
  private readonly orderLots: Int32Array;
  private readonly orderOwner: Int32Array;
  private readonly orderNext: Int32Array;
  private readonly orderPrev: Int32Array;
  private readonly orderExpiryMs: Float64Array;
  private readonly orderSeq: Float64Array;
  private readonly orderGeneration: Uint32Array;
  private readonly freeSlots: Int32Array;
  private freeCount: number;

  // Book levels, indexed by rank key (see file comment).
  private readonly levelHead: Int32Array;
  private readonly levelTail: Int32Array;
  private readonly levelLots: Float64Array;
  private readonly levelOrders: Int32Array;
  private readonly levelBits: RankBitset;
  private readonly bestKey = new Int32Array([-1, -1]);

  // Pending stops, indexed by trigger rank key.
  private readonly stopHead: Int32Array;
  private readonly stopTail: Int32Array;
  private readonly stopBits: RankBitset;
  private readonly nearestStopKey = new Int32Array([-1, -1]);

  private readonly ids: OrderIdMap;
  private readonly expiries: ExpiryQueue;
  private readonly isLiveEntry = (slot: number, generation: number): boolean =>
    this.orderGeneration[slot] === generation && this.orderState[slot] !== slotFree;

  private nowMs = 0;
  private commandSeq = 0;
  private eventSeq = 0;
  private hasLastTrade = false;
  private lastTradePrice = 0;
  private hasReference = false;
  private referencePrice = 0;
  private restingCount = 0;
  private stopCount = 0;
  /** Re-entrancy guard: a sink must not call back into the engine. */
  private busy = false;

  constructor(config: InstrumentConfig, sink: EngineEventSink) {
    this.config = parseInstrumentConfig(config);
    this.sink = sink;
    this.priceMin = config.priceTicksMin;
    this.priceMax = config.priceTicksMax;
    this.levels = config.priceTicksMax - config.priceTicksMin + 1;
    if (config.referencePriceTicks !== null) {
      this.hasReference = true;
      this.referencePrice = config.referencePriceTicks;
    }

    const n = config.ordersMax;
    this.ordersMax = n;
    this.orderId = new Float64Array(n);
    this.orderSide = new Uint8Array(n);
    this.orderType = new Uint8Array(n);
    this.orderTif = new Uint8Array(n);
    this.orderStp = new Uint8Array(n);
    this.orderPostOnly = new Uint8Array(n);
    this.orderState = new Uint8Array(n);
    this.orderPrice = new Int32Array(n);
    this.orderStopPrice = new Int32Array(n);
    this.orderLots = new Int32Array(n);
    this.orderOwner = new Int32Array(n);
    this.orderNext = new Int32Array(n).fill(-1);
    this.orderPrev = new Int32Array(n).fill(-1);
    this.orderExpiryMs = new Float64Array(n);
    this.orderSeq = new Float64Array(n);
    this.orderGeneration = new Uint32Array(n);
    this.freeSlots = new Int32Array(n);
    // Pop order 0, 1, 2, …: recently freed slots are reused first (warm in cache).
    for (let i = 0; i < n; i++) this.freeSlots[i] = n - 1 - i;
    this.freeCount = n;

    const keys = 2 * this.levels;
    this.levelHead = new Int32Array(keys).fill(-1);
    this.levelTail = new Int32Array(keys).fill(-1);
    this.levelLots = new Float64Array(keys);
    this.levelOrders = new Int32Array(keys);
    this.levelBits = new RankBitset(keys);
    this.stopHead = new Int32Array(keys).fill(-1);
    this.stopTail = new Int32Array(keys).fill(-1);
    this.stopBits = new RankBitset(keys);

    this.ids = new OrderIdMap(n);
    this.expiries = new ExpiryQueue(n);
  }

  // ---- commands -------------------------------------------------------------------------

  apply(command: EngineCommand): CommandResult {
    switch (command.kind) {
      case 'submit':
        return this.submit(command.order);
      case 'cancel':
        return this.cancel(command.id);
      case 'replace':
        return this.replace(command.id, command.priceTicks, command.lots);
      case 'advance_time':
        return this.advanceTime(command.nowMs);
      case 'set_reference_price':
        return this.setReferencePrice(command.priceTicks);
    }
  }

  submit(order: NewOrder): CommandResult {
    this.enter();
    const code = this.validateNewOrder(order);
    if (code !== null) {
      this.sink.rejected(this.eventSeq++, order.id, code);
      this.exit();
      return code;
    }
    const slot = this.allocate(order);
    this.sink.accepted(this.eventSeq++, order.id, order.side, order.type, order.priceTicks, order.lots);
    if (order.type === OrderType.Stop || order.type === OrderType.StopLimit) {
      this.ids.insert(order.id, slot);
      this.linkStop(slot);
      if (order.tif === TimeInForce.GTD) this.pushExpiry(slot);
    } else {
      this.executeTaker(slot, true);
    }
    this.processTriggers();
    this.exit();
    return 'ok';
  }

  cancel(id: number): CommandResult {
    this.enter();
    const slot = Number.isSafeInteger(id) ? this.ids.get(id) : -1;
    if (slot < 0) {
      this.sink.rejected(this.eventSeq++, id, RejectCode.UnknownOrder);
      this.exit();
      return RejectCode.UnknownOrder;
    }
    const lots = this.orderLots[slot] ?? 0;
    this.removeLive(slot);
    this.sink.cancelled(this.eventSeq++, id, lots, 0, CancelReason.Requested);
    this.exit();
    return 'ok';
  }

  /**
   * Changes price and/or remaining size of a resting order. Reducing the size at the same
   * price keeps time priority; any price change or size increase loses it (the order goes to
   * the back of its new level and may trade as a taker if the new price crosses).
   */
  replace(id: number, priceTicks: number, lots: number): CommandResult {
    this.enter();
    const slot = Number.isSafeInteger(id) ? this.ids.get(id) : -1;
    let code: RejectCode | null = null;
    if (slot < 0) code = RejectCode.UnknownOrder;
    else if (this.orderState[slot] !== slotResting) code = RejectCode.NotReplaceable;
    else if (!Number.isInteger(priceTicks)) code = RejectCode.BadTick;
    else if (!this.priceInBand(priceTicks)) code = RejectCode.PriceOutOfBand;
    else if (!Number.isInteger(lots) || lots <= 0 || lots > this.config.orderLotsMax) code = RejectCode.BadLot;
    else if (this.orderPostOnly[slot] === 1 && this.wouldCross(this.sideOf(slot), priceTicks)) {
      code = RejectCode.PostOnlyWouldCross;
    }
    if (code !== null) {
      this.sink.rejected(this.eventSeq++, id, code);
      this.exit();
      return code;
    }
    const currentLots = this.orderLots[slot] ?? 0;
    if (priceTicks === this.orderPrice[slot] && lots <= currentLots) {
      const key = this.bookKey(this.sideOf(slot), priceTicks);
      this.levelLots[key] = (this.levelLots[key] ?? 0) - (currentLots - lots);
      this.orderLots[slot] = lots;
      this.sink.replaced(this.eventSeq++, id, priceTicks, lots, true);
    } else {
      this.unlinkResting(slot);
      this.orderState[slot] = slotInFlight;
      this.orderPrice[slot] = priceTicks;
      this.orderLots[slot] = lots;
      this.sink.replaced(this.eventSeq++, id, priceTicks, lots, false);
      this.executeTaker(slot, false);
      this.processTriggers();
    }
    this.exit();
    return 'ok';
  }

  /** Moves the engine clock forward and expires GTD orders whose expiry has been reached. */
  advanceTime(nowMs: number): CommandResult {
    this.enter();
    let code: RejectCode | null = null;
    if (!Number.isSafeInteger(nowMs)) code = RejectCode.InvalidOrder;
    else if (nowMs < this.nowMs) code = RejectCode.TimeWentBackwards;
    if (code !== null) {
      this.sink.rejected(this.eventSeq++, -1, code);
      this.exit();
      return code;
    }
    this.nowMs = nowMs;
    const expiries = this.expiries;
    while (expiries.size > 0 && expiries.topExpiryMs <= nowMs) {
      const slot = expiries.topSlot;
      const generation = expiries.topGeneration;
      expiries.pop();
      if (!this.isLiveEntry(slot, generation)) continue; // Filled, cancelled or reused since.
      assert(this.orderTif[slot] === TimeInForce.GTD, 'expiry entry for a non-GTD order');
      assert((this.orderExpiryMs[slot] ?? 0) <= nowMs, 'expiry entry out of order');
      const id = this.orderId[slot] ?? -1;
      const lots = this.orderLots[slot] ?? 0;
      this.removeLive(slot);
      this.sink.expired(this.eventSeq++, id, lots);
    }
    this.exit();
    return 'ok';
  }

  /** Moves the centre of the dynamic price band (bandTicks around it). */
  setReferencePrice(priceTicks: number): CommandResult {
    this.enter();
    if (!Number.isInteger(priceTicks) || priceTicks < this.priceMin || priceTicks > this.priceMax) {
      this.sink.rejected(this.eventSeq++, -1, RejectCode.PriceOutOfBand);
      this.exit();
      return RejectCode.PriceOutOfBand;
    }
    this.hasReference = true;
    this.referencePrice = priceTicks;
    this.exit();
    return 'ok';
  }

  // ---- queries --------------------------------------------------------------------------

  bestBidTicks(): number | null {
    const key = this.bestKey[Side.Buy] ?? -1;
    return key < 0 ? null : this.priceOfKey(key);
  }

  bestAskTicks(): number | null {
    const key = this.bestKey[Side.Sell] ?? -1;
    return key < 0 ? null : this.priceOfKey(key);
  }

  get lastTradePriceTicks(): number | null {
    return this.hasLastTrade ? this.lastTradePrice : null;
  }

  get restingOrdersCount(): number {
    return this.restingCount;
  }

  get pendingStopsCount(): number {
    return this.stopCount;
  }

  get clockMs(): number {
    return this.nowMs;
  }

  get sequence(): { commandSeq: number; eventSeq: number } {
    return { commandSeq: this.commandSeq, eventSeq: this.eventSeq };
  }

  /** Remaining lots of a live order (resting or pending stop), or null. */
  orderLotsOf(id: number): number | null {
    const slot = this.ids.get(id);
    return slot < 0 ? null : (this.orderLots[slot] ?? 0);
  }

  /** Limit price of a live order (resting or pending stop), or null. */
  orderPriceTicksOf(id: number): number | null {
    const slot = this.ids.get(id);
    return slot < 0 ? null : (this.orderPrice[slot] ?? 0);
  }

  /** Up to `levelsCount` levels of one side, best first. */
  depth(side: Side, levelsCount: number): DepthLevel[] {
    const out: DepthLevel[] = [];
    let key = this.bestKey[side] ?? -1;
    while (key >= 0 && out.length < levelsCount) {
      out.push({ priceTicks: this.priceOfKey(key), lots: this.levelLots[key] ?? 0, orders: this.levelOrders[key] ?? 0 });
      key = this.nextBookKey(side, key + 1);
    }
    return out;
  }

  // ---- snapshot -------------------------------------------------------------------------

  snapshot(): EngineSnapshot {
    assert(!this.busy, 'snapshot during a command');
    const orders: SnapshotOrder[] = [];
    for (const side of [Side.Buy, Side.Sell]) {
      for (let key = this.bestKey[side] ?? -1; key >= 0; key = this.nextBookKey(side, key + 1)) {
        for (let slot = this.levelHead[key] ?? -1; slot >= 0; slot = this.orderNext[slot] ?? -1) orders.push(this.snapshotOrder(slot));
      }
    }
    const stops: SnapshotOrder[] = [];
    for (const side of [Side.Buy, Side.Sell]) {
      for (let key = this.nearestStopKey[side] ?? -1; key >= 0; key = this.nextStopKey(side, key + 1)) {
        for (let slot = this.stopHead[key] ?? -1; slot >= 0; slot = this.orderNext[slot] ?? -1) stops.push(this.snapshotOrder(slot));
      }
    }
    assert(orders.length === this.restingCount, 'snapshot saw every resting order');
    assert(stops.length === this.stopCount, 'snapshot saw every pending stop');
    return {
      version: 1,
      config: { ...this.config },
      nowMs: this.nowMs,
      commandSeq: this.commandSeq,
      eventSeq: this.eventSeq,
      lastTradePriceTicks: this.hasLastTrade ? this.lastTradePrice : null,
      referencePriceTicks: this.hasReference ? this.referencePrice : null,
      orders,
      stops,
    };
  }

  static restore(snapshot: EngineSnapshot, sink: EngineEventSink): MatchingEngine {
    assert(snapshot.version === 1, 'snapshot version');
    const engine = new MatchingEngine(snapshot.config, sink);
    engine.nowMs = snapshot.nowMs;
    engine.commandSeq = snapshot.commandSeq;
    engine.eventSeq = snapshot.eventSeq;
    engine.hasLastTrade = snapshot.lastTradePriceTicks !== null;
    engine.lastTradePrice = snapshot.lastTradePriceTicks ?? 0;
    engine.hasReference = snapshot.referencePriceTicks !== null;
    engine.referencePrice = snapshot.referencePriceTicks ?? 0;
    for (const order of snapshot.orders) {
      const slot = engine.restoreSlot(order);
      engine.linkResting(slot);
    }
    for (const order of snapshot.stops) {
      const slot = engine.restoreSlot(order);
      engine.linkStop(slot);
    }
    engine.checkInvariants();
    return engine;
  }

  private snapshotOrder(slot: number): SnapshotOrder {
    return {
      id: this.orderId[slot] ?? -1,
      side: this.sideOf(slot),
      type: (this.orderType[slot] ?? 0) as OrderType,
      priceTicks: this.orderPrice[slot] ?? 0,
      stopPriceTicks: this.orderStopPrice[slot] ?? 0,
      lots: this.orderLots[slot] ?? 0,
      tif: (this.orderTif[slot] ?? 0) as TimeInForce,
      expiryMs: this.orderExpiryMs[slot] ?? 0,
      postOnly: this.orderPostOnly[slot] === 1,
      ownerId: this.orderOwner[slot] ?? 0,
      stp: (this.orderStp[slot] ?? 0) as StpMode,
      seq: this.orderSeq[slot] ?? 0,
    };
  }

  private restoreSlot(order: SnapshotOrder): number {
    assert(this.ids.get(order.id) < 0, 'snapshot holds a duplicate id');
    const slot = this.allocate(order);
    this.orderSeq[slot] = order.seq;
    this.ids.insert(order.id, slot);
    if (order.tif === TimeInForce.GTD) this.pushExpiry(slot);
    return slot;
  }

  // ---- invariants -----------------------------------------------------------------------

  /** Full O(book) check of every structural invariant; tests call it after each step. */
  checkInvariants(): void {
    let resting = 0;
    for (const side of [Side.Buy, Side.Sell]) {
      let previousKey = -1;
      for (let key = this.nextBookKey(side, side * this.levels); key >= 0; key = this.nextBookKey(side, key + 1)) {
        if (previousKey < 0) assert(this.bestKey[side] === key, 'best key is the first non-empty level');
        previousKey = key;
        let count = 0;
        let lots = 0;
        let prev = -1;
        for (let slot = this.levelHead[key] ?? -1; slot >= 0; slot = this.orderNext[slot] ?? -1) {
          assert(this.orderPrev[slot] === prev, 'level list back link');
          assert(this.orderState[slot] === slotResting, 'level holds resting orders only');
          assert(this.orderSide[slot] === side, 'level holds one side');
          assert(this.bookKey(side, this.orderPrice[slot] ?? 0) === key, 'order price matches its level');
          assert((this.orderLots[slot] ?? 0) > 0, 'resting order has lots');
          assert(this.ids.get(this.orderId[slot] ?? -1) === slot, 'id map points at the slot');
          count += 1;
          lots += this.orderLots[slot] ?? 0;
          prev = slot;
          assert(count <= this.ordersMax, 'level list is acyclic');
        }
        assert(this.levelTail[key] === prev, 'level tail');
        assert(count > 0 && count === this.levelOrders[key], 'level order count = number of orders');
        assert(lots === this.levelLots[key], 'level lots = sum of order lots');
        resting += count;
      }
      if (previousKey < 0) assert(this.bestKey[side] === -1, 'empty side has no best');
    }
    let stops = 0;
    for (const side of [Side.Buy, Side.Sell]) {
      const first = this.nextStopKey(side, side * this.levels);
      assert(this.nearestStopKey[side] === first, 'nearest stop key is the first non-empty stop level');
      for (let key = first; key >= 0; key = this.nextStopKey(side, key + 1)) {
        for (let slot = this.stopHead[key] ?? -1; slot >= 0; slot = this.orderNext[slot] ?? -1) {
          assert(this.orderState[slot] === slotStopPending, 'stop level holds pending stops only');
          assert(this.stopKey(side, this.orderStopPrice[slot] ?? 0) === key, 'stop price matches its level');
          stops += 1;
        }
      }
    }
    assert(resting === this.restingCount, 'resting count');
    assert(stops === this.stopCount, 'stop count');
    assert(this.ids.size === resting + stops, 'id map holds exactly the live orders');
    assert(this.freeCount + resting + stops === this.ordersMax, 'no slot leaked');
    this.checkUncrossed();
  }

  private checkUncrossed(): void {
    const bid = this.bestKey[Side.Buy] ?? -1;
    const ask = this.bestKey[Side.Sell] ?? -1;
    if (bid >= 0 && ask >= 0) assert(this.priceOfKey(bid) < this.priceOfKey(ask), 'best bid < best ask at rest');
  }

  // ---- command frame ----------------------------------------------------------------------

  private enter(): void {
    assert(!this.busy, 'engine re-entered from its event sink');
    this.busy = true;
    this.commandSeq += 1;
  }

  private exit(): void {
    this.checkUncrossed();
    assert(this.ids.size === this.restingCount + this.stopCount, 'id map size = live orders');
    this.busy = false;
  }

  // ---- validation ---------------------------------------------------------------------------

  private validateNewOrder(o: NewOrder): RejectCode | null {
    const type = o.type;
    const tif = o.tif;
    if (!Number.isSafeInteger(o.id) || o.id < 0) return RejectCode.InvalidOrder;
    if ((o.side !== Side.Buy && o.side !== Side.Sell) || !(type >= 0 && type <= 3) || !(tif >= 0 && tif <= 3)) {
      return RejectCode.InvalidOrder;
    }
    if (!(o.stp >= 0 && o.stp <= 4) || !Number.isInteger(o.ownerId) || o.ownerId < 0 || o.ownerId > ownerIdMax) {
      return RejectCode.InvalidOrder;
    }
    const isMarket = type === OrderType.Market;
    const hasLimit = type === OrderType.Limit || type === OrderType.StopLimit;
    const isStop = type === OrderType.Stop || type === OrderType.StopLimit;
    // A market order never rests; a stop waits GTC/GTD and then sweeps like a market order.
    if (isMarket && tif !== TimeInForce.IOC && tif !== TimeInForce.FOK) return RejectCode.InvalidOrder;
    if (type === OrderType.Stop && tif !== TimeInForce.GTC && tif !== TimeInForce.GTD) return RejectCode.InvalidOrder;
    if (o.postOnly && (type !== OrderType.Limit || tif === TimeInForce.IOC || tif === TimeInForce.FOK)) {
      return RejectCode.InvalidOrder;
    }
    if (!Number.isInteger(o.lots) || o.lots <= 0 || o.lots > this.config.orderLotsMax) return RejectCode.BadLot;
    if (hasLimit) {
      if (!Number.isInteger(o.priceTicks)) return RejectCode.BadTick;
      if (!this.priceInBand(o.priceTicks)) return RejectCode.PriceOutOfBand;
    }
    if (isStop) {
      if (!Number.isInteger(o.stopPriceTicks)) return RejectCode.BadTick;
      if (o.stopPriceTicks < this.priceMin || o.stopPriceTicks > this.priceMax) return RejectCode.PriceOutOfBand;
    }
    if (tif === TimeInForce.GTD) {
      if (!Number.isSafeInteger(o.expiryMs)) return RejectCode.InvalidOrder;
      if (o.expiryMs <= this.nowMs) return RejectCode.AlreadyExpired;
    }
    if (this.ids.get(o.id) >= 0) return RejectCode.DuplicateId;
    if (this.freeCount === 0) return RejectCode.BookFull;
    if (isStop) return null;
    if (o.postOnly && this.wouldCross(o.side, o.priceTicks)) return RejectCode.PostOnlyWouldCross;
    const limitKey = this.takerLimitKey(o.side, isMarket, o.priceTicks);
    if (isMarket) {
      const best = this.bestKey[1 - o.side] ?? -1;
      if (best < 0 || best > limitKey) return RejectCode.NoLiquidity;
    }
    if (tif === TimeInForce.FOK) return this.fokCheck(o.side, limitKey, o.lots, o.ownerId, o.stp);
    return null;
  }

  private priceInBand(priceTicks: number): boolean {
    if (priceTicks < this.priceMin || priceTicks > this.priceMax) return false;
    const band = this.config.bandTicks;
    if (band === 0 || !this.hasReference) return true;
    return priceTicks >= this.referencePrice - band && priceTicks <= this.referencePrice + band;
  }

  private wouldCross(side: Side, priceTicks: number): boolean {
    const best = this.bestKey[1 - side] ?? -1;
    return best >= 0 && best <= this.oppositeKeyLimit(side, priceTicks);
  }

  /**
   * Whether a fill-or-kill order can fill in full: walks the opposite side within its limit.
   * With self-trade prevention, an own resting order either gets cancelled on the way
   * (cancel-oldest: skipped) or stops the fill (the other modes: refused as self_trade).
   */
  private fokCheck(side: Side, limitKey: number, lots: number, ownerId: number, stp: number): RejectCode | null {
    const opposite = (1 - side) as Side;
    const perOrder = ownerId !== 0 && stp !== StpMode.None;
    let available = 0;
    for (let key = this.bestKey[opposite] ?? -1; key >= 0 && key <= limitKey; key = this.nextBookKey(opposite, key + 1)) {
      if (!perOrder) {
        available += this.levelLots[key] ?? 0;
        if (available >= lots) return null;
        continue;
      }
      for (let slot = this.levelHead[key] ?? -1; slot >= 0; slot = this.orderNext[slot] ?? -1) {
        if (this.orderOwner[slot] === ownerId) {
          if (stp === StpMode.CancelOldest) continue;
          return RejectCode.SelfTrade;
        }
        available += this.orderLots[slot] ?? 0;
        if (available >= lots) return null;
      }
    }
    return RejectCode.FokUnfillable;
  }

  // ---- matching -----------------------------------------------------------------------------

  /**
   * Matches the in-flight order in `slot` against the opposite side, then rests, cancels or
   * frees it. `fresh` orders are not yet in the id map or the expiry queue.
   */
  private executeTaker(slot: number, fresh: boolean): void {
    const side = this.sideOf(slot);
    const opposite = 1 - side;
    const isMarket = this.orderType[slot] === OrderType.Market;
    const takerId = this.orderId[slot] ?? -1;
    const owner = this.orderOwner[slot] ?? 0;
    const stp = owner === 0 ? StpMode.None : (this.orderStp[slot] ?? 0);
    const limitKey = this.takerLimitKey(side, isMarket, this.orderPrice[slot] ?? 0);
    const levelHead = this.levelHead;
    const levelLots = this.levelLots;
    const orderLots = this.orderLots;
    const orderNext = this.orderNext;
    const orderOwner = this.orderOwner;
    const sink = this.sink;
    let remaining = orderLots[slot] ?? 0;
    let takerCancelled = false;
    assert(remaining > 0, 'taker has lots');

    match: while (remaining > 0) {
      const key = this.bestKey[opposite] ?? -1;
      if (key < 0 || key > limitKey) break;
      let maker = levelHead[key] ?? -1;
      while (maker >= 0) {
        const next = orderNext[maker] ?? -1;
        const makerLots = orderLots[maker] ?? 0;
        if (stp !== StpMode.None && orderOwner[maker] === owner) {
          // Self-trade prevention: nothing trades between the two orders.
          if (stp === StpMode.Decrement) {
            const decrement = makerLots < remaining ? makerLots : remaining;
            remaining -= decrement;
            orderLots[maker] = makerLots - decrement;
            levelLots[key] = (levelLots[key] ?? 0) - decrement;
            const makerId = this.orderId[maker] ?? -1;
            sink.cancelled(this.eventSeq++, makerId, decrement, makerLots - decrement, CancelReason.SelfTrade);
            sink.cancelled(this.eventSeq++, takerId, decrement, remaining, CancelReason.SelfTrade);
            if (makerLots === decrement) this.removeLive(maker);
            if (remaining === 0) break match;
          } else {
            if (stp === StpMode.CancelOldest || stp === StpMode.CancelBoth) {
              const makerId = this.orderId[maker] ?? -1;
              this.removeLive(maker);
              sink.cancelled(this.eventSeq++, makerId, makerLots, 0, CancelReason.SelfTrade);
            }
            if (stp === StpMode.CancelNewest || stp === StpMode.CancelBoth) {
              sink.cancelled(this.eventSeq++, takerId, remaining, 0, CancelReason.SelfTrade);
              remaining = 0;
              takerCancelled = true;
              break match;
            }
          }
          maker = next;
          continue;
        }
        const fill = makerLots < remaining ? makerLots : remaining;
        remaining -= fill;
        orderLots[maker] = makerLots - fill;
        levelLots[key] = (levelLots[key] ?? 0) - fill;
        const price = this.orderPrice[maker] ?? 0;
        this.lastTradePrice = price;
        this.hasLastTrade = true;
        sink.trade(this.eventSeq++, this.orderId[maker] ?? -1, takerId, side, price, fill, makerLots - fill, remaining);
        if (makerLots === fill) this.removeLive(maker);
        if (remaining === 0) break match;
        maker = next;
      }
    }
    orderLots[slot] = remaining;

    if (remaining > 0 && !takerCancelled) {
      const tif = this.orderTif[slot];
      if (isMarket || tif === TimeInForce.IOC || tif === TimeInForce.FOK) {
        assert(tif !== TimeInForce.FOK || isMarket, 'a checked FOK limit order fills in full');
        sink.cancelled(this.eventSeq++, takerId, remaining, 0, isMarket ? CancelReason.MarketRemainder : CancelReason.IocRemainder);
      } else {
        this.linkResting(slot);
        if (fresh) {
          this.ids.insert(takerId, slot);
          if (tif === TimeInForce.GTD) this.pushExpiry(slot);
        }
        return;
      }
    }
    if (!fresh) this.ids.remove(takerId);
    this.free(slot);
  }

  /** Triggers pending stops, one at a time, while the last trade price reaches them (cascades included). */
  private processTriggers(): void {
    if (this.stopCount === 0 || !this.hasLastTrade) return;
    for (let guard = 0; ; guard++) {
      assert(guard <= this.ordersMax, 'trigger cascade is bounded by the pool');
      const last = this.lastTradePrice;
      const buyKey = this.nearestStopKey[Side.Buy] ?? -1;
      const sellKey = this.nearestStopKey[Side.Sell] ?? -1;
      let slot = -1;
      if (buyKey >= 0 && last >= this.priceMin + buyKey) slot = this.stopHead[buyKey] ?? -1;
      else if (sellKey >= 0 && last <= this.priceMax - (sellKey - this.levels)) slot = this.stopHead[sellKey] ?? -1;
      if (slot < 0) return;
      this.trigger(slot, last);
    }
  }

  private trigger(slot: number, lastPriceTicks: number): void {
    const id = this.orderId[slot] ?? -1;
    this.unlinkStop(slot);
    this.orderState[slot] = slotInFlight;
    const isMarket = this.orderType[slot] === OrderType.Stop;
    this.orderType[slot] = isMarket ? OrderType.Market : OrderType.Limit;
    this.sink.triggered(this.eventSeq++, id, lastPriceTicks);
    const side = this.sideOf(slot);
    const lots = this.orderLots[slot] ?? 0;
    const limitKey = this.takerLimitKey(side, isMarket, this.orderPrice[slot] ?? 0);
    let refusal: CancelReason | null = null;
    if (this.orderTif[slot] === TimeInForce.FOK) {
      const code = this.fokCheck(side, limitKey, lots, this.orderOwner[slot] ?? 0, this.orderStp[slot] ?? 0);
      if (code !== null) refusal = code === RejectCode.SelfTrade ? CancelReason.SelfTrade : CancelReason.FokUnfillable;
    }
    if (refusal !== null) {
      this.sink.cancelled(this.eventSeq++, id, lots, 0, refusal);
      this.ids.remove(id);
      this.free(slot);
      return;
    }
    this.executeTaker(slot, false);
  }

  // ---- keys ---------------------------------------------------------------------------------

  /** Rank key of a book level: a better price has a smaller key on both sides. */
  private bookKey(side: Side, priceTicks: number): number {
    return side === Side.Buy ? this.priceMax - priceTicks : this.levels + priceTicks - this.priceMin;
  }

  private priceOfKey(key: number): number {
    return key < this.levels ? this.priceMax - key : this.priceMin + key - this.levels;
  }

  /** The largest opposite-side key an order of `side` at `priceTicks` may trade with. */
  private oppositeKeyLimit(side: Side, priceTicks: number): number {
    return side === Side.Buy ? this.levels + priceTicks - this.priceMin : this.priceMax - priceTicks;
  }

  private takerLimitKey(side: Side, isMarket: boolean, priceTicks: number): number {
    if (!isMarket) return this.oppositeKeyLimit(side, priceTicks);
    const band = this.config.bandTicks;
    if (band === 0 || !this.hasReference) return side === Side.Buy ? 2 * this.levels - 1 : this.levels - 1;
    // A market order does not sweep beyond the dynamic band.
    const bound =
      side === Side.Buy ? Math.min(this.priceMax, this.referencePrice + band) : Math.max(this.priceMin, this.referencePrice - band);
    return this.oppositeKeyLimit(side, bound);
  }

  /** Rank key of a stop level: the stop closest to triggering has the smallest key. */
  private stopKey(side: Side, stopPriceTicks: number): number {
    return side === Side.Buy ? stopPriceTicks - this.priceMin : this.levels + this.priceMax - stopPriceTicks;
  }

  private nextBookKey(side: number, from: number): number {
    const key = this.levelBits.nextSetBit(from);
    return side === Side.Buy && key >= this.levels ? -1 : key;
  }

  private nextStopKey(side: number, from: number): number {
    const key = this.stopBits.nextSetBit(from);
    return side === Side.Buy && key >= this.levels ? -1 : key;
  }

  private sideOf(slot: number): Side {
    return this.orderSide[slot] === Side.Buy ? Side.Buy : Side.Sell;
  }

  // ---- pool and lists ------------------------------------------------------------------------

  private allocate(o: NewOrder | SnapshotOrder): number {
    assert(this.freeCount > 0, 'allocate from an empty pool');
    this.freeCount -= 1;
    const slot = this.freeSlots[this.freeCount] ?? -1;
    assert(this.orderState[slot] === slotFree, 'free list holds free slots');
    this.orderId[slot] = o.id;
    this.orderSide[slot] = o.side;
    this.orderType[slot] = o.type;
    this.orderTif[slot] = o.tif;
    this.orderStp[slot] = o.stp;
    this.orderPostOnly[slot] = o.postOnly ? 1 : 0;
    this.orderState[slot] = slotInFlight;
    this.orderPrice[slot] = o.priceTicks;
    this.orderStopPrice[slot] = o.stopPriceTicks;
    this.orderLots[slot] = o.lots;
    this.orderOwner[slot] = o.ownerId;
    this.orderExpiryMs[slot] = o.tif === TimeInForce.GTD ? o.expiryMs : 0;
    this.orderSeq[slot] = this.commandSeq;
    return slot;
  }

  private free(slot: number): void {
    assert(this.orderState[slot] === slotInFlight, 'only an unlinked order is freed');
    this.orderState[slot] = slotFree;
    this.orderGeneration[slot] = ((this.orderGeneration[slot] ?? 0) + 1) >>> 0;
    this.orderNext[slot] = -1;
    this.orderPrev[slot] = -1;
    this.freeSlots[this.freeCount] = slot;
    this.freeCount += 1;
  }

  private pushExpiry(slot: number): void {
    this.expiries.push(this.orderExpiryMs[slot] ?? 0, this.orderSeq[slot] ?? 0, slot, this.orderGeneration[slot] ?? 0, this.isLiveEntry);
  }

  /** Unlinks a resting order or pending stop, drops its id and frees its slot. */
  private removeLive(slot: number): void {
    if (this.orderState[slot] === slotResting) this.unlinkResting(slot);
    else this.unlinkStop(slot);
    this.orderState[slot] = slotInFlight;
    this.ids.remove(this.orderId[slot] ?? -1);
    this.free(slot);
  }

  private linkResting(slot: number): void {
    const side = this.sideOf(slot);
    const key = this.bookKey(side, this.orderPrice[slot] ?? 0);
    const tail = this.levelTail[key] ?? -1;
    this.orderPrev[slot] = tail;
    this.orderNext[slot] = -1;
    if (tail >= 0) this.orderNext[tail] = slot;
    else {
      this.levelHead[key] = slot;
      this.levelBits.set(key);
      const best = this.bestKey[side] ?? -1;
      if (best < 0 || key < best) this.bestKey[side] = key;
    }
    this.levelTail[key] = slot;
    this.levelOrders[key] = (this.levelOrders[key] ?? 0) + 1;
    this.levelLots[key] = (this.levelLots[key] ?? 0) + (this.orderLots[slot] ?? 0);
    this.orderState[slot] = slotResting;
    this.restingCount += 1;
  }

  private unlinkResting(slot: number): void {
    assert(this.orderState[slot] === slotResting, 'unlink of a resting order');
    const side = this.sideOf(slot);
    const key = this.bookKey(side, this.orderPrice[slot] ?? 0);
    const prev = this.orderPrev[slot] ?? -1;
    const next = this.orderNext[slot] ?? -1;
    if (prev >= 0) this.orderNext[prev] = next;
    else this.levelHead[key] = next;
    if (next >= 0) this.orderPrev[next] = prev;
    else this.levelTail[key] = prev;
    const orders = (this.levelOrders[key] ?? 0) - 1;
    const lots = (this.levelLots[key] ?? 0) - (this.orderLots[slot] ?? 0);
    this.levelOrders[key] = orders;
    this.levelLots[key] = lots;
    this.orderState[slot] = slotInFlight;
    this.restingCount -= 1;
    if (orders === 0) {
      assert(lots === 0, 'an empty level holds no lots');
      this.levelBits.clear(key);
      if (this.bestKey[side] === key) this.bestKey[side] = this.nextBookKey(side, key + 1);
    } else {
      assert(orders > 0 && lots > 0, 'a non-empty level holds lots');
    }
  }

  private linkStop(slot: number): void {
    const side = this.sideOf(slot);
    const key = this.stopKey(side, this.orderStopPrice[slot] ?? 0);
    const tail = this.stopTail[key] ?? -1;
    this.orderPrev[slot] = tail;
    this.orderNext[slot] = -1;
    if (tail >= 0) this.orderNext[tail] = slot;
    else {
      this.stopHead[key] = slot;
      this.stopBits.set(key);
      const nearest = this.nearestStopKey[side] ?? -1;
      if (nearest < 0 || key < nearest) this.nearestStopKey[side] = key;
    }
    this.stopTail[key] = slot;
    this.orderState[slot] = slotStopPending;
    this.stopCount += 1;
  }

  private unlinkStop(slot: number): void {
    assert(this.orderState[slot] === slotStopPending, 'unlink of a pending stop');
    const side = this.sideOf(slot);
    const key = this.stopKey(side, this.orderStopPrice[slot] ?? 0);
    const prev = this.orderPrev[slot] ?? -1;
    const next = this.orderNext[slot] ?? -1;
    if (prev >= 0) this.orderNext[prev] = next;
    else this.stopHead[key] = next;
    if (next >= 0) this.orderPrev[next] = prev;
    else this.stopTail[key] = prev;
    this.orderState[slot] = slotInFlight;
    this.stopCount -= 1;
    if (this.stopHead[key] === -1) {
      this.stopBits.clear(key);
      if (this.nearestStopKey[side] === key) this.nearestStopKey[side] = this.nextStopKey(side, key + 1);
    }
  }
}
