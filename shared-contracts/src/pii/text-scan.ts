// Free-text scanning: one pass over the char codes of a string, looking for emails, E.164
// phone numbers, payment cards, IBANs, Sri Lanka NICs, UK NINOs and dashed US SSNs.
// Digit patterns only count when they are a whole token (bounded by non-alphanumerics), so a
// 16-digit run inside a wei amount, a hex hash or a base64 signature is never a card. Regexes
// run only at rare candidate positions; the clean path allocates nothing.

import { isIbanAt, IBAN_LENGTH_MIN } from './iban.js';
import { isLuhnValid, isPlausibleIin } from './luhn.js';
import { isNinoAt, isSriLankaNicNew, isSriLankaNicOld, isUsSsn } from './national-id.js';
import { BIT_EMAIL, BIT_IBAN, BIT_NATIONAL_ID, BIT_PAYMENT_CARD, BIT_PHONE } from './pii-entity.js';

const CHAR_SPACE = 32;
const CHAR_PLUS = 43;
const CHAR_DASH = 45;
const CHAR_DOT = 46;
const CHAR_SLASH = 47;
const CHAR_AT = 64;
const CHAR_UNDERSCORE = 95;
const NONE = -1;

/** Shortest string that can hold any pattern: an email such as `a@b.co`. */
const TEXT_LENGTH_MIN = 6;
/** Hex tokens at least this long (hashes, keys, 0x addresses) hold no personal data. */
const HEX_TOKEN_LENGTH_MIN = 32;
const E164_DIGITS_MIN = 8;
const E164_DIGITS_MAX = 15;
/** A separated phone number needs one digit more, so `+2024-01-15` is not a phone. */
const PHONE_SEPARATED_DIGITS_MIN = 9;
const CARD_DIGITS_MIN = 13;
const CARD_DIGITS_MAX = 19;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isLetter(c: number): boolean {
  const lower = c | 32;
  return lower >= 97 && lower <= 122;
}

function isAlnum(c: number): boolean {
  return isDigit(c) || isLetter(c);
}

function isHex(c: number): boolean {
  const lower = c | 32;
  return isDigit(c) || (lower >= 97 && lower <= 102);
}

function codeAt(s: string, i: number): number {
  return i >= 0 && i < s.length ? s.charCodeAt(i) : NONE;
}

/** 8-4-4-4-12 hex with dashes (any UUID version). */
function isUuidShape(s: string): boolean {
  if (s.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== CHAR_DASH) return false;
    } else if (!isHex(c)) {
      return false;
    }
  }
  return true;
}

/** A long hex token, with or without a 0x prefix: hashes, keys, wallet and contract addresses. */
function isHexToken(s: string): boolean {
  const from = s.charCodeAt(0) === 48 && (s.charCodeAt(1) | 32) === 120 ? 2 : 0;
  if (s.length - from < HEX_TOKEN_LENGTH_MIN) return false;
  for (let i = from; i < s.length; i++) if (!isHex(s.charCodeAt(i))) return false;
  return true;
}

function isEmailLocalChar(c: number): boolean {
  // RFC 5322 atext subset used in practice.
  return isAlnum(c) || c === CHAR_DOT || c === CHAR_UNDERSCORE || c === CHAR_DASH || c === CHAR_PLUS || c === 37;
}

/** Whether `local@domain.tld` surrounds the '@' at s[at]: a local part, dotted labels, an alphabetic TLD of 2+ letters. */
function isEmailAt(s: string, at: number): boolean {
  if (!isEmailLocalChar(codeAt(s, at - 1))) return false;
  let labelLength = 0;
  let labels = 0;
  let tldAlpha = true;
  let i = at + 1;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === CHAR_DOT) {
      if (labelLength === 0) break; // empty label or trailing dot ends the domain
      labels++;
      labelLength = 0;
      tldAlpha = true;
    } else if (isAlnum(c) || c === CHAR_DASH) {
      labelLength++;
      if (!isLetter(c)) tldAlpha = false;
    } else {
      break;
    }
  }
  // The last label counted is the TLD; `labels` counts the dots before it.
  return labels >= 1 && labelLength >= 2 && tldAlpha;
}

/** Before a '+' that opens a phone number: not part of a word or of a base64/base64url token. */
function canPrecedePhonePlus(c: number): boolean {
  return c === NONE || !(isAlnum(c) || c === CHAR_PLUS || c === CHAR_SLASH || c === CHAR_DASH || c === CHAR_UNDERSCORE);
}

/** The character after a digit token: end of string, or a non-alphanumeric that does not start a decimal fraction. */
function isDigitTokenEnd(s: string, end: number): boolean {
  const c = codeAt(s, end);
  if (c === NONE) return true;
  if (isAlnum(c)) return false;
  return !(c === CHAR_DOT && isDigit(codeAt(s, end + 1)));
}

/** Where the last digit run ended; set by scanDigitRun (single-threaded scratch, no allocation). */
let digitRunEnd = 0;

/**
 * Analyses the maximal run of digit groups starting at s[start] (a digit whose predecessor is
 * not alphanumeric). Groups may be separated by one space or one dash, the same throughout.
 * Returns the entity bits found and leaves the run's end in `digitRunEnd`.
 */
