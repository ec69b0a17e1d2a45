// Pre-trade risk: per-member limits checked before an order reaches the book, and the seam
// where further checks plug in (the chain module adds an on-chain canTransfer simulation).
import { decimal } from '@bulwark/shared-contracts';
import { MemberErrorCode } from './member.errors.js';

export interface PreTradeOrder {
  readonly memberId: string;
  readonly ownerNo: number;
  readonly memberKind: string;
  readonly tenantRef: string | null;
  readonly instrumentId: string;
  readonly side: 'buy' | 'sell';
  readonly quantity: string;
  /** The limit price, or the worst price the order could trade at (market and stop orders). */
  readonly worstPrice: string;
}

export interface Refusal {
  readonly code: string;
  readonly message: string;
}

export interface PreTradeCheck {
  check(order: PreTradeOrder): Promise<Refusal | null>;
}

/** Inject an array of PreTradeCheck: every one must pass (null) for an order to be accepted. */
export const PRE_TRADE_CHECKS = Symbol('PRE_TRADE_CHECKS');

export interface RiskLimits {
  readonly orderQuantityMax: string;
  readonly orderNotionalMax: string;
  readonly openOrdersMax: number;
}

/** The first limit an order breaks, in a fixed order: size, notional, open orders. */
export function riskRefusal(order: { quantity: string; worstPrice: string }, limits: RiskLimits, openOrders: number): MemberErrorCode | null {
  if (decimal(order.quantity).gt(decimal(limits.orderQuantityMax))) return MemberErrorCode.OrderTooLarge;
  if (decimal(order.quantity).times(decimal(order.worstPrice)).gt(decimal(limits.orderNotionalMax))) return MemberErrorCode.NotionalTooLarge;
  if (openOrders >= limits.openOrdersMax) return MemberErrorCode.TooManyOpenOrders;
  return null;
}

/** Token buckets per principal (messages per second, burst = one second's worth); bounded. */
export const RATE_BUCKETS_MAX = 100_000;

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();

  take(key: string, perSecond: number, nowMs: number): boolean {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= RATE_BUCKETS_MAX) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
      bucket = { tokens: perSecond, atMs: nowMs };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(perSecond, bucket.tokens + ((nowMs - bucket.atMs) * perSecond) / 1_000);
    bucket.atMs = nowMs;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
