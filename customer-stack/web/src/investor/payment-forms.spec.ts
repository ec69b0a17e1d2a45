import { describe, expect, it } from '@jest/globals';
import { bareAccount, validateWithdrawal, type WithdrawalForm } from './payment-forms';

const good: WithdrawalForm = { amount: '50.25', name: 'Nimal Perera', accountNumber: '8001 2345 6789', bankCode: '7010', country: 'LK', totpCode: '123456' };

describe('the withdrawal form says what the stack would refuse, before it does', () => {
  it('accepts a complete form, with an account number typed with spaces', () => {
    expect(validateWithdrawal(good, '100')).toEqual({});
    expect(bareAccount('lk-8001 2345')).toBe('LK80012345');
  });

  it.each([
    ['amount', { amount: '' }, 'Enter how many USD to withdraw.'],
    ['amount', { amount: '10.005' }, 'Enter a USD amount like 50 or 50.25 (at most two decimals).'],
    ['amount', { amount: '-5' }, 'Enter a USD amount like 50 or 50.25 (at most two decimals).'],
    ['amount', { amount: '0.00' }, 'Enter an amount above zero.'],
    ['amount', { amount: '100.01' }, 'You have 100 USD available to withdraw.'],
    ['name', { name: ' N ' }, 'Enter the account holder\'s name as the bank knows it.'],
    ['accountNumber', { accountNumber: '12' }, 'Enter the account number or IBAN: 4 to 34 letters and digits.'],
    ['bankCode', { bankCode: 'X' }, 'A bank or branch code (or BIC) is 2 to 11 letters and digits.'],
    ['country', { country: '' }, 'Choose the bank\'s country.'],
    ['totpCode', { totpCode: '12345' }, 'Enter the 6-digit code your authenticator app shows now.'],
  ] as const)('flags %s: %j', (field, change, message) => {
    expect(validateWithdrawal({ ...good, ...change }, '100')).toEqual({ [field]: message });
  });

  it('leaves the bank code optional', () => {
    expect(validateWithdrawal({ ...good, bankCode: '' }, '100')).toEqual({});
  });
});
