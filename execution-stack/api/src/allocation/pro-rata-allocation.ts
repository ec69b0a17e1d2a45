// Exact pro-rata allocation of an omnibus order's fills to the intents pooled in it. Pure: no
// clock, no ids, no I/O; the same inputs always give the same allocations.
//
// The rule, as a customer would read it:
//  1. Quantities, in whole lots. Each intent's share is fill × open / Σopen. Everyone gets the
//     whole lots of their share; the lots left over (fewer than the number of intents) go one
//     each to the largest fractional remainders (largest-remainder / Hamilton method). Ties
//     break by the earlier intent (acceptance sequence), then by the intent id. Σ allocations
//     = fill, always; no intent receives more than its open quantity.
//  2. Prices. Fill slices are handed out in fill order to intents in acceptance order (earlier
//     intent, earlier fill: the book's own price-time priority, passed through). Each
//     allocation's notional is the exact Σ price × quantity of its slices, so Σ notionals =
//     the order's notional to the last digit. Its average price is notional / quantity, exact
//     when that terminates within 18 decimals, else rounded half-even at the 18th: the
//     notional, not the average, is what the ledger books.
//  3. Fees: notional × feeBps / 10,000, exact (half-even only beyond 18 decimals).
import { ALLOCATION_FILLS_MAX, allocationInputsHash, assert } from '@bulwark/shared-contracts';
import { SCALE_MAX, divideHalfEven, formatScaled, parseScaled, rescale, roundScaled, type Scaled } from './scaled-decimal.js';

/** Intents one allocation round may cover. */
export const ALLOCATION_INTENTS_MAX = 200_000;
/** Fee rate limit: 10%. */
export const FEE_BPS_MAX = 1_000;

export interface PoolIntent {
  readonly intentId: string;
  readonly accountRef: string;
  readonly limitPrice: string;
  /** Quantity still open before this round (instrument units). */
  readonly openQuantity: string;
  /** Acceptance order: lower is earlier. A safe integer. */
  readonly acceptedSeq: number;
}

export interface VenueFill {
  readonly fillRef: string;
  readonly price: string;
  readonly quantity: string;
}

export interface AllocationRequest {
  readonly omnibusOrderRef: string;
  readonly instrumentId: string;
  readonly side: 'buy' | 'sell';
  readonly lotSize: string;
  readonly feeBps: number;
  readonly intents: readonly PoolIntent[];
  /** The fills of this round, in the order the venue reported them. */
  readonly fills: readonly VenueFill[];
}

export interface IntentAllocation {
  readonly intentId: string;
  readonly accountRef: string;
  readonly openQuantity: string;
  readonly quantity: string;
  readonly notional: string;
  readonly averagePrice: string;
  readonly fee: string;
  readonly remainingQuantity: string;
  readonly limitPrice: string;
  readonly fillRefs: readonly string[];
}

export interface AllocationResult {
  /** Allocations with a positive quantity, in acceptance order (earlier intent, then intent id). */
  readonly allocations: readonly IntentAllocation[];
  readonly filledQuantity: string;
  readonly notional: string;
}

/** Earlier acceptance first, then the smaller intent id. */
function isBefore(a: PoolIntent, b: PoolIntent): boolean {
  return a.acceptedSeq !== b.acceptedSeq ? a.acceptedSeq < b.acceptedSeq : a.intentId < b.intentId;
}

/** The pool in acceptance order; sorted only when it does not arrive so. */
function inAcceptanceOrder(intents: readonly PoolIntent[]): readonly PoolIntent[] {
  let sorted = true;
  for (let k = 1; k < intents.length && sorted; k++) sorted = isBefore(intents[k - 1] as PoolIntent, intents[k] as PoolIntent);
  if (sorted) return intents;
  const order = [...intents].sort((a, b) => (isBefore(a, b) ? -1 : isBefore(b, a) ? 1 : 0));
  for (let k = 1; k < order.length; k++) assert(isBefore(order[k - 1] as PoolIntent, order[k] as PoolIntent), 'intent ids are unique in a pool');
  return order;
}

