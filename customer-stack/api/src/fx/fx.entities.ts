// FX quotes (single-use, expiring) and each tenant's spread.
import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity({ name: 'fx_quote' })
@Index('fx_quote_owner_created', ['ownerRef', 'createdAt'])
@Check('fx_quote_status', `"status" IN ('open', 'used')`)
@Check('fx_quote_used', `("status" = 'used') = ("used_at" IS NOT NULL)`)
@Check('fx_quote_amounts', `"sell_amount" > 0 AND "buy_amount" > 0 AND "price" > 0`)
@Check('fx_quote_currencies', `"sell_currency" <> "buy_currency"`)
export class FxQuoteEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'owner_ref', type: 'uuid' })
  ownerRef!: string;

  @Column({ name: 'sell_currency', type: 'text' })
  sellCurrency!: string;

  @Column({ name: 'buy_currency', type: 'text' })
  buyCurrency!: string;

  @Column({ name: 'sell_amount', type: 'numeric', precision: 38, scale: 18 })
  sellAmount!: string;

  @Column({ name: 'buy_amount', type: 'numeric', precision: 38, scale: 18 })
  buyAmount!: string;

  /** QUOTE per BASE of the pair, spread included. */
  @Column({ type: 'numeric', precision: 38, scale: 18 })
  price!: string;

  @Column({ type: 'text' })
  provider!: string;

  @Column({ name: 'spread_bps', type: 'integer' })
  spreadBps!: number;

  @Column({ type: 'text' })
  status!: 'open' | 'used';

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;
}

@Entity({ name: 'fx_spread' })
@Check('fx_spread_range', `"spread_bps" >= 0 AND "spread_bps" <= 1000`)
export class FxSpreadEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'spread_bps', type: 'integer' })
  spreadBps!: number;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

export const FX_ENTITIES = [FxQuoteEntity, FxSpreadEntity];
