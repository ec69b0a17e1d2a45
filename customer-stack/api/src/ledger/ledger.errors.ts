// Errors the ledger throws (as opposed to the refusals it returns as results). Each code has
// a message and an HTTP status, exhaustively.
import { HttpException } from '@nestjs/common';

export const LEDGER_ERROR_CODES = ['invalid_request', 'transaction_not_found', 'already_reversed', 'reservation_not_found', 'idempotency_race', 'queue_full'] as const;
export type LedgerErrorCode = (typeof LEDGER_ERROR_CODES)[number];

export const LEDGER_ERROR_MESSAGES: Readonly<Record<LedgerErrorCode, string>> = Object.freeze({
  invalid_request: 'The request is not valid.',
  transaction_not_found: 'No such ledger transaction.',
  already_reversed: 'The transaction has been reversed already; a transaction is reversed at most once.',
  reservation_not_found: 'No such reservation.',
  idempotency_race: 'Another request with the same idempotency key is being posted; retry to receive its result.',
  queue_full: 'The ledger is at capacity; retry shortly.',
});

export const LEDGER_ERROR_STATUS: Readonly<Record<LedgerErrorCode, number>> = Object.freeze({
  invalid_request: 400,
  transaction_not_found: 404,
  already_reversed: 409,
  reservation_not_found: 404,
  idempotency_race: 409,
  queue_full: 503,
});

export class LedgerError extends HttpException {
  constructor(
    readonly code: LedgerErrorCode,
    detail?: string,
  ) {
    super({ message: detail ? `${LEDGER_ERROR_MESSAGES[code]} ${detail}` : LEDGER_ERROR_MESSAGES[code], code }, LEDGER_ERROR_STATUS[code]);
  }
}
