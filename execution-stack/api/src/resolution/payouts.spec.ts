// Payout rules: one line per case with figures worked by hand, then properties (fast-check):
// distributions and YES pay exactly quantity × per-unit, void refunds exactly what was paid for
// the units held when nothing was sold, and the order of the input never matters.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { decimal, sumDecimals } from '@bulwark/shared-contracts';
import { computePayouts, positionOf, type PayoutRule, type PositionLine } from './payouts.js';

const ref = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const tenant = ref(999);
const line = (n: number, boughtQuantity: string, soldQuantity: string, boughtNotional: string): PositionLine => ({
  tenantRef: tenant, accountRef: ref(n), boughtQuantity, soldQuantity, boughtNotional,
});
const summary = (rule: PayoutRule, lines: PositionLine[]) => computePayouts(rule, lines).map((p) => [p.accountRef.slice(-2), p.quantity, p.amountPerUnit, p.amount]);

describe('computePayouts: worked cases', () => {
  const lines = [line(1, '100', '40', '61'), line(2, '25', '0', '15.25'), line(3, '10', '10', '6')];
  it.each<[string, PayoutRule, (string | undefined)[][]]>([
    ['YES pays 1 per unit held; a closed position gets nothing', { kind: 'resolution', outcome: 'yes' }, [['01', '60', '1', '60'], ['02', '25', '1', '25']]],
    ['NO pays 0 per unit, still one payout per holder', { kind: 'resolution', outcome: 'no' }, [['01', '60', '0', '0'], ['02', '25', '0', '0']]],
    // 61 / 100 = 0.61 average; 60 × 0.61 = 36.6. 15.25 / 25 = 0.61; 25 × 0.61 = 15.25.
    ['VOID refunds the units held at the average buying price', { kind: 'resolution', outcome: 'void' }, [['01', '60', '0.61', '36.6'], ['02', '25', '0.61', '15.25']]],
    ['a distribution pays its amount per unit', { kind: 'distribution', amountPerUnit: '0.125' }, [['01', '60', '0.125', '7.5'], ['02', '25', '0.125', '3.125']]],
    ['a zero distribution pays 0', { kind: 'distribution', amountPerUnit: '0' }, [['01', '60', '0', '0'], ['02', '25', '0', '0']]],
  ])('%s', (_name, rule, expected) => {
    expect(summary(rule, lines)).toEqual(expected);
  });

  it('rounds a non-terminating void refund half-even at the 18th decimal, on the amount itself', () => {
    // Bought 3 for 1 (average 0.333…); holds 2: refund 2/3.
    expect(summary({ kind: 'resolution', outcome: 'void' }, [line(1, '3', '1', '1')])).toEqual([['01', '2', '0.333333333333333333', '0.666666666666666667']]);
  });

  it('refuses a position sold short (a broken invariant, not a refusal)', () => {
    expect(() => positionOf(line(1, '1', '2', '0.5'))).toThrow(/never sells more/);
  });

  it('refuses two lines for one account', () => {
    expect(() => computePayouts({ kind: 'resolution', outcome: 'yes' }, [line(1, '1', '0', '1'), line(1, '1', '0', '1')])).toThrow(/one position line/);
  });
});

const decimalText = (maxUnits: number, scale: number) =>
  fc.integer({ min: 0, max: maxUnits }).map((units) => (units / 10 ** scale === 0 ? '0' : decimal(String(units)).div(decimal(String(10 ** scale))).toString()));

const lineArb = fc.record({
  n: fc.integer({ min: 1, max: 1_000_000 }),
  bought: fc.integer({ min: 1, max: 1_000_000 }),
  soldShare: fc.integer({ min: 0, max: 100 }),
  price: decimalText(10_000, 4),
});
const linesArb = fc.uniqueArray(lineArb, { selector: (l) => l.n, minLength: 1, maxLength: 50 }).map((ls) =>
  ls.map((l) => {
    const sold = String(Math.floor((l.bought * l.soldShare) / 100));
    return line(l.n, String(l.bought), sold, decimal(String(l.bought)).times(decimal(l.price)).toString());
  }),
);

describe('computePayouts: properties', () => {
  it('a distribution pays exactly Σ held × per unit, and nothing to a closed position', () => {
    fc.assert(fc.property(linesArb, decimalText(1_000_000, 6), (lines, perUnit) => {
      const payouts = computePayouts({ kind: 'distribution', amountPerUnit: perUnit }, lines);
      const held = lines.map(positionOf).filter((q) => !decimal(q).eq(decimal('0')));
      expect(payouts.length).toBe(held.length);
      expect(sumDecimals(payouts.map((p) => p.amount))).toBe(decimal(sumDecimals(held)).times(decimal(perUnit)).toString());
    }));
  });

  it('YES pays exactly the units held; NO pays nothing', () => {
    fc.assert(fc.property(linesArb, (lines) => {
      const held = sumDecimals(lines.map(positionOf));
      expect(sumDecimals(computePayouts({ kind: 'resolution', outcome: 'yes' }, lines).map((p) => p.amount))).toBe(held);
      expect(sumDecimals(computePayouts({ kind: 'resolution', outcome: 'no' }, lines).map((p) => p.amount))).toBe('0');
    }));
  });

  it('VOID refunds exactly what was paid when nothing was sold', () => {
    fc.assert(fc.property(linesArb, (lines) => {
      const unsold = lines.map((l) => ({ ...l, soldQuantity: '0' }));
      const refunds = computePayouts({ kind: 'resolution', outcome: 'void' }, unsold);
      expect(sumDecimals(refunds.map((p) => p.amount))).toBe(sumDecimals(unsold.map((l) => l.boughtNotional)));
    }));
  });

  it('does not depend on the order of the lines', () => {
    fc.assert(fc.property(linesArb, (lines) => {
      const rule: PayoutRule = { kind: 'resolution', outcome: 'void' };
      expect(computePayouts(rule, [...lines].reverse())).toEqual(computePayouts(rule, lines));
    }));
  });
});
