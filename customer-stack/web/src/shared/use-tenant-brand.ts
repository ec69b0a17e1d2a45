// Brands a UI from its tenant: name and colours, with text kept legible whatever the tenant
// chose. The console reads the signed-in staff member's tenant (/tenants/current); the investor
// app reads the tenant's public brand (/tenants/:id/brand), so even its sign-in screen is
// branded. Until it answers (or if it cannot) the neutral Bulwark brand stays.
import { useEffect, useState } from 'react';
import { DEFAULT_BRAND, applyBrand, type Brand } from '@bulwark/ui-kit';
import { tenants } from './customer-api';

function useBrand(load: ((signal: AbortSignal) => Promise<Brand>) | undefined, key: string): Brand {
  const [brand, setBrand] = useState<Brand>(DEFAULT_BRAND);
  useEffect(() => {
    if (!load) return;
    const controller = new AbortController();
    load(controller.signal)
      .then((loaded) => {
        applyBrand(loaded);
        setBrand(loaded);
      })
      .catch(() => undefined); // the neutral brand is a safe fallback; the screens report their own errors
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` names what the load depends on
  }, [key]);
  return brand;
}

export function useTenantBrand(enabled: boolean): Brand {
  return useBrand(enabled ? (signal) => tenants.current(signal).then((tenant) => tenant.brand) : undefined, String(enabled));
}

/** The public brand of `tenantId` (no sign-in needed). */
export function usePublicTenantBrand(tenantId: string): Brand {
  return useBrand((signal) => tenants.brand(tenantId, signal), tenantId);
}
