// IBAN recognition in free text: country code with its registered length, two check digits,
// the BBAN, and the ISO 13616 mod-97 check. Accepts the compact form and the print form in
// groups of four separated by single spaces; nothing else (so an ISIN followed by a word never
// borrows characters from the next word).

/** IBAN length per country: the SWIFT IBAN registry plus the experimental (partner-bank) countries. */
const IBAN_LENGTH_BY_COUNTRY: ReadonlyMap<string, number> = new Map(
  Object.entries({
    AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28,
    CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18,
    FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28,
    IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20,
    LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28,
    NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24, SC: 31,
    SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29,
    VA: 22, VG: 24, XK: 20, YE: 30,
    // Experimental IBANs (not in the registry, issued by partner banks).
    AO: 25, BF: 28, BJ: 28, CF: 27, CG: 27, CI: 28, CM: 27, CV: 25, DZ: 26, GA: 27, GQ: 27, GW: 25,
    IR: 26, KM: 27, MA: 28, MG: 27, ML: 28, MZ: 25, NE: 28, SN: 28, TD: 27, TG: 28,
  }),
);

export const IBAN_LENGTH_MIN = 15;
export const IBAN_LENGTH_MAX = 34;

function upper(c: number): number {
  return c >= 97 && c <= 122 ? c - 32 : c;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isUpperAlnum(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 90);
}

function isAlnum(c: number): boolean {
  return isUpperAlnum(upper(c));
}

/** Folds one IBAN character into a running mod-97 remainder (letters count as 10–35). */
function mod97Step(remainder: number, c: number): number {
  return c <= 57 ? (remainder * 10 + (c - 48)) % 97 : (remainder * 100 + (c - 55)) % 97;
}

/**
 * Whether an IBAN starts at s[start] (two letters then two digits, already checked by the caller)
 * and ends at a token boundary. Case-insensitive. Allocates only the two-letter country lookup key.
 */
export function isIbanAt(s: string, start: number): boolean {
  const country = s.slice(start, start + 2).toUpperCase();
  const length = IBAN_LENGTH_BY_COUNTRY.get(country);
  if (length === undefined) return false;
  const grouped = s.charCodeAt(start + 4) === 32;
  // Collect the BBAN positions, checking the grouping as we go.
  let i = start + 4;
  let taken = 4;
  let remainder = 0;
  while (taken < length) {
    if (grouped && taken % 4 === 0) {
      if (s.charCodeAt(i) !== 32) return false;
      i++;
    }
    const c = upper(s.charCodeAt(i));
    if (!isUpperAlnum(c)) return false;
    remainder = mod97Step(remainder, c);
    i++;
    taken++;
  }
  if (i < s.length && isAlnum(s.charCodeAt(i))) return false;
  // Move the country code and check digits to the end, as ISO 13616 prescribes.
  for (let k = start; k < start + 4; k++) remainder = mod97Step(remainder, upper(s.charCodeAt(k)));
  return remainder === 1;
}
