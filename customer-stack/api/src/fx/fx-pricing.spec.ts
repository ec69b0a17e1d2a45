import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { decimal } from '@bulwark/shared-contracts';
import { pairFor, priceQuote } from './fx-pricing.js';
import type { ProviderRate } from './rate-provider.js';

const rate = (provider: string, bid: string, ask: string): ProviderRate => ({ provider, pair: { base: 'USD', quote: 'LKR' }, bid, ask, asOf: new Date(0) });
const rates = [rate('a', '299.80', '300.90'), rate('b', '300.00', '300.50')];

describe('priceQuote', () => {
  it.each([
    ['LKR → USD takes the lowest ask, spread up, USD rounded down', 'LKR', 'USD', '30050.00', 0, { provider: 'b', price: '300.50000000', buyAmount: '100.00' }],
    ['LKR → USD with a 50 bps spread', 'LKR', 'USD', '30050.00', 50, { provider: 'b', price: '302.00250000', buyAmount: '99.50' }],
    ['USD → LKR takes the highest bid, spread down', 'USD', 'LKR', '100', 0, { provider: 'b', price: '300.00000000', buyAmount: '30000.00' }],
    ['USD → LKR with a 100 bps spread', 'USD', 'LKR', '100.005', 100, { provider: 'b', price: '297.00000000', sellAmount: '100.00', buyAmount: '29700.00' }],
  ] as const)('%s', (_name, sell, buy, sellAmount, spreadBps, expected) => {
    expect(priceQuote({ sell, buy, sellAmount, rates, spreadBps })).toMatchObject(expected);
  });

  it('gives nothing without rates, and knows only pairs against USD', () => {
    expect(priceQuote({ sell: 'LKR', buy: 'USD', sellAmount: '1', rates: [], spreadBps: 0 })).toBeNull();
    expect(pairFor('LKR', 'EUR')).toBeNull();
    expect(pairFor('USD', 'USD')).toBeNull();
    expect(pairFor('EUR', 'USD')).toEqual({ base: 'USD', quote: 'EUR' });
  });

  it('property: the customer never receives more than the mid-market value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 0, max: 1_000 }), (cents, spreadBps) => {
        const lkr = decimal(String(cents)).div(decimal('100')).toString();
        const quote = priceQuote({ sell: 'LKR', buy: 'USD', sellAmount: lkr, rates, spreadBps });
        expect(decimal(quote?.buyAmount ?? '0').times(decimal('300.25')).lte(decimal(lkr))).toBe(true);
      }),
    );
  });
});
