// Money in the UIs is what it is on the wire: decimal strings. Arithmetic (an order's estimated
// cost, a conversion at the quoted rate) goes through big.js with explicit rounding; a JS
// number never holds an amount.
import BigConstructor, { type Big } from 'big.js';

/** A private big.js constructor that never switches to exponent notation. */
const Dec = BigConstructor();
Dec.PE = 1e6;
Dec.NE = -1e6;
const ROUND_HALF_EVEN = 2;

const DECIMAL = /^-?\d{1,30}(\.\d{1,30})?$/;

export function isDecimal(value: string): boolean {
  return DECIMAL.test(value.trim());
}

export function big(value: string): Big {
  if (!isDecimal(value)) throw new Error(`not a decimal: ${value}`);
  return new Dec(value.trim());
}

/** Rounds half-even to exactly `dp` places, as a plain decimal string with trailing zeros. */
export function roundTo(value: Big, dp: number): string {
  const text = value.round(dp, ROUND_HALF_EVEN).toString();
  if (dp === 0) return text;
  const [whole, fraction = ''] = text.split('.');
  return `${whole}.${fraction.padEnd(dp, '0')}`;
}

/** Rounds half-even (banker's) to `dp` places and groups thousands: "1234.5" -> "1,234.50". */
export function formatDecimal(value: string, dp: number): string {
  if (!isDecimal(value)) return value;
  const fixed = roundTo(big(value), dp);
  const negative = fixed.startsWith('-');
  const [whole = '0', fraction] = (negative ? fixed.slice(1) : fixed).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${fraction ? `.${fraction}` : ''}`;
}

/** A decimal exactly as it is, without trailing zeros: "5.50000" → "5.5", "10.000" → "10" (fees and prices shown to the last digit that counts). */
export function trimDecimal(value: string): string {
  if (!isDecimal(value) || !value.includes('.')) return value;
  return value.trim().replace(/0+$/, '').replace(/\.$/, '');
}

/** Minor digits per currency the platform shows; anything unknown keeps two. */
const CURRENCY_DP: Readonly<Record<string, number>> = { USD: 2, LKR: 2, GBP: 2, EUR: 2, JPY: 0 };

export function formatMoney(amount: string, currency: string): string {
  return `${formatDecimal(amount, CURRENCY_DP[currency] ?? 2)} ${currency}`;
}

/** Exact product, rounded half-even to `dp` places (e.g. quantity x price). */
export function multiply(a: string, b: string, dp: number): string {
  return roundTo(big(a).times(big(b)), dp);
}

export function add(...values: readonly string[]): string {
  return values.reduce((sum, value) => sum.plus(big(value)), new Dec(0)).toString();
}

/** True when `value` is a whole multiple of `step` (tick and lot sizes). */
export function isMultipleOf(value: string, step: string): boolean {
  if (!isDecimal(value) || !isDecimal(step) || big(step).lte(0)) return false;
  return big(value).mod(big(step)).eq(0);
}

export function compare(a: string, b: string): -1 | 0 | 1 {
  return big(a).cmp(big(b)) as -1 | 0 | 1;
}
