// Every message that crosses the wall, versioned by name. The schemas are strict: an unknown
// key is a schema rejection, never silently dropped. A body carries opaque references and
// amounts only — no field here can hold personal data (proved by messages.spec.ts).
import { z } from 'zod';
import {
  ChainAddress, Currency, Decimal, NonNegativeDecimal, PositiveDecimal, Ref, SequenceNumber, Sha256Hex, Side,
  TimeInForce, Timestamp, TxHash,
} from './primitives.js';

export const STATEMENT_LINES_MAX = 1_000;
export const ALLOCATION_FILLS_MAX = 256;

/**
 * The fields of intent.submitted.v1, without the rule that ties them (zod cannot pick from or
 * extend a refined object: derived schemas start from these). `expiresAt` was added within v1,
 * optional, for GTD: an intent without it reads as before. A receiver that knows the earlier
 * fields only refuses the key, so the execution stack is upgraded before the customer stack
 * sends a GTD intent.
 */
export const IntentSubmittedV1Fields = z.strictObject({
  intentId: Ref,
  accountRef: Ref,
  tenantRef: Ref,
  instrumentId: Ref,
  side: Side,
  quantity: PositiveDecimal,
  limitPrice: PositiveDecimal,
  timeInForce: TimeInForce,
  /** When a GTD intent stops trading; both stacks expire it then, whichever sweeps first. */
  expiresAt: Timestamp.optional(),
  submittedAt: Timestamp,
});

/** A GTD intent names its expiry, after its submission; no other time in force carries one. */
export function intentExpiryIssue(intent: { timeInForce: string; expiresAt?: string | undefined; submittedAt?: string }): string | null {
  if (intent.timeInForce !== 'GTD') return intent.expiresAt === undefined ? null : 'only a GTD intent carries expiresAt';
  if (intent.expiresAt === undefined) return 'a GTD intent needs expiresAt';
  if (intent.submittedAt !== undefined && Date.parse(intent.expiresAt) <= Date.parse(intent.submittedAt)) return 'expiresAt must be after submittedAt';
  return null;
}

export const IntentSubmittedV1 = IntentSubmittedV1Fields.superRefine((intent, ctx) => {
  const issue = intentExpiryIssue(intent);
  if (issue) ctx.addIssue({ code: 'custom', path: ['expiresAt'], message: issue });
});

export const IntentCancelV1 = z.strictObject({
  intentId: Ref,
  accountRef: Ref,
  reason: z.enum(['customer_request', 'expired', 'compliance_hold']),
  requestedAt: Timestamp,
});

export const IntentAcceptedV1 = z.strictObject({
  intentId: Ref,
  accountRef: Ref,
  acceptedAt: Timestamp,
});

export const INTENT_REJECT_CODES = [
  'unknown_instrument', 'instrument_not_trading', 'price_out_of_band', 'bad_tick', 'bad_lot', 'duplicate_intent', 'venue_unavailable',
  /** The on-chain pre-trade simulation refused the transfer the trade would settle with. */
  'transfer_not_compliant',
] as const;
export const IntentRejectedV1 = z.strictObject({
  intentId: Ref,
  accountRef: Ref,
  code: z.enum(INTENT_REJECT_CODES),
  rejectedAt: Timestamp,
});

/**
 * Why an intent will receive nothing more while some of it was still open: an IOC or FOK order's
 * unfilled remainder is cancelled by design; a venue may end any other order (a halt, a close);
 * `cancelled` answers an intent.cancel.v1; `expired` closes an intent whose time ran out (a GTD
 * intent's expiresAt on the execution side, or the answer to an intent.cancel.v1 with reason
 * expired). Both were added within v1: a receiver that knows the earlier reasons only must be
 * upgraded before the execution stack sends them.
 */
export const INTENT_CLOSE_REASONS = ['unfilled_remainder', 'venue_ended', 'cancelled', 'expired'] as const;
/**
 * An intent will receive nothing more: its omnibus order is done, or it was withdrawn on a
 * cancel. `filledQuantity` is all it was ever allocated, so the receiver closes it (and releases
 * what it still holds) once its own allocations add up to exactly that.
 */
export const IntentClosedV1 = z.strictObject({
  intentId: Ref,
  accountRef: Ref,
  filledQuantity: NonNegativeDecimal,
  reason: z.enum(INTENT_CLOSE_REASONS),
  closedAt: Timestamp,
});

export const AllocationV1 = z.strictObject({
  allocationId: Ref,
  intentId: Ref,
  accountRef: Ref,
  instrumentId: Ref,
  omnibusOrderRef: Ref,
  side: Side,
  quantity: PositiveDecimal,
  averagePrice: PositiveDecimal,
  notional: PositiveDecimal,
  fee: NonNegativeDecimal,
  currency: z.literal('USD'),
  remainingQuantity: NonNegativeDecimal,
  fillRefs: z.array(Ref).min(1).max(ALLOCATION_FILLS_MAX),
  inputsHash: Sha256Hex,
  allocatedAt: Timestamp,
});

export const PayoutV1 = z.strictObject({
  payoutId: Ref,
  accountRef: Ref,
  instrumentId: Ref,
  eventRef: Ref,
  kind: z.enum(['resolution', 'distribution']),
  quantity: NonNegativeDecimal,
  amountPerUnit: NonNegativeDecimal,
  amount: NonNegativeDecimal,
  currency: z.literal('USD'),
  paidAt: Timestamp,
});

export const StatementV1 = z.strictObject({
  statementId: Ref,
  tenantRef: Ref,
  periodStart: Timestamp,
  periodEnd: Timestamp,
  positions: z.array(z.strictObject({ accountRef: Ref, instrumentId: Ref, quantity: Decimal })).max(STATEMENT_LINES_MAX),
  cash: z.array(z.strictObject({ accountRef: Ref, currency: Currency, amount: Decimal })).max(STATEMENT_LINES_MAX),
  contentHash: Sha256Hex,
});

export const AuditAnchorRequestV1 = z.strictObject({
  batchId: SequenceNumber,
  merkleRoot: Sha256Hex,
  entryCount: z.int().min(1).max(1_000_000),
  firstSeq: SequenceNumber,
  lastSeq: SequenceNumber,
  requestedAt: Timestamp,
});

export const AuditAnchoredV1 = z.strictObject({
  batchId: SequenceNumber,
  merkleRoot: Sha256Hex,
  chainId: z.int().min(1),
  contractAddress: ChainAddress,
  txHash: TxHash,
  blockNumber: SequenceNumber,
  anchoredAt: Timestamp,
});
