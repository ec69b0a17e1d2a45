// Money helpers: exact decimal results, one line per case, and the refusals that keep a JS
// number out of every money path.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import {
  BigDecimal, CURRENCY_SCALE, MoneyFormatError, canonicalDecimal, convert, decimal, fromMinorUnits, hasCurrencyScale, isDecimalText,
  roundMoney, sumDecimals, toFixedScale, toMinorUnits, type CurrencyCode, type RoundingMode,
} from './money.js';

describe('decimal() parses decimal text only', () => {
  it.each([
    ['0'], ['-0'], ['1'], ['-1'], ['0.1'], ['12.50'], ['-76.5765'], ['123456789012345678901234567890.123456789012345678'],
  ])('accepts %s', (text) => {
    expect(decimal(text).toString()).toBe(new BigDecimal(text).toString());
    expect(isDecimalText(text)).toBe(true);
  });

  it.each([
    ['an empty string', ''],
    ['a leading space', ' 1'],
    ['a trailing space', '1 '],
    ['a plus sign', '+1'],
    ['a leading zero', '01'],
    ['a leading zero before a fraction', '00.5'],
    ['an exponent', '1e3'],
    ['an upper-case exponent', '1E-2'],
    ['NaN', 'NaN'],
    ['Infinity', 'Infinity'],
    ['a bare point', '.5'],
    ['a trailing point', '5.'],
    ['a comma as decimal separator', '1,5'],
    ['thousands separators', '1,000.00'],
    ['hex', '0x10'],
    ['a double minus', '--1'],
    ['over 64 characters', `1${'0'.repeat(64)}`],
  ])('refuses %s', (_name, text) => {
    expect(() => decimal(text)).toThrow(MoneyFormatError);
    expect(isDecimalText(text)).toBe(false);
  });

  it.each([
    ['a JS number', 1.5],
    ['a bigint', 15n],
    ['null', null],
    ['a Big', new BigDecimal('1')],
  ])('refuses %s at run time', (_name, value) => {
    expect(() => decimal(value as unknown as string)).toThrow(MoneyFormatError);
  });
});

describe('big.js strict mode', () => {
  it.each([
    ['passing a JS number to BigDecimal throws', () => new BigDecimal(0.1)],
    ['passing an integer number to BigDecimal throws too', () => new BigDecimal(10)],
    ['turning an imprecise Big into a number throws', () => new BigDecimal('0.1000000000000000055511151231257827').toNumber()],
    ['valueOf throws, so Big never silently becomes a number', () => new BigDecimal('1').valueOf()],
  ])('%s', (_name, act) => {
    expect(act).toThrow();
  });

  it('never prints exponent form, however large or small', () => {
    expect(roundMoney(`1${'0'.repeat(55)}`, 'USD', 'down')).toBe(`1${'0'.repeat(55)}.00`);
    expect(canonicalDecimal(decimal(`0.${'0'.repeat(40)}1`).times(decimal(`0.${'0'.repeat(20)}1`)))).toBe(`0.${'0'.repeat(61)}1`);
  });
});

describe('roundMoney: an explicit mode, the currency scale, exact text', () => {
  it.each<[string, CurrencyCode, RoundingMode, string]>([
    ['0.125', 'USD', 'half_even', '0.12'],
    ['0.135', 'USD', 'half_even', '0.14'],
    ['0.145', 'USD', 'half_even', '0.14'],
    ['0.1251', 'USD', 'half_even', '0.13'],
    ['0.125', 'USD', 'half_up', '0.13'],
    ['0.124999', 'USD', 'half_up', '0.12'],
    ['0.129', 'USD', 'down', '0.12'],
    ['0.121', 'USD', 'up', '0.13'],
    ['0.120', 'USD', 'up', '0.12'],
    ['-0.125', 'USD', 'half_even', '-0.12'],
    ['-0.135', 'USD', 'half_even', '-0.14'],
    ['-0.125', 'USD', 'half_up', '-0.13'],
    ['-0.129', 'USD', 'down', '-0.12'],
    ['-0.121', 'USD', 'up', '-0.13'],
    ['-0.004', 'USD', 'down', '0.00'],
    ['-0.004', 'USD', 'half_even', '0.00'],
    ['1.5', 'LKR', 'half_even', '1.50'],
    ['7', 'EUR', 'down', '7.00'],
    ['999999.995', 'GBP', 'half_up', '1000000.00'],
    ['123456789012345678901234567890.005', 'USD', 'half_even', '123456789012345678901234567890.00'],
  ])('%s %s %s → %s', (amount, currency, mode, expected) => {
    expect(roundMoney(amount, currency, mode)).toBe(expected);
    expect(roundMoney(decimal(amount), currency, mode)).toBe(expected);
  });

  it.each([
    ['scale 0 writes no point', '2.5', 0, 'half_even', '2'],
    ['scale 6 pads', '0.5', 6, 'down', '0.500000'],
    ['scale 4 rounds', '0.61234', 4, 'half_up', '0.6123'],
  ] as const)('toFixedScale: %s', (_name, amount, scale, mode, expected) => {
    expect(toFixedScale(decimal(amount), scale, mode)).toBe(expected);
  });

  it('refuses a scale that is not a small non-negative integer', () => {
    expect(() => toFixedScale(decimal('1'), -1, 'down')).toThrow();
    expect(() => toFixedScale(decimal('1'), 1.5, 'down')).toThrow();
  });
});

