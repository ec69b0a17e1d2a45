// The member API's refusals: one code each, an exhaustive message map, and the HTTP status it
// maps to (rendered as problem+json by the platform's filter, with the code).
import { HttpException } from '@nestjs/common';

export const MemberErrorCode = {
  MissingSignature: 'missing_signature',
  UnknownKey: 'unknown_key',
  BadSignature: 'bad_signature',
  KeyMismatch: 'key_mismatch',
  BadPayload: 'bad_payload',
  WrongRequest: 'wrong_request',
  BodyMismatch: 'body_mismatch',
  Stale: 'stale',
  Future: 'future',
  Replay: 'replay',
  Suspended: 'suspended',
  WrongPrincipal: 'wrong_principal',
  RateLimited: 'rate_limited',
  BadRequest: 'bad_request',
  UnknownInstrument: 'unknown_instrument',
  UnknownOrder: 'unknown_order',
  UnknownMember: 'unknown_member',
  OrderTooLarge: 'order_too_large',
  NotionalTooLarge: 'notional_too_large',
  TooManyOpenOrders: 'too_many_open_orders',
  PreTradeRefused: 'pre_trade_refused',
} as const;
export type MemberErrorCode = (typeof MemberErrorCode)[keyof typeof MemberErrorCode];

const MESSAGES: Readonly<Record<MemberErrorCode, [status: number, message: string]>> = {
  missing_signature: [401, 'The request carries no key id or no signature.'],
  unknown_key: [401, 'No active key has this id.'],
  bad_signature: [401, 'The signature does not verify under the key (PS256 only).'],
  key_mismatch: [401, 'The signature names another key than the key header.'],
  bad_payload: [401, 'The signed payload is not a valid request description.'],
  wrong_request: [401, 'The signed method or path is not this request.'],
  body_mismatch: [401, 'The signed body hash does not match the body received.'],
  stale: [401, 'The signed timestamp is too old.'],
  future: [401, 'The signed timestamp is in the future.'],
  replay: [401, 'This nonce has been used already.'],
  suspended: [403, 'The member or operator is suspended.'],
  wrong_principal: [403, 'This route is for another kind of principal.'],
  rate_limited: [429, 'The message rate limit is exceeded.'],
  bad_request: [400, 'The request body is invalid.'],
  unknown_instrument: [404, 'No instrument has this id.'],
  unknown_order: [404, 'No live order of yours has this id.'],
  unknown_member: [404, 'No member has this id.'],
  order_too_large: [422, 'The order quantity exceeds the member limit.'],
  notional_too_large: [422, 'The order notional exceeds the member limit.'],
  too_many_open_orders: [422, 'The member has as many open orders as its limit allows.'],
  pre_trade_refused: [422, 'A pre-trade compliance check refused the order.'],
};

export function memberError(code: MemberErrorCode, detail?: string): HttpException {
  const [status, message] = MESSAGES[code];
  return new HttpException({ message: detail ? `${message} ${detail}` : message, code }, status);
}

/** A refusal by the book itself (bad tick, halted, post-only would cross, …), passed through with its code. */
export function marketRefusal(code: string): HttpException {
  return new HttpException({ message: `The market refused the order: ${code}.`, code }, 422);
}
