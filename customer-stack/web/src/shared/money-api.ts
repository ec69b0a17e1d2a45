// The customer stack's money routes as the investor app uses them (customer-stack/api/src/ledger
// and src/fx): the investor's own ledger accounts, and single-use FX quotes that expire.
import { api } from './customer-api';

export type AccountKind = 'customer_cash' | 'customer_reserved' | 'customer_position';

export interface AccountBalance {
  readonly accountId: string;
  readonly kind: AccountKind | string;
  readonly ownerRef: string | null;
  /** A currency code, or an instrument's id for a position. */
  readonly unit: string;
  /** A decimal string. */
  readonly balance: string;
}

export const FX_CURRENCIES = ['LKR', 'USD', 'EUR', 'GBP'] as const;
export type FxCurrency = (typeof FX_CURRENCIES)[number];

export interface FxQuote {
  readonly quoteId: string;
  readonly sell: FxCurrency;
  readonly buy: FxCurrency;
  readonly sellAmount: string;
  readonly buyAmount: string;
  /** The quoted currency per one USD (the pair's base), spread included. */
  readonly price: string;
  readonly provider: string;
  readonly spreadBps: number;
  readonly expiresAt: string;
}

export const ledger = {
  balances: (signal?: AbortSignal) => api.get<{ accounts: AccountBalance[] }>('/v1/ledger/balances', undefined, signal),
};

export const fx = {
  quote: (sell: FxCurrency, buy: FxCurrency, sellAmount: string) => api.post<FxQuote>('/v1/fx/quotes', { sell, buy, sellAmount }),
};

/** One entry of a statement, signed as it moved the account's balance (+ in, − out). */
export interface StatementEntry {
  readonly at: string;
  readonly transactionId: string;
  readonly kind: string;
  readonly reference: string | null;
  readonly amount: string;
}

export interface StatementAccount {
  readonly accountId: string;
  readonly kind: AccountKind | string;
  readonly unit: string;
  readonly opening: string;
  readonly closing: string;
  readonly entries: readonly StatementEntry[];
}

export interface Statement {
  readonly ownerRef: string;
  readonly from: string;
  readonly to: string;
  readonly accounts: readonly StatementAccount[];
}

export const statements = {
  /** [from, to) as ISO instants. */
  get: (from: string, to: string, signal?: AbortSignal) => api.get<Statement>('/v1/ledger/statement', { from, to }, signal),
};
