// The execution stack's HTTP API as the operator admin uses it. Opaque references and USD
// amounts only: nothing here can carry personal data. Public market data needs no key; every
// operator call is signed (operator-key.ts).
import { createApiClient, withQuery, type ApiClient, type Candle, type Query } from '@bulwark/ui-kit';
// Response types the execution API defines once (its *.views.ts files hold plain types only).
import type { ChainStatus } from '../../api/src/chain/chain-status.views';
import type { OmnibusOrderDetail, OmnibusOrderStatus, OmnibusOrderView, WaitingPool } from '../../api/src/aggregation/omnibus-pools.views';
import type { BreakStatus, BreakView } from '../../api/src/reconciliation/reconciliation.views';
import type { InstrumentEventView, PayoutView, ResolutionOutcome } from '../../api/src/resolution/resolution.views';
import type { BatchDetail, BatchStatus, BatchView } from '../../api/src/settlement/settlement.views';
import { signApproval, signedHeaders, type OperatorKey } from './operator-key';

export type { ChainStatus } from '../../api/src/chain/chain-status.views';
export type { OmnibusOrderStatus } from '../../api/src/aggregation/omnibus-pools.views';
export type { BreakStatus, BreakView } from '../../api/src/reconciliation/reconciliation.views';
export type { ResolutionOutcome } from '../../api/src/resolution/resolution.views';
export type { BatchDetail, BatchStatus } from '../../api/src/settlement/settlement.views';

export const api: ApiClient = createApiClient();

export type InstrumentKind = 'event' | 'security';

export interface Instrument {
  readonly id: string;
  readonly symbol: string;
  readonly kind: InstrumentKind;
  readonly tickSize: string;
  readonly lotSize: string;
  readonly status: string;
  readonly priceMin: string;
  readonly priceMax: string;
  /** The price band: orders further than this from the last price are refused. */
  readonly bandWidth: string;
  /** The volatility halt: a move of haltMoveBps within haltWindowMs halts the market for haltCooldownMs. */
  readonly haltMoveBps: number;
  readonly haltWindowMs: number;
  readonly haltCooldownMs: number;
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
  /** Every instrument with its book (undefined where the book cannot be read, shown as such). */
  withBooks: async (signal?: AbortSignal): Promise<MarketRow[]> => {
    const instruments = await market.instruments(signal);
    const books = await Promise.all(instruments.map((i) => market.book(i.id, signal).catch(() => undefined)));
    return instruments.map((instrument, index) => ({ instrument, book: books[index] }));
  },
};

export interface MarketRow {
  readonly instrument: Instrument;
  readonly book: BookView | undefined;
}

export type SessionAction = 'halt' | 'resume' | 'close' | 'open';

export type MemberKind = 'market_maker' | 'omnibus';
export type PrincipalStatus = 'active' | 'suspended';

export interface MemberLimits {
  readonly orderQuantityMax: string;
  readonly orderNotionalMax: string;
  readonly openOrdersMax: number;
  readonly messagesPerSecond: number;
}

export interface MemberView extends MemberLimits {
  readonly id: string;
  readonly ownerNo: number;
  readonly kind: MemberKind;
  readonly tenantRef: string | null;
  readonly status: PrincipalStatus;
}

export type ExportFormat = 'csv' | 'json' | 'pain001';
/** The header that carries a batch's content hash on every export. */
export const CONTENT_HASH_HEADER = 'x-bulwark-content-sha256';

