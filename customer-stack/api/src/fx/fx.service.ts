// FX quotes: every provider asked at once, each behind its own circuit breaker; stale or failed
// answers dropped; the best rate for the customer, the tenant's spread on top; the quote stored
// single-use with an expiry. Consuming a quote happens inside the transaction of the posting
// that uses it (whose idempotency key is the quote id), so both happen or neither does.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import CircuitBreaker from 'opossum';
import { assert, decimal, roundMoney, toFixedScale } from '@bulwark/shared-contracts';
import type { SqlTx } from '@bulwark/shared-contracts/wall';
import { AuditService, type AuditActor } from '../audit/audit.service.js';
import { TenantScope } from '../tenancy/tenant-scope.js';
import { FX_PRICE_DECIMALS, FX_SPREAD_BPS_MAX, pairFor, priceQuote } from './fx-pricing.js';
import { FxError } from './fx.errors.js';
import { RATE_PROVIDERS, type CurrencyPair, type FxCurrency, type ProviderRate, type RateProvider } from './rate-provider.js';

export interface FxOptions {
  readonly quoteTtlMs: number;
  /** A provider's rate older than this is stale and ignored. */
  readonly rateStaleAfterMs: number;
  readonly defaultSpreadBps: number;
  readonly providerTimeoutMs: number;
  /** How long a tripped breaker stays open before it lets one call try again. */
  readonly breakerResetMs: number;
  readonly clock: () => Date;
}

export const FX_OPTIONS = Symbol('FX_OPTIONS');
export const DEFAULT_FX_OPTIONS: FxOptions = Object.freeze({
  quoteTtlMs: 5 * 60_000,
  rateStaleAfterMs: 30_000,
  defaultSpreadBps: 50,
  providerTimeoutMs: 1_000,
  breakerResetMs: 10_000,
  clock: () => new Date(),
});
export const RATE_PROVIDERS_MAX = 8;
export const FX_SELL_AMOUNT_DIGITS_MAX = 20;

export interface QuoteRequest {
  readonly tenantId: string;
  readonly ownerRef: string;
  readonly sell: FxCurrency;
  readonly buy: FxCurrency;
  readonly sellAmount: string;
}

export interface FxQuote {
  readonly quoteId: string;
  readonly tenantId: string;
  readonly ownerRef: string;
  readonly sell: FxCurrency;
  readonly buy: FxCurrency;
  readonly sellAmount: string;
  readonly buyAmount: string;
  readonly price: string;
  readonly provider: string;
  readonly spreadBps: number;
  readonly expiresAt: Date;
}

interface QuoteRow {
  id: string;
  tenant_id: string;
  owner_ref: string;
  sell_currency: FxCurrency;
  buy_currency: FxCurrency;
  sell_amount: string;
  buy_amount: string;
  price: string;
  provider: string;
  spread_bps: number;
  status: 'open' | 'used';
  expires_at: Date;
}

const SYSTEM: AuditActor = Object.freeze({ actor: 'system:fx', role: 'system' });

@Injectable()
export class FxService {
  private readonly logger = new Logger('FxService');
  private readonly options: FxOptions;
  private readonly breakers: { provider: RateProvider; breaker: CircuitBreaker<[CurrencyPair], ProviderRate> }[];

  constructor(
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(TenantScope) private readonly tenants: TenantScope,
    @Inject(RATE_PROVIDERS) providers: readonly RateProvider[],
    @Optional() @Inject(FX_OPTIONS) options: FxOptions | null,
  ) {
    this.options = options ?? DEFAULT_FX_OPTIONS;
    assert(providers.length >= 1 && providers.length <= RATE_PROVIDERS_MAX, 'rate providers within limit');
    assert(this.options.quoteTtlMs > 0 && this.options.rateStaleAfterMs > 0, 'fx limits positive');
    this.breakers = providers.map((provider) => ({
      provider,
      breaker: new CircuitBreaker((pair: CurrencyPair) => provider.rate(pair), {
        name: provider.name,
        timeout: this.options.providerTimeoutMs,
        errorThresholdPercentage: 50,
        volumeThreshold: 3,
        resetTimeout: this.options.breakerResetMs,
      }),
    }));
  }

