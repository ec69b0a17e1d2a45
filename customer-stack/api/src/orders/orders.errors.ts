// The orders domain's coded errors: each with its message and HTTP status, exhaustively.
import { HttpException } from '@nestjs/common';
import type { PlacementRefusal } from './orders-rules.js';

export const ORDERS_ERROR_CODES = [
  'invalid_request',
  'not_an_investor',
  'kyc_not_approved',
  'account_frozen',
  'daily_limit_exceeded',
  'velocity_exceeded',
  'insufficient_funds',
  'intent_not_found',
  'intent_not_cancellable',
] as const satisfies readonly (string | PlacementRefusal)[];
export type OrdersErrorCode = (typeof ORDERS_ERROR_CODES)[number];

export const ORDERS_ERROR_MESSAGES: Readonly<Record<OrdersErrorCode, string>> = Object.freeze({
  invalid_request: 'The request is not valid.',
  not_an_investor: 'Only an investor account places order intents.',
  kyc_not_approved: 'Identity verification must be approved before trading.',
  account_frozen: 'The account is frozen; trading is suspended.',
  daily_limit_exceeded: 'The intent would take today\'s trading past the daily limit of your tier.',
  velocity_exceeded: 'Too many intents in a short time; wait a moment and try again.',
  insufficient_funds: 'The available balance does not cover the intent (including fees).',
  intent_not_found: 'No such order intent.',
  intent_not_cancellable: 'The intent is no longer open; it cannot be cancelled.',
});

export const ORDERS_ERROR_STATUS: Readonly<Record<OrdersErrorCode, number>> = Object.freeze({
  invalid_request: 400,
  not_an_investor: 403,
  kyc_not_approved: 403,
  account_frozen: 403,
  daily_limit_exceeded: 422,
  velocity_exceeded: 429,
  insufficient_funds: 422,
  intent_not_found: 404,
  intent_not_cancellable: 409,
});

export class OrdersError extends HttpException {
  constructor(
    readonly code: OrdersErrorCode,
    detail?: string,
  ) {
    super({ message: detail ? `${ORDERS_ERROR_MESSAGES[code]} ${detail}` : ORDERS_ERROR_MESSAGES[code], code }, ORDERS_ERROR_STATUS[code]);
  }
}
