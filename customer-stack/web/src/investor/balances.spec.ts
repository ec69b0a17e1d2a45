import { describe, expect, it } from '@jest/globals';
import type { AccountBalance, AccountKind } from '../shared/money-api';
import { balanceSheet } from './balances';

const INSTRUMENT = '0b7d9c1e-3f0a-4c55-8a61-2d4e6f8a9b10';
const account = (kind: AccountKind, unit: string, balance: string): AccountBalance => ({ accountId: `${kind}-${unit}`, kind, ownerRef: 'me', unit, balance });

describe('balances as the investor reads them', () => {
  it('is empty for a new account', () => {
    expect(balanceSheet([])).toEqual({ cash: [], positions: [] });
  });

  it('puts available and reserved side by side per currency, with an exact total', () => {
    const sheet = balanceSheet([
      account('customer_cash', 'USD', '0.1'),
      account('customer_reserved', 'USD', '0.2'),
      account('customer_cash', 'LKR', '30000.00'),
    ]);
    expect(sheet.cash).toEqual([
      { currency: 'LKR', available: '30000', reserved: '0', total: '30000' },
      { currency: 'USD', available: '0.1', reserved: '0.2', total: '0.3' },
    ]);
  });

  it('lists positions by instrument, leaving out closed ones and accounts that are not the customer\'s', () => {
    const sheet = balanceSheet([
      account('customer_position', INSTRUMENT, '12.5'),
      account('customer_position', 'closed-instrument', '0'),
      account('fees', 'USD', '3'),
    ]);
    expect(sheet).toEqual({ cash: [], positions: [{ instrumentId: INSTRUMENT, quantity: '12.5', reserved: '0' }] });
  });

  it('counts units an open sell order holds as a reserved position, not as cash', () => {
    const sheet = balanceSheet([
      account('customer_position', INSTRUMENT, '6'),
      account('customer_reserved', INSTRUMENT, '4'),
      account('customer_reserved', 'USD', '1.5'),
    ]);
    expect(sheet).toEqual({
      cash: [{ currency: 'USD', available: '0', reserved: '1.5', total: '1.5' }],
      positions: [{ instrumentId: INSTRUMENT, quantity: '6', reserved: '4' }],
    });
  });
});
