// Postgres arrays for set-based writes (`unnest($1::uuid[], …)`). The pg driver turns a JS array
// parameter into a literal by escaping every element through a generic path; a batch of a few
// thousand rows spends more time there than in the hashing and planning around it. Decimals and
// integers are built as the same literal text directly, checking each element's shape instead of
// escaping what cannot need it; UUIDs and text go in Postgres's binary array format (below).
import { assert } from '@bulwark/shared-contracts';

const DECIMAL = /^-?[0-9]+(?:\.[0-9]+)?$/;

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

// Binary arrays, for the widest columns of a batch: node-postgres sends a Buffer parameter in
// Postgres's binary format, so neither side spells, escapes or parses array text. UUIDs travel as
// their 16 bytes and text elements as their UTF-8 bytes with a length (no quoting: a JSON diff or
// an audit entry's hashed text is full of quotes). The parameter's type comes from its cast in the
// statement (`$1::uuid[]`), which must name the same element type as the array's header.
const UUID_OID = 2950;
const TEXT_OID = 25;
const NULL_LENGTH = -1;

/**
 * The header's size: dimensions, has-null flag and element type, then the one dimension's length
 * and lower bound — except for an empty array, which has no dimensions (and Postgres refuses a
 * parameter with bytes left over).
 */
function arrayHeaderBytes(length: number): number {
  return length === 0 ? 12 : 20;
}

/** Writes the header of a one-dimensional array (lower bound 1); returns where the elements start. */
function writeArrayHeader(out: Buffer, elementOid: number, length: number, hasNull: boolean): number {
  out.writeInt32BE(length === 0 ? 0 : 1, 0);
  out.writeInt32BE(hasNull ? 1 : 0, 4);
  out.writeUInt32BE(elementOid, 8);
  if (length > 0) {
    out.writeInt32BE(length, 12);
    out.writeInt32BE(1, 16);
  }
  return arrayHeaderBytes(length);
}

const HYPHEN = 45;
/** Each lower-case hex digit's value by character code; -1 for every other character. */
const HEX_VALUE = Int8Array.from({ length: 128 }, (_, code) => (code >= 48 && code <= 57 ? code - 48 : code >= 97 && code <= 102 ? code - 87 : -1));
/** Where each byte's two hex digits start in a uuid's canonical text (8-4-4-4-12, hyphens between). */
const UUID_BYTE_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34] as const;

/** A hex digit's value, or -1 for anything but 0-9 and a-f. */
function hexValue(code: number): number {
  return code < 128 ? (HEX_VALUE[code] as number) : -1;
}

/**
 * Writes a canonical lower-case uuid's 16 bytes at `at`, checking the text as it goes (no regular
 * expression: hot path); false, with the bytes left undefined, when the text is not one.
 */
function writeUuid(out: Buffer, at: number, value: string): boolean {
  if (value.length !== 36 || value.charCodeAt(8) !== HYPHEN || value.charCodeAt(13) !== HYPHEN || value.charCodeAt(18) !== HYPHEN || value.charCodeAt(23) !== HYPHEN) {
    return false;
  }
  for (let i = 0; i < 16; i++) {
    const start = UUID_BYTE_AT[i] as number;
    const high = hexValue(value.charCodeAt(start));
    const low = hexValue(value.charCodeAt(start + 1));
    if ((high | low) < 0) return false;
    out[at + i] = (high << 4) | low;
  }
  return true;
}

/** A binary `uuid[]` of canonical lower-case UUIDs (checked as they are written); null elements are NULL. */
export function uuidArrayBinary(values: readonly (string | null)[]): Buffer {
  let present = 0;
  for (const value of values) if (value !== null && value !== undefined) present += 1;
  const out = Buffer.allocUnsafe(arrayHeaderBytes(values.length) + 4 * values.length + 16 * present);
  let at = writeArrayHeader(out, UUID_OID, values.length, present < values.length);
  for (const value of values) {
    if (value === null || value === undefined) {
      out.writeInt32BE(NULL_LENGTH, at);
      at += 4;
      continue;
    }
    out.writeInt32BE(16, at);
    assert(writeUuid(out, at + 4, value), 'uuid array element is a canonical uuid');
    at += 20;
  }
  return out;
}

/** A binary `text[]`: each element's UTF-8 bytes with their length; null elements are NULL. */
export function textArrayBinary(values: readonly (string | null)[]): Buffer {
  const lengths = new Int32Array(values.length);
  let bytes = arrayHeaderBytes(values.length) + 4 * values.length;
  let hasNull = false;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || value === undefined) {
      lengths[i] = NULL_LENGTH;
      hasNull = true;
      continue;
    }
    assert(!value.includes('\u0000'), 'text array element has no NUL');
    const length = Buffer.byteLength(value, 'utf8');
    lengths[i] = length;
    bytes += length;
  }
  const out = Buffer.allocUnsafe(bytes);
  let at = writeArrayHeader(out, TEXT_OID, values.length, hasNull);
  for (let i = 0; i < values.length; i++) {
    const length = lengths[i] as number;
    out.writeInt32BE(length, at);
    at += 4;
    if (length > 0) at += out.write(values[i] as string, at, length, 'utf8');
  }
  return out;
}
