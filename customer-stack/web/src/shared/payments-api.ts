// The customer stack's payment routes as the investor app uses them (customer-stack/api/src/payments):
// a deposit of LKR at a locked FX quote, a withdrawal of USD with a fresh authenticator code, and
// the investor's own lists. Every mutation carries an Idempotency-Key fixed for the user's action.
// The response types are the API's own (payments.views.ts holds plain types only).
import type { DepositView, WithdrawalView } from '../../../api/src/payments/payments.views';
import { api } from './customer-api';

export type { DepositStatus, DepositView, WithdrawalStatus, WithdrawalView } from '../../../api/src/payments/payments.views';

export interface Beneficiary {
  readonly name: string;
  readonly accountNumber: string;
  readonly bankCode?: string;
  readonly country: string;
}

export interface WithdrawalRequest {
  readonly amount: string;
  readonly totpCode: string;
  readonly beneficiary: Beneficiary;
}

export const payments = {
  deposit: (quoteId: string, idempotencyKey: string) => api.post<DepositView>('/v1/payments/deposits', { quoteId }, { idempotencyKey }),
  getDeposit: (depositId: string, signal?: AbortSignal) => api.get<DepositView>(`/v1/payments/deposits/${encodeURIComponent(depositId)}`, undefined, signal),
  deposits: async (signal?: AbortSignal) => (await api.get<{ deposits: DepositView[] }>('/v1/payments/deposits', { limit: 20 }, signal)).deposits,
  withdraw: (request: WithdrawalRequest, idempotencyKey: string) => api.post<WithdrawalView>('/v1/payments/withdrawals', request, { idempotencyKey }),
  getWithdrawal: (withdrawalId: string, signal?: AbortSignal) =>
    api.get<WithdrawalView>(`/v1/payments/withdrawals/${encodeURIComponent(withdrawalId)}`, undefined, signal),
  withdrawals: async (signal?: AbortSignal) => (await api.get<{ withdrawals: WithdrawalView[] }>('/v1/payments/withdrawals', { limit: 20 }, signal)).withdrawals,
};
