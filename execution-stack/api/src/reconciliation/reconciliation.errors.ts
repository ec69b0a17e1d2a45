// Refusals of the reconciliation routes: one code each, an exhaustive message map with the HTTP
// status (rendered as problem+json by the platform's filter, with the code).
import { HttpException } from '@nestjs/common';

export const ReconciliationErrorCode = {
  BadRequest: 'reconciliation_bad_request',
  UnknownBreak: 'reconciliation_unknown_break',
  WrongState: 'reconciliation_break_wrong_state',
  PeriodInvalid: 'reconciliation_period_invalid',
  StatementTooLarge: 'reconciliation_statement_too_large',
} as const;
export type ReconciliationErrorCode = (typeof ReconciliationErrorCode)[keyof typeof ReconciliationErrorCode];

export const RECONCILIATION_ERROR_MESSAGES: Readonly<Record<ReconciliationErrorCode, [status: number, message: string]>> = {
  reconciliation_bad_request: [400, 'The request is invalid.'],
  reconciliation_unknown_break: [404, 'No break has this id.'],
  reconciliation_break_wrong_state: [409, 'A break is acknowledged only while open, and a resolved break stays resolved.'],
  reconciliation_period_invalid: [422, 'The period must end after it starts, in the past, within the longest period allowed.'],
  reconciliation_statement_too_large: [422, 'A tenant has more statement lines in this period than one statement carries.'],
};

export class ReconciliationError extends HttpException {
  constructor(readonly code: ReconciliationErrorCode, detail?: string) {
    const [status, message] = RECONCILIATION_ERROR_MESSAGES[code];
    super({ message: detail ? `${message} ${detail}` : message, code }, status);
  }
}
