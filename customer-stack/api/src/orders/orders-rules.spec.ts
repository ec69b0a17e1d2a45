import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { decimal } from '@bulwark/shared-contracts';
import { allocationOrder, buyReservationUsd, intentExpiry, placementRefusal, usageUsd, utcDayStart, type PlacementFacts } from './orders-rules.js';

describe('buyReservationUsd', () => {
  it.each([
    ['10', '0.55', 10, '5.5055'],
    ['3', '0.55', 0, '1.65'],
    ['7', '0.6', 100, '4.242'],
    ['1', '1', 1_000, '1.1'],
  ])('%s × %s at %i bps → %s', (quantity, price, feeBps, expected) => {
    expect(buyReservationUsd(quantity, price, feeBps)).toBe(expected);
  });

  it('covers notional plus the fee the execution stack can charge, exactly, for any fill at or under the limit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 1_000 }), (units, cents, feeBps) => {
        const price = decimal(String(cents)).div(decimal('100')).toString();
        const reserved = decimal(buyReservationUsd(String(units), price, feeBps));
        const notional = decimal(String(units)).times(decimal(price));
        expect(reserved.eq(notional.plus(notional.times(decimal(String(feeBps))).div(decimal('10000'))))).toBe(true);
      }),
    );
  });

  it('refuses a fee rate past the cap', () => {
    expect(() => buyReservationUsd('1', '1', 1_001)).toThrow(/fee rate/);
  });
});

describe('usageUsd', () => {
  const base = { quantity: '10', limitPrice: '0.55', notional: '2.7' };
  it.each([
    ['submitted', '5.5'],
    ['accepted', '5.5'],
    ['cancel_requested', '5.5'],
    ['expire_requested', '5.5'],
    ['filled', '5.5'],
    ['cancelled', '2.7'],
    ['expired', '2.7'],
    ['rejected', '0'],
  ] as const)('%s counts %s', (status, expected) => {
    expect(usageUsd({ ...base, status })).toBe(expected);
  });
});

describe('placementRefusal', () => {
  const ok: PlacementFacts = {
    kycStatus: 'approved', frozen: false, dailyTradeLimitUsd: '1000.00', usedTodayUsd: '400', intentUsd: '600', placedInWindow: 4, velocityMax: 5,
  };
  it.each([
    ['everything in order (exactly at the limit)', {}, null],
    ['KYC pending', { kycStatus: 'pending' }, 'kyc_not_approved'],
    ['KYC not started, and frozen', { kycStatus: 'not_started', frozen: true }, 'kyc_not_approved'],
    ['frozen', { frozen: true }, 'account_frozen'],
    ['one cent over the daily limit', { intentUsd: '600.01' }, 'daily_limit_exceeded'],
    ['tier 0 (no trading)', { dailyTradeLimitUsd: '0.00', usedTodayUsd: '0' }, 'daily_limit_exceeded'],
    ['too many in the window', { placedInWindow: 5 }, 'velocity_exceeded'],
  ] as const)('%s → %s', (_name, change, expected) => {
    expect(placementRefusal({ ...ok, ...change })).toBe(expected);
  });
});

describe('allocationOrder', () => {
  it.each([
    ['10', '6', '4', 'next'],
    ['4', '4', '0', 'next'],
    ['10', '2', '2', 'early'],
    ['4', '6', '4', 'conflict'],
    ['10.0', '6.00', '4', 'next'],
  ] as const)('open %s, allocation %s leaving %s → %s', (open, quantity, remainingQuantity, expected) => {
    expect(allocationOrder(open, { quantity, remainingQuantity })).toBe(expected);
  });
});

describe('utcDayStart', () => {
  it('is midnight UTC of the same day', () => {
    expect(utcDayStart(new Date('2026-03-01T23:59:59.999Z')).toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(utcDayStart(new Date('2026-03-02T00:00:00.000Z')).toISOString()).toBe('2026-03-02T00:00:00.000Z');
  });
});

describe('intentExpiry', () => {
  const now = new Date('2026-03-01T12:00:00.000Z');
  const ttl = { gtcTtlMs: 86_400_000, immediateTtlMs: 60_000 };
  it.each([
    ['GTC lives its TTL', 'GTC', undefined, { expiresAt: new Date('2026-03-02T12:00:00.000Z') }],
    ['IOC lives the immediate TTL', 'IOC', undefined, { expiresAt: new Date('2026-03-01T12:01:00.000Z') }],
    ['FOK lives the immediate TTL', 'FOK', undefined, { expiresAt: new Date('2026-03-01T12:01:00.000Z') }],
    ['GTD lives until the time it names', 'GTD', '2026-03-01T18:30:00.000Z', { expiresAt: new Date('2026-03-01T18:30:00.000Z') }],
    ['GTD may name the GTC horizon itself', 'GTD', '2026-03-02T12:00:00.000Z', { expiresAt: new Date('2026-03-02T12:00:00.000Z') }],
    ['GTD beyond the GTC horizon is refused', 'GTD', '2026-03-02T12:00:00.001Z', { refusal: 'expiresAt is at most 86400000 ms ahead (as long as a GTC intent lives)' }],
    ['GTD in the past is refused', 'GTD', '2026-03-01T11:59:59.999Z', { refusal: 'expiresAt must be after submittedAt' }],
    ['GTD now is refused', 'GTD', '2026-03-01T12:00:00.000Z', { refusal: 'expiresAt must be after submittedAt' }],
    ['GTD without a time is refused', 'GTD', undefined, { refusal: 'a GTD intent needs expiresAt' }],
    ['GTC with a time is refused', 'GTC', '2026-03-01T18:30:00.000Z', { refusal: 'only a GTD intent carries expiresAt' }],
  ] as const)('%s', (_name, timeInForce, expiresAt, expected) => {
    expect(intentExpiry(timeInForce, expiresAt, now, ttl)).toEqual(expected);
  });
});
