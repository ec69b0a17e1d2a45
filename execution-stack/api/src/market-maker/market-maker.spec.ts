import { describe, expect, it } from '@jest/globals';
import { quotesFor } from './market-maker.js';

const base = { instrumentId: 'x', tickSize: '0.01', priceMin: '0.01', priceMax: '1', quantity: '10' };

describe('quotesFor', () => {
  it('quotes both sides around the fair value, one tick further per level', () => {
    expect(quotesFor({ ...base, fairValue: '0.55', halfSpreadTicks: 1, levels: 2 })).toEqual([
      { side: 'buy', price: '0.54' },
      { side: 'sell', price: '0.56' },
      { side: 'buy', price: '0.53' },
      { side: 'sell', price: '0.57' },
    ]);
  });

  it('rounds the fair value to the tick and never quotes outside the band', () => {
    expect(quotesFor({ ...base, fairValue: '0.984', halfSpreadTicks: 1, levels: 3 })).toEqual([
      { side: 'buy', price: '0.97' },
      { side: 'sell', price: '0.99' },
      { side: 'buy', price: '0.96' },
      { side: 'sell', price: '1' },
      { side: 'buy', price: '0.95' },
    ]);
  });
});
