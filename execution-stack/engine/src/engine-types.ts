// Value types of the engine's public surface. Enumerations are small integers inside the
// engine (they live in typed arrays), reject and cancel codes are strings because they leave
// the engine and end up in logs, APIs and audit rows.

export const Side = { Buy: 0, Sell: 1 } as const;
export type Side = (typeof Side)[keyof typeof Side];

export const OrderType = { Limit: 0, Market: 1, Stop: 2, StopLimit: 3 } as const;
export type OrderType = (typeof OrderType)[keyof typeof OrderType];

/** GTD orders expire once the engine clock (advanceTime) reaches their expiryMs. */
export const TimeInForce = { GTC: 0, IOC: 1, FOK: 2, GTD: 3 } as const;
export type TimeInForce = (typeof TimeInForce)[keyof typeof TimeInForce];

/**
 * Self-trade prevention, decided by the incoming (taker) order when it meets a resting order
 * of the same owner. Owner 0 means "anonymous": never considered a self trade.
 */
export const StpMode = { None: 0, CancelNewest: 1, CancelOldest: 2, CancelBoth: 3, Decrement: 4 } as const;
export type StpMode = (typeof StpMode)[keyof typeof StpMode];

export const RejectCode = {
  InvalidOrder: 'invalid_order',
  DuplicateId: 'duplicate_id',
  UnknownOrder: 'unknown_order',
  BadTick: 'bad_tick',
  BadLot: 'bad_lot',
  PriceOutOfBand: 'price_out_of_band',
  PostOnlyWouldCross: 'post_only_would_cross',
  FokUnfillable: 'fok_unfillable',
  SelfTrade: 'self_trade',
  NoLiquidity: 'no_liquidity',
  AlreadyExpired: 'already_expired',
  BookFull: 'book_full',
  NotReplaceable: 'not_replaceable',
  TimeWentBackwards: 'time_went_backwards',
} as const;
export type RejectCode = (typeof RejectCode)[keyof typeof RejectCode];

/** Exhaustive: adding a code without a message fails the type check. */
export const rejectMessages: Readonly<Record<RejectCode, string>> = Object.freeze({
  invalid_order: 'The order fields are inconsistent (type, time in force, id, flags).',
  duplicate_id: 'An order with this id is already live in the book.',
  unknown_order: 'No live order has this id.',
  bad_tick: 'The price is not a whole number of ticks.',
  bad_lot: 'The size is not a positive whole number of lots within the per-order limit.',
  price_out_of_band: 'The price is outside the instrument price band.',
  post_only_would_cross: 'A post-only order would have taken liquidity.',
  fok_unfillable: 'A fill-or-kill order cannot be filled in full right now.',
  self_trade: 'The order would trade with its own owner and cannot be filled in full.',
  no_liquidity: 'A market order met an empty opposite side.',
  already_expired: 'A good-till-date order arrived after its expiry.',
  book_full: 'The order pool is at ordersMax.',
  not_replaceable: 'Only resting limit orders can be replaced; cancel and resubmit stops.',
  time_went_backwards: 'The engine clock only moves forwards.',
});

export const CancelReason = {
  Requested: 'requested',
  IocRemainder: 'ioc_remainder',
  MarketRemainder: 'market_remainder',
  SelfTrade: 'self_trade',
  /** A triggered fill-or-kill stop-limit found too little depth. */
  FokUnfillable: 'fok_unfillable',
} as const;
export type CancelReason = (typeof CancelReason)[keyof typeof CancelReason];

/**
 * An incoming order. Callers on a hot path may reuse one mutable object: the engine copies the
 * fields it keeps. Prices are integer ticks and sizes integer lots (see decimal-scale.ts).
 */
export interface NewOrder {
  /** Caller-chosen id, a non-negative safe integer, unique among live orders. */
  id: number;
  side: Side;
  type: OrderType;
  /** Limit price for limit and stop-limit orders; ignored for market and stop. */
  priceTicks: number;
  /** Trigger price for stop and stop-limit orders (compared with the last trade price). */
  stopPriceTicks: number;
  lots: number;
  tif: TimeInForce;
  /** Only for GTD: expires when the engine clock reaches it. */
  expiryMs: number;
  /** Only for limit orders: reject instead of taking liquidity. */
  postOnly: boolean;
  /** 0 = anonymous (never self-trade checked). */
  ownerId: number;
  stp: StpMode;
}

/** A fully defaulted NewOrder; spread it and override what you need. */
export function newOrder(fields: Partial<NewOrder> & Pick<NewOrder, 'id' | 'side' | 'lots'>): NewOrder {
  return {
    type: OrderType.Limit,
    priceTicks: 0,
    stopPriceTicks: 0,
    tif: TimeInForce.GTC,
    expiryMs: 0,
    postOnly: false,
    ownerId: 0,
    stp: StpMode.CancelNewest,
    ...fields,
  };
}

/** The journal's unit: every state change of the engine is one of these. */
export type EngineCommand =
  | { kind: 'submit'; order: NewOrder }
  | { kind: 'cancel'; id: number }
  | { kind: 'replace'; id: number; priceTicks: number; lots: number }
  | { kind: 'advance_time'; nowMs: number }
  | { kind: 'set_reference_price'; priceTicks: number };

export type CommandResult = 'ok' | RejectCode;
