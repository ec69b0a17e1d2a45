// What the withdrawal form checks before the stack does (its schema: a USD amount with at most
// two decimals, a beneficiary's name, an account number or IBAN, an optional bank code, a country,
// and a six-digit authenticator code), and how payment states read.
import { compare, isDecimal, type Tone } from '@bulwark/ui-kit';
import type { DepositStatus, WithdrawalStatus } from '../shared/payments-api';

export interface WithdrawalForm {
  readonly amount: string;
  readonly name: string;
  readonly accountNumber: string;
  readonly bankCode: string;
  readonly country: string;
  readonly totpCode: string;
}

export type WithdrawalErrors = Partial<Record<keyof WithdrawalForm, string>>;

const USD_AMOUNT = /^\d{1,12}(\.\d{1,2})?$/;
const ACCOUNT = /^[A-Z0-9]{4,34}$/;
const BANK_CODE = /^[A-Z0-9]{2,11}$/;
const COUNTRY = /^[A-Z]{2}$/;
const CODE = /^\d{6}$/;
export const BENEFICIARY_NAME_LENGTH_MAX = 140;

/** Account numbers are typed with spaces and dashes and in any case; the stack wants them bare. */
export const bareAccount = (value: string): string => value.replace(/[\s-]/g, '').toUpperCase();

export function validateWithdrawal(form: WithdrawalForm, availableUsd: string): WithdrawalErrors {
  const errors: WithdrawalErrors = {};
  const amount = form.amount.trim();
  if (!amount) errors.amount = 'Enter how many USD to withdraw.';
  else if (!USD_AMOUNT.test(amount)) errors.amount = 'Enter a USD amount like 50 or 50.25 (at most two decimals).';
  else if (compare(amount, '0') <= 0) errors.amount = 'Enter an amount above zero.';
  else if (isDecimal(availableUsd) && compare(amount, availableUsd) > 0) errors.amount = `You have ${availableUsd} USD available to withdraw.`;
  const name = form.name.trim();
  if (name.length < 2) errors.name = 'Enter the account holder\'s name as the bank knows it.';
  else if (name.length > BENEFICIARY_NAME_LENGTH_MAX) errors.name = `Use at most ${BENEFICIARY_NAME_LENGTH_MAX} characters.`;
  if (!ACCOUNT.test(bareAccount(form.accountNumber))) errors.accountNumber = 'Enter the account number or IBAN: 4 to 34 letters and digits.';
  if (form.bankCode.trim() && !BANK_CODE.test(bareAccount(form.bankCode))) errors.bankCode = 'A bank or branch code (or BIC) is 2 to 11 letters and digits.';
  if (!COUNTRY.test(form.country)) errors.country = 'Choose the bank\'s country.';
  if (!CODE.test(form.totpCode)) errors.totpCode = 'Enter the 6-digit code your authenticator app shows now.';
  return errors;
}

export const DEPOSIT_STATUS_TEXT: Readonly<Record<DepositStatus, { readonly label: string; readonly tone: Tone; readonly meaning: string }>> = {
  initiated: { label: 'Started', tone: 'info', meaning: 'Pay the amount to the account below with the reference; we credit you when it arrives.' },
  pending: { label: 'On its way', tone: 'info', meaning: 'Your bank has sent it; we credit you when it arrives.' },
  settled: { label: 'Credited', tone: 'success', meaning: 'The money arrived and was credited at the locked rate.' },
  failed: { label: 'Failed', tone: 'error', meaning: 'The payment did not arrive; nothing was credited. Anything received is returned.' },
};

export const WITHDRAWAL_STATUS_TEXT: Readonly<Record<WithdrawalStatus, { readonly label: string; readonly tone: Tone; readonly meaning: string }>> = {
  held: { label: 'Waiting for approval', tone: 'info', meaning: 'Larger withdrawals are checked by our finance team before they are sent.' },
  pending_approval: { label: 'Waiting for approval', tone: 'info', meaning: 'Larger withdrawals are checked by our finance team before they are sent.' },
  approved: { label: 'Approved', tone: 'info', meaning: 'Approved; it is being sent.' },
  sending: { label: 'Sending', tone: 'info', meaning: 'Being sent to your bank.' },
  sent: { label: 'Sent', tone: 'info', meaning: 'Sent; your bank will show it shortly.' },
  settled: { label: 'Paid out', tone: 'success', meaning: 'Paid into your bank account.' },
  failed: { label: 'Failed', tone: 'error', meaning: 'It could not be paid; the money is back in your available balance.' },
  rejected: { label: 'Rejected', tone: 'error', meaning: 'It was not approved; the money is back in your available balance.' },
};