export interface ExportFile {
  readonly blob: Blob;
  readonly fileName: string;
  /** The batch content hash the stack sent with the file. */
  readonly contentHash: string | null;
  /** The file's SHA-256 as the stack declared it (Repr-Digest), base64. */
  readonly declaredSha256: string | null;
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
    session: (instrumentId: string, action: SessionAction, body: { cooldownMs?: number | null } = {}) =>
      post<undefined>(`/v1/operator/instruments/${encodeURIComponent(instrumentId)}/${action}`, body),
    members: async (signal?: AbortSignal) => (await get<{ members: MemberView[] }>('/v1/operator/members', undefined, signal)).members,
    setMemberLimits: (memberId: string, limits: MemberLimits) => post<MemberView>(`/v1/operator/members/${encodeURIComponent(memberId)}/limits`, limits),
    setMemberStatus: (memberId: string, action: 'suspend' | 'reinstate') => post<MemberView>(`/v1/operator/members/${encodeURIComponent(memberId)}/${action}`, {}),
    pools: (status: OmnibusOrderStatus | undefined, signal?: AbortSignal) =>
      get<{ waiting: WaitingPool[]; orders: OmnibusOrderView[] }>('/v1/operator/pools', { status, limit: 100 }, signal),
    poolOrder: (orderRef: string, signal?: AbortSignal) => get<OmnibusOrderDetail>(`/v1/operator/pools/orders/${encodeURIComponent(orderRef)}`, undefined, signal),
    breaks: async (status: BreakStatus | undefined, signal?: AbortSignal) =>
      (await get<{ breaks: BreakView[] }>('/v1/operator/reconciliation/breaks', { status, limit: 200 }, signal)).breaks,
    runReconciliation: () => post<{ found: number; opened: number }>('/v1/operator/reconciliation/runs', {}),
    decideBreak: (breakId: string, decision: 'acknowledge' | 'resolve') => post<BreakView>(`/v1/operator/reconciliation/breaks/${encodeURIComponent(breakId)}/${decision}`, {}),
    sendStatements: (periodStart: string, periodEnd: string) =>
      post<{ statements: { tenantRef: string; statementId: string }[] }>('/v1/operator/reconciliation/statements', { periodStart, periodEnd }),
    batches: async (status: BatchStatus | undefined, signal?: AbortSignal) =>
      (await get<{ batches: BatchView[] }>('/v1/operator/settlement/batches', { status, limit: 100 }, signal)).batches,
    batch: (batchId: string, signal?: AbortSignal) => get<BatchDetail>(`/v1/operator/settlement/batches/${encodeURIComponent(batchId)}`, undefined, signal),
    cutBatch: (periodStart: string, periodEnd: string) => post<BatchDetail>('/v1/operator/settlement/batches', { periodStart, periodEnd }),
    submitBatch: (batchId: string) => post<BatchView>(`/v1/operator/settlement/batches/${encodeURIComponent(batchId)}/submit`, {}),
    approveBatch: async (batchId: string, contentHash: string) =>
      post<BatchView>(`/v1/operator/settlement/batches/${encodeURIComponent(batchId)}/approvals`, { signature: await signApproval(key, batchId, contentHash) }),
    rejectBatch: (batchId: string, reason: string) => post<BatchView>(`/v1/operator/settlement/batches/${encodeURIComponent(batchId)}/reject`, { reason }),
    releaseBatch: (batchId: string, bankReference: string) =>
      post<BatchView>(`/v1/operator/settlement/batches/${encodeURIComponent(batchId)}/release`, { bankReference }),
    exportBatch: async (batchId: string, format: ExportFormat): Promise<ExportFile> => {
      const path = `/v1/operator/settlement/batches/${encodeURIComponent(batchId)}/exports/${format}`;
      const { blob, fileName, headers } = await api.download(path, undefined, await signedHeaders(key, 'GET', path, ''));
      const digest = /sha-256=:([A-Za-z0-9+/=]+):/.exec(headers.get('repr-digest') ?? '')?.[1] ?? null;
      const fallbackName = `settlement-${batchId}.${format === 'pain001' ? 'xml' : format}`;
      return { blob, fileName: fileName ?? fallbackName, contentHash: headers.get(CONTENT_HASH_HEADER), declaredSha256: digest };
    },
    chainStatus: (signal?: AbortSignal) => get<ChainStatus>('/v1/operator/chain/status', undefined, signal),
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
