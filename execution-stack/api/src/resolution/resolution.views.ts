// What the resolution routes answer, as plain types: the one definition the service returns and
// the operator admin reads. No imports, so the browser build can take it (`import type`) without
// pulling in any server code.

export const RESOLUTION_OUTCOMES = ['yes', 'no', 'void'] as const;
export type ResolutionOutcome = (typeof RESOLUTION_OUTCOMES)[number];

export interface InstrumentEventView {
  readonly eventRef: string;
  readonly instrumentId: string;
  readonly kind: 'resolution' | 'distribution';
  readonly outcome: ResolutionOutcome | null;
  readonly amountPerUnit: string;
  readonly recordAt: string;
  readonly declaredBy: string;
  readonly declaredAt: string;
  readonly payouts: number;
  readonly totalQuantity: string;
  readonly totalAmount: string;
  /** The chain transactions that burn the resolved tokens (none without a chain). */
  readonly burnTxIds: readonly string[];
}

export interface PayoutView {
  readonly payoutId: string;
  readonly tenantRef: string;
  readonly accountRef: string;
  readonly quantity: string;
  readonly amountPerUnit: string;
  readonly amount: string;
  readonly paidAt: string;
}
