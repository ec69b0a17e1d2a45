// What the order routes answer, as plain types: the one definition the service returns and the
// investor app reads. No imports, so the browser build can take it (`import type`) without
// pulling in any server code. Amounts are canonical decimal strings.

export const INTENT_STATUSES = ['submitted', 'accepted', 'cancel_requested', 'expire_requested', 'rejected', 'filled', 'cancelled', 'expired'] as const;
export type IntentStatus = (typeof INTENT_STATUSES)[number];
/** States in which the intent may still trade and its investor may cancel it (or it expire). */
export const OPEN_INTENT_STATUSES: readonly IntentStatus[] = ['submitted', 'accepted'];

export type IntentSide = 'buy' | 'sell';
/** The times in force intent.submitted.v1 carries (order-intent.entity.ts holds the two to the same list). */
export type IntentTimeInForce = 'GTC' | 'IOC' | 'FOK' | 'GTD';

/** An intent as its investor sees it. */
export interface IntentView {
  readonly intentId: string;
  readonly accountRef: string;
  readonly instrumentId: string;
  readonly side: IntentSide;
  readonly quantity: string;
  readonly limitPrice: string;
  readonly timeInForce: IntentTimeInForce;
  readonly status: IntentStatus;
  readonly rejectCode: string | null;
  readonly filledQuantity: string;
  /** USD traded so far (Σ allocations' notional). */
  readonly notional: string;
  readonly fee: string;
  readonly reservationId: string | null;
  readonly expiresAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** One allocation of an intent as its investor sees it: what filled, at what average price, for what fee. */
export interface AllocationView {
  readonly allocationId: string;
  readonly quantity: string;
  readonly averagePrice: string;
  readonly notional: string;
  readonly fee: string;
  readonly remainingQuantity: string;
  readonly allocatedAt: string;
  readonly bookedAt: string;
}

export interface PayoutView {
  readonly payoutId: string;
  readonly instrumentId: string;
  readonly eventRef: string;
  readonly kind: 'resolution' | 'distribution';
  readonly quantity: string;
  readonly amount: string;
  readonly currency: 'USD';
  readonly paidAt: string;
  readonly bookedAt: string;
}

/** What an investor needs to price an order before placing it. */
export interface TradingTerms {
  /** Instruments are quoted, and intents reserved, in this currency. */
  readonly currency: 'USD';
  /** The most a fill's fee can be, in basis points of its notional: what a buy reserves on top. */
  readonly feeBps: number;
  readonly timesInForce: readonly IntentTimeInForce[];
  readonly gtcTtlMs: number;
  readonly immediateTtlMs: number;
  /** The execution stack's public market data (instruments, books, candles, the feed); null when not configured. */
  readonly marketDataUrl: string | null;
}
