// Per-instrument configuration, parsed once into a frozen object. The engine refuses to start
// on a bad value. Prices are integer ticks inside [priceTicksMin, priceTicksMax]: that range is
// the static price band and also sizes the price-level arrays, so it is bounded by levelsMax.

import { assert } from './assert.js';
import { isPositiveDecimal } from './decimal-scale.js';

/** Price levels per side; the level arrays are indexed by tick offset. */
export const levelsMax = 1 << 22;
/** Order pool capacity bound (resting orders + pending stops). */
export const ordersLimitMax = 1 << 24;
/** Lots are stored in an Int32Array. */
export const orderLotsLimitMax = 0x7fffffff;

export interface InstrumentConfig {
  readonly symbol: string;
  /** Decimal price of one tick, e.g. "0.01". */
  readonly tickSize: string;
  /** Decimal quantity of one lot, e.g. "1" or "0.001". */
  readonly lotSize: string;
  /** Static band, inclusive. */
  readonly priceTicksMin: number;
  readonly priceTicksMax: number;
  /** Dynamic band: ± this many ticks around the reference price; 0 disables it. */
  readonly bandTicks: number;
  /** Reference price for the dynamic band (set_reference_price moves it); null = none yet. */
  readonly referencePriceTicks: number | null;
  /** Capacity of the order pool: resting orders plus pending stops. */
  readonly ordersMax: number;
  /** Largest size of a single order, in lots. */
  readonly orderLotsMax: number;
}

export function parseInstrumentConfig(input: InstrumentConfig): InstrumentConfig {
  assert(input.symbol.length > 0 && input.symbol.length <= 64, 'symbol length');
  assert(isPositiveDecimal(input.tickSize), 'tickSize must be a positive decimal string');
  assert(isPositiveDecimal(input.lotSize), 'lotSize must be a positive decimal string');
  assert(Number.isSafeInteger(input.priceTicksMin), 'priceTicksMin must be an integer');
  assert(Number.isSafeInteger(input.priceTicksMax), 'priceTicksMax must be an integer');
  assert(input.priceTicksMin <= input.priceTicksMax, 'priceTicksMin <= priceTicksMax');
  // Prices live in Int32Arrays.
  assert(input.priceTicksMin >= -0x80000000 && input.priceTicksMax <= 0x7fffffff, 'price range fits int32');
  assert(input.priceTicksMax - input.priceTicksMin + 1 <= levelsMax, 'price range exceeds levelsMax');
  assert(Number.isSafeInteger(input.bandTicks) && input.bandTicks >= 0, 'bandTicks >= 0');
  assert(
    input.referencePriceTicks === null || Number.isSafeInteger(input.referencePriceTicks),
    'referencePriceTicks must be an integer or null',
  );
  assert(Number.isInteger(input.ordersMax) && input.ordersMax > 0, 'ordersMax > 0');
  assert(input.ordersMax <= ordersLimitMax, 'ordersMax <= ordersLimitMax');
  assert(Number.isInteger(input.orderLotsMax) && input.orderLotsMax > 0, 'orderLotsMax > 0');
  assert(input.orderLotsMax <= orderLotsLimitMax, 'orderLotsMax fits an Int32Array');
  return Object.freeze({ ...input });
}
