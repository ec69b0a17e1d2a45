// Pure rules of money in and out: who may move money, the tier's daily withdrawal limit, how
// many approvals a withdrawal needs, and which state changes a deposit or withdrawal may make.
import { assert, decimal } from '@bulwark/shared-contracts';
import type { DepositStatus, WithdrawalStatus } from './payments.views.js';

export type MoneyRefusal = 'kyc_not_approved' | 'account_frozen' | 'daily_withdrawal_limit_exceeded';

/** Deposits and withdrawals need approved KYC and an account that is not frozen. */
export function moneyRefusal(input: { kycStatus: string; frozen: boolean }): MoneyRefusal | null {
  if (input.kycStatus !== 'approved') return 'kyc_not_approved';
  if (input.frozen) return 'account_frozen';
  return null;
}

/** Today's withdrawals (requested, not refused or failed) plus this one stay within the tier's daily limit. */
export function withdrawalLimitRefusal(input: { dailyLimitUsd: string; withdrawnTodayUsd: string; amountUsd: string }): 'daily_withdrawal_limit_exceeded' | null {
  assert(decimal(input.amountUsd).gt(decimal('0')) && decimal(input.withdrawnTodayUsd).gte(decimal('0')), 'amounts are positive');
  return decimal(input.withdrawnTodayUsd).plus(decimal(input.amountUsd)).gt(decimal(input.dailyLimitUsd)) ? 'daily_withdrawal_limit_exceeded' : null;
}

/**
 * Up to the approval threshold a withdrawal is sent at once; above it a finance_ops approval is
 * needed, and above the dual threshold two approvals by different people. The requester never
 * approves their own withdrawal.
 */
export function approvalsRequired(amountUsd: string, thresholds: { approvalThresholdUsd: string; dualApprovalThresholdUsd: string }): 0 | 1 | 2 {
  assert(decimal(thresholds.dualApprovalThresholdUsd).gte(decimal(thresholds.approvalThresholdUsd)), 'the dual threshold is not below the single one');
  const amount = decimal(amountUsd);
  if (amount.gt(decimal(thresholds.dualApprovalThresholdUsd))) return 2;
  if (amount.gt(decimal(thresholds.approvalThresholdUsd))) return 1;
  return 0;
}

/** initiated → pending → settled | failed (a provider may report the outcome before pending is recorded). */
export const DEPOSIT_MOVES: Readonly<Record<DepositStatus, readonly DepositStatus[]>> = Object.freeze({
  initiated: ['pending', 'failed'],
  pending: ['settled', 'failed'],
  settled: [],
  failed: [],
});

/**
 * held (beneficiary under AML review) → rejected; pending_approval → approved | rejected; a
 * waiting withdrawal (held, pending_approval, approved) whose hold expires → failed;
 * approved → sending (the LKR committed at a fresh quote) → sent (the provider took it) →
 * settled | failed. A provider refusal fails a withdrawal from sending.
 */
export const WITHDRAWAL_MOVES: Readonly<Record<WithdrawalStatus, readonly WithdrawalStatus[]>> = Object.freeze({
  held: ['rejected', 'failed'],
  pending_approval: ['pending_approval', 'approved', 'rejected', 'failed'],
  approved: ['sending', 'failed'],
  sending: ['sent', 'settled', 'failed'],
  sent: ['settled', 'failed'],
  settled: [],
  failed: [],
  rejected: [],
});

/** The states a move to `to` may start from. */
export function depositFrom(to: DepositStatus): DepositStatus[] {
  return (Object.keys(DEPOSIT_MOVES) as DepositStatus[]).filter((from) => DEPOSIT_MOVES[from].includes(to));
}

export function withdrawalFrom(to: WithdrawalStatus): WithdrawalStatus[] {
  return (Object.keys(WITHDRAWAL_MOVES) as WithdrawalStatus[]).filter((from) => WITHDRAWAL_MOVES[from].includes(to));
}

export function utcDayStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}
