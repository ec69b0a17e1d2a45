// A statement as the investor reads and downloads it: the period they pick (whole UTC days), a
// summary per account (opening, money in, money out, closing), and a CSV with a running balance
// on every line. Sums stay decimal; text cells are escaped so a spreadsheet never runs them.
import { add, big, compare } from '@bulwark/ui-kit';
import type { Statement, StatementAccount } from '../shared/money-api';

export const STATEMENT_DAYS_MAX = 366;
const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const ACCOUNT_TEXT: Readonly<Record<string, string>> = {
  customer_cash: 'Available',
  customer_reserved: 'Reserved',
  customer_position: 'Position',
};

export const accountLabel = (kind: string): string => ACCOUNT_TEXT[kind] ?? kind;

/** From the first day to the last (both included) as the stack's [from, to) instants, or what is wrong. */
export function statementPeriod(firstDay: string, lastDay: string): { from: string; to: string } | { error: string } {
  if (!DATE.test(firstDay) || Number.isNaN(Date.parse(firstDay))) return { error: 'Enter the first day of the period.' };
  if (!DATE.test(lastDay) || Number.isNaN(Date.parse(lastDay))) return { error: 'Enter the last day of the period.' };
  const from = Date.parse(`${firstDay}T00:00:00Z`);
  const to = Date.parse(`${lastDay}T00:00:00Z`) + DAY_MS;
  if (to <= from) return { error: 'The last day cannot be before the first.' };
  if (to - from > STATEMENT_DAYS_MAX * DAY_MS) return { error: `A statement covers at most ${STATEMENT_DAYS_MAX} days.` };
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

export interface AccountSummary {
  readonly account: StatementAccount;
  readonly moneyIn: string;
  readonly moneyOut: string;
}

export function summarise(statement: Statement): AccountSummary[] {
  return statement.accounts.map((account) => {
    const ins = account.entries.filter((e) => compare(e.amount, '0') > 0).map((e) => e.amount);
    const outs = account.entries.filter((e) => compare(e.amount, '0') < 0).map((e) => big(e.amount).abs().toString());
    const moneyIn = add('0', ...ins);
    const moneyOut = add('0', ...outs);
    if (!big(account.opening).plus(big(moneyIn)).minus(big(moneyOut)).eq(big(account.closing))) {
      throw new Error(`statement account ${account.accountId} does not add up`);
    }
    return { account, moneyIn, moneyOut };
  });
}

/** A text cell as CSV: quoted when it must be, and never read by a spreadsheet as a formula. */
export function csvText(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** The statement as CSV: per account an opening line, its entries with a running balance, a closing line. */
export function statementCsv(statement: Statement, unitName: (unit: string) => string): string {
  const lines = ['date,account,unit,description,reference,amount,balance'];
  for (const account of statement.accounts) {
    const label = csvText(accountLabel(account.kind));
    const unit = csvText(unitName(account.unit));
    let balance = account.opening;
    lines.push([statement.from, label, unit, 'opening balance', '', '', balance].join(','));
    for (const entry of account.entries) {
      balance = add(balance, entry.amount);
      lines.push([entry.at, label, unit, csvText(entry.kind), csvText(entry.reference ?? ''), entry.amount, balance].join(','));
    }
    if (compare(balance, account.closing) !== 0) throw new Error(`statement account ${account.accountId} does not add up`);
    lines.push([statement.to, label, unit, 'closing balance', '', '', account.closing].join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
