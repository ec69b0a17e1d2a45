// Where exchange rates come from. A provider quotes a currency pair BASE/QUOTE as bid and ask
// in QUOTE per one BASE (USD/LKR 300.10 / 300.60: LKR per USD), stamped with when it was true.
// Real vendors plug in behind this interface; two deterministic sandbox providers ship.
export const FX_CURRENCIES = ['USD', 'LKR', 'EUR', 'GBP'] as const;
export type FxCurrency = (typeof FX_CURRENCIES)[number];

export interface CurrencyPair {
  readonly base: FxCurrency;
  readonly quote: FxCurrency;
}

export interface ProviderRate {
  readonly provider: string;
  readonly pair: CurrencyPair;
  /** QUOTE per BASE that the provider pays for BASE (decimal string). */
  readonly bid: string;
  /** QUOTE per BASE that the provider asks for BASE (decimal string). */
  readonly ask: string;
  readonly asOf: Date;
}

export interface RateProvider {
  readonly name: string;
  rate(pair: CurrencyPair): Promise<ProviderRate>;
}

export const RATE_PROVIDERS = Symbol('RATE_PROVIDERS');

export const pairKey = (pair: CurrencyPair): string => `${pair.base}/${pair.quote}`;
