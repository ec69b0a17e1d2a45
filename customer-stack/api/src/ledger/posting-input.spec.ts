import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { PostingInput } from './ledger.types.js';
import { parsePosting } from './posting-input.js';

const uuid = fc.uuid().map((u) => u.toLowerCase());
/** Values near every field's limits, valid and not, so the two parsers are compared where they could differ. */
const anyValue = fc.oneof(
  uuid, fc.constant(null), fc.constant(undefined), fc.string({ maxLength: 5 }), fc.integer(), fc.constant(''),
  fc.constantFrom('USD', 'LKR', 'XXX', 'debit', 'credit', 'Debit', 'omnibus', 'customer_cash', 'transfer', 'deposit'),
  fc.constantFrom('0', '0.0', '1', '01', '1.', '.5', '0.000000000000000001', '0.0000000000000000001', '1e3', '-1', ' 1', `1${'0'.repeat(29)}`, `1${'0'.repeat(30)}`),
  fc.constantFrom('A0000000-0000-4000-8000-000000000000', 'x'.repeat(128), 'x'.repeat(129), 'r'.repeat(200), 'r'.repeat(201)),
);
/** Each field valid, or (when `wild`) anything near its limits. */
const postingOf = (wild: boolean) => {
  const or = <T,>(valid: fc.Arbitrary<T>) => (wild ? fc.oneof(valid, anyValue) : valid);
  const optional = wild ? { requiredKeys: [] } : {};
  const account = fc.record({
    kind: or(fc.constantFrom('customer_cash', 'customer_reserved', 'customer_position', 'omnibus', 'fees', 'bank_clearing', 'payouts', 'fx_conversion')),
    ownerRef: or(fc.oneof(uuid, fc.constant(null))),
    unit: or(fc.oneof(fc.constantFrom('USD', 'LKR', 'EUR', 'GBP'), uuid)),
  }, optional);
  const leg = fc.record({ account: or(account), side: or(fc.constantFrom('debit', 'credit')), amount: or(fc.constantFrom('1', '0.01', '10.50', '1000000')) }, optional);
  const withExtraKey = <T extends object>(arb: fc.Arbitrary<T>) =>
    wild ? fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: arb.map((value) => ({ ...value, extra: 1 })) }) : arb;
  return withExtraKey(fc.record({
    tenantId: or(uuid),
    idempotencyKey: or(fc.string({ minLength: 1, maxLength: 12 })),
    kind: or(fc.constantFrom('transfer', 'deposit', 'reversal')),
    reference: or(fc.oneof(fc.constant(null), fc.string({ maxLength: 8 }))),
    legs: or(fc.array(withExtraKey(leg), { minLength: wild ? 0 : 2, maxLength: wild ? 17 : 16 })),
  }, wild ? { requiredKeys: ['legs'] } : { requiredKeys: ['tenantId', 'idempotencyKey', 'kind', 'legs'] }));
};
const posting = fc.oneof(postingOf(false), postingOf(true));

const verdict = (parse: () => unknown) => {
  try {
    return { ok: true, value: parse() };
  } catch (error) {
    return { ok: false, error: (error as Error).name };
  }
};

describe('parsePosting', () => {
  it('answers exactly as PostingInput.parse on any input: the same copy, or the same kind of error', () => {
    fc.assert(
      fc.property(posting, (input) => {
        expect(verdict(() => parsePosting(input as PostingInput))).toEqual(verdict(() => PostingInput.parse(input)));
      }),
      { numRuns: 4_000 },
    );
  });

  it('copies a valid posting (the caller may change its input afterwards)', () => {
    const input: PostingInput = {
      tenantId: '00000000-0000-4000-8000-000000000001', idempotencyKey: 'k', kind: 'transfer',
      legs: [
        { account: { kind: 'omnibus', ownerRef: null, unit: 'USD' }, side: 'debit', amount: '1' },
        { account: { kind: 'fees', ownerRef: null, unit: 'USD' }, side: 'credit', amount: '1' },
      ],
    };
    const parsed = parsePosting(input);
    expect(parsed).toEqual({ ...input, reference: null });
    expect(parsed.legs[0]).not.toBe(input.legs[0]);
    expect(parsed.legs[0]?.account).not.toBe(input.legs[0]?.account);
  });
});
