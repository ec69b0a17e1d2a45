// The sandbox external venue: an in-process venue with its own resting liquidity, the way a
// broker's test venue behaves. It proves the venue interface end to end (quotes, partial fills,
// resting GTC remainders filled later, IOC/FOK) and can be made slow or unreachable, which is
// what the breaker in front of it is for. Prices and quantities are exact decimals.
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { assert, canonicalDecimal, decimal } from '@bulwark/shared-contracts';
import type { VenueFill } from '../allocation/pro-rata-allocation.js';
import type { Venue, VenueExecution, VenueOrder, VenueQuote } from './venue.js';

export const SANDBOX_VENUE_ID = 'sandbox';
export const SANDBOX_LEVELS_MAX = 1_000;
export const SANDBOX_WORKING_ORDERS_MAX = 10_000;
/** Reduction refs remembered (each is applied once); the oldest are forgotten beyond it. */
export const SANDBOX_REDUCTIONS_REMEMBERED_MAX = 10_000;
/** Ended order refs remembered (a resubmission is reported, not placed); the oldest are forgotten beyond it. */
export const SANDBOX_ENDED_REMEMBERED_MAX = 10_000;

interface Level {
  price: string;
  quantity: string;
}

/** Resting liquidity the venue offers: asks (it sells) and bids (it buys). */
export interface SandboxLiquidity {
  readonly asks?: readonly Level[];
  readonly bids?: readonly Level[];
}

const zero = decimal('0');

@Injectable()
export class SandboxVenue implements Venue {
  readonly id = SANDBOX_VENUE_ID;
  private readonly books = new Map<string, { asks: Level[]; bids: Level[] }>();
  private readonly working = new Map<string, { order: VenueOrder; open: string }>();
  private readonly reductions = new Set<string>();
  private readonly ended = new Set<string>();
  private reachable = true;
  private latencyMs = 0;

  /** Adds resting liquidity for an instrument (asks best first by price, bids likewise). */
  seed(instrumentId: string, liquidity: SandboxLiquidity): void {
    const book = this.books.get(instrumentId) ?? { asks: [], bids: [] };
    book.asks.push(...(liquidity.asks ?? []).map((l) => ({ ...l })));
    book.bids.push(...(liquidity.bids ?? []).map((l) => ({ ...l })));
    book.asks.sort((a, b) => decimal(a.price).cmp(decimal(b.price)));
    book.bids.sort((a, b) => decimal(b.price).cmp(decimal(a.price)));
    assert(book.asks.length + book.bids.length <= SANDBOX_LEVELS_MAX, 'sandbox book within its level limit');
    this.books.set(instrumentId, book);
  }

  /** Makes the venue unreachable (every call fails) or slow, as a real venue can be. */
  simulate(options: { reachable?: boolean; latencyMs?: number }): void {
    this.reachable = options.reachable ?? this.reachable;
    this.latencyMs = options.latencyMs ?? this.latencyMs;
  }

  private async answer<T>(work: () => T): Promise<T> {
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    if (!this.reachable) throw new Error('sandbox venue unreachable');
    return work();
  }

  /** The levels an order can take now, within its limit, best first. */
  private takeable(order: VenueOrder): Level[] {
    const book = this.books.get(order.instrumentId);
    if (!book) return [];
    const limit = decimal(order.limitPrice);
    return order.side === 'buy'
      ? book.asks.filter((l) => decimal(l.price).lte(limit) && decimal(l.quantity).gt(zero))
      : book.bids.filter((l) => decimal(l.price).gte(limit) && decimal(l.quantity).gt(zero));
  }

  private sweep(order: VenueOrder, quantity: string, consume: boolean): { fills: VenueFill[]; filled: string; notional: string } {
    let left = decimal(quantity);
    let notional = zero;
    const fills: VenueFill[] = [];
    for (const level of this.takeable(order)) {
      if (left.lte(zero)) break;
      const available = decimal(level.quantity);
      const take = available.lt(left) ? available : left;
      notional = notional.plus(take.times(decimal(level.price)));
      left = left.minus(take);
      if (consume) {
        level.quantity = canonicalDecimal(available.minus(take));
        fills.push({ fillRef: randomUUID(), price: level.price, quantity: canonicalDecimal(take) });
      }
    }
    return { fills, filled: canonicalDecimal(decimal(quantity).minus(left)), notional: canonicalDecimal(notional) };
  }

  quote(order: VenueOrder): Promise<VenueQuote | null> {
    return this.answer(() => {
      const { filled, notional } = this.sweep(order, order.quantity, false);
      if (decimal(filled).eq(zero)) return null;
      return { venue: this.id, quantity: filled, averagePrice: canonicalDecimal(decimal(notional).div(decimal(filled))) };
    });
  }

  submit(order: VenueOrder): Promise<VenueExecution> {
    return this.answer(() => {
      const taken = this.report(order.orderRef);
      if (taken) return taken; // placed once per ref: a resubmission is reported
      if (order.timeInForce === 'FOK' && !decimal(this.sweep(order, order.quantity, false).filled).eq(decimal(order.quantity))) {
        this.end(order.orderRef);
        return { fills: [], working: false };
      }
      const { fills, filled } = this.sweep(order, order.quantity, true);
      const open = canonicalDecimal(decimal(order.quantity).minus(decimal(filled)));
      const working = order.timeInForce === 'GTC' && decimal(open).gt(zero);
      if (working) {
        assert(this.working.size < SANDBOX_WORKING_ORDERS_MAX, 'sandbox working orders within limit');
        this.working.set(order.orderRef, { order, open });
      } else {
        this.end(order.orderRef);
      }
      return { fills, working };
    });
  }

  poll(orderRef: string): Promise<VenueExecution | null> {
    return this.answer(() => this.report(orderRef));
  }

  private report(orderRef: string): VenueExecution | null {
    const entry = this.working.get(orderRef);
    if (!entry) return this.ended.has(orderRef) ? { fills: [], working: false } : null;
    const { fills, filled } = this.sweep(entry.order, entry.open, true);
    entry.open = canonicalDecimal(decimal(entry.open).minus(decimal(filled)));
    const working = decimal(entry.open).gt(zero);
    if (!working) this.end(orderRef);
    return { fills, working };
  }

  private end(orderRef: string): void {
    this.working.delete(orderRef);
    if (this.ended.size >= SANDBOX_ENDED_REMEMBERED_MAX) this.ended.delete(this.ended.values().next().value as string);
    this.ended.add(orderRef);
  }

  reduce(orderRef: string, reductionRef: string, quantity: string): Promise<void> {
    return this.answer(() => {
      assert(decimal(quantity).gt(zero), 'a reduction takes a positive quantity off');
      if (this.reductions.has(reductionRef)) return;
      if (this.reductions.size >= SANDBOX_REDUCTIONS_REMEMBERED_MAX) this.reductions.delete(this.reductions.values().next().value as string);
      this.reductions.add(reductionRef);
      const entry = this.working.get(orderRef);
      if (!entry) return;
      const open = decimal(entry.open).minus(decimal(quantity));
      if (open.gt(zero)) entry.open = canonicalDecimal(open);
      else this.end(orderRef);
    });
  }
}
