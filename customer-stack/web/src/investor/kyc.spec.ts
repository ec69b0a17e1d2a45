import { describe, expect, it } from '@jest/globals';
import { validateKyc } from './kyc.page';

const good = { givenNames: 'Nimal', familyName: 'Perera', dateOfBirth: '1985-12-05', line1: '12 Galle Road', city: 'Colombo', documentNumber: '853400937V' };
const today = new Date('2026-11-21T00:00:00Z');

describe('the KYC form says what is missing before the stack does', () => {
  it('accepts a complete form', () => {
    expect(validateKyc(good, today)).toEqual({});
  });

  it.each([
    ['givenNames', { givenNames: ' ' }],
    ['familyName', { familyName: '' }],
    ['dateOfBirth', { dateOfBirth: '05/12/1985' }],
    ['dateOfBirth', { dateOfBirth: '2030-01-01' }],
    ['line1', { line1: '' }],
    ['city', { city: '' }],
    ['documentNumber', { documentNumber: '85-34' }],
  ])('flags %s', (field, change) => {
    expect(Object.keys(validateKyc({ ...good, ...change }, today))).toEqual([field]);
  });
});