describe('minor units', () => {
  it.each<[string, CurrencyCode, bigint]>([
    ['12.34', 'USD', 1234n],
    ['12.3', 'USD', 1230n],
    ['12', 'LKR', 1200n],
    ['0.01', 'USD', 1n],
    ['0', 'USD', 0n],
    ['-76.57', 'USD', -7657n],
    ['123456789012345678901234567890.99', 'USD', 12345678901234567890123456789099n],
  ])('toMinorUnits(%s %s) = %s and back', (amount, currency, minor) => {
    expect(toMinorUnits(amount, currency)).toBe(minor);
    expect(fromMinorUnits(minor, currency)).toBe(roundMoney(amount, currency, 'down'));
  });

  it.each([['12.345'], ['0.001'], ['-0.005']])('refuses %s USD: more decimals than the currency has', (amount) => {
    expect(() => toMinorUnits(amount, 'USD')).toThrow(MoneyFormatError);
    expect(hasCurrencyScale(amount, 'USD')).toBe(false);
  });

  it('accepts trailing zeros beyond the scale, since the value has the scale', () => {
    expect(toMinorUnits('1.2300', 'USD')).toBe(123n);
    expect(hasCurrencyScale('1.2300', 'USD')).toBe(true);
  });

  it('every currency has a scale', () => {
    expect(CURRENCY_SCALE).toEqual({ USD: 2, LKR: 2, EUR: 2, GBP: 2 });
  });

  it('toMinorUnits(fromMinorUnits(x)) = x for any bigint up to 32 digits', () => {
    const limit = 10n ** 32n;
    fc.assert(fc.property(fc.bigInt({ min: -limit, max: limit }), fc.constantFrom<CurrencyCode>('USD', 'LKR', 'EUR', 'GBP'), (minor, currency) => {
      const text = fromMinorUnits(minor, currency);
      expect(text).toMatch(/^-?(0|[1-9][0-9]*)\.[0-9]{2}$/);
      expect(toMinorUnits(text, currency)).toBe(minor);
    }), { numRuns: 2_000 });
  });
});

describe('sumDecimals and canonicalDecimal', () => {
  it.each<[string, string[], string]>([
    ['0.1 + 0.2 is exactly 0.3', ['0.1', '0.2'], '0.3'],
    ['an empty sum is 0', [], '0'],
    ['signs cancel to 0, never -0', ['-1.25', '1.25'], '0'],
    ['trailing zeros are dropped', ['1.50', '2.50'], '4'],
    ['18 decimals stay exact', ['0.000000000000000001', '0.999999999999999999'], '1'],
    ['large and small together', ['123456789012345678901234567890', '0.000000000000000001'], '123456789012345678901234567890.000000000000000001'],
  ])('%s', (_name, amounts, expected) => {
    expect(sumDecimals(amounts)).toBe(expected);
  });

  it('refuses a malformed addend', () => {
    expect(() => sumDecimals(['1', '1e2'])).toThrow(MoneyFormatError);
  });

  it.each([['1.50', '1.5'], ['-0', '0'], ['-0.000', '0'], ['100', '100']])('canonicalDecimal(%s) = %s', (text, expected) => {
    expect(canonicalDecimal(text)).toBe(expected);
  });
});

describe('convert: one rate, one explicit rounding', () => {
  it.each<[string, string, string, CurrencyCode, RoundingMode, string]>([
    ['LKR→USD at a 6-decimal rate, half_even', '12345.67', '0.003312', 'USD', 'half_even', '40.89'],
    ['LKR→USD at a 6-decimal rate, down', '12345.67', '0.003312', 'USD', 'down', '40.88'],
    ['LKR→USD exact product', '30000.00', '0.003333', 'USD', 'half_even', '99.99'],
    ['a tie rounds to even', '1000.00', '0.003125', 'USD', 'half_even', '3.12'],
    ['a tie rounds up with half_up', '1000.00', '0.003125', 'USD', 'half_up', '3.13'],
    ['USD→LKR', '100.00', '301.9275', 'LKR', 'half_even', '30192.75'],
    ['a refund converts a negative amount symmetrically', '-12345.67', '0.003312', 'USD', 'half_even', '-40.89'],
  ])('%s', (_name, amount, rate, to, mode, expected) => {
    expect(convert(amount, rate, to, mode)).toBe(expected);
  });

  it('refuses a rate given in exponent form', () => {
    expect(() => convert('1.00', '3.312e-3', 'USD', 'half_even')).toThrow(MoneyFormatError);
  });
});
