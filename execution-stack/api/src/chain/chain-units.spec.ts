import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { formatUnits } from 'ethers';
import { toBaseUnits } from './chain.service.js';

describe('toBaseUnits', () => {
  it.each([
    ['0', 0n],
    ['1', 1_000_000n],
    ['10.5', 10_500_000n],
    ['0.000001', 1n],
    ['7.250000000000000000', 7_250_000n], // NUMERIC(38,18) spelling from Postgres
    ['123456789012345678901234567890', 123456789012345678901234567890000000n],
  ])('%s units are %d base units', (quantity, units) => {
    expect(toBaseUnits(quantity)).toBe(units);
  });

  it.each(['0.0000001', '-1', '1e3', '1.', '', ' 1'])('refuses %j', (quantity) => {
    expect(() => toBaseUnits(quantity)).toThrow();
  });

  it('round-trips every representable quantity', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), (units) => {
        expect(toBaseUnits(formatUnits(units, 6))).toBe(units);
      }),
    );
  });
});
