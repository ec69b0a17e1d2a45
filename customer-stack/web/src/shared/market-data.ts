// The execution stack's public market data as the investor's browser reads it: the listed
// instruments (tick and lot sizes), an instrument's candles and book, and the feed's address.
// It carries no personal data and gets none: requests go without credentials to the origin the
// customer stack names (terms.marketDataUrl), never through it (the stacks talk only over NATS).
import { createApiClient, type ApiClient, type Candle } from '@bulwark/ui-kit';

export interface Instrument {
  readonly id: string;
  readonly symbol: string;
  readonly kind: 'event' | 'security';
  readonly tickSize: string;
  readonly lotSize: string;
  readonly status: string;
}

export const CANDLES_SHOWN = 120;

export interface MarketData {
  readonly instruments: (signal?: AbortSignal) => Promise<Instrument[]>;
  readonly candles: (instrumentId: string, signal?: AbortSignal) => Promise<Candle[]>;
  readonly feedUrl: string;
}

/** The feed's WebSocket address on the market-data origin. */
export function feedUrlOf(origin: string): string {
  const url = new URL('/v1/market/feed', origin);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

export function marketData(origin: string): MarketData {
  const client: ApiClient = createApiClient({ baseUrl: new URL(origin).origin });
  return {
    instruments: async (signal) => (await client.get<{ instruments: Instrument[] }>('/v1/instruments', undefined, signal)).instruments,
    candles: async (instrumentId, signal) =>
      (await client.get<{ candles: Candle[] }>(`/v1/market/${encodeURIComponent(instrumentId)}/candles`, { interval: '1m', limit: CANDLES_SHOWN }, signal)).candles,
    feedUrl: feedUrlOf(origin),
  };
}
