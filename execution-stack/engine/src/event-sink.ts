// The engine's event stream. Events are delivered as method calls with scalar arguments to a
// sink fixed at construction: no object or closure is allocated per event, and the call site
// stays monomorphic. `seq` is the engine's event sequence number (gap-free, survives a
// snapshot). A sink must not call back into the engine.

import type { CancelReason, OrderType, RejectCode, Side } from './engine-types.js';

export interface EngineEventSink {
  accepted(seq: number, orderId: number, side: Side, type: OrderType, priceTicks: number, lots: number): void;
  rejected(seq: number, orderId: number, code: RejectCode): void;
  trade(
    seq: number,
    makerId: number,
    takerId: number,
    takerSide: Side,
    priceTicks: number,
    lots: number,
    makerRemainingLots: number,
    takerRemainingLots: number,
  ): void;
  /** `lots` left the book; `remainingLots` > 0 when an STP decrement only reduced the order. */
  cancelled(seq: number, orderId: number, lots: number, remainingLots: number, reason: CancelReason): void;
  expired(seq: number, orderId: number, lots: number): void;
  /** A stop order's trigger price was reached by the last trade price. */
  triggered(seq: number, orderId: number, lastPriceTicks: number): void;
  replaced(seq: number, orderId: number, priceTicks: number, lots: number, priorityKept: boolean): void;
}

/** Counts what a benchmark or a health check needs, nothing more. */
export class CountingEventSink implements EngineEventSink {
  acceptedCount = 0;
  rejectedCount = 0;
  tradeCount = 0;
  tradedLots = 0;
  cancelledCount = 0;
  expiredCount = 0;
  triggeredCount = 0;
  replacedCount = 0;

  accepted(): void {
    this.acceptedCount += 1;
  }
  rejected(): void {
    this.rejectedCount += 1;
  }
  trade(_seq: number, _makerId: number, _takerId: number, _takerSide: Side, _priceTicks: number, lots: number): void {
    this.tradeCount += 1;
    this.tradedLots += lots;
  }
  cancelled(): void {
    this.cancelledCount += 1;
  }
  expired(): void {
    this.expiredCount += 1;
  }
  triggered(): void {
    this.triggeredCount += 1;
  }
  replaced(): void {
    this.replacedCount += 1;
  }
}

export type EngineEvent =
  | { seq: number; kind: 'accepted'; orderId: number; side: Side; type: OrderType; priceTicks: number; lots: number }
  | { seq: number; kind: 'rejected'; orderId: number; code: RejectCode }
  | {
      seq: number;
      kind: 'trade';
      makerId: number;
      takerId: number;
      takerSide: Side;
      priceTicks: number;
      lots: number;
      makerRemainingLots: number;
      takerRemainingLots: number;
    }
  | { seq: number; kind: 'cancelled'; orderId: number; lots: number; remainingLots: number; reason: CancelReason }
  | { seq: number; kind: 'expired'; orderId: number; lots: number }
  | { seq: number; kind: 'triggered'; orderId: number; lastPriceTicks: number }
  | { seq: number; kind: 'replaced'; orderId: number; priceTicks: number; lots: number; priorityKept: boolean };

/** Materialises events as objects: for tests, the journal's consumers and the market feed. */
export class RecordingEventSink implements EngineEventSink {
  events: EngineEvent[] = [];

  /** Returns and forgets the events recorded so far. */
  drain(): EngineEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  accepted(seq: number, orderId: number, side: Side, type: OrderType, priceTicks: number, lots: number): void {
    this.events.push({ seq, kind: 'accepted', orderId, side, type, priceTicks, lots });
  }
  rejected(seq: number, orderId: number, code: RejectCode): void {
    this.events.push({ seq, kind: 'rejected', orderId, code });
  }
  trade(
    seq: number,
    makerId: number,
    takerId: number,
    takerSide: Side,
    priceTicks: number,
    lots: number,
    makerRemainingLots: number,
    takerRemainingLots: number,
  ): void {
    this.events.push({ seq, kind: 'trade', makerId, takerId, takerSide, priceTicks, lots, makerRemainingLots, takerRemainingLots });
  }
  cancelled(seq: number, orderId: number, lots: number, remainingLots: number, reason: CancelReason): void {
    this.events.push({ seq, kind: 'cancelled', orderId, lots, remainingLots, reason });
  }
  expired(seq: number, orderId: number, lots: number): void {
    this.events.push({ seq, kind: 'expired', orderId, lots });
  }
  triggered(seq: number, orderId: number, lastPriceTicks: number): void {
    this.events.push({ seq, kind: 'triggered', orderId, lastPriceTicks });
  }
  replaced(seq: number, orderId: number, priceTicks: number, lots: number, priorityKept: boolean): void {
    this.events.push({ seq, kind: 'replaced', orderId, priceTicks, lots, priorityKept });
  }
}
