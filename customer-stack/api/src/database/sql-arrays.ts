// Postgres array literals for set-based writes (`unnest($1::uuid[], …)`). The pg driver turns a JS
// array parameter into a literal by escaping every element through a generic path; a batch of a few
// thousand rows spends more time there than in the hashing and planning around it. These build
// the same literal text directly, checking each element's shape instead of escaping what cannot
// need it (UUIDs, plain decimals, integers), and quoting text elements.
import { assert } from '@bulwark/shared-contracts';

const HYPHEN = 45;

/** Canonical lower-case uuid text (8-4-4-4-12 hex digits), checked without a regular expression (hot path). */
function isCanonicalUuid(value: string): boolean {
  if (value.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const code = value.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (code !== HYPHEN) return false;
    } else if (!((code >= 48 && code <= 57) || (code >= 97 && code <= 102))) {
      return false;
    }
  }
  return true;
}
const DECIMAL = /^-?[0-9]+(?:\.[0-9]+)?$/;
const NEEDS_ESCAPE = /[\\"]/g;

/** `{…}` of UUIDs (lower-case canonical form); null elements become NULL. */
export function uuidArrayLiteral(values: readonly (string | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (i > 0) out += ',';
    if (value === null || value === undefined) {
      out += 'NULL';
      continue;
    }
    assert(isCanonicalUuid(value), 'uuid array element is a canonical uuid');
    out += value;
  }
  return `${out}}`;
}

/** `{…}` of plain decimal text (an optional minus, digits, an optional fraction). */
export function decimalArrayLiteral(values: readonly string[]): string {
  for (const value of values) assert(DECIMAL.test(value), 'decimal array element is plain decimal text');
  return `{${values.join(',')}}`;
}

/** `{…}` of safe integers. */
export function integerArrayLiteral(values: readonly number[]): string {
  for (const value of values) assert(Number.isSafeInteger(value), 'integer array element is a safe integer');
  return `{${values.join(',')}}`;
}

/** `{…}` of text, every element quoted (backslash and double quote escaped); null elements become NULL. */
export function textArrayLiteral(values: readonly (string | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (i > 0) out += ',';
    if (value === null || value === undefined) {
      out += 'NULL';
      continue;
    }
    assert(!value.includes('\u0000'), 'text array element has no NUL');
    // Most elements (keys, hashes, codes) hold neither character: skip the replace for them.
    out += value.includes('"') || value.includes('\\') ? `"${value.replace(NEEDS_ESCAPE, '\\$&')}"` : `"${value}"`;
  }
  return `${out}}`;
}