function scanDigitRun(s: string, start: number): number {
  const n = s.length;
  let j = start;
  let digits = 0;
  let groups = 0;
  let separator = 0;
  let first = 0;
  let second = 0;
  let last = 0;
  let leadingGroupsAreFour = true;
  for (;;) {
    const groupStart = j;
    while (j < n && isDigit(s.charCodeAt(j))) j++;
    const length = j - groupStart;
    digits += length;
    if (groups === 0) first = length;
    else if (groups === 1) second = length;
    groups++;
    last = length;
    const c = codeAt(s, j);
    if ((c === CHAR_SPACE || c === CHAR_DASH) && (separator === 0 || separator === c) && isDigit(codeAt(s, j + 1))) {
      separator = c;
      if (length !== 4) leadingGroupsAreFour = false;
      j++;
      continue;
    }
    break;
  }
  digitRunEnd = j;

  const before = codeAt(s, start - 1);
  // A fraction such as the "56" of "1234.56" is not a token of its own.
  if (before === CHAR_DOT && isDigit(codeAt(s, start - 2))) return 0;
  const after = codeAt(s, j);

  if (before === CHAR_PLUS) {
    if (!canPrecedePhonePlus(codeAt(s, start - 2)) || s.charCodeAt(start) === 48 || !isDigitTokenEnd(s, j)) return 0;
    const digitsMin = groups === 1 ? E164_DIGITS_MIN : PHONE_SEPARATED_DIGITS_MIN;
    return digits >= digitsMin && digits <= E164_DIGITS_MAX ? BIT_PHONE : 0;
  }

  if (groups === 1) {
    const suffix = after | 32; // lower case
    if (digits === 9 && (suffix === 118 /* v */ || suffix === 120 /* x */)) {
      return isDigitTokenEnd(s, j + 1) && isSriLankaNicOld(s, start) ? BIT_NATIONAL_ID : 0;
    }
    if (!isDigitTokenEnd(s, j)) return 0;
    if (digits === 12) return isSriLankaNicNew(s, start) ? BIT_NATIONAL_ID : 0;
    if (digits >= CARD_DIGITS_MIN && digits <= CARD_DIGITS_MAX) return isCard(s, start, j, digits) ? BIT_PAYMENT_CARD : 0;
    return 0;
  }

  if (!isDigitTokenEnd(s, j)) return 0;
  if (separator === CHAR_DASH && groups === 3 && first === 3 && second === 2 && last === 4) {
    return isUsSsn(s, start) ? BIT_NATIONAL_ID : 0;
  }
  if (digits < CARD_DIGITS_MIN || digits > CARD_DIGITS_MAX) return 0;
  // Printed card layouts only: 4-4-4-4(-1..3) or the 4-6-5 / 4-6-4 of Amex and Diners.
  const fourGrouped = leadingGroupsAreFour && last >= 1 && last <= 4;
  const amexGrouped = groups === 3 && first === 4 && second === 6 && (last === 5 || last === 4);
  return (fourGrouped || amexGrouped) && isCard(s, start, j, digits) ? BIT_PAYMENT_CARD : 0;
}

function isCard(s: string, start: number, end: number, digits: number): boolean {
  // Every accepted layout starts with at least four contiguous digits.
  const first4 = (s.charCodeAt(start) - 48) * 1000 + (s.charCodeAt(start + 1) - 48) * 100
    + (s.charCodeAt(start + 2) - 48) * 10 + (s.charCodeAt(start + 3) - 48);
  return isPlausibleIin(first4, digits) && isLuhnValid(s, start, end);
}

/** At a word start s[i] (a letter): an IBAN (two letters, two digits) or a UK NINO (two letters, digits). */
function scanLetterToken(s: string, i: number): number {
  if (!isLetter(codeAt(s, i + 1))) return 0;
  const c2 = codeAt(s, i + 2);
  let found = 0;
  if (isDigit(c2) && isDigit(codeAt(s, i + 3)) && s.length - i >= IBAN_LENGTH_MIN && isIbanAt(s, i)) found |= BIT_IBAN;
  if ((isDigit(c2) || (c2 === CHAR_SPACE && isDigit(codeAt(s, i + 3)))) && isNinoAt(s, i)) found |= BIT_NATIONAL_ID;
  return found;
}

/**
 * Scans one string as free text and returns the bit mask of the entities found in it
 * (0 when clean). Pure and allocation-free on the clean path.
 */
export function scanText(s: string): number {
  const n = s.length;
  if (n < TEXT_LENGTH_MIN || isUuidShape(s) || isHexToken(s)) return 0;
  let found = 0;
  let previous = NONE;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (isDigit(c)) {
      if (!isAlnum(previous)) {
        found |= scanDigitRun(s, i);
        i = digitRunEnd - 1;
        previous = s.charCodeAt(i);
        continue;
      }
    } else if (c === CHAR_AT) {
      if (isEmailAt(s, i)) found |= BIT_EMAIL;
    } else if (isLetter(c) && !isAlnum(previous)) {
      found |= scanLetterToken(s, i);
    }
    previous = c;
  }
  return found;
}

/** Scans a safe integer or bigint as a digit token (a card or a new NIC sent as a JSON number). */
export function scanInteger(value: number | bigint): number {
  if (typeof value === 'number') {
    // Fewer than 12 digits cannot be a card or a new NIC; floats and negatives are amounts.
    if (!Number.isSafeInteger(value) || value < 1e11) return 0;
  } else if (value < 100_000_000_000n || value >= 10_000_000_000_000_000_000n) {
    return 0;
  }
  return scanText(value.toString());
}
