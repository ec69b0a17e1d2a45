// The execution stack's HTTP API as the operator admin uses it. Opaque references and USD
// amounts only: nothing here can carry personal data. Public market data needs no key; every
// operator call is signed (operator-key.ts).
import { createApiClient, withQuery, type ApiClient, type Candle, type Query } from '@bulwark/ui-kit';
import { signedHeaders, type OperatorKey } from './operator-key';

export const api: ApiClient = createApiClient();

export type InstrumentKind = 'event' | 'security';

export interface Instrument {
  readonly id: string;
  readonly symbol: string;
  readonly kind: InstrumentKind;
  readonly tickSize: string;
  readonly lotSize: string;
  readonly status: string;
}

export type Level = readonly [price: string, quantity: string];

export interface BookView {
  readonly instrumentId: string;
  readonly state: string;
  readonly resumeAt: number | null;
  readonly lastPrice: string | null;
  readonly bids: readonly Level[];
  readonly asks: readonly Level[];
  readonly auctionOrders: number;
}

export interface OperatorAuditEntry {
  readonly seq: string;
  readonly actor: string;
  readonly action: string;
  readonly resource: string;
  readonly hash: string;
  readonly time?: string;
  readonly at?: string;
}

export const market = {
  instruments: async (signal?: AbortSignal) => (await api.get<{ instruments: Instrument[] }>('/v1/instruments', undefined, signal)).instruments,
  candles: async (instrumentId: string, signal?: AbortSignal) =>
    (await api.get<{ candles: Candle[] }>(`/v1/market/${encodeURIComponent(instrumentId)}/candles`, { interval: '1m', limit: 120 }, signal)).candles,
  book: (instrumentId: string, signal?: AbortSignal) => api.get<BookView>(`/v1/market/${encodeURIComponent(instrumentId)}/book`, { levels: 20 }, signal),
};

export type SessionAction = 'halt' | 'resume' | 'close' | 'open';
export type ResolutionOutcome = 'yes' | 'no' | 'void';

export interface InstrumentEventView {
  readonly eventRef: string;
  readonly instrumentId: string;
  readonly kind: 'resolution' | 'distribution';
  readonly outcome: ResolutionOutcome | null;
  readonly amountPerUnit: string;
  readonly recordAt: string;
  readonly declaredBy: string;
  readonly declaredAt: string;
  readonly payouts: number;
  readonly totalQuantity: string;
  readonly totalAmount: string;
  readonly burnTxIds: readonly string[];
}

export interface PayoutView {
  readonly payoutId: string;
  readonly tenantRef: string;
  readonly accountRef: string;
  readonly quantity: string;
  readonly amountPerUnit: string;
  readonly amount: string;
  readonly paidAt: string;
}

/** The signed operator API, for one loaded key. */
export function operatorApi(key: OperatorKey) {
  const get = async <T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> => {
    const full = withQuery(path, query);
    return api.get<T>(path, query, signal, await signedHeaders(key, 'GET', full, ''));
  };
  const post = async <T>(path: string, body: unknown): Promise<T> => {
    const text = JSON.stringify(body);
    return api.post<T>(path, body, { headers: await signedHeaders(key, 'POST', path, text) });
  };
  return {
    listInstrument: (input: { symbol: string; kind: InstrumentKind; tickSize: string; lotSize: string }) => post<Instrument>('/v1/operator/instruments', input),
    session: (instrumentId: string, action: SessionAction) => post<undefined>(`/v1/operator/instruments/${encodeURIComponent(instrumentId)}/${action}`, {}),
    resolve: (instrumentId: string, outcome: ResolutionOutcome) => post<InstrumentEventView>('/v1/operator/resolutions', { instrumentId, outcome }),
    distribute: (instrumentId: string, amountPerUnit: string, recordDate: string) =>
      post<InstrumentEventView>('/v1/operator/distributions', { instrumentId, amountPerUnit, recordDate }),
    event: (eventRef: string, signal?: AbortSignal) => get<InstrumentEventView>(`/v1/operator/instrument-events/${encodeURIComponent(eventRef)}`, undefined, signal),
    payouts: (eventRef: string, signal?: AbortSignal) =>
      get<{ payouts: PayoutView[] }>(`/v1/operator/instrument-events/${encodeURIComponent(eventRef)}/payouts`, { limit: 200 }, signal),
    audit: (signal?: AbortSignal) => get<{ head: { seq: string; hash: string }; entries: OperatorAuditEntry[] }>('/v1/operator/audit', undefined, signal),
  };
}
export type OperatorApi = ReturnType<typeof operatorApi>;
