// Refusals of resolutions and distributions: one code each, an exhaustive message map with the
// HTTP status (rendered as problem+json by the platform's filter, with the code).
import { HttpException } from '@nestjs/common';

export const ResolutionErrorCode = {
  BadRequest: 'resolution_bad_request',
  UnknownInstrument: 'resolution_unknown_instrument',
  NotAnEvent: 'resolution_not_an_event',
  NotASecurity: 'resolution_not_a_security',
  MarketOpen: 'resolution_market_open',
  OrdersOpen: 'resolution_orders_open',
  AlreadyResolved: 'resolution_already_resolved',
  AlreadyDeclared: 'resolution_distribution_already_declared',
  RecordDateInFuture: 'resolution_record_date_in_future',
  TooManyPayouts: 'resolution_too_many_payouts',
  UnknownEvent: 'resolution_unknown_event',
} as const;
export type ResolutionErrorCode = (typeof ResolutionErrorCode)[keyof typeof ResolutionErrorCode];

export const RESOLUTION_ERROR_MESSAGES: Readonly<Record<ResolutionErrorCode, [status: number, message: string]>> = {
  resolution_bad_request: [400, 'The request body is invalid.'],
  resolution_unknown_instrument: [404, 'No instrument has this id.'],
  resolution_not_an_event: [422, 'Only an event instrument resolves (YES, NO or void).'],
  resolution_not_a_security: [422, 'Only a security pays distributions.'],
  resolution_market_open: [409, 'Close the market first: an instrument resolves only once nothing trades on it.'],
  resolution_orders_open: [409, 'Omnibus orders or pooled intents are still open on this instrument: they must finish before it resolves.'],
  resolution_already_resolved: [409, 'This instrument is resolved already; a resolution is never repeated or changed.'],
  resolution_distribution_already_declared: [409, 'A distribution with this record date is declared already.'],
  resolution_record_date_in_future: [422, 'The record date must not be in the future: positions are taken as of it.'],
  resolution_too_many_payouts: [422, 'More accounts hold this instrument than one event may pay at once.'],
  resolution_unknown_event: [404, 'No resolution or distribution has this reference.'],
};

export class ResolutionError extends HttpException {
  constructor(readonly code: ResolutionErrorCode, detail?: string) {
    const [status, message] = RESOLUTION_ERROR_MESSAGES[code];
    super({ message: detail ? `${message} ${detail}` : message, code }, status);
  }
}
