import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createRequire } from 'node:module';
import { decimalArrayLiteral, integerArrayLiteral, textArrayLiteral, uuidArrayLiteral } from './sql-arrays.js';

// The driver's own conversion of a JS array parameter: the literals must be the same text, except
// that the driver quotes every element and uuids, numbers and decimals need no quotes.
const pgUtils = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue(value: unknown): string };
const driver = (values: readonly unknown[]) => pgUtils.prepareValue(values);

describe('array literals', () => {
  it('property: text literals are exactly what the driver sends for the same array', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.string({ unit: 'binary' }).filter((s) => !s.includes('\u0000')), { nil: null }), { maxLength: 20 }), (values) => {
        expect(textArrayLiteral(values)).toBe(driver(values));
      }),
      { numRuns: 500 },
    );
  });

  it('property: uuid, decimal and integer literals are what the driver sends, less the quotes they cannot need', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.uuid(), { nil: null })), fc.array(fc.integer()), fc.array(fc.tuple(fc.boolean(), fc.nat(), fc.nat())), (uuids, integers, decimals) => {
        expect(uuidArrayLiteral(uuids)).toBe(driver(uuids).replaceAll('"', '')); 
        expect(integerArrayLiteral(integers)).toBe(driver(integers).replaceAll('"', ''));
        const texts = decimals.map(([negative, whole, fraction]) => `${negative ? '-' : ''}${whole}.${fraction}`);
        expect(decimalArrayLiteral(texts)).toBe(driver(texts).replaceAll('"', ''));
      }),
    );
  });

  it.each([
    ['a uuid with a comma', () => uuidArrayLiteral(['00000000-0000-4000-8000-000000000001,x'])],
    ['an upper-case uuid', () => uuidArrayLiteral(['00000000-0000-4000-8000-00000000000A'])],
    ['a decimal in exponent form', () => decimalArrayLiteral(['1e5'])],
    ['a decimal with a brace', () => decimalArrayLiteral(['1}'])],
    ['a fractional integer', () => integerArrayLiteral([1.5])],
    ['text with NUL', () => textArrayLiteral(['a\u0000b'])],
  ])('refuses %s (an element that could change the literal\'s shape)', (_name, build) => {
    expect(build).toThrow();
  });
});
