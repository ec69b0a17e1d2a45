// FX on real Postgres: best-of-N quoting behind breakers with the tenant's spread, no quote when
// every provider is stale or down, and single-use expiring quotes consumed atomically with the
// ledger posting that uses them (the quote id is the posting's idempotency key).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { canonicalDecimal } from '@bulwark/shared-contracts';
import { FxService, DEFAULT_FX_OPTIONS } from '../src/fx/fx.service.js';
import { SandboxRateProvider } from '../src/fx/sandbox-rate-provider.js';
import type { FxQuote } from '../src/fx/fx.service.js';
import { startLedger, type LedgerHarness } from './support/ledger-harness.js';

let h: LedgerHarness;
let fx: FxService;
let now = new Date('2026-01-05T10:00:00.000Z');
const clock = () => now;
const alpha = new SandboxRateProvider({ name: 'alpha', mids: { 'USD/LKR': '300.00' }, spreadBps: 0, clock });
const beta = new SandboxRateProvider({ name: 'beta', mids: { 'USD/LKR': '301.00' }, spreadBps: 0, clock });
const admin = { actor: 'user:test-admin', role: 'admin' };

beforeAll(async () => {
  Logger.overrideLogger(false); // provider failures are logged by design; keep the test output clean
  h = await startLedger();
  fx = new FxService(h.audit, h.tenants, [alpha, beta], { ...DEFAULT_FX_OPTIONS, clock, breakerResetMs: 60_000 });
});
afterAll(async () => {
  await h?.close();
});

const lkrToUsd = (tenantId: string, ownerRef: string, sellAmount = '30000.00') => fx.quote({ tenantId, ownerRef, sell: 'LKR', buy: 'USD', sellAmount });

/** A deposit booked at the quote, in one transaction with the quote's consumption. */
const settle = (quote: FxQuote, ownerRef = quote.ownerRef, fail = false) =>
  h.inTenant(quote.tenantId, async (tx) => {
    const used = await fx.consume(tx, { tenantId: quote.tenantId, ownerRef, quoteId: quote.quoteId });
    const result = await h.ledger.post(tx, {
      tenantId: quote.tenantId, idempotencyKey: used.quoteId, kind: 'deposit', reference: `quote:${used.quoteId}`,
      legs: [
        { account: { kind: 'bank_clearing', ownerRef: null, unit: 'LKR' }, side: 'debit', amount: used.sellAmount },
        { account: { kind: 'fx_conversion', ownerRef: null, unit: 'LKR' }, side: 'credit', amount: used.sellAmount },
        { account: { kind: 'fx_conversion', ownerRef: null, unit: 'USD' }, side: 'debit', amount: used.buyAmount },
        { account: { kind: 'customer_cash', ownerRef: used.ownerRef, unit: 'USD' }, side: 'credit', amount: used.buyAmount },
      ],
    });
    if (fail) throw new Error('the rest of the deposit failed');
    return result;
  });

describe('quotes', () => {
  it('takes the best provider (lowest ask buying USD) and adds the tenant spread', async () => {
    const tenantId = randomUUID();
    const quote = await lkrToUsd(tenantId, randomUUID());
    expect(quote).toMatchObject({ provider: 'alpha', spreadBps: 50, price: '301.50000000', sellAmount: '30000.00', buyAmount: '99.50' });
    expect(quote.expiresAt.getTime() - now.getTime()).toBe(5 * 60_000);
    await h.inTenant(tenantId, (tx) => fx.setSpread(tx, tenantId, 0, admin));
    expect(await lkrToUsd(tenantId, randomUUID())).toMatchObject({ spreadBps: 0, price: '300.00000000', buyAmount: '100.00' });
    await expect(h.inTenant(tenantId, (tx) => fx.setSpread(tx, tenantId, 1_001, admin))).rejects.toThrow(/between 0 and 1000/);
  });

  it('quotes from the providers still fresh, and gives no quote when all are stale or down', async () => {
    const tenantId = randomUUID();
    alpha.setStaleBy(31_000);
    try {
      expect(await lkrToUsd(tenantId, randomUUID())).toMatchObject({ provider: 'beta' });
      beta.setFailing(true);
      await expect(lkrToUsd(tenantId, randomUUID())).rejects.toMatchObject({ code: 'no_rate' });
      alpha.setStaleBy(0);
      expect(await lkrToUsd(tenantId, randomUUID())).toMatchObject({ provider: 'alpha' });
    } finally {
      alpha.setStaleBy(0);
      beta.setFailing(false);
    }
  });

  it('opens the breaker of a failing provider so it is not called again until reset', async () => {
    const flaky = new SandboxRateProvider({ name: 'flaky', mids: { 'USD/LKR': '299.00' }, spreadBps: 0, clock });
    let calls = 0;
    const counted = { name: 'flaky', rate: (pair: Parameters<typeof flaky.rate>[0]) => ((calls += 1), flaky.rate(pair)) };
    const local = new FxService(h.audit, h.tenants, [counted, beta], { ...DEFAULT_FX_OPTIONS, clock, breakerResetMs: 60_000 });
    flaky.setFailing(true);
    for (let i = 0; i < 5; i++) await local.freshRates({ base: 'USD', quote: 'LKR' });
    expect(calls).toBeLessThan(5);
    flaky.setFailing(false);
    expect((await local.freshRates({ base: 'USD', quote: 'LKR' })).map((r) => r.provider)).toEqual(['beta']);
  });

  it('refuses pairs it does not quote', async () => {
    await expect(fx.quote({ tenantId: randomUUID(), ownerRef: randomUUID(), sell: 'LKR', buy: 'EUR', sellAmount: '1' })).rejects.toMatchObject({ code: 'pair_unsupported' });
  });
});

describe('consuming a quote', () => {
  it('settles at exactly the quote, once: a second use is refused and the ledger holds one posting', async () => {
    const owner = randomUUID();
    const quote = await lkrToUsd(randomUUID(), owner);
    expect(await settle(quote)).toMatchObject({ status: 'posted', replayed: false });
    await expect(settle(quote)).rejects.toMatchObject({ code: 'quote_used' });
    const balance = await h.inTenant(quote.tenantId, (tx) => h.ledger.balance(tx, quote.tenantId, { kind: 'customer_cash', ownerRef: owner, unit: 'USD' }));
    expect(balance).toBe(canonicalDecimal(quote.buyAmount));
  });

  it('leaves the quote unused when the transaction that used it rolls back', async () => {
    const quote = await lkrToUsd(randomUUID(), randomUUID());
    await expect(settle(quote, quote.ownerRef, true)).rejects.toThrow(/failed/);
    expect(await h.inTenant(quote.tenantId, (tx) => fx.find(tx, quote.quoteId))).toMatchObject({ status: 'open' });
    expect(await settle(quote)).toMatchObject({ status: 'posted' });
  });

  it.each([
    ['expired', async (quote: FxQuote) => { now = new Date(quote.expiresAt.getTime()); return settle(quote); }, 'quote_expired'],
    ['another customer’s', (quote: FxQuote) => settle(quote, randomUUID()), 'quote_foreign'],
    ['another tenant’s', (quote: FxQuote) => settle({ ...quote, tenantId: randomUUID() }), 'quote_not_found'],
  ] as const)('refuses an %s quote with a coded error', async (_name, use, code) => {
    const before = now;
    try {
      const quote = await lkrToUsd(randomUUID(), randomUUID());
      await expect(use(quote)).rejects.toMatchObject({ code });
    } finally {
      now = before;
    }
  });
});
