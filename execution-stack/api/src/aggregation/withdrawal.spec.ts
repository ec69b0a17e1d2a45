import { describe, expect, it } from '@jest/globals';
import { reductionOutcome } from './withdrawal.js';

describe('reductionOutcome', () => {
  it.each([
    ['nothing filled meanwhile: the leaving intents are withdrawn', { freshFilled: '0', stayingOpen: '40', working: true }, 'withdrawn'],
    ['fills the staying intents absorb: withdrawn, the fills are theirs', { freshFilled: '25', stayingOpen: '40', working: true }, 'withdrawn'],
    ['fills exactly what stays, the order ends at the venue: withdrawn', { freshFilled: '40', stayingOpen: '40', working: false }, 'withdrawn'],
    ['nobody stays and nothing filled: withdrawn', { freshFilled: '0', stayingOpen: '0', working: false }, 'withdrawn'],
    ['more filled than the staying intents can take: the order ended, the round is shared', { freshFilled: '41', stayingOpen: '40', working: false }, 'order_ended'],
    ['fractional lots are compared exactly', { freshFilled: '0.000000000000000002', stayingOpen: '0.000000000000000001', working: false }, 'order_ended'],
  ] as const)('%s', (_name, report, expected) => {
    expect(reductionOutcome(report)).toBe(expected);
  });

  it('refuses a report in which the venue kept the order resting though it could not take the whole reduction', () => {
    expect(() => reductionOutcome({ freshFilled: '41', stayingOpen: '40', working: true })).toThrow(/ended at the venue/);
  });

  it('refuses negative quantities', () => {
    expect(() => reductionOutcome({ freshFilled: '-1', stayingOpen: '40', working: true })).toThrow(/not negative/);
  });
});
