import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { decimal } from '@bulwark/shared-contracts';
import { netTokenLegs, tokenLegId, type GrossMovement, type TokenLeg } from './settlement-token-legs.js';

const BATCH = '6f1c0a52-3d4e-4b8a-9c1d-2e3f4a5b6c7d';
const WALLETS = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222', '33333333-3333-4333-8333-333333333333'];
const INSTRUMENTS = ['aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb'];
const [A, B, C] = WALLETS as [string, string, string];
const [X] = INSTRUMENTS as [string];

/** What each wallet gains (+) or gives (−) per instrument. */
function holdings(moves: readonly { instrumentId: string; fromRef: string; toRef: string; quantity: string }[]): Map<string, string> {
  const net = new Map<string, ReturnType<typeof decimal>>();
  const add = (key: string, q: ReturnType<typeof decimal>) => net.set(key, (net.get(key) ?? decimal('0')).plus(q));
  for (const m of moves) {
    add(`${m.instrumentId}/${m.toRef}`, decimal(m.quantity));
    add(`${m.instrumentId}/${m.fromRef}`, decimal(m.quantity).neg());
  }
  return new Map([...net].filter(([, q]) => !q.eq(decimal('0'))).map(([k, q]) => [k, q.toString()]));
}

describe('netTokenLegs', () => {
  it.each<[string, GrossMovement[], Omit<TokenLeg, 'settlementId' | 'batchRef'>[]]>([
    ['nothing moved', [], []],
    ['one way', [{ instrumentId: X, fromRef: A, toRef: B, quantity: '10' }], [{ instrumentId: X, fromRef: A, toRef: B, quantity: '10' }]],
    ['both ways, netted', [
      { instrumentId: X, fromRef: A, toRef: B, quantity: '10' }, { instrumentId: X, fromRef: B, toRef: A, quantity: '2.5' },
    ], [{ instrumentId: X, fromRef: A, toRef: B, quantity: '7.5' }]],
    ['both ways, more back', [
      { instrumentId: X, fromRef: A, toRef: B, quantity: '1' }, { instrumentId: X, fromRef: B, toRef: A, quantity: '3' },
    ], [{ instrumentId: X, fromRef: B, toRef: A, quantity: '2' }]],
    ['a pair that nets to zero moves nothing', [
      { instrumentId: X, fromRef: A, toRef: C, quantity: '4' }, { instrumentId: X, fromRef: C, toRef: A, quantity: '4.000' },
    ], []],
  ])('%s', (_name, movements, expected) => {
    const legs = netTokenLegs(BATCH, movements);
    expect(legs).toEqual(expected.map((l) => ({ ...l, settlementId: tokenLegId(BATCH, l.instrumentId, l.fromRef, l.toRef), batchRef: BATCH })));
  });

  it('refuses a movement to the same wallet or of nothing', () => {
    expect(() => netTokenLegs(BATCH, [{ instrumentId: X, fromRef: A, toRef: A, quantity: '1' }])).toThrow();
    expect(() => netTokenLegs(BATCH, [{ instrumentId: X, fromRef: A, toRef: B, quantity: '0' }])).toThrow();
  });

  it('conserves what every wallet gains and gives, with one leg per instrument and pair, in a stable order and with stable ids', () => {
    const movement = fc.record({
      instrumentId: fc.constantFrom(...INSTRUMENTS),
      pair: fc.constantFrom(...WALLETS.flatMap((f) => WALLETS.filter((t) => t !== f).map((t) => [f, t] as const))),
      quantity: fc.bigInt({ min: 1n, max: 10n ** 12n }).map((units) => decimal(units.toString()).div(decimal('1000000')).toString()),
    }).map(({ instrumentId, pair, quantity }): GrossMovement => ({ instrumentId, fromRef: pair[0], toRef: pair[1], quantity }));
    fc.assert(
      fc.property(fc.array(movement, { maxLength: 40 }), (movements) => {
        const legs = netTokenLegs(BATCH, movements);
        expect(holdings(legs)).toEqual(holdings(movements));
        const pairs = legs.map((l) => `${l.instrumentId}/${[l.fromRef, l.toRef].sort().join('/')}`);
        expect(new Set(pairs).size).toBe(legs.length);
        for (const leg of legs) expect(decimal(leg.quantity).gt(decimal('0'))).toBe(true);
        expect(netTokenLegs(BATCH, [...movements].reverse())).toEqual(legs);
        expect(new Set(legs.map((l) => l.settlementId)).size).toBe(legs.length);
      }),
    );
  });
});
