// What the reconciliation routes answer, as plain types: the one definition the service returns and the
// operator admin reads. No imports, so the browser build can take it (`import type`) without
// pulling in any server code.

export const EXECUTION_BREAK_KINDS = [
  'fill_without_order', 'order_fill_mismatch', 'clob_fill_mismatch', 'allocation_fill_mismatch', 'chain_balance_mismatch', 'settlement_overdue',
] as const;
export type ExecutionBreakKind = (typeof EXECUTION_BREAK_KINDS)[number];
export type BreakStatus = 'open' | 'acknowledged' | 'resolved';

export interface BreakView {
  readonly breakId: string;
  readonly kind: ExecutionBreakKind;
  readonly subject: string;
  readonly expected: string;
  readonly actual: string;
  /** actual − expected. */
  readonly amount: string;
  readonly status: BreakStatus;
  readonly detectedAt: string;
  readonly lastSeenAt: string;
  readonly ageMs: number;
  /** When the subject happened and how long ago (a settlement_overdue trade's age); null for other kinds. */
  readonly subjectAt: string | null;
  readonly subjectAgeMs: number | null;
  readonly acknowledgedBy: string | null;
  readonly resolvedBy: string | null;
}
