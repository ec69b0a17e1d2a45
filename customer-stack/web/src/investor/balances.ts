// The investor's ledger accounts as people read them: per currency what they can spend
// (available), what open orders or withdrawals hold (reserved) and the two together; and their
// positions per instrument, split the same way (units a sell order holds are reserved). A unit is
// a currency code or an instrument's id. Sums stay decimal.
import { add, compare } from '@bulwark/ui-kit';
import type { AccountBalance } from '../shared/money-api';

export interface CashLine {
  readonly currency: string;
  readonly available: string;
  readonly reserved: string;
  readonly total: string;
}

export interface PositionLine {
  readonly instrumentId: string;
  /** Units the investor can sell now. */
  readonly quantity: string;
  /** Units held by open sell orders. */
  readonly reserved: string;
}

const CURRENCY = /^[A-Z]{3}$/;

export interface BalanceSheet {
  readonly cash: readonly CashLine[];
  readonly positions: readonly PositionLine[];
}

export function balanceSheet(accounts: readonly AccountBalance[]): BalanceSheet {
  const cash = new Map<string, { available: string; reserved: string }>();
  const positions = new Map<string, { quantity: string; reserved: string }>();
  for (const account of accounts) {
    const isCurrency = CURRENCY.test(account.unit);
    if (account.kind === 'customer_position' || (account.kind === 'customer_reserved' && !isCurrency)) {
      const line = positions.get(account.unit) ?? { quantity: '0', reserved: '0' };
      if (account.kind === 'customer_position') line.quantity = add(line.quantity, account.balance);
      else line.reserved = add(line.reserved, account.balance);
      positions.set(account.unit, line);
    } else if (account.kind === 'customer_cash' || account.kind === 'customer_reserved') {
      const line = cash.get(account.unit) ?? { available: '0', reserved: '0' };
      if (account.kind === 'customer_cash') line.available = add(line.available, account.balance);
      else line.reserved = add(line.reserved, account.balance);
      cash.set(account.unit, line);
    }
  }
  return {
    cash: [...cash.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, line]) => ({ currency, ...line, total: add(line.available, line.reserved) })),
    positions: [...positions.entries()]
      .filter(([, line]) => compare(line.quantity, '0') !== 0 || compare(line.reserved, '0') !== 0)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([instrumentId, line]) => ({ instrumentId, ...line })),
  };
}
