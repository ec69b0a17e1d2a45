import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createRequire } from 'node:module';
import { decimalArrayLiteral, integerArrayLiteral, textArrayBinary, uuidArrayBinary } from './sql-arrays.js';

// The driver's own conversion of a JS array parameter: the literals must be the same text, except
// that the driver quotes every element and numbers and decimals need no quotes.
const pgUtils = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue(value: unknown): string };
const driver = (values: readonly unknown[]) => pgUtils.prepareValue(values);

describe('array literals', () => {
  it('property: decimal and integer literals are what the driver sends, less the quotes they cannot need', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.array(fc.tuple(fc.boolean(), fc.nat(), fc.nat())), (integers, decimals) => {
        expect(integerArrayLiteral(integers)).toBe(driver(integers).replaceAll('"', ''));
        const texts = decimals.map(([negative, whole, fraction]) => `${negative ? '-' : ''}${whole}.${fraction}`);
        expect(decimalArrayLiteral(texts)).toBe(driver(texts).replaceAll('"', ''));
      }),
    );
  });

  it.each([
    ['a decimal in exponent form', () => decimalArrayLiteral(['1e5'])],
    ['a decimal with a brace', () => decimalArrayLiteral(['1}'])],
    ['a fractional integer', () => integerArrayLiteral([1.5])],
  ])('refuses %s (an element that could change the literal\'s shape)', (_name, build) => {
    expect(build).toThrow();
  });

  it.each([
    ['a uuid with a comma', () => uuidArrayBinary(['00000000-0000-4000-8000-000000000001,x'])],
    ['an upper-case uuid', () => uuidArrayBinary(['00000000-0000-4000-8000-00000000000A'])],
    ['a uuid with a letter past f', () => uuidArrayBinary(['00000000-0000-4000-8000-00000000000g'])],
    ['a uuid with a non-ASCII character', () => uuidArrayBinary(['00000000-0000-4000-8000-0000000000\u0101a'])],
    ['a uuid without its hyphens', () => uuidArrayBinary(['00000000000040008000000000000001abcd'])],
    ['text with NUL', () => textArrayBinary(['a\u0000b'])],
  ])('refuses %s (an element that is not what its type says)', (_name, build) => {
    expect(build).toThrow();
  });
});

/** Postgres's binary array format read back (array_recv's layout), elements as raw bytes or null. */
function readBinaryArray(buffer: Buffer): { elementOid: number; elements: (Buffer | null)[] } {
  const dimensions = buffer.readInt32BE(0);
  const hasNull = buffer.readInt32BE(4) === 1;
  const elementOid = buffer.readUInt32BE(8);
  if (dimensions === 0) {
    expect(buffer.length).toBe(12);
    return { elementOid, elements: [] };
  }
  expect(dimensions).toBe(1);
  expect(buffer.readInt32BE(16)).toBe(1);
  const elements: (Buffer | null)[] = [];
  let at = 20;
  for (let i = 0; i < buffer.readInt32BE(12); i++) {
    const length = buffer.readInt32BE(at);
    at += 4;
    elements.push(length < 0 ? null : buffer.subarray(at, (at += length)));
  }
  expect(at).toBe(buffer.length);
  expect(hasNull).toBe(elements.includes(null));
  return { elementOid, elements };
}

describe('binary arrays', () => {
  it('property: a binary text[] holds each element\'s UTF-8 bytes in order, nulls as NULL', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.string({ unit: 'binary' }).filter((s) => !s.includes('\u0000')), { nil: null }), { maxLength: 20 }), (values) => {
        const { elementOid, elements } = readBinaryArray(textArrayBinary(values));
        expect(elementOid).toBe(25);
        expect(elements.map((e) => (e === null ? null : e.toString('utf8')))).toEqual(values.map((v) => (v === null ? null : Buffer.from(v, 'utf8').toString('utf8'))));
      }),
      { numRuns: 500 },
    );
  });

  it('property: a binary uuid[] holds each uuid\'s 16 bytes in order, nulls as NULL', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.uuid(), { nil: null }), { maxLength: 20 }), (values) => {
        const { elementOid, elements } = readBinaryArray(uuidArrayBinary(values));
        expect(elementOid).toBe(2950);
        expect(elements.map((e) => (e === null ? null : e.toString('hex')))).toEqual(values.map((v) => (v === null ? null : v.replaceAll('-', ''))));
      }),
      { numRuns: 500 },
    );
  });
});
