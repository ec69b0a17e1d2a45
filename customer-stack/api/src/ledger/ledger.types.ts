// The ledger's vocabulary: the chart of accounts, what a posting is, and what a posting returns.
// A posting is a journal transaction of two or more legs that balance per unit (a currency code or
// an instrument id); amounts are decimal strings, never JS numbers.
import { z } from 'zod';
import { PositiveDecimal, Ref } from '@bulwark/shared-contracts';
import { ACCOUNT_KINDS, type AccountKind } from './ledger.views.js';

export { ACCOUNT_KINDS, type AccountKind, type AccountBalance, type Statement, type StatementAccount, type StatementEntry } from './ledger.views.js';

export const CUSTOMER_ACCOUNT_KINDS: ReadonlySet<AccountKind> = new Set(['customer_cash', 'customer_reserved', 'customer_position']);

/**
 * Which side makes an account grow. Customer accounts and fees are what the platform owes or
 * earned (credit-normal); omnibus, bank clearing, FX conversion and payouts are clearing or asset
 * accounts (debit-normal).
 */
export const NORMAL_SIDE: Readonly<Record<AccountKind, 'debit' | 'credit'>> = Object.freeze({
  customer_cash: 'credit',
  customer_reserved: 'credit',
  customer_position: 'credit',
  fees: 'credit',
  omnibus: 'debit',
  fx_conversion: 'debit',
  bank_clearing: 'debit',
  payouts: 'debit',
});

/** Only customer accounts are kept from going negative: a customer never owes what they lack. */
export function allowsNegative(kind: AccountKind): boolean {
  return !CUSTOMER_ACCOUNT_KINDS.has(kind);
}

export const CURRENCY_UNITS = ['USD', 'LKR', 'EUR', 'GBP'] as const;
/** A unit is a currency code or, for positions, the instrument's id. */
export const Unit = z.union([z.enum(CURRENCY_UNITS), Ref]);

export const AccountKey = z
  .strictObject({
    kind: z.enum(ACCOUNT_KINDS),
    ownerRef: Ref.nullable(),
    unit: Unit,
  })
  .refine((key) => CUSTOMER_ACCOUNT_KINDS.has(key.kind) === (key.ownerRef !== null), 'customer accounts have an owner; platform accounts none');
export type AccountKey = z.infer<typeof AccountKey>;

export const POSTING_KINDS = [
  'deposit',
  'withdrawal',
  'fx_conversion',
  'reservation',
  'reservation_post',
  'reservation_release',
  'trade',
  'fee',
  'payout',
  'transfer',
  'reversal',
] as const;
export type PostingKind = (typeof POSTING_KINDS)[number];

export const LEGS_PER_POSTING_MAX = 16;
export const IDEMPOTENCY_KEY_LENGTH_MAX = 128;
export const REFERENCE_LENGTH_MAX = 200;

export const Leg = z.strictObject({
  account: AccountKey,
  side: z.enum(['debit', 'credit']),
  amount: PositiveDecimal,
});
export type Leg = z.infer<typeof Leg>;

export const PostingInput = z.strictObject({
  tenantId: Ref,
  idempotencyKey: z.string().min(1).max(IDEMPOTENCY_KEY_LENGTH_MAX),
  kind: z.enum(POSTING_KINDS),
  reference: z.string().max(REFERENCE_LENGTH_MAX).nullable().default(null),
  legs: z.array(Leg).min(2).max(LEGS_PER_POSTING_MAX),
});
export type PostingInput = z.input<typeof PostingInput>;
export type Posting = z.output<typeof PostingInput>;

/** Business refusals: returned as results, never thrown. */
export const POSTING_REJECT_CODES = ['insufficient_funds', 'idempotency_conflict', 'unbalanced'] as const;
export type PostingRejectCode = (typeof POSTING_REJECT_CODES)[number];

export type PostingResult =
  | { readonly status: 'posted'; readonly transactionId: string; readonly replayed: boolean }
  | { readonly status: 'rejected'; readonly code: PostingRejectCode; readonly accountId?: string };

