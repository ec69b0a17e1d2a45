// Pure pricing: from the providers' fresh rates, the best one for the customer, then the
// tenant's spread on top, then the amounts rounded in the platform's favour (never the
// customer's money invented). The quote fixes both amounts; settlement uses exactly those.
import { assert, decimal, roundMoney, toFixedScale, type CurrencyCode } from '@bulwark/shared-contracts';
import type { CurrencyPair, FxCurrency, ProviderRate } from './rate-provider.js';

export const FX_PRICE_DECIMALS = 8;
export const FX_SPREAD_BPS_MAX = 1_000;

/** Every pair is quoted against USD, the platform's trading currency. */
export function pairFor(sell: FxCurrency, buy: FxCurrency): CurrencyPair | null {
  if (sell === buy) return null;
  if (sell === 'USD') return { base: 'USD', quote: buy };
  if (buy === 'USD') return { base: 'USD', quote: sell };
  return null;
}

export interface PricedQuote {
  readonly provider: string;
  /** QUOTE per BASE the customer gets, spread included. */
  readonly price: string;
  readonly sellAmount: string;
  readonly buyAmount: string;
}

/** Best-of-N: buying BASE, the lowest ask wins; selling BASE, the highest bid. */
export function priceQuote(input: { sell: FxCurrency; buy: FxCurrency; sellAmount: string; rates: readonly ProviderRate[]; spreadBps: number }): PricedQuote | null {
  const pair = pairFor(input.sell, input.buy);
  assert(pair, 'a priced pair is supported');
  assert(Number.isInteger(input.spreadBps) && input.spreadBps >= 0 && input.spreadBps <= FX_SPREAD_BPS_MAX, 'spread within limit');
  if (input.rates.length === 0) return null;
  const buyingBase = input.buy === pair.base;
  const best = [...input.rates].sort((a, b) => (buyingBase ? decimal(a.ask).cmp(decimal(b.ask)) : decimal(b.bid).cmp(decimal(a.bid))))[0];
  assert(best, 'a best rate');
  const spread = decimal(String(input.spreadBps)).div(decimal('10000'));
  const price = buyingBase
    ? toFixedScale(decimal(best.ask).times(decimal('1').plus(spread)), FX_PRICE_DECIMALS, 'up')
    : toFixedScale(decimal(best.bid).times(decimal('1').minus(spread)), FX_PRICE_DECIMALS, 'down');
  const sellAmount = roundMoney(input.sellAmount, input.sell as CurrencyCode, 'down');
  const raw = buyingBase ? decimal(sellAmount).div(decimal(price)) : decimal(sellAmount).times(decimal(price));
  const buyAmount = roundMoney(raw, input.buy as CurrencyCode, 'down');
  return { provider: best.provider, price, sellAmount, buyAmount };
}
