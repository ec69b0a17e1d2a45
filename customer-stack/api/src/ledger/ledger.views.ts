// What the ledger routes answer, as plain types: the one definition the service returns and the
// investor app reads. No imports, so the browser build can take it (`import type`) without
// pulling in any server code.

/** The chart of accounts. Customer accounts belong to one accountRef; platform accounts to the tenant. */
export const ACCOUNT_KINDS = [
  'customer_cash',
  'customer_reserved',
  'customer_position',
  'omnibus',
  'fees',
  'fx_conversion',
  'bank_clearing',
  'payouts',
] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

export interface AccountBalance {
  readonly accountId: string;
  readonly kind: AccountKind;
  readonly ownerRef: string | null;
  /** A currency code, or an instrument's id for a position. */
  readonly unit: string;
  /** A decimal string. */
  readonly balance: string;
}

/** One entry of a statement, signed as it moved the account's balance (+ in, − out). */
export interface StatementEntry {
  readonly at: string;
  readonly transactionId: string;
  readonly kind: string;
  readonly reference: string | null;
  readonly amount: string;
}

/** One account over a period: its balance before, every entry in it, and its balance after. */
export interface StatementAccount {
  readonly accountId: string;
  readonly kind: AccountKind;
  readonly unit: string;
  readonly opening: string;
  readonly closing: string;
  readonly entries: readonly StatementEntry[];
}

export interface Statement {
  readonly ownerRef: string;
  /** Inclusive. */
  readonly from: string;
  /** Exclusive. */
  readonly to: string;
  readonly accounts: readonly StatementAccount[];
}