  /** Fresh rates from every provider that answered in time; stale and failed ones are left out. */
  async freshRates(pair: CurrencyPair): Promise<ProviderRate[]> {
    const now = this.options.clock().getTime();
    const answers = await Promise.allSettled(this.breakers.map(({ breaker }) => breaker.fire(pair)));
    const fresh: ProviderRate[] = [];
    answers.forEach((answer, index) => {
      const name = this.breakers[index]?.provider.name ?? '?';
      if (answer.status === 'rejected') {
        this.logger.warn({ msg: 'rate provider failed', provider: name, error: String(answer.reason) });
      } else if (now - answer.value.asOf.getTime() > this.options.rateStaleAfterMs) {
        this.logger.warn({ msg: 'rate provider is stale', provider: name, asOf: answer.value.asOf.toISOString() });
      } else {
        fresh.push(answer.value);
      }
    });
    return fresh;
  }

  /** Prices and stores a single-use quote. Throws FxError('no_rate') when no provider is fresh. */
  async quote(request: QuoteRequest, actor: AuditActor = SYSTEM): Promise<FxQuote> {
    const pair = pairFor(request.sell, request.buy);
    if (!pair) throw new FxError('pair_unsupported');
    const amount = decimal(request.sellAmount);
    assert(amount.gt(decimal('0')) && amount.round(0, 0).toString().length <= FX_SELL_AMOUNT_DIGITS_MAX, 'sell amount positive and within limit');
    const rates = await this.freshRates(pair);
    return this.tenants.run(request.tenantId, async (tx) => {
      const spreadBps = await this.spreadOf(tx, request.tenantId);
      const priced = priceQuote({ sell: request.sell, buy: request.buy, sellAmount: request.sellAmount, rates, spreadBps });
      if (!priced) throw new FxError('no_rate');
      if (!decimal(priced.buyAmount).gt(decimal('0')) || !decimal(priced.sellAmount).gt(decimal('0'))) throw new FxError('amount_too_small');
      const now = this.options.clock();
      const quote: FxQuote = {
        quoteId: randomUUID(),
        tenantId: request.tenantId,
        ownerRef: request.ownerRef,
        sell: request.sell,
        buy: request.buy,
        sellAmount: priced.sellAmount,
        buyAmount: priced.buyAmount,
        price: priced.price,
        provider: priced.provider,
        spreadBps,
        expiresAt: new Date(now.getTime() + this.options.quoteTtlMs),
      };
      await tx.query(
        `INSERT INTO fx_quote (id, tenant_id, owner_ref, sell_currency, buy_currency, sell_amount, buy_amount, price, provider, spread_bps, status, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', $11, $12)`,
        [
          quote.quoteId, quote.tenantId, quote.ownerRef, quote.sell, quote.buy, quote.sellAmount, quote.buyAmount, quote.price, quote.provider, spreadBps,
          quote.expiresAt.toISOString(), now.toISOString(),
        ],
      );
      await this.audit.record(tx, {
        tenantId: request.tenantId, ...actor, action: 'fx.quote.created', resource: `fx_quote:${quote.quoteId}`,
        diff: { sell: quote.sell, buy: quote.buy, sellAmount: quote.sellAmount, buyAmount: quote.buyAmount, price: quote.price, provider: quote.provider, spreadBps },
      });
      return quote;
    });
  }

