// Payment card checks: the Luhn checksum and a plausible issuer (IIN) prefix for the length.
// Both work on a slice of the original string and skip separators, so the clean path allocates nothing.

/** Luhn checksum over the digits of s[start, end), ignoring any non-digit separators. */
export function isLuhnValid(s: string, start: number, end: number): boolean {
  let sum = 0;
  let double = false;
  let digits = 0;
  for (let i = end - 1; i >= start; i--) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) continue;
    let d = c - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
    digits++;
  }
  return digits > 0 && sum % 10 === 0;
}

/**
 * Whether a card of `length` digits may start with the given first four digits (as a number,
 * 0000–9999), following the published IIN ranges of the major schemes. UATP (prefix 1) is left
 * out on purpose: 15-digit numbers starting with 1 collide with epoch-based identifiers.
 */
export function isPlausibleIin(first4: number, length: number): boolean {
  const d1 = Math.floor(first4 / 1000);
  const d2 = Math.floor(first4 / 100);
  const d3 = Math.floor(first4 / 10);
  switch (d1) {
    case 2: // Mastercard 2221–2720, Mir 2200–2204
      return length === 16 && ((first4 >= 2221 && first4 <= 2720) || (first4 >= 2200 && first4 <= 2204));
    case 3:
      if (d2 === 34 || d2 === 37) return length === 15; // American Express
      if (first4 >= 3528 && first4 <= 3589) return length >= 16 && length <= 19; // JCB
      if (d2 === 36 || d2 === 38 || d2 === 39 || (d3 >= 300 && d3 <= 305) || first4 === 3095) {
        return length >= 14 && length <= 19; // Diners Club
      }
      return false;
    case 4: // Visa
      return length === 13 || length === 16 || length === 19;
    case 5:
      if (d2 >= 51 && d2 <= 55) return length === 16; // Mastercard
      return length >= 13 && length <= 19; // Maestro 50, 56–59
    case 6: // Discover, UnionPay, Maestro, RuPay and the rest of the 6 range
      return length >= 13 && length <= 19;
    case 8: // RuPay 81–82
      return length === 16 && (d2 === 81 || d2 === 82);
    default:
      return false;
  }
}