/** Caches a pure function of one key (quantities repeat across a pool). */
function memo<K, V>(compute: (key: K) => V): (key: K) => V {
  const cache = new Map<K, V>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) {
      value = compute(key);
      cache.set(key, value);
    }
    return value;
  };
}

/**
 * Largest-remainder split of `fillLots` over `openLots` (Σ open ≥ fill), the intents given in
 * tie-break order: among equal remainders the lower index wins. Returns lots per intent.
 */
export function largestRemainderLots(fillLots: bigint, openLots: readonly bigint[]): bigint[] {
  let totalOpen = 0n;
  for (const open of openLots) {
    assert(open > 0n, 'every pooled intent has open lots');
    totalOpen += open;
  }
  assert(fillLots >= 0n && fillLots <= totalOpen, 'a fill never exceeds the open quantity of its pool');
  const lots: bigint[] = new Array<bigint>(openLots.length);
  const remainders: bigint[] = new Array<bigint>(openLots.length);
  const withRemainder: number[] = [];
  let given = 0n;
  for (let i = 0; i < openLots.length; i++) {
    const share = fillLots * (openLots[i] as bigint);
    const whole = share / totalOpen;
    const remainder = share - whole * totalOpen;
    lots[i] = whole;
    remainders[i] = remainder;
    if (remainder !== 0n) withRemainder.push(i);
    given += whole;
  }
  const leftOver = Number(fillLots - given);
  assert(leftOver >= 0 && leftOver <= withRemainder.length, 'the lots left over are fewer than the fractional shares');
  // Array.prototype.sort is stable, so equal remainders keep the tie-break (index) order.
  withRemainder.sort((a, b) => {
    const ra = remainders[a] as bigint;
    const rb = remainders[b] as bigint;
    return ra === rb ? 0 : ra > rb ? -1 : 1;
  });
  for (let k = 0; k < leftOver; k++) {
    const i = withRemainder[k] as number;
    lots[i] = (lots[i] as bigint) + 1n;
    assert((lots[i] as bigint) <= (openLots[i] as bigint), 'a remainder lot never takes an intent above its open quantity');
  }
  return lots;
}

/**
 * The inputs hash of one allocation (what allocation.v1 carries), computed when its message is
 * built: the customer stack recomputes it from its own intent and the message's figures.
 */
export function inputsHashOf(request: Pick<AllocationRequest, 'omnibusOrderRef' | 'instrumentId' | 'side'>, allocation: IntentAllocation): string {
  return allocationInputsHash({
    intentId: allocation.intentId, accountRef: allocation.accountRef, instrumentId: request.instrumentId, side: request.side,
    limitPrice: allocation.limitPrice, openQuantity: allocation.openQuantity, omnibusOrderRef: request.omnibusOrderRef,
    fillRefs: allocation.fillRefs, quantity: allocation.quantity, notional: allocation.notional, fee: allocation.fee,
    remainingQuantity: allocation.remainingQuantity,
  });
}

/**
 * The same split on safe integers, for pools whose products stay below 2^52 (nearly all of
 * them): no bigint is allocated per intent. The spec proves both give the same lots.
 */