  /**
   * Uses a quote up, inside the caller's transaction (the tenant set on it): the posting that
   * uses the quote must be made in the same transaction with the quote id as its idempotency key.
   * Throws FxError for a quote that is unknown, another customer's, used or expired.
   */
  async consume(tx: SqlTx, input: { tenantId: string; ownerRef: string; quoteId: string }, actor: AuditActor = SYSTEM): Promise<FxQuote> {
    const [row] = await tx.query<QuoteRow>(
      `SELECT id, tenant_id, owner_ref, sell_currency, buy_currency, sell_amount::text AS sell_amount, buy_amount::text AS buy_amount, price::text AS price,
              provider, spread_bps, status, expires_at
         FROM fx_quote WHERE id = $1 FOR UPDATE`,
      [input.quoteId],
    );
    if (!row || row.tenant_id !== input.tenantId) throw new FxError('quote_not_found');
    if (row.owner_ref !== input.ownerRef) throw new FxError('quote_foreign');
    if (row.status === 'used') throw new FxError('quote_used');
    const now = this.options.clock();
    if (row.expires_at.getTime() <= now.getTime()) throw new FxError('quote_expired');
    const moved = await tx.query(`UPDATE fx_quote SET status = 'used', used_at = $2 WHERE id = $1 AND status = 'open' RETURNING id`, [row.id, now.toISOString()]);
    assert(moved.length === 1, 'the locked open quote is marked used');
    await this.audit.record(tx, { tenantId: input.tenantId, ...actor, action: 'fx.quote.used', resource: `fx_quote:${row.id}` });
    return quoteOf(row);
  }

  /** The quote as stored (for a replay: the quote is used, its posting already made). */
  async find(tx: SqlTx, quoteId: string): Promise<(FxQuote & { status: 'open' | 'used' }) | null> {
    const [row] = await tx.query<QuoteRow>(
      `SELECT id, tenant_id, owner_ref, sell_currency, buy_currency, sell_amount::text AS sell_amount, buy_amount::text AS buy_amount, price::text AS price,
              provider, spread_bps, status, expires_at
         FROM fx_quote WHERE id = $1`,
      [quoteId],
    );
    return row ? { ...quoteOf(row), status: row.status } : null;
  }

  async spreadOf(tx: SqlTx, tenantId: string): Promise<number> {
    const [row] = await tx.query<{ spread_bps: number }>(`SELECT spread_bps FROM fx_spread WHERE tenant_id = $1`, [tenantId]);
    return row?.spread_bps ?? this.options.defaultSpreadBps;
  }

  async setSpread(tx: SqlTx, tenantId: string, spreadBps: number, actor: AuditActor): Promise<void> {
    if (!Number.isInteger(spreadBps) || spreadBps < 0 || spreadBps > FX_SPREAD_BPS_MAX) throw new FxError('spread_out_of_range');
    const before = await this.spreadOf(tx, tenantId);
    await tx.query(
      `INSERT INTO fx_spread (tenant_id, spread_bps, updated_at) VALUES ($1, $2, now()) ON CONFLICT (tenant_id) DO UPDATE SET spread_bps = EXCLUDED.spread_bps, updated_at = now()`,
      [tenantId, spreadBps],
    );
    await this.audit.record(tx, { tenantId, ...actor, action: 'fx.spread.changed', resource: `fx_spread:${tenantId}`, diff: { fromBps: before, toBps: spreadBps } });
  }
}

/** The quote as stored, in the same fixed scales quote() returned it with. */
function quoteOf(row: QuoteRow): FxQuote {
  return {
    quoteId: row.id,
    tenantId: row.tenant_id,
    ownerRef: row.owner_ref,
    sell: row.sell_currency,
    buy: row.buy_currency,
    sellAmount: roundMoney(row.sell_amount, row.sell_currency, 'down'),
    buyAmount: roundMoney(row.buy_amount, row.buy_currency, 'down'),
    price: toFixedScale(decimal(row.price), FX_PRICE_DECIMALS, 'down'),
    provider: row.provider,
    spreadBps: row.spread_bps,
    expiresAt: row.expires_at,
  };
}
