// Post-trade settings, parsed once at start from the environment; the process refuses to start
// on a bad value. Nothing else reads process.env.
import { z } from 'zod';

export const POST_TRADE_CONFIG = Symbol('POST_TRADE_CONFIG');

/** Hard bounds the settings must respect. */
export const WINDOW_MS_MAX = 60_000;
export const WINDOW_INTENTS_MAX = 100_000;

const PostTradeEnv = z.object({
  POSTTRADE_WINDOW_MS: z.coerce.number().int().min(1).max(WINDOW_MS_MAX).default(500),
  POSTTRADE_WINDOW_QUANTITY_MAX: z.string().regex(/^[1-9][0-9]{0,17}$/).default('1000000'),
  POSTTRADE_WINDOW_INTENTS_MAX: z.coerce.number().int().min(1).max(WINDOW_INTENTS_MAX).default(10_000),
  POSTTRADE_FEE_BPS: z.coerce.number().int().min(0).max(1_000).default(10),
  POSTTRADE_TICK_MS: z.coerce.number().int().min(10).max(10_000).default(100),
  POSTTRADE_VENUE_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(2_000),
  POSTTRADE_VENUE_RESET_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  POSTTRADE_SETTLEMENT_PERIOD: z.enum(['daily']).default('daily'),
  /** The platform's settlement account, as an opaque identifier the bank knows (never an IBAN of a person). */
  POSTTRADE_DEBTOR_ACCOUNT: z.string().regex(/^[A-Z0-9]{6,34}$/).default('BULWARKSETTLEUSD01'),
  /** How often reconciliation runs (and the previous day's statements are sent, once). */
  POSTTRADE_RECONCILE_EVERY_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(60_000),
  /** A book trade this old must be an omnibus fill by now; younger ones may still be on their way. */
  POSTTRADE_RECONCILE_GRACE_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
  /**
   * How long an omnibus trade may wait to be settled (its period netted into a batch two people
   * approved, and with a chain every leg of that batch confirmed on chain): older, it is a
   * settlement_overdue break. The default covers the daily period, a day for the approvals, and the chain.
   */
  POSTTRADE_SETTLEMENT_OVERDUE_MS: z.coerce.number().int().min(1_000).max(31 * 86_400_000).default(2 * 86_400_000),
  POSTTRADE_DEBTOR_AGENT_BIC: z.string().regex(/^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$/).default('BULWLKLXXXX'),
});

export interface PostTradeConfig {
  /** A pool's window closes this long after its first intent arrived... */
  readonly windowMs: number;
  /** ...or as soon as its quantity reaches this (instrument units, an integer string)... */
  readonly windowQuantityMax: string;
  /** ...or its intent count reaches this. */
  readonly windowIntentsMax: number;
  readonly feeBps: number;
  readonly tickMs: number;
  readonly venueTimeoutMs: number;
  readonly venueResetMs: number;
  readonly settlementPeriod: 'daily';
  readonly debtorAccount: string;
  readonly debtorAgentBic: string;
  readonly reconcileEveryMs: number;
  readonly reconcileGraceMs: number;
  readonly settlementOverdueMs: number;
}

export function parsePostTradeConfig(env: Readonly<Record<string, string | undefined>>): PostTradeConfig {
  const parsed = PostTradeEnv.parse(env);
  return Object.freeze({
    windowMs: parsed.POSTTRADE_WINDOW_MS,
    windowQuantityMax: parsed.POSTTRADE_WINDOW_QUANTITY_MAX,
    windowIntentsMax: parsed.POSTTRADE_WINDOW_INTENTS_MAX,
    feeBps: parsed.POSTTRADE_FEE_BPS,
    tickMs: parsed.POSTTRADE_TICK_MS,
    venueTimeoutMs: parsed.POSTTRADE_VENUE_TIMEOUT_MS,
    venueResetMs: parsed.POSTTRADE_VENUE_RESET_MS,
    settlementPeriod: parsed.POSTTRADE_SETTLEMENT_PERIOD,
    debtorAccount: parsed.POSTTRADE_DEBTOR_ACCOUNT,
    debtorAgentBic: parsed.POSTTRADE_DEBTOR_AGENT_BIC,
    reconcileEveryMs: parsed.POSTTRADE_RECONCILE_EVERY_MS,
    reconcileGraceMs: parsed.POSTTRADE_RECONCILE_GRACE_MS,
    settlementOverdueMs: parsed.POSTTRADE_SETTLEMENT_OVERDUE_MS,
  });
}
