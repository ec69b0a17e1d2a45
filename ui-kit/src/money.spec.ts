import { describe, expect, it } from '@jest/globals';
import { add, compare, formatDecimal, formatMoney, isDecimal, isMultipleOf, multiply, trimDecimal } from './money';

describe('money in the UI stays decimal-exact', () => {
  it.each([
    ['1234.5', 2, '1,234.50'],
    ['0.125', 2, '0.12'], // half-even: ties go to the even digit
    ['0.135', 2, '0.14'],
    ['-1234567.891', 2, '-1,234,567.89'],
    ['1000000000000000000000.01', 2, '1,000,000,000,000,000,000,000.01'],
    ['0', 0, '0'],
  ])('formats %s to %i places as %s', (value, dp, expected) => {
    expect(formatDecimal(value, dp)).toBe(expected);
  });

  it('shows non-decimals unchanged rather than inventing a number', () => {
    expect(formatDecimal('n/a', 2)).toBe('n/a');
    expect(formatMoney('330.1', 'LKR')).toBe('330.10 LKR');
  });

  it.each([
    ['10', '0.3', 2, '3.00'],
    ['3', '0.1', 2, '0.30'], // 3 x 0.1 is 0.3 exactly, unlike floats
    ['7', '0.335', 2, '2.34'],
  ])('multiplies %s x %s exactly', (a, b, dp, expected) => {
    expect(multiply(a, b, dp)).toBe(expected);
  });

  it('trims trailing zeros and nothing else', () => {
    expect([trimDecimal('5.50000'), trimDecimal('10.000'), trimDecimal('100'), trimDecimal('0.00508'), trimDecimal('abc.0')]).toEqual(['5.5', '10', '100', '0.00508', 'abc.0']);
  });

  it('adds and compares without floats', () => {
    expect(add('0.1', '0.2')).toBe('0.3');
    expect(compare('0.30', '0.3')).toBe(0);
    expect(compare('1', '0.999999999999999999')).toBe(1);
  });

  it.each([
    ['0.42', '0.01', true],
    ['0.425', '0.01', false],
    ['25', '1', true],
    ['2.5', '1', false],
    ['1', '0', false],
    ['x', '1', false],
  ])('%s is a multiple of %s: %s', (value, step, expected) => {
    expect(isMultipleOf(value, step)).toBe(expected);
  });

  it.each(['1e5', '', ' ', '1.', '.5', '--1', 'NaN'])('rejects %j as a decimal', (value) => {
    expect(isDecimal(value)).toBe(false);
  });
});
