// Where omnibus orders execute. A venue quotes and executes; the router picks the best quote
// the way a broker would (best price for the whole quantity, the internal book on a tie) among
// venues whose circuit is closed. An external venue sits behind an opossum breaker: a venue
// that times out or fails is skipped until it answers again, and never half-executes an order
// silently (a failed submit leaves the order unsent, to be routed again).
import CircuitBreaker from 'opossum';
import { assert, decimal } from '@bulwark/shared-contracts';
import type { VenueFill } from '../allocation/pro-rata-allocation.js';

export interface VenueOrder {
  readonly orderRef: string;
  /** The omnibus member account that trades (one per tenant). */
  readonly tenantRef: string;
  readonly instrumentId: string;
  readonly side: 'buy' | 'sell';
  readonly limitPrice: string;
  readonly quantity: string;
  readonly timeInForce: 'GTC' | 'IOC' | 'FOK';
}

export interface VenueQuote {
  readonly venue: string;
  /** The quantity the venue would fill now within the limit, and its average price. */
  readonly quantity: string;
  readonly averagePrice: string;
}

export interface VenueExecution {
  readonly fills: readonly VenueFill[];
  /** True while part of the order still rests at the venue (a GTC order not fully filled). */
  readonly working: boolean;
}

export interface Venue {
  readonly id: string;
  quote(order: VenueOrder): Promise<VenueQuote | null>;
  /**
   * Places an order, once per `orderRef` however often asked: an order the venue already took is
   * reported (as poll does), never placed again, so an order whose placement a crash left in
   * doubt can simply be submitted again.
   */
  submit(order: VenueOrder): Promise<VenueExecution>;
  /**
   * Fills of a working order since the last call; null when the venue never took the order (the
   * stack stopped between claiming it and the venue's durable acceptance), which is to be
   * submitted again, never taken for an order the venue ended.
   */
  poll(orderRef: string): Promise<VenueExecution | null>;
  /**
   * Takes `quantity` off what still rests of a working order (intents withdrawn from it), or all
   * of it when less rests, which ends the order. Applied once per `reductionRef`, however often
   * asked; fills made before it stand. An order that no longer rests is left as it is.
   */
  reduce(orderRef: string, reductionRef: string, quantity: string): Promise<void>;
}

export const VENUES = Symbol('VENUES');
export const VENUE_IDS_MAX = 8;

export class VenueUnavailableError extends Error {
  override readonly name = 'VenueUnavailableError';
}

/** A venue behind an opossum circuit breaker: timeouts and failures open it; it is skipped while open. */
export class BreakerVenue implements Venue {
  private readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;

  constructor(private readonly inner: Venue, options: { timeoutMs: number; resetMs: number }) {
    this.breaker = new CircuitBreaker((work: () => Promise<unknown>) => work(), {
      timeout: options.timeoutMs,
      resetTimeout: options.resetMs,
      errorThresholdPercentage: 50,
      volumeThreshold: 2,
    });
  }

  get id(): string {
    return this.inner.id;
  }

  get open(): boolean {
    return this.breaker.opened;
  }

  private async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return (await this.breaker.fire(work)) as T;
    } catch (error) {
      throw new VenueUnavailableError(`venue ${this.inner.id} unavailable: ${(error as Error).message}`);
    }
  }

  quote(order: VenueOrder): Promise<VenueQuote | null> {
    return this.call(() => this.inner.quote(order));
  }

  submit(order: VenueOrder): Promise<VenueExecution> {
    return this.call(() => this.inner.submit(order));
  }

  poll(orderRef: string): Promise<VenueExecution | null> {
    return this.call(() => this.inner.poll(orderRef));
  }

  reduce(orderRef: string, reductionRef: string, quantity: string): Promise<void> {
    return this.call(() => this.inner.reduce(orderRef, reductionRef, quantity));
  }

  shutdown(): void {
    this.breaker.shutdown();
  }
}

/** Better for the order's side: more quantity first, then the better average price. */
export function isBetterQuote(side: 'buy' | 'sell', a: VenueQuote, b: VenueQuote): boolean {
  const qa = decimal(a.quantity);
  const qb = decimal(b.quantity);
  if (!qa.eq(qb)) return qa.gt(qb);
  const pa = decimal(a.averagePrice);
  const pb = decimal(b.averagePrice);
  return side === 'buy' ? pa.lt(pb) : pa.gt(pb);
}

/**
 * Picks the venue for an order: the best quote among venues that answer; ties go to the
 * earlier venue in the list (the internal book is listed first). With no quote anywhere the
 * order goes to the default venue to rest there (a GTC order) or expire (IOC/FOK).
 */
export async function routeOrder(venues: readonly Venue[], order: VenueOrder): Promise<{ venue: Venue; quote: VenueQuote | null } | null> {
  assert(venues.length > 0 && venues.length <= VENUE_IDS_MAX, 'one to VENUE_IDS_MAX venues');
  let best: { venue: Venue; quote: VenueQuote | null } | null = null;
  let firstAvailable: Venue | null = null;
  for (const venue of venues) {
    let quote: VenueQuote | null;
    try {
      quote = await venue.quote(order);
    } catch (error) {
      if (error instanceof VenueUnavailableError) continue;
      throw error;
    }
    firstAvailable ??= venue;
    if (quote && decimal(quote.quantity).gt(decimal('0')) && (!best?.quote || isBetterQuote(order.side, quote, best.quote))) best = { venue, quote };
  }
  if (best) return best;
  return firstAvailable ? { venue: firstAvailable, quote: null } : null;
}
