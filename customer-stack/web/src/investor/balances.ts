// The investor's ledger accounts as people read them: per currency what they can spend
// (available), what open orders or withdrawals hold (reserved) and the two together; and their
// positions per instrument. Sums stay decimal.
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
  readonly quantity: string;
}

export interface BalanceSheet {
  readonly cash: readonly CashLine[];
  readonly positions: readonly PositionLine[];
}

export function balanceSheet(accounts: readonly AccountBalance[]): BalanceSheet {
  const cash = new Map<string, { available: string; reserved: string }>();
  const positions = new Map<string, string>();
  for (const account of accounts) {
    if (account.kind === 'customer_position') {
      positions.set(account.unit, add(positions.get(account.unit) ?? '0', account.balance));
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
      .filter(([, quantity]) => compare(quantity, '0') !== 0)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([instrumentId, quantity]) => ({ instrumentId, quantity })),
  };
}
