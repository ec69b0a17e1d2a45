// The payments domain's coded errors: each with its message and HTTP status, exhaustively.
// Quote refusals (unknown, foreign, used, expired) are FX's own codes, thrown by FxError.
import { HttpException } from '@nestjs/common';

export const PAYMENTS_ERROR_CODES = [
  'invalid_request',
  'not_an_investor',
  'kyc_not_approved',
  'account_frozen',
  'quote_not_a_deposit',
  'provider_unknown',
  'provider_unavailable',
  'step_up_required',
  'step_up_failed',
  'daily_withdrawal_limit_exceeded',
  'insufficient_funds',
  'deposit_not_found',
  'withdrawal_not_found',
  'withdrawal_not_pending',
  'withdrawal_held',
  'approver_is_requester',
  'approver_already_approved',
  'webhook_signature_missing',
  'webhook_signature_malformed',
  'webhook_signature_invalid',
  'webhook_timestamp_outside_window',
  'webhook_body_too_large',
  'webhook_malformed',
  'webhook_replayed',
  'webhook_payment_unknown',
] as const;
export type PaymentsErrorCode = (typeof PAYMENTS_ERROR_CODES)[number];

export const PAYMENTS_ERROR_MESSAGES: Readonly<Record<PaymentsErrorCode, string>> = Object.freeze({
  invalid_request: 'The request is not valid.',
  not_an_investor: 'Only an investor account deposits and withdraws.',
  kyc_not_approved: 'Identity verification must be approved before money moves.',
  account_frozen: 'The account is frozen; money cannot move.',
  quote_not_a_deposit: 'A deposit needs a quote that sells LKR for USD.',
  provider_unknown: 'No such payment provider.',
  provider_unavailable: 'The payment provider did not answer; nothing was sent. Try again later.',
  step_up_required: 'A withdrawal needs a current code from your authenticator app (totpCode).',
  step_up_failed: 'The authenticator code was not accepted (wrong, already used, or too many attempts).',
  daily_withdrawal_limit_exceeded: "The withdrawal would take today's withdrawals past the daily limit of your tier.",
  insufficient_funds: 'The available balance does not cover the withdrawal.',
  deposit_not_found: 'No such deposit.',
  withdrawal_not_found: 'No such withdrawal.',
  withdrawal_not_pending: 'The withdrawal is not waiting for approval.',
  withdrawal_held: 'The withdrawal is held for an AML review of its beneficiary; it can only be rejected.',
  approver_is_requester: 'The person who asked for a withdrawal cannot approve it.',
  approver_already_approved: 'This withdrawal needs a second, different approver.',
  webhook_signature_missing: 'The webhook carries no signature.',
  webhook_signature_malformed: 'The webhook signature headers are malformed.',
  webhook_signature_invalid: 'The webhook signature does not verify.',
  webhook_timestamp_outside_window: 'The webhook timestamp is more than five minutes away from now.',
  webhook_body_too_large: 'The webhook body is too large.',
  webhook_malformed: 'The webhook body is not a valid event.',
  webhook_replayed: 'This webhook event (or signature) was received before; it is not applied twice.',
  webhook_payment_unknown: 'The webhook names a payment this stack does not know.',
});

export const PAYMENTS_ERROR_STATUS: Readonly<Record<PaymentsErrorCode, number>> = Object.freeze({
  invalid_request: 400,
  not_an_investor: 403,
  kyc_not_approved: 403,
  account_frozen: 403,
  quote_not_a_deposit: 422,
  provider_unknown: 404,
  provider_unavailable: 503,
  step_up_required: 403,
  step_up_failed: 403,
  daily_withdrawal_limit_exceeded: 422,
  insufficient_funds: 422,
  deposit_not_found: 404,
  withdrawal_not_found: 404,
  withdrawal_not_pending: 409,
  withdrawal_held: 409,
  approver_is_requester: 403,
  approver_already_approved: 409,
  webhook_signature_missing: 401,
  webhook_signature_malformed: 401,
  webhook_signature_invalid: 401,
  webhook_timestamp_outside_window: 401,
  webhook_body_too_large: 413,
  webhook_malformed: 400,
  webhook_replayed: 409,
  webhook_payment_unknown: 404,
});

export class PaymentsError extends HttpException {
  constructor(
    readonly code: PaymentsErrorCode,
    detail?: string,
  ) {
    super({ message: detail ? `${PAYMENTS_ERROR_MESSAGES[code]} ${detail}` : PAYMENTS_ERROR_MESSAGES[code], code }, PAYMENTS_ERROR_STATUS[code]);
  }
}
