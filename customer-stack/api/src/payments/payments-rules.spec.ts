import { describe, expect, it } from '@jest/globals';
import { approvalsRequired, depositFrom, moneyRefusal, withdrawalFrom, withdrawalLimitRefusal } from './payments-rules.js';

const thresholds = { approvalThresholdUsd: '1000.00', dualApprovalThresholdUsd: '10000.00' };

describe('payments rules', () => {
  it.each([
    ['0.01', 0], ['1000.00', 0], ['1000.01', 1], ['10000.00', 1], ['10000.01', 2],
  ] as const)('a withdrawal of %s USD needs %i approvals', (amount, approvals) => {
    expect(approvalsRequired(amount, thresholds)).toBe(approvals);
  });

  it.each([
    ['500.00', '0', '500.00', null],
    ['500.00', '499.99', '0.01', null],
    ['500.00', '499.99', '0.02', 'daily_withdrawal_limit_exceeded'],
    ['0.00', '0', '0.01', 'daily_withdrawal_limit_exceeded'],
  ] as const)('limit %s, withdrawn today %s, asking %s → %s', (dailyLimitUsd, withdrawnTodayUsd, amountUsd, refusal) => {
    expect(withdrawalLimitRefusal({ dailyLimitUsd, withdrawnTodayUsd, amountUsd })).toBe(refusal);
  });

  it.each([
    ['approved', false, null], ['pending', false, 'kyc_not_approved'], ['not_started', false, 'kyc_not_approved'], ['approved', true, 'account_frozen'],
  ] as const)('KYC %s, frozen %s → %s', (kycStatus, frozen, refusal) => {
    expect(moneyRefusal({ kycStatus, frozen })).toBe(refusal);
  });

  it('moves deposits and withdrawals only forward, and never out of a final state', () => {
    expect(depositFrom('settled')).toEqual(['pending']);
    expect(depositFrom('failed')).toEqual(['initiated', 'pending']);
    expect(withdrawalFrom('rejected')).toEqual(['held', 'pending_approval']);
    expect(withdrawalFrom('settled')).toEqual(['sending', 'sent']);
    expect(withdrawalFrom('approved')).toEqual(['pending_approval']);
    expect(withdrawalFrom('failed')).toEqual(['held', 'pending_approval', 'approved', 'sending', 'sent']);
  });
});
