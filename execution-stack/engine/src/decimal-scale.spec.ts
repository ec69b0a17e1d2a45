import { describe, expect, it } from '@jest/globals';
import { priceToTicks, quantityToLots, ticksToPrice, lotsToQuantity } from './decimal-scale.js';

describe('decimal scale', () => {
  it.each([
    // price, tick size, ticks (null = refused as bad_tick)
    ['12.35', '0.05', 247],
    ['12.34', '0.05', null],
    ['0.1', '0.01', 10],
    ['100', '0.01', 10000],
    ['-1.5', '0.5', -3],
    ['0.30000000000000004', '0.01', null],
    ['1e3', '1', null],
    ['', '1', null],
    ['99999999999999999999', '1', null],
  ] as const)('priceToTicks(%s, %s) = %s', (price, tick, ticks) => {
    const result = priceToTicks(price, tick);
    expect(result).toEqual(ticks === null ? { ok: false, code: 'bad_tick' } : { ok: true, units: ticks });
  });

  it.each([
    [247, '0.05', '12.35'],
    [10, '0.01', '0.10'],
    [1, '0.001', '0.001'],
    [-3, '0.5', '-1.5'],
    [7, '5', '35'],
  ] as const)('ticksToPrice(%s, %s) = %s', (ticks, tick, price) => {
    expect(ticksToPrice(ticks, tick)).toBe(price);
  });

  it('converts quantities to lots exactly and refuses fractions of a lot', () => {
    expect(quantityToLots('2.5', '0.1')).toEqual({ ok: true, units: 25 });
    expect(quantityToLots('2.55', '0.1')).toEqual({ ok: false, code: 'bad_lot' });
    expect(lotsToQuantity(25, '0.1')).toBe('2.5');
  });
});
