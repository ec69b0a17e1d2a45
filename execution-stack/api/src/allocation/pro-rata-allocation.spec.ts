// Exact pro-rata allocation: table-driven cases with figures worked by hand, then properties
// over random pools (fast-check): conservation of lots and notional, caps, lot sizes,
// determinism under reordering, the tie-break, and the average price against big.js.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { allocationInputsHash, decimal, sumDecimals } from '@bulwark/shared-contracts';
import { allocate, inputsHashOf, largestRemainderLots, largestRemainderLotsSafe, type AllocationRequest, type PoolIntent, type VenueFill } from './pro-rata-allocation.js';

const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const intent = (n: number, openQuantity: string, acceptedSeq = n, limitPrice = '0.65'): PoolIntent => ({
  intentId: uuid(n), accountRef: uuid(1_000_000 + n), limitPrice, openQuantity, acceptedSeq,
});
const fill = (n: number, price: string, quantity: string): VenueFill => ({ fillRef: uuid(2_000_000 + n), price, quantity });
const request = (intents: PoolIntent[], fills: VenueFill[], lotSize = '1', feeBps = 0): AllocationRequest => ({
  omnibusOrderRef: uuid(9_999_999), instrumentId: uuid(8_888_888), side: 'buy', lotSize, feeBps, intents, fills,
});
const quantities = (result: ReturnType<typeof allocate>): Record<string, string> =>
  Object.fromEntries(result.allocations.map((a) => [a.intentId.slice(-4), a.quantity]));

describe('largestRemainderLots', () => {
  it.each([
    ['exact shares', 10n, [5n, 5n], [5n, 5n]],
    ['one lot left: the larger remainder wins', 10n, [7n, 5n, 3n], [5n, 3n, 2n]],
    ['equal remainders: the earlier intent wins', 1n, [1n, 1n, 1n], [1n, 0n, 0n]],
    ['two left over among three equal', 2n, [1n, 1n, 1n], [1n, 1n, 0n]],
    ['a full fill gives everyone everything', 15n, [7n, 5n, 3n], [7n, 5n, 3n]],
    ['nothing filled', 0n, [7n, 5n], [0n, 0n]],
  ] as const)('%s', (_name, fillLots, open, expected) => {
    expect(largestRemainderLots(fillLots, [...open])).toEqual([...expected]);
  });

  it('refuses a fill larger than the pool (a bug, not a refusal)', () => {
    expect(() => largestRemainderLots(11n, [5n, 5n])).toThrow(/never exceeds/);
  });
});

