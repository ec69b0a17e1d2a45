// What the allocation routes answer, as plain types: the one definition the service returns and
// the operator admin reads. No imports, so the browser build can take it (`import type`) without
// pulling in any server code.

/** One allocation as the operator admin shows it. */
export interface AllocationLine {
  readonly allocationId: string;
  readonly roundRef: string;
  readonly intentId: string;
  readonly accountRef: string;
  readonly quantity: string;
  readonly averagePrice: string;
  readonly notional: string;
  readonly fee: string;
  readonly remainingQuantity: string;
  readonly inputsHash: string;
  readonly allocatedAt: string;
}
