// What the reconciliation routes answer, as plain types: the one definition the service returns
// and the compliance console reads. No imports, so the browser build can take it (`import type`)
// without pulling in any server code.

export const BREAK_KINDS = ['position_mismatch', 'cash_mismatch', 'unknown_account'] as const;
export type BreakKind = (typeof BREAK_KINDS)[number];
export const BREAK_STATUSES = ['open', 'investigating', 'resolved'] as const;
export type BreakStatus = (typeof BREAK_STATUSES)[number];

/** A break as people see it: amount = actual (ledger) − expected (statement); age since detection. */
export interface BreakView {
  readonly breakId: string;
  readonly statementId: string;
  readonly kind: BreakKind;
  readonly accountRef: string;
  /** An instrument id (positions) or a currency (cash). */
  readonly unit: string;
  readonly expected: string;
  readonly actual: string;
  readonly amount: string;
  readonly periodEnd: string;
  readonly status: BreakStatus;
  readonly note: string | null;
  readonly detectedAt: string;
  readonly ageMs: number;
  readonly updatedAt: string;
  readonly updatedBy: string | null;
}