export function largestRemainderLotsSafe(fillLots: number, openLots: readonly number[]): number[] {
  let totalOpen = 0;
  let openMax = 0;
  for (const open of openLots) {
    assert(open > 0, 'every pooled intent has open lots');
    totalOpen += open;
    if (open > openMax) openMax = open;
  }
  assert(fillLots >= 0 && fillLots <= totalOpen, 'a fill never exceeds the open quantity of its pool');
  assert(fillLots * openMax <= SAFE_PRODUCT_MAX && totalOpen <= SAFE_PRODUCT_MAX, 'products stay exact in a double');
  const lots: number[] = new Array<number>(openLots.length);
  const remainders: number[] = new Array<number>(openLots.length);
  const withRemainder: number[] = [];
  let given = 0;
  for (let i = 0; i < openLots.length; i++) {
    const share = fillLots * (openLots[i] as number);
    let whole = Math.floor(share / totalOpen);
    let remainder = share - whole * totalOpen;
    // The quotient of two exact integers may round up across an integer: correct by one.
    if (remainder < 0) {
      whole -= 1;
      remainder += totalOpen;
    }
    assert(remainder >= 0 && remainder < totalOpen, 'the remainder is in range');
    lots[i] = whole;
    remainders[i] = remainder;
    if (remainder !== 0) withRemainder.push(i);
    given += whole;
  }
  const leftOver = fillLots - given;
  assert(leftOver >= 0 && leftOver <= withRemainder.length, 'the lots left over are fewer than the fractional shares');
  withRemainder.sort((a, b) => (remainders[b] as number) - (remainders[a] as number)); // stable: ties keep index order
  for (let k = 0; k < leftOver; k++) {
    const i = withRemainder[k] as number;
    lots[i] = (lots[i] as number) + 1;
    assert((lots[i] as number) <= (openLots[i] as number), 'a remainder lot never takes an intent above its open quantity');
  }
  return lots;
}

/** Products below this stay exact in a double, with a bit to spare for sums. */
const SAFE_PRODUCT_MAX = 2 ** 52;

const isWithinLimit = (side: 'buy' | 'sell', price: bigint, limit: bigint): boolean => (side === 'buy' ? price <= limit : price >= limit);

interface AllocationCore {
  readonly request: AllocationRequest;
  readonly order: readonly PoolIntent[];
  readonly openLots: readonly bigint[];
  readonly fillLots: readonly bigint[];
  readonly prices: readonly bigint[];
  readonly priceScale: number;
  readonly lot: Scaled;
}

interface CoreResult {
  readonly allocations: IntentAllocation[];
  readonly allocatedLots: bigint;
  readonly allocatedNotional: bigint;
}

/** Quantities by largest remainder, then fill slices in fill order to intents in acceptance order: bigints throughout. */
function allocateExact({ request, order, openLots, fillLots, prices, priceScale, lot }: AllocationCore): CoreResult {
  const { fills } = request;
  const totalFillLots = fillLots.reduce((sum, lots) => sum + lots, 0n);
  const lots = largestRemainderLots(totalFillLots, openLots);

  const notionalScale = priceScale + lot.scale;
  const feeScale = Math.min(notionalScale + 4, SCALE_MAX);
  const feeBps = BigInt(request.feeBps);
  const quantityText = memo((lots: bigint) => formatScaled(lots * lot.units, lot.scale));
  const priceText = prices.map((p) => formatScaled(p, priceScale));
  const allocations: IntentAllocation[] = [];
  let allocatedLots = 0n;
  let allocatedNotional = 0n;
  // Fill slices in fill order to intents in acceptance order.
  let j = 0;
  let leftInFill = fillLots[0] as bigint;
  for (let i = 0; i < order.length; i++) {
    const intentLots = lots[i] as bigint;
    if (intentLots === 0n) continue;
    const intent = order[i] as PoolIntent;
    const firstFill = j;
    let priceLots = 0n; // Σ price × lots of this intent's slices
    const refs: string[] = [];
    for (let wanted = intentLots; wanted > 0n; ) {
      assert(j < fills.length, 'fills cover every allocated lot');
      const take = wanted < leftInFill ? wanted : leftInFill;
      priceLots += take * (prices[j] as bigint);
      refs.push((fills[j] as VenueFill).fillRef);
      wanted -= take;
      leftInFill -= take;
      if (leftInFill === 0n && ++j < fills.length) leftInFill = fillLots[j] as bigint;
    }
    const singlePrice = refs.length === 1;
    assert(singlePrice || j > firstFill, 'an intent with several slices spans several fills');
    const notionalUnits = priceLots * lot.units; // at notionalScale
    const feeUnits = feeBps === 0n ? 0n : roundScaled(notionalUnits * feeBps, notionalScale + 4, feeScale);
    allocations.push({
      intentId: intent.intentId,
      accountRef: intent.accountRef,
      openQuantity: intent.openQuantity,
      quantity: quantityText(intentLots),
      notional: formatScaled(notionalUnits, notionalScale),
      // One slice: the fill's own price, exactly. Several: Σ price × lots / lots, half-even at 18 decimals.
      averagePrice: singlePrice ? (priceText[firstFill] as string) : formatScaled(divideHalfEven(priceLots, intentLots, SCALE_MAX - priceScale), SCALE_MAX),
      fee: formatScaled(feeUnits, feeScale),
      remainingQuantity: quantityText((openLots[i] as bigint) - intentLots),
      limitPrice: intent.limitPrice,
      fillRefs: refs,
    });
    allocatedLots += intentLots;
    allocatedNotional += notionalUnits;
  }
  assert(j === fills.length && leftInFill === 0n, 'every lot of every fill is allocated');
  return { allocations, allocatedLots, allocatedNotional };
}

