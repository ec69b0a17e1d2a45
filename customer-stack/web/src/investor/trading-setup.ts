// What the trade, orders and money screens need to show instruments by name and price orders:
// the stack's trading terms, and the market's listed instruments (read from the public market
// data the terms point at). Without market data the screens say so instead of guessing.
import { useResource, type ResourceHandle } from '@bulwark/ui-kit';
import { marketData, type Instrument, type MarketData } from '../shared/market-data';
import { orders, type TradingTerms } from '../shared/orders-api';

export interface TradingSetup {
  readonly terms: TradingTerms;
  readonly market: MarketData | null;
  readonly instruments: readonly Instrument[];
}

export async function loadTradingSetup(signal: AbortSignal): Promise<TradingSetup> {
  const terms = await orders.terms(signal);
  if (!terms.marketDataUrl) return { terms, market: null, instruments: [] };
  const market = marketData(terms.marketDataUrl);
  return { terms, market, instruments: await market.instruments(signal) };
}

const SETUP_REFRESH_MS = 30_000;

export function useTradingSetup(): ResourceHandle<TradingSetup> {
  return useResource(loadTradingSetup, [], SETUP_REFRESH_MS);
}

/** "RAIN-CMB" for a listed instrument, else the opaque id (shortened; the full id is in the title). */
export function instrumentName(instruments: readonly Instrument[], instrumentId: string): string {
  return instruments.find((i) => i.id === instrumentId)?.symbol ?? `${instrumentId.slice(0, 8)}…`;
}