describe('allocate: worked examples', () => {
  it('splits 10 lots over 7/5/3 as 5/3/2 (Hamilton) at one price', () => {
    const result = allocate(request([intent(1, '7'), intent(2, '5'), intent(3, '3')], [fill(1, '0.6', '10')]));
    expect(quantities(result)).toEqual({ '0001': '5', '0002': '3', '0003': '2' });
    expect(result.allocations.map((a) => [a.notional, a.averagePrice, a.remainingQuantity])).toEqual([['3', '0.6', '2'], ['1.8', '0.6', '2'], ['1.2', '0.6', '1']]);
    expect(result).toMatchObject({ filledQuantity: '10', notional: '6' });
  });

  it('breaks an equal remainder by the earlier intent, then by the intent id', () => {
    // Three equal intents, one lot: seq decides; with equal seq the smaller id decides.
    expect(quantities(allocate(request([intent(3, '1', 1), intent(2, '1', 2), intent(1, '1', 3)], [fill(1, '0.6', '1')])))).toEqual({ '0003': '1' });
    expect(quantities(allocate(request([intent(3, '1', 5), intent(2, '1', 5), intent(1, '1', 5)], [fill(1, '0.6', '1')])))).toEqual({ '0001': '1' });
  });

  it('respects lot sizes: 25 units in lots of 5 over 10/10/10', () => {
    const result = allocate(request([intent(1, '10'), intent(2, '10'), intent(3, '10')], [fill(1, '0.6', '25')], '5'));
    expect(quantities(result)).toEqual({ '0001': '10', '0002': '10', '0003': '5' });
  });

  it('hands fill slices to earlier intents first and keeps the notional exact', () => {
    const result = allocate(request([intent(1, '2'), intent(2, '2')], [fill(1, '0.61', '1'), fill(2, '0.62', '2')], '1', 10));
    expect(result.allocations.map((a) => ({ q: a.quantity, n: a.notional, p: a.averagePrice, f: a.fee, refs: a.fillRefs.length }))).toEqual([
      { q: '2', n: '1.23', p: '0.615', f: '0.00123', refs: 2 },
      { q: '1', n: '0.62', p: '0.62', f: '0.00062', refs: 1 },
    ]);
    expect(result.notional).toBe('1.85');
  });

  it('rounds a non-terminating average half-even at 18 decimals; the notional stays exact', () => {
    const result = allocate(request([intent(1, '3')], [fill(1, '0.61', '1'), fill(2, '0.62', '2')]));
    expect(result.allocations[0]).toMatchObject({ notional: '1.85', averagePrice: '0.616666666666666667' });
  });

  it('takes the bigint path when products outgrow a double, with the same rule', () => {
    const huge = '900000000000000000'; // 9e17 lots of 1
    const result = allocate(request([intent(1, huge), intent(2, huge), intent(3, '1')], [fill(1, '0.61', '1000000000000000001')]));
    expect(quantities(result)).toEqual({ '0001': '500000000000000000', '0002': '500000000000000000', '0003': '1' });
    expect(result.notional).toBe('610000000000000000.61');
  });

  it('handles fractional lot sizes and prices with many decimals', () => {
    const result = allocate(request([intent(1, '0.003', 1, '101.125'), intent(2, '0.002', 2, '101.125')], [fill(1, '101.125', '0.004')], '0.001'));
    expect(quantities(result)).toEqual({ '0001': '0.002', '0002': '0.002' });
    expect(result.notional).toBe('0.4045');
  });

  it('carries an inputs hash the customer stack recomputes from its own intent and the figures', () => {
    const pool = [intent(1, '7'), intent(2, '5')];
    const result = allocate(request(pool, [fill(1, '0.6', '6')]));
    for (const allocation of result.allocations) {
      const own = pool.find((p) => p.intentId === allocation.intentId) as PoolIntent;
      expect(allocationInputsHash({
        intentId: own.intentId, accountRef: own.accountRef, instrumentId: uuid(8_888_888), side: 'buy', limitPrice: own.limitPrice,
        openQuantity: own.openQuantity, omnibusOrderRef: uuid(9_999_999), fillRefs: allocation.fillRefs, quantity: allocation.quantity,
        notional: allocation.notional, fee: allocation.fee, remainingQuantity: allocation.remainingQuantity,
      })).toBe(inputsHashOf(request(pool, []), allocation));
    }
  });

  it.each([
    ['a fill above the buy limit', request([intent(1, '5')], [fill(1, '0.66', '5')]), /within every pooled limit/],
    ['a fill that is not whole lots', request([intent(1, '10')], [fill(1, '0.6', '7')], '5'), /whole lots/],
    ['more filled than pooled', request([intent(1, '5')], [fill(1, '0.6', '6')]), /never exceeds/],
  ])('asserts on %s', (_name, bad, message) => {
    expect(() => allocate(bad)).toThrow(message);
  });
});

// Random pools: up to 40 intents, lots of 1..1000, a lot size, 1..5 fills at prices ≤ the limit.
const LOT_SIZES = ['1', '5', '0.01', '0.5', '100'];
const poolArbitrary = fc
  .record({
    lotSize: fc.constantFrom(...LOT_SIZES),
    openLots: fc.array(fc.integer({ min: 1, max: 1_000 }), { minLength: 1, maxLength: 40 }),
    seqs: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 40, maxLength: 40 }),
    fillShare: fc.double({ min: 0, max: 1, noNaN: true }),
    fillCount: fc.integer({ min: 1, max: 5 }),
    priceCents: fc.array(fc.integer({ min: 1, max: 65 }), { minLength: 5, maxLength: 5 }),
    feeBps: fc.integer({ min: 0, max: 50 }),
  })
  .map(({ lotSize, openLots, seqs, fillShare, fillCount, priceCents, feeBps }) => {
    const lot = decimal(lotSize);
    const total = openLots.reduce((s, l) => s + l, 0);
    const filled = Math.max(1, Math.floor(total * fillShare));
    // Split `filled` lots over fillCount fills (each ≥ 1 lot when possible).
    const parts = Math.min(fillCount, filled);
    const counts = Array.from({ length: parts }, (_, k) => Math.floor(filled / parts) + (k < filled % parts ? 1 : 0));
    const intents = openLots.map((l, k) => intent(k + 1, lot.times(decimal(String(l))).toString(), seqs[k] ?? 0));
    const fills = counts.map((c, k) => fill(k + 1, decimal(String(priceCents[k] ?? 1)).div(decimal('100')).toString(), lot.times(decimal(String(c))).toString()));
    return request(intents, fills, lotSize, feeBps);
  });

