import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/** A tenant's daily limits for one KYC tier (0-3), in USD. Under row-level security like all tenant data. */
@Entity({ name: 'tenant_tier_limit' })
@Check('tenant_tier_limit_tier', `"tier" BETWEEN 0 AND 3`)
@Check('tenant_tier_limit_amounts', `"daily_trade_limit_usd" >= 0 AND "daily_withdrawal_limit_usd" >= 0`)
export class TenantTierLimitEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @PrimaryColumn({ type: 'smallint' })
  tier!: number;

  @Column({ name: 'daily_trade_limit_usd', type: 'numeric', precision: 20, scale: 2 })
  dailyTradeLimitUsd!: string;

  @Column({ name: 'daily_withdrawal_limit_usd', type: 'numeric', precision: 20, scale: 2 })
  dailyWithdrawalLimitUsd!: string;
}
