// What a tenant decides for its customers, validated once here (zod) and read everywhere else.
import { z } from 'zod';
import { NonNegativeDecimal, decimal } from '@bulwark/shared-contracts';

export const TIERS = [0, 1, 2, 3] as const;
export type Tier = (typeof TIERS)[number];
export const TENANT_COUNTRIES_MAX = 50;
export const TENANT_CURRENCIES_MAX = 10;

const Colour = z.string().regex(/^#[0-9a-f]{6}$/, 'a lowercase #rrggbb colour');
const Country = z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code');
const CurrencyCode = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code');
/** USD with at most two decimals, as a string. */
const UsdLimit = NonNegativeDecimal.refine((value) => /^\d+(\.\d{1,2})?$/.test(value), 'at most two decimals');

export const TierLimit = z.strictObject({
  tier: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]),
  dailyTradeLimitUsd: UsdLimit,
  dailyWithdrawalLimitUsd: UsdLimit,
});
export type TierLimit = z.infer<typeof TierLimit>;

export const TenantSettingsInput = z.strictObject({
  slug: z.string().regex(/^[a-z0-9][a-z0-9-]{1,30}$/),
  brand: z.strictObject({ name: z.string().trim().min(1).max(80), primaryColour: Colour, accentColour: Colour }),
  residencyCountries: z.array(Country).min(1).max(TENANT_COUNTRIES_MAX),
  minimumAge: z.int().min(16).max(99),
  currencies: z.array(CurrencyCode).min(1).max(TENANT_CURRENCIES_MAX),
  /** Exactly one entry per tier 0-3; a higher tier never allows less than a lower one. */
  tierLimits: z
    .array(TierLimit)
    .length(TIERS.length)
    .refine((limits) => TIERS.every((tier) => limits.filter((l) => l.tier === tier).length === 1), 'one entry per tier 0-3')
    .refine(tiersAscend, 'a higher tier never allows less than a lower one'),
});

function tiersAscend(limits: readonly TierLimit[]): boolean {
  const ordered = [...limits].sort((a, b) => a.tier - b.tier);
  return ordered.every((limit, index) => {
    const lower = ordered[index - 1];
    if (!lower) return true;
    return (
      decimal(limit.dailyTradeLimitUsd).gte(decimal(lower.dailyTradeLimitUsd)) &&
      decimal(limit.dailyWithdrawalLimitUsd).gte(decimal(lower.dailyWithdrawalLimitUsd))
    );
  });
}
export type TenantSettingsInput = z.infer<typeof TenantSettingsInput>;

export interface TenantSettings {
  readonly id: string;
  readonly slug: string;
  readonly brand: { readonly name: string; readonly primaryColour: string; readonly accentColour: string };
  readonly residencyCountries: readonly string[];
  readonly minimumAge: number;
  readonly currencies: readonly string[];
  /** Ordered by tier, 0 to 3. */
  readonly tierLimits: readonly TierLimit[];
}
