// The customer stack's order routes as the investor app uses them (customer-stack/api/src/orders):
// intents placed with an Idempotency-Key, read, cancelled; their allocations; payouts; and the
// terms a ticket prices with. Amounts are decimal strings, as the stack answers them.
import { api } from './customer-api';

export type Side = 'buy' | 'sell';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK' | 'GTD';
export type IntentStatus = 'submitted' | 'accepted' | 'cancel_requested' | 'expire_requested' | 'rejected' | 'filled' | 'cancelled' | 'expired';

export interface IntentView {
  readonly intentId: string;
  readonly accountRef: string;
  readonly instrumentId: string;
  readonly side: Side;
  readonly quantity: string;
  readonly limitPrice: string;
  readonly timeInForce: TimeInForce;
  readonly status: IntentStatus;
  readonly rejectCode: string | null;
  readonly filledQuantity: string;
  /** USD traded so far (Σ allocations' notional). */
  readonly notional: string;
  readonly fee: string;
  readonly reservationId: string | null;
  readonly expiresAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface AllocationView {
  readonly allocationId: string;
  readonly quantity: string;
  readonly averagePrice: string;
  readonly notional: string;
  readonly fee: string;
  readonly remainingQuantity: string;
  readonly allocatedAt: string;
  readonly bookedAt: string;
}

export interface PayoutView {
  readonly payoutId: string;
  readonly instrumentId: string;
  readonly eventRef: string;
  readonly kind: 'resolution' | 'distribution';
  readonly quantity: string;
  readonly amount: string;
  readonly currency: 'USD';
  readonly paidAt: string;
  readonly bookedAt: string;
}

export interface TradingTerms {
  readonly currency: 'USD';
  readonly feeBps: number;
  readonly timesInForce: readonly TimeInForce[];
  readonly gtcTtlMs: number;
  readonly immediateTtlMs: number;
  readonly marketDataUrl: string | null;
}

export interface PlaceIntent {
  readonly instrumentId: string;
  readonly side: Side;
  readonly quantity: string;
  readonly limitPrice: string;
  readonly timeInForce: TimeInForce;
  /** GTD only: when the order stops trading (UTC, milliseconds). */
  readonly expiresAt?: string;
}

export const OPEN_STATUSES: readonly IntentStatus[] = ['submitted', 'accepted'];
export const INTENTS_PAGE_SIZE = 50;

export const orders = {
  terms: (signal?: AbortSignal) => api.get<TradingTerms>('/v1/orders/terms', undefined, signal),
  /** `idempotencyKey` belongs to the reviewed order: a retry of the same submit reuses it, so it is placed once. */
  place: (intent: PlaceIntent, idempotencyKey: string) => api.post<IntentView>('/v1/orders/intents', intent, { idempotencyKey }),
  list: async (signal?: AbortSignal, before?: string) =>
    (await api.get<{ intents: IntentView[] }>('/v1/orders/intents', { limit: INTENTS_PAGE_SIZE, before }, signal)).intents,
  get: (intentId: string, signal?: AbortSignal) => api.get<IntentView>(`/v1/orders/intents/${encodeURIComponent(intentId)}`, undefined, signal),
  cancel: (intentId: string) => api.post<IntentView>(`/v1/orders/intents/${encodeURIComponent(intentId)}/cancel`),
  allocations: async (intentId: string, signal?: AbortSignal) =>
    (await api.get<{ allocations: AllocationView[] }>(`/v1/orders/intents/${encodeURIComponent(intentId)}/allocations`, undefined, signal)).allocations,
  payouts: async (signal?: AbortSignal) => (await api.get<{ payouts: PayoutView[] }>('/v1/orders/payouts', { limit: 100 }, signal)).payouts,
};
