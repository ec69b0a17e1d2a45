// What the settlement routes answer, as plain types: the one definition the service returns and the
// operator admin reads. No imports, so the browser build can take it (`import type`) without
// pulling in any server code.

export const BATCH_STATUSES = ['draft', 'pending_approval', 'approved', 'released', 'rejected'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

/** Sums per counterparty and currency, straight from the database (exact NUMERIC as text). */
export interface NettingSums {
  readonly counterparty: string;
  readonly currency: 'USD';
  readonly bought: string;
  readonly sold: string;
  readonly fees: string;
  readonly payouts: string;
}

export interface Instruction extends NettingSums {
  /** sold − bought − fees + payouts: positive, the platform pays; negative, the counterparty pays. */
  readonly netAmount: string;
  /** The net rounded half-even to the currency's cents: what the cash leg moves. */
  readonly paymentAmount: string;
}

export type InstructionView = Instruction;

export interface BatchView {
  readonly batchId: string;
  readonly status: BatchStatus;
  readonly contentHash: string;
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly tradeCount: number;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly decidedAt: string | null;
  readonly approvals: readonly { readonly operatorRef: string; readonly approvedAt: string }[];
  readonly bankReference: string | null;
  readonly rejectionReason: string | null;
  /** Token legs handed to the chain module on approval (0 before, or without a chain). */
  readonly tokenLegsQueued: number;
}

export interface BatchDetail extends BatchView {
  readonly instructions: readonly InstructionView[];
}
