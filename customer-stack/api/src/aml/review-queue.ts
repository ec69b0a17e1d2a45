// The review queue's state machine: which decision an officer may take on an alert in which
// state. Pure; the service applies it inside a locked transaction.
//
//   open ──assign──▶ assigned ──clear──▶ cleared
//     │                 │ ──escalate──▶ escalated (the MLRO decides from here)
//     │                 │ ──file_sar──▶ sar_filed        (MLRO only)
//     └─────────────────┴──freeze────▶ freeze_requested ──approve (another officer)──▶ frozen
import type { AmlErrorCode } from './aml.errors.js';

export const ALERT_DECISIONS = ['clear', 'escalate', 'file_sar', 'freeze'] as const;
export type AlertDecision = (typeof ALERT_DECISIONS)[number];
export type AlertStatus = 'open' | 'assigned' | 'escalated' | 'freeze_requested' | 'cleared' | 'sar_filed' | 'frozen';

export const CLOSED_STATUSES: readonly AlertStatus[] = ['cleared', 'sar_filed', 'frozen'];

export interface Decider {
  readonly isMlro: boolean;
}

/** The state an alert moves to, or the refusal. */
export function decide(status: AlertStatus, decision: AlertDecision, who: Decider): { ok: true; next: AlertStatus } | { ok: false; code: AmlErrorCode } {
  if (CLOSED_STATUSES.includes(status)) return { ok: false, code: 'alert_closed' };
  if (status === 'freeze_requested') return { ok: false, code: 'decision_not_allowed' };
  if (decision === 'file_sar' && !who.isMlro) return { ok: false, code: 'mlro_only' };
  if (status === 'escalated' && !who.isMlro) return { ok: false, code: 'mlro_only' };
  if (status === 'escalated' && decision === 'escalate') return { ok: false, code: 'decision_not_allowed' };
  const next: Record<AlertDecision, AlertStatus> = { clear: 'cleared', escalate: 'escalated', file_sar: 'sar_filed', freeze: 'freeze_requested' };
  return { ok: true, next: next[decision] };
}
