// What the payment routes answer, as plain types: the one definition the service returns and the
// investor app reads. No imports, so the browser build can take it (`import type`) without
// pulling in any server code.

export const DEPOSIT_STATUSES = ['initiated', 'pending', 'settled', 'failed'] as const;
export type DepositStatus = (typeof DEPOSIT_STATUSES)[number];

export const WITHDRAWAL_STATUSES = ['held', 'pending_approval', 'approved', 'sending', 'sent', 'settled', 'failed', 'rejected'] as const;
export type WithdrawalStatus = (typeof WITHDRAWAL_STATUSES)[number];

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
  /** An investor sees a withdrawal held for AML review as pending_approval (no tipping-off). */
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

/** What finance_ops sees: the real state, the screening decision, who approved, the account's last four. */
export interface WithdrawalReview extends WithdrawalView {
  readonly requestedBy: string;
  readonly approvedBy: readonly string[];
  readonly screeningDecision: string;
  readonly beneficiaryAccountLast4: string | null;
  readonly reservationId: string;
}
