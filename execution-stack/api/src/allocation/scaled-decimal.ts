// Fixed-point decimals as bigint units and a scale: the allocation's inner loop runs on integers
// (100,000 intents per fill must allocate in milliseconds) and converts to decimal strings only
// at the edges. Exact: nothing rounds here except roundScaled, which names its mode.
import { assert, isDecimalText } from '@bulwark/shared-contracts';

/** Decimal digits kept after the point; the wire's own limit. */
export const SCALE_MAX = 18;

export interface Scaled {
  readonly units: bigint;
  readonly scale: number;
}

const POW10: bigint[] = Array.from({ length: 2 * SCALE_MAX + 5 }, (_, i) => 10n ** BigInt(i));

export function pow10(exponent: number): bigint {
  const value = POW10[exponent];
  assert(value !== undefined, `10^${exponent} within the table`);
  return value;
}

/** "12.340" → { units: 12340n, scale: 3 }. Refuses non-decimal text and more than SCALE_MAX digits. */
export function parseScaled(text: string): Scaled {
  assert(isDecimalText(text), 'a decimal string');
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? text.slice(1) : text).split('.');
  assert(fraction.length <= SCALE_MAX, `at most ${SCALE_MAX} decimals`);
  const units = BigInt(whole + fraction);
  return { units: negative ? -units : units, scale: fraction.length };
}

/** Units at `scale` → units at a larger-or-equal scale (exact). */
export function rescale(value: Scaled, scale: number): bigint {
  assert(scale >= value.scale, 'rescaling only adds digits');
  return value.units * pow10(scale - value.scale);
}

/** The shortest decimal text of units (a bigint or a safe integer) at a scale: 12340n, 3 → "12.34". */
export function formatScaled(units: bigint | number, scale: number): string {
  assert(scale >= 0 && scale <= 2 * SCALE_MAX + 4, 'scale within bounds');
  assert(typeof units === 'bigint' || Number.isSafeInteger(units), 'units are integers');
  const negative = units < 0;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  const text = fraction.length > 0 ? `${whole}.${fraction}` : whole;
  return negative && text !== '0' ? `-${text}` : text;
}

/** numerator / denominator (both non-negative, denominator positive) at `scale`, half-even. */
export function divideHalfEven(numerator: bigint, denominator: bigint, scale: number): bigint {
  assert(numerator >= 0n && denominator > 0n, 'a non-negative quotient with a positive divisor');
  const scaled = numerator * pow10(scale);
  const quotient = scaled / denominator;
  const twiceRemainder = 2n * (scaled - quotient * denominator);
  if (twiceRemainder > denominator || (twiceRemainder === denominator && quotient % 2n === 1n)) return quotient + 1n;
  return quotient;
}

/** Units at `fromScale` rounded half-even to `toScale` (no-op when toScale ≥ fromScale). */
export function roundScaled(units: bigint, fromScale: number, toScale: number): bigint {
  if (toScale >= fromScale) return units * pow10(toScale - fromScale);
  assert(units >= 0n, 'only non-negative amounts are rounded here');
  return divideHalfEven(units, pow10(fromScale - toScale), 0);
}
