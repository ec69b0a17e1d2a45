import { describe, expect, it } from '@jest/globals';
import type { Statement } from '../shared/money-api';
import { csvText, statementCsv, statementPeriod, summarise } from './statement';

const INSTRUMENT = '0b7d9c1e-3f0a-4c55-8a61-2d4e6f8a9b10';
const statement: Statement = {
  ownerRef: 'me',
  from: '2026-11-01T00:00:00.000Z',
  to: '2026-12-01T00:00:00.000Z',
  accounts: [
    {
      accountId: 'a', kind: 'customer_cash', unit: 'USD', opening: '100', closing: '85.5',
      entries: [
        { at: '2026-11-02T10:00:00.000Z', transactionId: 't1', kind: 'deposit', reference: 'bank, ref "42"', amount: '25.5' },
        { at: '2026-11-03T10:00:00.000Z', transactionId: 't2', kind: 'reservation', reference: null, amount: '-40' },
      ],
    },
    { accountId: 'b', kind: 'customer_position', unit: INSTRUMENT, opening: '0', closing: '10', entries: [
      { at: '2026-11-04T10:00:00.000Z', transactionId: 't3', kind: 'trade', reference: '=cmd()', amount: '10' },
    ] },
  ],
};

describe('a statement period is whole UTC days', () => {
  it.each([
    ['2026-11-01', '2026-11-30', { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' }],
    ['2026-11-21', '2026-11-21', { from: '2026-11-21T00:00:00.000Z', to: '2026-11-22T00:00:00.000Z' }],
    ['', '2026-11-30', { error: 'Enter the first day of the period.' }],
    ['2026-11-01', '30/11/2026', { error: 'Enter the last day of the period.' }],
    ['2026-11-30', '2026-11-01', { error: 'The last day cannot be before the first.' }],
    ['2025-01-01', '2026-11-30', { error: 'A statement covers at most 366 days.' }],
  ])('%s to %s', (first, last, expected) => {
    expect(statementPeriod(first, last)).toEqual(expected);
  });
});

describe('a statement as the investor reads and downloads it', () => {
  it('sums money in and out per account, and checks they lead from opening to closing', () => {
    expect(summarise(statement).map((s) => [s.account.kind, s.moneyIn, s.moneyOut])).toEqual([['customer_cash', '25.5', '40'], ['customer_position', '10', '0']]);
    expect(() => summarise({ ...statement, accounts: [{ ...statement.accounts[0]!, closing: '85.49' }] })).toThrow('does not add up');
  });

  it('writes a CSV with a running balance, quoted text and no formulas', () => {
    expect(statementCsv(statement, (unit) => (unit === INSTRUMENT ? 'RAIN-CMB' : unit)).split('\r\n')).toEqual([
      'date,account,unit,description,reference,amount,balance',
      '2026-11-01T00:00:00.000Z,Available,USD,opening balance,,,100',
      '2026-11-02T10:00:00.000Z,Available,USD,deposit,"bank, ref ""42""",25.5,125.5',
      '2026-11-03T10:00:00.000Z,Available,USD,reservation,,-40,85.5',
      '2026-12-01T00:00:00.000Z,Available,USD,closing balance,,,85.5',
      '2026-11-01T00:00:00.000Z,Position,RAIN-CMB,opening balance,,,0',
      "2026-11-04T10:00:00.000Z,Position,RAIN-CMB,trade,'=cmd(),10,10",
      '2026-12-01T00:00:00.000Z,Position,RAIN-CMB,closing balance,,,10',
      '',
    ]);
    expect(csvText('-1+1')).toBe("'-1+1");
    expect(csvText('plain')).toBe('plain');
  });
});
