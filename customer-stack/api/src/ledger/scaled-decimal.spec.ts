import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { canonicalDecimal, decimal } from '@bulwark/shared-contracts';
import { canonicalDecimalText, fromScaled, toScaled } from './scaled-decimal.js';

describe('scaled decimals', () => {
  it.each([
    ['0', 0n, '0'],
    ['1', 10n ** 18n, '1'],
    ['0.01', 10n ** 16n, '0.01'],
    ['-12.50', -125n * 10n ** 17n, '-12.5'],
    ['0.000000000000000001', 1n, '0.000000000000000001'],
    ['99999999999999999999.999999999999999999', 10n ** 38n - 1n, '99999999999999999999.999999999999999999'],
  ])('%s', (text, scaled, canonical) => {
    expect(toScaled(text)).toBe(scaled);
    expect(fromScaled(scaled)).toBe(canonical);
    expect(canonicalDecimalText(text)).toBe(canonical === '-12.5' ? '-12.5' : canonical);
  });

  it.each(['1e3', '01', '1.', '.5', '', ' 1', '1.0000000000000000001', '+1', 'NaN'])('refuses %j', (text) => {
    expect(() => toScaled(text)).toThrow();
  });

  it('agrees with big.js on sums', () => {
    const text = fc
      .tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: 0, max: 18 }))
      .map(([n, s]) => canonicalDecimal(decimal(n.toString()).div(decimal((10n ** BigInt(s)).toString()))));
    fc.assert(fc.property(fc.array(text, { maxLength: 20 }), (texts) => {
      const viaBig = texts.reduce((sum, t) => sum.plus(decimal(t)), decimal('0'));
      expect(fromScaled(texts.reduce((sum, t) => sum + toScaled(t), 0n))).toBe(canonicalDecimal(viaBig));
      for (const t of texts) expect(canonicalDecimalText(t)).toBe(canonicalDecimal(t));
    }));
  });
});
