// FX's coded errors: each with its message and HTTP status, exhaustively.
import { HttpException } from '@nestjs/common';

export const FX_ERROR_CODES = [
  'no_rate',
  'pair_unsupported',
  'amount_too_small',
  'spread_out_of_range',
  'quote_not_found',
  'quote_foreign',
  'quote_used',
  'quote_expired',
  'invalid_request',
] as const;
export type FxErrorCode = (typeof FX_ERROR_CODES)[number];

export const FX_ERROR_MESSAGES: Readonly<Record<FxErrorCode, string>> = Object.freeze({
  no_rate: 'No fresh exchange rate is available from any provider; no quote can be given now.',
  pair_unsupported: 'This currency pair is not quoted.',
  amount_too_small: 'The amount converts to nothing at this rate.',
  spread_out_of_range: 'A spread is between 0 and 1000 basis points.',
  quote_not_found: 'No such quote in this tenant.',
  quote_foreign: 'This quote belongs to another customer.',
  quote_used: 'This quote has been used already; quotes are single-use.',
  quote_expired: 'This quote has expired; ask for a new one.',
  invalid_request: 'The request is not valid.',
});

export const FX_ERROR_STATUS: Readonly<Record<FxErrorCode, number>> = Object.freeze({
  no_rate: 503,
  pair_unsupported: 422,
  amount_too_small: 422,
  spread_out_of_range: 422,
  quote_not_found: 404,
  quote_foreign: 403,
  quote_used: 409,
  quote_expired: 410,
  invalid_request: 400,
});

export class FxError extends HttpException {
  constructor(
    readonly code: FxErrorCode,
    detail?: string,
  ) {
    super({ message: detail ? `${FX_ERROR_MESSAGES[code]} ${detail}` : FX_ERROR_MESSAGES[code], code }, FX_ERROR_STATUS[code]);
  }
}