describe('allocate: properties', () => {
  it('conserves: Σ quantities = Σ fills and Σ notionals = Σ price × quantity, exactly', () => {
    fc.assert(fc.property(poolArbitrary, (req) => {
      const result = allocate(req);
      expect(decimal(sumDecimals(result.allocations.map((a) => a.quantity))).eq(decimal(sumDecimals(req.fills.map((f) => f.quantity))))).toBe(true);
      const fillNotional = req.fills.reduce((s, f) => s.plus(decimal(f.price).times(decimal(f.quantity))), decimal('0'));
      expect(decimal(sumDecimals(result.allocations.map((a) => a.notional))).eq(fillNotional)).toBe(true);
    }), { numRuns: 300 });
  });

  it('caps: no allocation above its open quantity; every quantity is whole lots; remaining = open − allocated', () => {
    fc.assert(fc.property(poolArbitrary, (req) => {
      const lot = decimal(req.lotSize);
      for (const a of allocate(req).allocations) {
        expect(decimal(a.quantity).gt(decimal('0')) && decimal(a.quantity).lte(decimal(a.openQuantity))).toBe(true);
        expect(decimal(a.quantity).mod(lot).eq(decimal('0'))).toBe(true);
        expect(decimal(a.remainingQuantity).eq(decimal(a.openQuantity).minus(decimal(a.quantity)))).toBe(true);
      }
    }), { numRuns: 300 });
  });

  it('is pro rata: each intent is within one lot of its exact share', () => {
    fc.assert(fc.property(poolArbitrary, (req) => {
      const result = allocate(req);
      const totalOpen = decimal(sumDecimals(req.intents.map((i) => i.openQuantity)));
      const filled = decimal(result.filledQuantity);
      const byId = new Map(result.allocations.map((a) => [a.intentId, decimal(a.quantity)]));
      for (const i of req.intents) {
        const exact = filled.times(decimal(i.openQuantity)).div(totalOpen);
        expect((byId.get(i.intentId) ?? decimal('0')).minus(exact).abs().lt(decimal(req.lotSize))).toBe(true);
      }
    }), { numRuns: 300 });
  });

  it('the safe-integer path and the bigint path give the same allocations', () => {
    fc.assert(fc.property(poolArbitrary, (req) => {
      expect(allocate(req, 'fast')).toEqual(allocate(req, 'exact'));
    }), { numRuns: 300 });
  });

  it('largestRemainderLotsSafe agrees with the bigint split', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 60 }), fc.double({ min: 0, max: 1, noNaN: true }), (open, share) => {
      const fillLots = Math.floor(open.reduce((s, l) => s + l, 0) * share);
      expect(largestRemainderLotsSafe(fillLots, open).map(BigInt)).toEqual(largestRemainderLots(BigInt(fillLots), open.map(BigInt)));
    }), { numRuns: 500 });
  });

  it('is deterministic: shuffling the pool changes nothing', () => {
    fc.assert(fc.property(poolArbitrary, fc.integer(), (req, seed) => {
      const shuffled = [...req.intents].sort((a, b) => ((a.intentId.charCodeAt(35) * 31 + seed) % 7) - ((b.intentId.charCodeAt(35) * 31 + seed) % 7));
      expect(allocate({ ...req, intents: shuffled })).toEqual(allocate(req));
    }), { numRuns: 200 });
  });

  it('average price × quantity = notional (within the 18th decimal) and lies between the fill prices', () => {
    fc.assert(fc.property(poolArbitrary, (req) => {
      const prices = req.fills.map((f) => decimal(f.price));
      const low = prices.reduce((m, p) => (p.lt(m) ? p : m));
      const high = prices.reduce((m, p) => (p.gt(m) ? p : m));
      for (const a of allocate(req).allocations) {
        const exact = decimal(a.notional).div(decimal(a.quantity));
        expect(decimal(a.averagePrice).minus(exact).abs().lte(decimal('0.0000000000000000005'))).toBe(true);
        expect(decimal(a.averagePrice).gte(low) && decimal(a.averagePrice).lte(high)).toBe(true);
      }
    }), { numRuns: 300 });
  });
});
