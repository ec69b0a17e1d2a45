// Fixed-point helpers: parse and format round-trip against big.js, half-even division.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { decimal } from '@bulwark/shared-contracts';
import { divideHalfEven, formatScaled, parseScaled, roundScaled } from './scaled-decimal.js';

describe('scaled decimals', () => {
  it.each([
    ['12.340', 12340n, 3, '12.34'],
    ['0', 0n, 0, '0'],
    ['-0.05', -5n, 2, '-0.05'],
    ['1000', 1000n, 0, '1000'],
  ])('%s parses to %s at scale %s and formats as %s', (text, units, scale, formatted) => {
    expect(parseScaled(text)).toEqual({ units, scale });
    expect(formatScaled(units, scale)).toBe(formatted);
  });

  it('formats exactly what big.js prints for any units and scale', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.integer({ min: 0, max: 18 }), (units, scale) => {
      expect(formatScaled(units, scale)).toBe(decimal(units.toString()).div(decimal(`1${'0'.repeat(scale)}`)).toString());
    }));
  });

  it.each([
    [1n, 3n, 2, 33n],
    [2n, 3n, 2, 67n],
    [1n, 8n, 2, 12n], // 0.125 → 0.12 (half to even)
    [3n, 8n, 2, 38n], // 0.375 → 0.38 (half to even)
    [10n, 4n, 0, 2n], // 2.5 → 2
  ])('%s / %s at scale %s is %s (half-even)', (n, d, scale, expected) => {
    expect(divideHalfEven(n, d, scale)).toBe(expected);
  });

  it('rounds down in scale half-even and widens exactly', () => {
    expect(roundScaled(12345n, 4, 2)).toBe(123n);
    expect(roundScaled(12350n, 4, 2)).toBe(124n);
    expect(roundScaled(12250n, 4, 2)).toBe(122n);
    expect(roundScaled(5n, 1, 3)).toBe(500n);
  });
});
