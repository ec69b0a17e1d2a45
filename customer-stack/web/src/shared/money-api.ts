// The customer stack's money routes as the investor app uses them (customer-stack/api/src/ledger
// and src/fx): the investor's own ledger accounts, and single-use FX quotes that expire.
// The ledger's response types are the API's own (ledger.views.ts holds plain types only).
import type { AccountBalance, Statement } from '../../../api/src/ledger/ledger.views';
import { api } from './customer-api';

export type { AccountBalance, AccountKind, Statement, StatementAccount, StatementEntry } from '../../../api/src/ledger/ledger.views';

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

export const statements = {
  /** [from, to) as ISO instants. */
  get: (from: string, to: string, signal?: AbortSignal) => api.get<Statement>('/v1/ledger/statement', { from, to }, signal),
};
