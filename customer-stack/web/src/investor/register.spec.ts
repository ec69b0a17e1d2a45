import { describe, expect, it } from '@jest/globals';
import { validateRegistration } from './register.page';

describe('registration form checks (the stack checks again)', () => {
  it.each([
    ['a good form', 'ana@example.lk', 'twelve chars', 'twelve chars', {}],
    ['a bad email', 'ana@', 'twelve chars', 'twelve chars', { email: 'Enter an email address like name@example.com.' }],
    ['a short password', 'ana@example.lk', 'short', 'short', { password: 'Use at least 12 characters.' }],
    ['a too long password', 'ana@example.lk', 'x'.repeat(129), 'x'.repeat(129), { password: 'Use at most 128 characters.' }],
    ['a mismatch', 'ana@example.lk', 'twelve chars', 'twelve charz', { confirm: 'The two passwords differ.' }],
  ])('%s', (_why, email, password, confirm, expected) => {
    expect(validateRegistration(email, password, confirm)).toEqual(expected);
  });
});
