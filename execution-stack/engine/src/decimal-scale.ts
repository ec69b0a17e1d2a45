// Conversions between decimal strings (the wire) and integer ticks/lots (the engine), done in
// BigInt so money never passes through a JS float. A value that is not a whole number of
// units is refused, never rounded: rounding a price is a business decision, not the engine's.

import { assert } from './assert.js';
import { RejectCode } from './engine-types.js';

const decimalPattern = /^(-?)(\d+)(?:\.(\d+))?$/;
/** Decimal strings longer than this are refused: a limit on everything. */
export const decimalCharsMax = 64;

interface ScaledDecimal {
  readonly mantissa: bigint;
  readonly scale: number;
}

function parseDecimal(value: string): ScaledDecimal | null {
  if (value.length > decimalCharsMax) return null;
  const match = decimalPattern.exec(value);
  if (match === null) return null;
  const [, sign = '', whole = '', fraction = ''] = match;
  const mantissa = BigInt(`${sign}${whole}${fraction}`);
  return { mantissa, scale: fraction.length };
}

function pow10(exponent: number): bigint {
  return 10n ** BigInt(exponent);
}

export type UnitsResult = { ok: true; units: number } | { ok: false; code: RejectCode };

/** `value / unit` as an exact integer, e.g. ("12.35", "0.05") → 247; ("12.34", "0.05") → bad. */
export function decimalToUnits(value: string, unit: string, badCode: RejectCode): UnitsResult {
  const v = parseDecimal(value);
  const u = parseDecimal(unit);
  assert(u !== null && u.mantissa > 0n, 'unit must be a positive decimal');
  if (v === null) return { ok: false, code: badCode };
  const scale = Math.max(v.scale, u.scale);
  const vScaled = v.mantissa * pow10(scale - v.scale);
  const uScaled = u.mantissa * pow10(scale - u.scale);
  if (vScaled % uScaled !== 0n) return { ok: false, code: badCode };
  const units = vScaled / uScaled;
  if (units > BigInt(Number.MAX_SAFE_INTEGER) || units < -BigInt(Number.MAX_SAFE_INTEGER)) {
    return { ok: false, code: badCode };
  }
  return { ok: true, units: Number(units) };
}

/** `units × unit` as a decimal string with the unit's scale, e.g. (247, "0.05") → "12.35". */
export function unitsToDecimal(units: number, unit: string): string {
  assert(Number.isSafeInteger(units), 'units must be a safe integer');
  const u = parseDecimal(unit);
  assert(u !== null && u.mantissa > 0n, 'unit must be a positive decimal');
  const product = BigInt(units) * u.mantissa;
  const negative = product < 0n;
  const digits = (negative ? -product : product).toString().padStart(u.scale + 1, '0');
  const whole = digits.slice(0, digits.length - u.scale);
  const fraction = digits.slice(digits.length - u.scale);
  const text = u.scale === 0 ? whole : `${whole}.${fraction}`;
  return negative ? `-${text}` : text;
}

export function priceToTicks(price: string, tickSize: string): UnitsResult {
  return decimalToUnits(price, tickSize, RejectCode.BadTick);
}

export function ticksToPrice(priceTicks: number, tickSize: string): string {
  return unitsToDecimal(priceTicks, tickSize);
}

export function quantityToLots(quantity: string, lotSize: string): UnitsResult {
  return decimalToUnits(quantity, lotSize, RejectCode.BadLot);
}

export function lotsToQuantity(lots: number, lotSize: string): string {
  return unitsToDecimal(lots, lotSize);
}

export function isPositiveDecimal(value: string): boolean {
  const parsed = parseDecimal(value);
  return parsed !== null && parsed.mantissa > 0n;
}
