// Postgres array literals for set-based writes (`unnest($1::uuid[], …)`). The pg driver turns a JS
// array parameter into a literal by escaping every element through a generic path; a batch of a few
// thousand rows spends more time there than in the hashing and planning around it. These build
// the same literal text directly, checking each element's shape instead of escaping what cannot
// need it (UUIDs, plain decimals, integers), and quoting text elements.
import { assert } from '@bulwark/shared-contracts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
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
    assert(UUID.test(value), 'uuid array element is a canonical uuid');
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
    out += `"${value.replace(NEEDS_ESCAPE, '\\$&')}"`;
  }
  return `${out}}`;
}
