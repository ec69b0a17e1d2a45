import { describe, expect, it } from '@jest/globals';
import { quoteState, rateText, validateSellAmount } from './fx-quote';

describe('the quote form checks the amount before the stack does', () => {
  it.each([
    ['25000', 'LKR', undefined],
    ['25000.50', 'LKR', undefined],
    ['0.01', 'USD', undefined],
    ['', 'LKR', 'Enter how much LKR to convert.'],
    ['abc', 'LKR', 'Enter an amount like 25000 or 25000.50.'],
    ['-5', 'LKR', 'Enter an amount like 25000 or 25000.50.'],
    ['1e5', 'LKR', 'Enter an amount like 25000 or 25000.50.'],
    ['1.005', 'USD', 'USD has 2 decimal places at most.'],
    ['0', 'USD', 'Enter an amount above zero.'],
    ['0.00', 'USD', 'Enter an amount above zero.'],
    ['1'.repeat(21), 'LKR', 'That amount is too large.'],
  ] as const)('%s %s', (amount, sell, expected) => {
    expect(validateSellAmount(amount, sell)).toBe(expected);
  });
});

describe('a quote as the investor reads it', () => {
  it('states the rate per USD in either direction', () => {
    expect(rateText({ sell: 'LKR', buy: 'USD', price: '301.5075' })).toBe('1 USD = 301.5075 LKR');
    expect(rateText({ sell: 'USD', buy: 'LKR', price: '298.4925' })).toBe('1 USD = 298.4925 LKR');
  });

  it('is usable until its expiry and not a moment after', () => {
    const expiresAt = '2026-11-21T10:05:00.000Z';
    const at = (iso: string) => quoteState({ expiresAt }, Date.parse(iso));
    expect(at('2026-11-21T10:00:00.000Z')).toEqual({ usable: true, secondsLeft: 300 });
    expect(at('2026-11-21T10:04:59.500Z')).toEqual({ usable: true, secondsLeft: 1 });
    expect(at('2026-11-21T10:05:00.000Z')).toEqual({ usable: false, secondsLeft: 0 });
    expect(at('2026-11-21T11:00:00.000Z')).toEqual({ usable: false, secondsLeft: 0 });
    expect(quoteState({ expiresAt: 'garbage' }, 0)).toEqual({ usable: false, secondsLeft: 0 });
  });
});
