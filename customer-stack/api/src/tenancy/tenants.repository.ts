// SQL of tenants and the account directory. Tier limits are tenant data under row-level
// security: read and write them only with the tenant set on the transaction.
import type { SqlTx } from '@bulwark/shared-contracts/wall';
import type { TenantSettings, TenantSettingsInput, TierLimit } from './tenant-settings.js';

interface TenantRow {
  id: string;
  slug: string;
  brand_name: string;
  brand_primary_colour: string;
  brand_accent_colour: string;
  residency_countries: string[];
  minimum_age: number;
  currencies: string[];
}

export class TenantsRepository {
  async find(tx: SqlTx, tenantId: string): Promise<Omit<TenantSettings, 'tierLimits'> | undefined> {
    const [row] = await tx.query<TenantRow>('SELECT * FROM tenant WHERE id = $1', [tenantId]);
    return row && settingsOf(row);
  }

  async list(tx: SqlTx): Promise<Omit<TenantSettings, 'tierLimits'>[]> {
    return (await tx.query<TenantRow>('SELECT * FROM tenant ORDER BY slug')).map(settingsOf);
  }

  async tierLimits(tx: SqlTx): Promise<TierLimit[]> {
    const rows = await tx.query<{ tier: number; daily_trade_limit_usd: string; daily_withdrawal_limit_usd: string }>(
      'SELECT tier, daily_trade_limit_usd, daily_withdrawal_limit_usd FROM tenant_tier_limit ORDER BY tier',
    );
    return rows.map((r) => ({ tier: r.tier as TierLimit['tier'], dailyTradeLimitUsd: r.daily_trade_limit_usd, dailyWithdrawalLimitUsd: r.daily_withdrawal_limit_usd }));
  }

  /** Inserts a tenant; false when the slug is taken. */
  async insert(tx: SqlTx, id: string, input: TenantSettingsInput): Promise<boolean> {
    const rows = await tx.query(
      `INSERT INTO tenant (id, slug, brand_name, brand_primary_colour, brand_accent_colour, residency_countries, minimum_age, currencies, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, clock_timestamp(), clock_timestamp())
       ON CONFLICT (slug) DO NOTHING RETURNING id`,
      [id, input.slug, input.brand.name, input.brand.primaryColour, input.brand.accentColour, input.residencyCountries, input.minimumAge, input.currencies],
    );
    return rows.length === 1;
  }

  async update(tx: SqlTx, id: string, input: TenantSettingsInput): Promise<void> {
    await tx.query(
      `UPDATE tenant SET slug = $2, brand_name = $3, brand_primary_colour = $4, brand_accent_colour = $5, residency_countries = $6,
              minimum_age = $7, currencies = $8, updated_at = clock_timestamp()
        WHERE id = $1`,
      [id, input.slug, input.brand.name, input.brand.primaryColour, input.brand.accentColour, input.residencyCountries, input.minimumAge, input.currencies],
    );
  }

  /** Writes all four tiers of the tenant set on the transaction. */
  async upsertTierLimits(tx: SqlTx, tenantId: string, limits: readonly TierLimit[]): Promise<void> {
    await tx.query(
      `INSERT INTO tenant_tier_limit (tenant_id, tier, daily_trade_limit_usd, daily_withdrawal_limit_usd)
       SELECT $1, tier, trade, withdrawal FROM unnest($2::smallint[], $3::numeric[], $4::numeric[]) AS t(tier, trade, withdrawal)
       ON CONFLICT (tenant_id, tier) DO UPDATE SET daily_trade_limit_usd = EXCLUDED.daily_trade_limit_usd,
                                                   daily_withdrawal_limit_usd = EXCLUDED.daily_withdrawal_limit_usd`,
      [tenantId, limits.map((l) => l.tier), limits.map((l) => l.dailyTradeLimitUsd), limits.map((l) => l.dailyWithdrawalLimitUsd)],
    );
  }

  /** Registers an account reference; false when it is already registered. */
  async registerAccount(tx: SqlTx, tenantId: string, accountRef: string): Promise<boolean> {
    const rows = await tx.query(
      `INSERT INTO account_directory (account_ref, tenant_id, registered_at) VALUES ($1, $2, clock_timestamp())
       ON CONFLICT (account_ref) DO NOTHING RETURNING account_ref`,
      [accountRef, tenantId],
    );
    return rows.length === 1;
  }
}

function settingsOf(row: TenantRow): Omit<TenantSettings, 'tierLimits'> {
  return {
    id: row.id,
    slug: row.slug,
    brand: { name: row.brand_name, primaryColour: row.brand_primary_colour, accentColour: row.brand_accent_colour },
    residencyCountries: row.residency_countries,
    minimumAge: row.minimum_age,
    currencies: row.currencies,
  };
}
