// The customer reconciliation's coded errors, each with its HTTP status and message, exhaustively.
import { HttpException } from '@nestjs/common';

export const RECONCILIATION_ERROR_CODES = ['invalid_request', 'break_not_found', 'break_transition_invalid'] as const;
export type ReconciliationErrorCode = (typeof RECONCILIATION_ERROR_CODES)[number];

export const RECONCILIATION_ERRORS: Readonly<Record<ReconciliationErrorCode, [status: number, message: string]>> = Object.freeze({
  invalid_request: [400, 'The request is not valid.'],
  break_not_found: [404, 'No reconciliation break has this id in your tenant.'],
  break_transition_invalid: [409, 'A break moves open → investigating → resolved (or open → resolved), a resolution needs a note, and a resolved break stays resolved.'],
});

export class ReconciliationError extends HttpException {
  constructor(readonly code: ReconciliationErrorCode, detail?: string) {
    const [status, message] = RECONCILIATION_ERRORS[code];
    super({ message: detail ? `${message} ${detail}` : message, code }, status);
  }
}
