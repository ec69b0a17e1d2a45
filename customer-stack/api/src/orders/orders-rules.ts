// The pure rules of order intents: what an intent reserves, what it counts against the daily
// trading limit, whether it may be placed, and how an allocation relates to the intent's open
// quantity. No I/O, no clock: the service reads, these decide. Amounts are decimal strings.
import { assert, canonicalDecimal, decimal, intentExpiryIssue } from '@bulwark/shared-contracts';
import type { IntentStatus, IntentTimeInForce } from './order-intent.entity.js';

export const BPS_PER_UNIT = 10_000;
/** The fee rate cap (10%), as the execution stack's. */
export const FEE_BPS_MAX = 1_000;

/** Cash a buy holds: quantity × limit plus the most the fee can be at that notional. Exact. */
export function buyReservationUsd(quantity: string, limitPrice: string, feeBps: number): string {
  assert(Number.isInteger(feeBps) && feeBps >= 0 && feeBps <= FEE_BPS_MAX, 'fee rate within limit');
  const notional = decimal(quantity).times(decimal(limitPrice));
  const amount = notional.times(decimal(String(BPS_PER_UNIT + feeBps))).div(decimal(String(BPS_PER_UNIT)));
  assert(amount.gte(notional), 'the reservation covers the notional');
  return canonicalDecimal(amount);
}

export interface IntentUsage {
  readonly status: IntentStatus;
  readonly quantity: string;
  readonly limitPrice: string;
  /** USD notional booked from allocations so far. */
  readonly notional: string;
}

/**
 * What an intent of today counts against the daily trading limit: its whole limit notional
 * while it may still trade or once filled; only what it traded once cancelled or expired;
 * nothing when rejected.
 */
export function usageUsd(intent: IntentUsage): string {
  switch (intent.status) {
    case 'submitted':
    case 'accepted':
    case 'cancel_requested':
    case 'expire_requested':
    case 'filled':
      return canonicalDecimal(decimal(intent.quantity).times(decimal(intent.limitPrice)));
    case 'cancelled':
    case 'expired':
      return canonicalDecimal(intent.notional);
    case 'rejected':
      return '0';
  }
}

export const PLACEMENT_REFUSALS = ['kyc_not_approved', 'account_frozen', 'daily_limit_exceeded', 'velocity_exceeded'] as const;
export type PlacementRefusal = (typeof PLACEMENT_REFUSALS)[number];

export interface PlacementFacts {
  readonly kycStatus: string;
  readonly frozen: boolean;
  readonly dailyTradeLimitUsd: string;
  /** Σ usageUsd over the account's intents created today (UTC). */
  readonly usedTodayUsd: string;
  /** quantity × limit of the intent asked for. */
  readonly intentUsd: string;
  readonly placedInWindow: number;
  readonly velocityMax: number;
}

/** The first rule the intent breaks, in the order a customer would want to be told; null when none. */
export function placementRefusal(facts: PlacementFacts): PlacementRefusal | null {
  if (facts.kycStatus !== 'approved') return 'kyc_not_approved';
  if (facts.frozen) return 'account_frozen';
  if (facts.placedInWindow >= facts.velocityMax) return 'velocity_exceeded';
  if (decimal(facts.usedTodayUsd).plus(decimal(facts.intentUsd)).gt(decimal(facts.dailyTradeLimitUsd))) return 'daily_limit_exceeded';
  return null;
}

/**
 * Where an allocation stands against the intent's open quantity: the allocation says what was
 * open before it (quantity + remaining). Less than ours: an earlier allocation is still on its
 * way (park it). More than ours: both sides disagree (a break). Equal: book it.
 */
export function allocationOrder(openQuantity: string, allocation: { quantity: string; remainingQuantity: string }): 'next' | 'early' | 'conflict' {
  const impliedOpen = decimal(allocation.quantity).plus(decimal(allocation.remainingQuantity));
  const open = decimal(openQuantity);
  if (impliedOpen.eq(open)) return 'next';
  return impliedOpen.lt(open) ? 'early' : 'conflict';
}

/**
 * When an intent stops trading: a GTD intent at the time its investor names (after now, no
 * further ahead than a GTC intent lives), a GTC intent after its TTL, an IOC or FOK intent after
 * the immediate TTL. A refusal says what is wrong with expiresAt.
 */
export function intentExpiry(
  timeInForce: IntentTimeInForce, expiresAt: string | undefined, now: Date, ttl: { readonly gtcTtlMs: number; readonly immediateTtlMs: number },
): { readonly expiresAt: Date } | { readonly refusal: string } {
  assert(ttl.gtcTtlMs > 0 && ttl.immediateTtlMs > 0, 'intent lifetimes are positive');
  const issue = intentExpiryIssue({ timeInForce, expiresAt, submittedAt: now.toISOString() });
  if (issue) return { refusal: issue };
  if (timeInForce !== 'GTD') return { expiresAt: new Date(now.getTime() + (timeInForce === 'GTC' ? ttl.gtcTtlMs : ttl.immediateTtlMs)) };
  const at = new Date(expiresAt as string);
  if (at.getTime() > now.getTime() + ttl.gtcTtlMs) return { refusal: `expiresAt is at most ${ttl.gtcTtlMs} ms ahead (as long as a GTC intent lives)` };
  return { expiresAt: at };
}

/** The start of the UTC day `now` is in: the daily limit's window. */
export function utcDayStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}
