// The call auction that ends a halt: every order collected (the frozen book plus what arrived
// during the halt) trades at one price, the one that maximises executed volume. Pure and
// deterministic: ties are broken by the smallest imbalance, then the price nearest the
// reference, then the lower price. Fills follow price then time priority on both sides.
import { assert } from '@bulwark/shared-contracts';

export const AUCTION_ORDERS_MAX = 200_000;

export interface AuctionOrder {
  readonly orderId: number;
  readonly ownerId: number;
  /** 0 = buy, 1 = sell (the engine's Side). */
  readonly side: 0 | 1;
  readonly priceTicks: number;
  readonly lots: number;
}

export interface AuctionFill {
  readonly buyOrderId: number;
  readonly sellOrderId: number;
  readonly buyOwnerId: number;
  readonly sellOwnerId: number;
  readonly lots: number;
  readonly buyRemainingLots: number;
  readonly sellRemainingLots: number;
}

export interface Uncross {
  readonly priceTicks: number;
  readonly lots: number;
  readonly fills: readonly AuctionFill[];
}

interface Candidate {
  readonly priceTicks: number;
  readonly lots: number;
  readonly imbalance: number;
}

/** Executable volume at every limit price present, as a sorted list of candidates. */
export function auctionCandidates(orders: readonly AuctionOrder[]): Candidate[] {
  const prices = [...new Set(orders.map((o) => o.priceTicks))].sort((a, b) => a - b);
  const buys = orders.filter((o) => o.side === 0).sort((a, b) => b.priceTicks - a.priceTicks);
  const sells = orders.filter((o) => o.side === 1).sort((a, b) => a.priceTicks - b.priceTicks);
  // supply(p) grows with p, demand(p) shrinks: two sweeps give both in O(n log n).
  const supplyAt = new Map<number, number>();
  let supply = 0;
  let s = 0;
  for (const price of prices) {
    while (s < sells.length && (sells[s]?.priceTicks ?? Infinity) <= price) supply += sells[s++]?.lots ?? 0;
    supplyAt.set(price, supply);
  }
  const candidates: Candidate[] = [];
  let demand = 0;
  let b = 0;
  for (const price of [...prices].reverse()) {
    while (b < buys.length && (buys[b]?.priceTicks ?? -Infinity) >= price) demand += buys[b++]?.lots ?? 0;
    const supplyHere = supplyAt.get(price) ?? 0;
    candidates.push({ priceTicks: price, lots: Math.min(demand, supplyHere), imbalance: Math.abs(demand - supplyHere) });
  }
  return candidates.reverse();
}

/** Picks the auction price; null when nothing crosses. */
export function auctionPrice(orders: readonly AuctionOrder[], referencePriceTicks: number | null): Candidate | null {
  let best: Candidate | null = null;
  const distance = (p: number) => (referencePriceTicks === null ? 0 : Math.abs(p - referencePriceTicks));
  for (const c of auctionCandidates(orders)) {
    if (c.lots <= 0) continue;
    if (
      best === null ||
      c.lots > best.lots ||
      (c.lots === best.lots && c.imbalance < best.imbalance) ||
      (c.lots === best.lots && c.imbalance === best.imbalance && distance(c.priceTicks) < distance(best.priceTicks))
      // equal on all three: the lower price, which is the one already held (candidates ascend)
    ) {
      best = c;
    }
  }
  return best;
}

/**
 * Uncrosses the orders (given in time priority) at the auction price. Returns null when no
 * buy meets a sell. After it, what remains is uncrossed (the volume at any other price would
 * otherwise have been larger).
 */
export function uncross(orders: readonly AuctionOrder[], referencePriceTicks: number | null): Uncross | null {
  assert(orders.length <= AUCTION_ORDERS_MAX, 'auction within its order limit');
  const chosen = auctionPrice(orders, referencePriceTicks);
  if (chosen === null) return null;
  const price = chosen.priceTicks;
  // Array.prototype.sort is stable: equal prices keep time priority.
  const buys = orders.filter((o) => o.side === 0 && o.priceTicks >= price).sort((a, b) => b.priceTicks - a.priceTicks);
  const sells = orders.filter((o) => o.side === 1 && o.priceTicks <= price).sort((a, b) => a.priceTicks - b.priceTicks);
  const fills: AuctionFill[] = [];
  let left = chosen.lots;
  let bi = 0;
  let si = 0;
  let buyLeft = buys[0]?.lots ?? 0;
  let sellLeft = sells[0]?.lots ?? 0;
  while (left > 0) {
    const buy = buys[bi];
    const sell = sells[si];
    assert(buy !== undefined && sell !== undefined, 'the chosen volume is available on both sides');
    const lots = Math.min(buyLeft, sellLeft, left);
    buyLeft -= lots;
    sellLeft -= lots;
    left -= lots;
    fills.push({
      buyOrderId: buy.orderId,
      sellOrderId: sell.orderId,
      buyOwnerId: buy.ownerId,
      sellOwnerId: sell.ownerId,
      lots,
      buyRemainingLots: buyLeft,
      sellRemainingLots: sellLeft,
    });
    if (buyLeft === 0) buyLeft = buys[++bi]?.lots ?? 0;
    if (sellLeft === 0) sellLeft = sells[++si]?.lots ?? 0;
  }
  assert(fills.reduce((sum, f) => sum + f.lots, 0) === chosen.lots, 'fills add up to the auction volume');
  return { priceTicks: price, lots: chosen.lots, fills };
}