/** The same on safe integers (the caller checked every product fits). */
function allocateSafe({ request, order, openLots, fillLots, prices, priceScale, lot }: AllocationCore): CoreResult {
  const { fills } = request;
  const open = openLots.map(Number);
  const fillSizes = fillLots.map(Number);
  const priceUnits = prices.map(Number);
  const lotUnits = Number(lot.units);
  const lots = largestRemainderLotsSafe(fillSizes.reduce((sum, l) => sum + l, 0), open);

  const notionalScale = priceScale + lot.scale;
  const feeScale = Math.min(notionalScale + 4, SCALE_MAX);
  const feeBps = request.feeBps;
  const quantityText = memo((lots: number) => formatScaled(lots * lotUnits, lot.scale));
  const priceText = prices.map((p) => formatScaled(p, priceScale));
  const allocations: IntentAllocation[] = [];
  let allocatedLots = 0;
  let allocatedNotional = 0;
  // Fill slices in fill order to intents in acceptance order.
  let j = 0;
  let leftInFill = fillSizes[0] as number;
  for (let i = 0; i < order.length; i++) {
    const intentLots = lots[i] as number;
    if (intentLots === 0) continue;
    const intent = order[i] as PoolIntent;
    const firstFill = j;
    let priceLots = 0; // Σ price × lots of this intent's slices
    const refs: string[] = [];
    for (let wanted = intentLots; wanted > 0; ) {
      assert(j < fills.length, 'fills cover every allocated lot');
      const take = wanted < leftInFill ? wanted : leftInFill;
      priceLots += take * (priceUnits[j] as number);
      refs.push((fills[j] as VenueFill).fillRef);
      wanted -= take;
      leftInFill -= take;
      if (leftInFill === 0 && ++j < fills.length) leftInFill = fillSizes[j] as number;
    }
    const singlePrice = refs.length === 1;
    assert(singlePrice || j > firstFill, 'an intent with several slices spans several fills');
    const notionalUnits = priceLots * lotUnits; // at notionalScale
    const feeUnits = feeBps === 0 ? 0 : feeScale === notionalScale + 4 ? notionalUnits * feeBps : roundScaled(BigInt(notionalUnits * feeBps), notionalScale + 4, feeScale);
    allocations.push({
      intentId: intent.intentId,
      accountRef: intent.accountRef,
      openQuantity: intent.openQuantity,
      quantity: quantityText(intentLots),
      notional: formatScaled(notionalUnits, notionalScale),
      // One slice: the fill's own price, exactly. Several: Σ price × lots / lots, half-even at 18 decimals.
      averagePrice: singlePrice ? (priceText[firstFill] as string) : formatScaled(divideHalfEven(BigInt(priceLots), BigInt(intentLots), SCALE_MAX - priceScale), SCALE_MAX),
      fee: formatScaled(feeUnits, feeScale),
      remainingQuantity: quantityText((open[i] as number) - intentLots),
      limitPrice: intent.limitPrice,
      fillRefs: refs,
    });
    allocatedLots += intentLots;
    allocatedNotional += notionalUnits;
  }
  assert(j === fills.length && leftInFill === 0, 'every lot of every fill is allocated');
  return { allocations, allocatedLots: BigInt(allocatedLots), allocatedNotional: BigInt(allocatedNotional) };
}

