// The customer stack's order routes as the investor app uses them (customer-stack/api/src/orders):
// intents placed with an Idempotency-Key, read, cancelled; their allocations; payouts; and the
// terms a ticket prices with. Amounts are decimal strings, as the stack answers them.
import { api } from './customer-api';
import type { AllocationView, IntentSide, IntentStatus, IntentTimeInForce, IntentView, PayoutView, TradingTerms } from '../../../api/src/orders/orders.views';

export type { AllocationView, IntentStatus, IntentView, PayoutView, TradingTerms };
export type Side = IntentSide;
export type TimeInForce = IntentTimeInForce;

export interface PlaceIntent {
  readonly instrumentId: string;
  readonly side: Side;
  readonly quantity: string;
  readonly limitPrice: string;
  readonly timeInForce: TimeInForce;
  /** GTD only: when the order stops trading (UTC, milliseconds). */
  readonly expiresAt?: string;
}

export { OPEN_INTENT_STATUSES as OPEN_STATUSES } from '../../../api/src/orders/orders.views';
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
