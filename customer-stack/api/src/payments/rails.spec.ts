import { describe, expect, it } from '@jest/globals';
import { CEFTS_LIMIT_LKR, detectRail, type RailInput } from './rails.js';

// One line per case: currency, from, to, amount, urgency → rail.
const CASES: readonly [RailInput['currency'], string, string, string, RailInput['urgency'], string][] = [
  ['LKR', 'LK', 'LK', '3019.03', 'standard', 'CEFTS'],
  ['LKR', 'LK', 'LK', CEFTS_LIMIT_LKR, 'standard', 'CEFTS'],
  ['LKR', 'LK', 'LK', '5000000.01', 'standard', 'SLIPS'],
  ['LKR', 'LK', 'LK', '100.00', 'bulk', 'SLIPS'],
  ['LKR', 'LK', 'IN', '100.00', 'standard', 'SWIFT'],
  ['LKR', 'GB', 'LK', '100.00', 'standard', 'SWIFT'],
  ['GBP', 'GB', 'GB', '2500.00', 'standard', 'FPS'],
  ['GBP', 'GB', 'FR', '2500.00', 'standard', 'SWIFT'],
  ['GBP', 'LK', 'LK', '10.00', 'standard', 'SWIFT'],
  ['EUR', 'DE', 'FR', '10.00', 'standard', 'SEPA'],
  ['EUR', 'NO', 'CH', '10.00', 'bulk', 'SEPA'],
  ['EUR', 'GB', 'IE', '10.00', 'standard', 'SEPA'],
  ['EUR', 'DE', 'US', '10.00', 'standard', 'SWIFT'],
  ['EUR', 'LK', 'LK', '10.00', 'standard', 'SWIFT'],
  ['USD', 'US', 'US', '10.00', 'standard', 'ACH'],
  ['USD', 'US', 'LK', '10.00', 'standard', 'SWIFT'],
  ['USD', 'LK', 'LK', '10.00', 'standard', 'SWIFT'],
];

describe('detectRail', () => {
  it.each(CASES)('%s %s→%s %s (%s) goes by %s', (currency, fromCountry, toCountry, amount, urgency, rail) => {
    expect(detectRail({ currency, fromCountry, toCountry, amount, urgency })).toBe(rail);
  });

  it('refuses what is not a rail question: a country that is not alpha-2, an amount off the currency scale or not positive', () => {
    expect(() => detectRail({ currency: 'LKR', fromCountry: 'LKA', toCountry: 'LK', amount: '1.00', urgency: 'standard' })).toThrow(/alpha-2/);
    expect(() => detectRail({ currency: 'LKR', fromCountry: 'LK', toCountry: 'LK', amount: '1.001', urgency: 'standard' })).toThrow(/scale/);
    expect(() => detectRail({ currency: 'USD', fromCountry: 'US', toCountry: 'US', amount: '0', urgency: 'standard' })).toThrow(/positive/);
  });
});
