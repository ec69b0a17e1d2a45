// Money is never a JS number. Amounts travel as decimal strings, are computed with big.js in
// strict mode (a JS number passed in throws), and are rounded only where a caller names the
// rounding mode. Each currency has its own scale.
import BigConstructor, { type Big } from 'big.js';
import { assert } from '../assert.js';

/** A big.js constructor of our own: strict (no JS numbers), 40 digits of division precision. */
export const BigDecimal = BigConstructor();
BigDecimal.strict = true;
BigDecimal.DP = 40;
BigDecimal.RM = BigDecimal.roundHalfEven;
// toString never switches to exponent form (big.js's widest limits): a 51-digit amount or a
// product below 1e-50 must still print as plain decimal text, never "1e+55".
BigDecimal.NE = -1e6;
BigDecimal.PE = 1e6;

export const CURRENCY_SCALE = Object.freeze({ USD: 2, LKR: 2, EUR: 2, GBP: 2 } as const);
export type CurrencyCode = keyof typeof CURRENCY_SCALE;

export const ROUNDING = Object.freeze({
  down: 0, // towards zero
  half_up: 1,
  half_even: 2, // banker's rounding
  up: 3, // away from zero
} as const);
export type RoundingMode = keyof typeof ROUNDING;

const DECIMAL_TEXT = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;
export const DECIMAL_TEXT_LENGTH_MAX = 64;

export class MoneyFormatError extends Error {
  override readonly name = 'MoneyFormatError';
}

/** Parses a decimal string. Refuses JS numbers, exponents, blanks, `+`, leading zeros and NaN. */
export function decimal(text: string): Big {
  if (typeof text !== 'string' || text.length > DECIMAL_TEXT_LENGTH_MAX || !DECIMAL_TEXT.test(text)) {
    throw new MoneyFormatError('not a decimal string');
  }
  return new BigDecimal(text);
}

export function isDecimalText(text: unknown): text is string {
  return typeof text === 'string' && text.length <= DECIMAL_TEXT_LENGTH_MAX && DECIMAL_TEXT.test(text);
}

export function scaleOf(currency: CurrencyCode): number {
  const scale = CURRENCY_SCALE[currency];
  assert(scale !== undefined, `unknown currency ${String(currency)}`);
  return scale;
}

/** Rounds with an explicit mode and writes exactly `scale` decimals ("1.5", 2 → "1.50"). */
export function toFixedScale(value: Big, scale: number, mode: RoundingMode): string {
  assert(Number.isInteger(scale) && scale >= 0 && scale <= 36, 'scale is a small non-negative integer');
  const text = value.round(scale, ROUNDING[mode]).toString(); // NE/PE keep it out of exponent form
  const [whole = '0', fraction = ''] = text.split('.');
  const fixed = scale === 0 ? whole : `${whole}.${fraction.padEnd(scale, '0')}`;
  return /^-0(\.0*)?$/.test(fixed) ? fixed.slice(1) : fixed;
}

/** Rounds to the currency's scale with an explicit mode and returns the fixed-scale string. */
export function roundMoney(amount: Big | string, currency: CurrencyCode, mode: RoundingMode): string {
  const value = typeof amount === 'string' ? decimal(amount) : amount;
  return toFixedScale(value, scaleOf(currency), mode);
}

/** True when the amount has no digits beyond the currency's scale. */
export function hasCurrencyScale(amount: string, currency: CurrencyCode): boolean {
  const value = decimal(amount);
  return value.eq(value.round(scaleOf(currency), ROUNDING.down));
}

/** Minor units (cents) as a bigint; refuses an amount with more digits than the currency allows. */
export function toMinorUnits(amount: string, currency: CurrencyCode): bigint {
  if (!hasCurrencyScale(amount, currency)) throw new MoneyFormatError(`more than ${scaleOf(currency)} decimals for ${currency}`);
  const minor = decimal(amount).times(new BigDecimal('10').pow(scaleOf(currency)));
  return BigInt(minor.toString());
}

export function fromMinorUnits(minor: bigint, currency: CurrencyCode): string {
  const scale = scaleOf(currency);
  return toFixedScale(new BigDecimal(minor.toString()).div(new BigDecimal('10').pow(scale)), scale, 'down');
}

/** Σ of decimal strings, exact. */
export function sumDecimals(amounts: readonly string[]): string {
  let total = new BigDecimal('0');
  for (const amount of amounts) total = total.plus(decimal(amount));
  return canonicalDecimal(total);
}

/** The shortest exact decimal text: no exponent, no trailing zeros ("1.50" → "1.5"). */
export function canonicalDecimal(value: Big | string): string {
  const big = typeof value === 'string' ? decimal(value) : value;
  const text = big.toString();
  return text === '-0' ? '0' : text;
}

/**
 * Converts with a rate and rounds to the target currency's scale: the one place FX arithmetic
 * happens, so the rounding of every conversion is the same and explicit.
 */
export function convert(amount: string, rate: string, to: CurrencyCode, mode: RoundingMode): string {
  return roundMoney(decimal(amount).times(decimal(rate)), to, mode);
}
