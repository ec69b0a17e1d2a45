// The Sri Lanka reference tenant, seeded by the tenancy migration: LKR in, USD out.
import type { TenantSettings } from './tenant-settings.js';

export const REFERENCE_TENANT_ID = '8f0c6d3e-4b2a-4e71-9c5d-2a7b1e9f4c30';

export const REFERENCE_TENANT: TenantSettings = Object.freeze({
  id: REFERENCE_TENANT_ID,
  slug: 'lk',
  brand: Object.freeze({ name: 'Bulwark Lanka', primaryColour: '#8d153a', accentColour: '#eb7400' }),
  residencyCountries: Object.freeze(['LK']),
  minimumAge: 18,
  currencies: Object.freeze(['LKR', 'USD']),
  tierLimits: Object.freeze([
    Object.freeze({ tier: 0, dailyTradeLimitUsd: '0.00', dailyWithdrawalLimitUsd: '0.00' }),
    Object.freeze({ tier: 1, dailyTradeLimitUsd: '1000.00', dailyWithdrawalLimitUsd: '500.00' }),
    Object.freeze({ tier: 2, dailyTradeLimitUsd: '10000.00', dailyWithdrawalLimitUsd: '5000.00' }),
    Object.freeze({ tier: 3, dailyTradeLimitUsd: '100000.00', dailyWithdrawalLimitUsd: '50000.00' }),
  ]),
});
