// Payouts from positions, exactly. Pure: no clock, no ids, no I/O.
//
// The rules, as a customer would read them:
//  - A position is what an account bought through its allocations minus what it sold.
//  - An event resolved YES pays 1 USD per unit held; NO pays 0 (a payout of 0 still closes the
//    position on the customer side); VOID refunds the units held at the account's average
//    buying price (Σ bought notional / Σ bought quantity).
//  - A distribution pays its amount per unit on the units held at the record date.
//  - amount = quantity × amount per unit, exact; only when that needs more than 18 decimals
//    (a void's average price rarely terminates) is it rounded half-even at the 18th. The amount,
//    not the per-unit figure, is what the ledger books.
import { assert, canonicalDecimal, decimal } from '@bulwark/shared-contracts';
import { SCALE_MAX } from '../allocation/scaled-decimal.js';
import type { ResolutionOutcome } from './resolution.views.js';

export { RESOLUTION_OUTCOMES, type ResolutionOutcome } from './resolution.views.js';

export type PayoutRule =
  | { readonly kind: 'resolution'; readonly outcome: ResolutionOutcome }
  | { readonly kind: 'distribution'; readonly amountPerUnit: string };

/** One account's trading in one instrument, summed from its allocations. */
export interface PositionLine {
  readonly tenantRef: string;
  readonly accountRef: string;
  readonly boughtQuantity: string;
  readonly soldQuantity: string;
  readonly boughtNotional: string;
}

export interface ComputedPayout {
  readonly tenantRef: string;
  readonly accountRef: string;
  /** Units held. */
  readonly quantity: string;
  readonly amountPerUnit: string;
  readonly amount: string;
}

const zero = decimal('0');
/** Half-even at the 18th decimal (big.js rounding mode 2). */
const round18 = (value: ReturnType<typeof decimal>): string => canonicalDecimal(value.round(SCALE_MAX, 2));

/** The position an account holds: bought − sold. Selling more than was bought is a broken invariant. */
export function positionOf(line: PositionLine): string {
  const held = decimal(line.boughtQuantity).minus(decimal(line.soldQuantity));
  assert(held.gte(zero), 'an account never sells more than it holds');
  return canonicalDecimal(held);
}

/** Payouts for every account that holds units, ordered by (tenantRef, accountRef). */
export function computePayouts(rule: PayoutRule, lines: readonly PositionLine[]): ComputedPayout[] {
  if (rule.kind === 'distribution') assert(decimal(rule.amountPerUnit).gte(zero), 'a distribution pays a non-negative amount');
  const seen = new Set<string>();
  const payouts: ComputedPayout[] = [];
  for (const line of lines) {
    const key = `${line.tenantRef}/${line.accountRef}`;
    assert(!seen.has(key), 'one position line per account');
    seen.add(key);
    const quantity = decimal(positionOf(line));
    if (quantity.eq(zero)) continue;
    let perUnit: ReturnType<typeof decimal>;
    let amount: ReturnType<typeof decimal>;
    if (rule.kind === 'distribution') {
      perUnit = decimal(rule.amountPerUnit);
      amount = quantity.times(perUnit);
    } else if (rule.outcome === 'void') {
      // Holding units means having bought some: the average price is defined.
      assert(decimal(line.boughtQuantity).gt(zero), 'a holder has bought');
      perUnit = decimal(line.boughtNotional).div(decimal(line.boughtQuantity));
      amount = quantity.times(decimal(line.boughtNotional)).div(decimal(line.boughtQuantity));
    } else {
      perUnit = decimal(rule.outcome === 'yes' ? '1' : '0');
      amount = quantity.times(perUnit);
    }
    payouts.push({ tenantRef: line.tenantRef, accountRef: line.accountRef, quantity: canonicalDecimal(quantity), amountPerUnit: round18(perUnit), amount: round18(amount) });
  }
  payouts.sort((a, b) => (a.tenantRef !== b.tenantRef ? (a.tenantRef < b.tenantRef ? -1 : 1) : a.accountRef < b.accountRef ? -1 : a.accountRef > b.accountRef ? 1 : 0));
  return payouts;
}
