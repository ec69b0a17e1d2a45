import { describe, expect, it } from '@jest/globals';
import { RateLimiter, riskRefusal } from './pre-trade.js';

const limits = { orderQuantityMax: '100', orderNotionalMax: '1000', openOrdersMax: 3 };

describe('riskRefusal', () => {
  it.each([
    ['within every limit', '100', '10', 2, null],
    ['quantity one lot over', '100.001', '1', 0, 'order_too_large'],
    ['notional exactly at the limit', '100', '10', 0, null],
    ['notional a cent over', '100', '10.0001', 0, 'notional_too_large'],
    ['open orders at the limit', '1', '1', 3, 'too_many_open_orders'],
    ['size is checked before notional', '200', '100', 5, 'order_too_large'],
  ])('%s', (_what, quantity, worstPrice, open, expected) => {
    expect(riskRefusal({ quantity, worstPrice }, limits, open)).toBe(expected);
  });
});

describe('RateLimiter', () => {
  it('allows a burst of one second, then the refill rate', () => {
    const limiter = new RateLimiter();
    const results = Array.from({ length: 6 }, () => limiter.take('m', 5, 1_000));
    expect(results).toEqual([true, true, true, true, true, false]);
    expect(limiter.take('m', 5, 1_199)).toBe(false);
    expect(limiter.take('m', 5, 1_200)).toBe(true);
    expect(limiter.take('other', 5, 1_200)).toBe(true);
  });
});
