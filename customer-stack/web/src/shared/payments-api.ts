// The customer stack's payment routes as the investor app uses them (customer-stack/api/src/payments):
// a deposit of LKR at a locked FX quote, a withdrawal of USD with a fresh authenticator code, and
// the investor's own lists. Every mutation carries an Idempotency-Key fixed for the user's action.
import { api } from './customer-api';

export type DepositStatus = 'initiated' | 'pending' | 'settled' | 'failed';
export type WithdrawalStatus = 'held' | 'pending_approval' | 'approved' | 'sending' | 'sent' | 'settled' | 'failed' | 'rejected';

export interface DepositView {
  readonly depositId: string;
  readonly status: DepositStatus;
  readonly amount: string;
  readonly currency: string;
  readonly creditAmount: string;
  readonly creditCurrency: string;
  readonly price: string;
  readonly quoteId: string;
  readonly quoteExpiresAt: string;
  readonly rail: string;
  readonly provider: string;
  readonly providerRef: string | null;
  readonly instructions: { readonly payInReference: string; readonly payTo: { readonly bank: string; readonly account: string } } | null;
  readonly failureCode: string | null;
  readonly transactionId: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface WithdrawalView {
  readonly withdrawalId: string;
  readonly status: WithdrawalStatus;
  readonly amount: string;
  readonly currency: string;
  /** Indicative until sent; then exactly what the provider pays out. */
  readonly payoutAmount: string | null;
  readonly payoutCurrency: string;
  readonly rail: string;
  readonly urgency: string;
  readonly beneficiaryCountry: string;
  readonly approvalsRequired: number;
  readonly approvals: number;
  readonly failureCode: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

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
