// The idempotency layer's coded errors, as problem+json through the platform filter.
import { HttpException } from '@nestjs/common';

export const IDEMPOTENCY_ERROR_CODES = ['idempotency_key_missing', 'idempotency_key_invalid', 'idempotency_key_reused', 'idempotency_request_in_progress'] as const;
export type IdempotencyErrorCode = (typeof IDEMPOTENCY_ERROR_CODES)[number];

export const IDEMPOTENCY_ERRORS: Readonly<Record<IdempotencyErrorCode, { status: number; message: string }>> = Object.freeze({
  idempotency_key_missing: { status: 400, message: 'This request changes state: send an Idempotency-Key header (a UUID) so it can be retried safely.' },
  idempotency_key_invalid: { status: 400, message: 'An Idempotency-Key is 8 to 128 visible ASCII characters.' },
  idempotency_key_reused: { status: 422, message: 'This Idempotency-Key was used with a different request; use a new key for a new request.' },
  idempotency_request_in_progress: { status: 409, message: 'A request with this Idempotency-Key is still being processed; retry shortly to receive its result.' },
});

export class IdempotencyError extends HttpException {
  constructor(readonly code: IdempotencyErrorCode) {
    super({ message: IDEMPOTENCY_ERRORS[code].message, code }, IDEMPOTENCY_ERRORS[code].status);
  }
}
