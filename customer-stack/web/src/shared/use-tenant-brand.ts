// Brands the UI from the signed-in user's tenant (/tenants/current): name and colours, with text
// kept legible whatever the tenant chose. Until it answers (or for roles that may not read it)
// the neutral Bulwark brand stays.
import { useEffect, useState } from 'react';
import { DEFAULT_BRAND, applyBrand, type Brand } from '@bulwark/ui-kit';
import { tenants } from './customer-api';

export function useTenantBrand(enabled: boolean): Brand {
  const [brand, setBrand] = useState<Brand>(DEFAULT_BRAND);
  useEffect(() => {
    if (!enabled) return;
    const controller = new AbortController();
    tenants
      .current(controller.signal)
      .then((tenant) => {
        applyBrand(tenant.brand);
        setBrand(tenant.brand);
      })
      .catch(() => undefined); // the neutral brand is a safe fallback; the screens report their own errors
    return () => controller.abort();
  }, [enabled]);
  return brand;
}
