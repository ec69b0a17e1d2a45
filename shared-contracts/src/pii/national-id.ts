// National identifiers recognised in free text: Sri Lanka NIC (old and new), UK NINO and the
// dashed US SSN. Each check works on positions of the original string (no allocation).

function digitAt(s: string, i: number): number {
  return s.charCodeAt(i) - 48;
}

function numberAt(s: string, start: number, length: number): number {
  let n = 0;
  for (let i = start; i < start + length; i++) n = n * 10 + digitAt(s, i);
  return n;
}

/** NIC day-of-year field: 001–366 for men, 501–866 for women (day + 500). */
function isNicDayOfYear(day: number): boolean {
  return (day >= 1 && day <= 366) || (day >= 501 && day <= 866);
}

/** Old Sri Lanka NIC: 9 digits at s[start] (followed by V or X, checked by the caller); digits 3–5 are the day of year. */
export function isSriLankaNicOld(s: string, start: number): boolean {
  return isNicDayOfYear(numberAt(s, start + 2, 3));
}

/** New Sri Lanka NIC: 12 digits at s[start]; birth year 1900–2099, then the day of year. */
export function isSriLankaNicNew(s: string, start: number): boolean {
  const year = numberAt(s, start, 4);
  return year >= 1900 && year <= 2099 && isNicDayOfYear(numberAt(s, start + 4, 3));
}

/** US SSN AAA-GG-SSSS at s[start] (shape checked by the caller): area not 000, 666 or 9xx; group not 00; serial not 0000. */
export function isUsSsn(s: string, start: number): boolean {
  const area = numberAt(s, start, 3);
  const group = numberAt(s, start + 4, 2);
  const serial = numberAt(s, start + 7, 4);
  return area !== 0 && area !== 666 && area < 900 && group !== 0 && serial !== 0;
}

/**
 * UK National Insurance number at s[start]: two prefix letters (first not D, F, I, Q, U, V;
 * second not D, F, I, O, Q, U, V; not BG, GB, KN, NK, NT, TN, ZZ), six digits (optionally in
 * pairs separated by single spaces), suffix A–D, then a token boundary. Case-insensitive.
 */
const NINO = /[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![A-Za-z0-9])/iy;
const NINO_BANNED_PREFIXES: ReadonlySet<string> = new Set(['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ']);

export function isNinoAt(s: string, start: number): boolean {
  NINO.lastIndex = start;
  if (!NINO.test(s)) return false;
  return !NINO_BANNED_PREFIXES.has(s.slice(start, start + 2).toUpperCase());
}