/**
 * Allocates one round of fills to a pool. Broken inputs are bugs: they assert. `exact` forces
 * the bigint path (the spec compares it with the safe-integer path every pool normally takes).
 */
export function allocate(request: AllocationRequest, mode: 'fast' | 'exact' = 'fast'): AllocationResult {
  const { intents, fills, side } = request;
  assert(intents.length > 0 && intents.length <= ALLOCATION_INTENTS_MAX, 'a pool holds 1 to ALLOCATION_INTENTS_MAX intents');
  assert(fills.length > 0 && fills.length <= ALLOCATION_FILLS_MAX, 'a round holds 1 to ALLOCATION_FILLS_MAX fills');
  assert(Number.isInteger(request.feeBps) && request.feeBps >= 0 && request.feeBps <= FEE_BPS_MAX, 'fee rate within limits');

  const lot = parseScaled(request.lotSize);
  assert(lot.units > 0n, 'lot size is positive');
  const lotsOf = memo((quantity: string): bigint => {
    const q = parseScaled(quantity);
    const scale = Math.max(q.scale, lot.scale);
    const units = rescale(q, scale);
    const lotUnits = rescale(lot, scale);
    assert(units % lotUnits === 0n, `quantity ${quantity} is whole lots of ${request.lotSize}`);
    return units / lotUnits;
  });

  // Prices on one scale, so notionals add as integers.
  const parsedPrices = fills.map((f) => parseScaled(f.price));
  const limitScale = Math.max(...[...new Set(intents.map((i) => i.limitPrice))].map((limit) => parseScaled(limit).scale));
  const priceScale = Math.max(limitScale, ...parsedPrices.map((p) => p.scale));
  const prices = parsedPrices.map((p) => rescale(p, priceScale));
  const fillLots = fills.map((f) => lotsOf(f.quantity));
  for (let j = 0; j < fills.length; j++) assert((fillLots[j] as bigint) > 0n && (prices[j] as bigint) > 0n, 'fills are positive');

  const worstPrice = prices.reduce((worst, p) => (isWithinLimit(side, worst, p) ? p : worst));
  for (const limit of new Set(intents.map((i) => i.limitPrice))) {
    assert(isWithinLimit(side, worstPrice, rescale(parseScaled(limit), priceScale)), 'every fill is within every pooled limit');
  }

  // Acceptance order is the tie-break order (pools usually arrive in it already).
  const order = inAcceptanceOrder(intents);
  const openLots = order.map((i) => lotsOf(i.openQuantity));
  const totalFillLots = fillLots.reduce((sum, lots) => sum + lots, 0n);
  const openMax = openLots.reduce((max, l) => (l > max ? l : max), 0n);
  const priceMax = prices.reduce((max, p) => (p > max ? p : max), 0n);
  const safe =
    totalFillLots * openMax <= BigInt(SAFE_PRODUCT_MAX) &&
    openLots.length * Number(openMax) <= SAFE_PRODUCT_MAX &&
    priceMax * totalFillLots * lot.units * BigInt(Math.max(1, request.feeBps)) <= BigInt(SAFE_PRODUCT_MAX);
  const core: AllocationCore = { request, order, openLots, fillLots, prices, priceScale, lot };
  const { allocations, allocatedLots, allocatedNotional } = safe && mode !== 'exact' ? allocateSafe(core) : allocateExact(core);
  const notionalScale = priceScale + lot.scale;
  // The pair across the boundary: what came in from the venue is exactly what goes out.
  const fillNotional = fillLots.reduce((sum, l, k) => sum + l * (prices[k] as bigint), 0n) * lot.units;
  assert(allocatedLots === totalFillLots, 'Σ allocated lots = Σ filled lots');
  assert(allocatedNotional === fillNotional, 'Σ allocated notional = Σ fill notional');
  return {
    allocations,
    filledQuantity: formatScaled(totalFillLots * lot.units, lot.scale),
    notional: formatScaled(fillNotional, notionalScale),
  };
}
