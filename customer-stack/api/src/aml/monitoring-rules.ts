// Transaction-monitoring rules over ledger events: pure functions of the event and the
// customer's recent history. Amounts are decimal strings compared with big.js, never floats.
// Each rule's thresholds are named here and documented in docs/compliance.md.
import { assert, canonicalDecimal, decimal } from '@bulwark/shared-contracts';

export const MONITORING_RULES_VERSION = 'monitoring.v1';

export type MonitoredKind = 'deposit' | 'withdrawal' | 'trade' | 'payout';

export interface MonitoredTransaction {
  readonly tenantId: string;
  readonly userId: string;
  readonly kind: MonitoredKind;
  /** USD equivalent, decimal string. */
  readonly amountUsd: string;
  readonly currency: string;
  /** In `currency`, decimal string. */
  readonly amount: string;
  /** Where money came from or goes to (an opaque payment-source reference). */
  readonly sourceRef?: string;
  /** ISO alpha-2 of the counterparty or rail. */
  readonly country?: string;
  readonly at: Date;
}

export const MONITORING = {
  /** One transaction at or above this (USD) is large. */
  largeTransactionUsd: '10000',
  /** Deposits within this window before a withdrawal... */
  rapidWindowMs: 48 * 3_600_000,
  /** ...covering at least this share of it, for a withdrawal of at least `rapidWithdrawalMinUsd`. */
  rapidCoverShare: '0.5',
  rapidWithdrawalMinUsd: '1000',
  /** Deposits between `structuringLowShare` of the large threshold and just under it... */
  structuringLowShare: '0.9',
  /** ...at least this many within the window (the event included) look like structuring. */
  structuringCountMin: 3,
  structuringWindowMs: 7 * 86_400_000,
  /** Distinct deposit sources within the window (the event included). */
  sourcesCountMin: 4,
  sourcesWindowMs: 30 * 86_400_000,
  /**
   * FATF "black list" (call for action) and a subset of jurisdictions under increased
   * monitoring, as of the version above; tenants' own lists can extend it.
   */
  highRiskCountries: ['KP', 'IR', 'MM', 'SY', 'YE', 'SS', 'HT', 'VE', 'NG', 'ZA', 'CD', 'ML'] as readonly string[],
} as const;

export const MONITORING_RULES = ['large_single_transaction', 'rapid_deposit_withdrawal', 'structuring', 'many_deposit_sources', 'high_risk_country'] as const;
export type MonitoringRule = (typeof MONITORING_RULES)[number];

export interface RuleHit {
  readonly rule: MonitoringRule;
  /** Figures that triggered it (amounts as decimal strings, counts): no personal data. */
  readonly details: Readonly<Record<string, string | number>>;
}

export const HISTORY_WINDOW_MS = Math.max(MONITORING.rapidWindowMs, MONITORING.structuringWindowMs, MONITORING.sourcesWindowMs);
export const HISTORY_EVENTS_MAX = 5_000;

/** The rules one event breaks, given the customer's earlier events (any order, same customer). */
export function evaluateRules(event: MonitoredTransaction, history: readonly MonitoredTransaction[]): RuleHit[] {
  assert(history.length <= HISTORY_EVENTS_MAX, 'monitoring history within limit');
  assert(history.every((h) => h.userId === event.userId), 'history belongs to the same customer');
  const hits: RuleHit[] = [];
  const amount = decimal(event.amountUsd);
  const large = decimal(MONITORING.largeTransactionUsd);
  const since = (windowMs: number) => history.filter((h) => h.at.getTime() > event.at.getTime() - windowMs && h.at.getTime() <= event.at.getTime());

  if (amount.gte(large)) hits.push({ rule: 'large_single_transaction', details: { amountUsd: event.amountUsd, thresholdUsd: MONITORING.largeTransactionUsd } });

  if (event.kind === 'withdrawal' && amount.gte(decimal(MONITORING.rapidWithdrawalMinUsd))) {
    const deposits = since(MONITORING.rapidWindowMs).filter((h) => h.kind === 'deposit');
    const depositedUsd = deposits.reduce((sum, h) => sum.plus(decimal(h.amountUsd)), decimal('0'));
    if (depositedUsd.gte(amount.times(decimal(MONITORING.rapidCoverShare)))) {
      hits.push({ rule: 'rapid_deposit_withdrawal', details: { withdrawalUsd: event.amountUsd, depositedUsd: canonicalDecimal(depositedUsd), deposits: deposits.length,
        windowHours: MONITORING.rapidWindowMs / 3_600_000 } });
    }
  }

  if (event.kind === 'deposit') {
    const low = large.times(decimal(MONITORING.structuringLowShare));
    const nearThreshold = (usd: string) => decimal(usd).gte(low) && decimal(usd).lt(large);
    if (nearThreshold(event.amountUsd)) {
      const near = since(MONITORING.structuringWindowMs).filter((h) => h.kind === 'deposit' && nearThreshold(h.amountUsd));
      if (near.length + 1 >= MONITORING.structuringCountMin) {
        hits.push({ rule: 'structuring', details: { depositsJustUnder: near.length + 1, thresholdUsd: MONITORING.largeTransactionUsd,
          windowDays: MONITORING.structuringWindowMs / 86_400_000 } });
      }
    }
    if (event.sourceRef) {
      const sources = new Set(since(MONITORING.sourcesWindowMs).filter((h) => h.kind === 'deposit' && h.sourceRef).map((h) => h.sourceRef));
      sources.add(event.sourceRef);
      if (sources.size >= MONITORING.sourcesCountMin) {
        hits.push({ rule: 'many_deposit_sources', details: { sources: sources.size, windowDays: MONITORING.sourcesWindowMs / 86_400_000 } });
      }
    }
  }

  if (event.country && MONITORING.highRiskCountries.includes(event.country.toUpperCase())) {
    hits.push({ rule: 'high_risk_country', details: { country: event.country.toUpperCase(), kind: event.kind } });
  }
  return hits;
}
