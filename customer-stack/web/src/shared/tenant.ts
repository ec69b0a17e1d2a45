// Which tenant (white-label brand) this UI serves. A tenant's own deployment builds with
// VITE_TENANT_ID; a shared one accepts ?tenant=<id> once and remembers it on this device.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** The Sri Lanka reference tenant the tenancy migration seeds. */
export const REFERENCE_TENANT_ID = '8f0c6d3e-4b2a-4e71-9c5d-2a7b1e9f4c30';
const STORAGE_KEY = 'bulwark.tenant';

export function resolveTenantId(search: string, stored: string | null, built: string | undefined): string {
  const fromUrl = new URLSearchParams(search).get('tenant')?.toLowerCase();
  if (fromUrl && UUID.test(fromUrl)) return fromUrl;
  if (stored && UUID.test(stored)) return stored;
  if (built && UUID.test(built)) return built;
  return REFERENCE_TENANT_ID;
}

export function currentTenantId(): string {
  const tenantId = resolveTenantId(window.location.search, window.localStorage.getItem(STORAGE_KEY), import.meta.env.VITE_TENANT_ID as string | undefined);
  window.localStorage.setItem(STORAGE_KEY, tenantId);
  return tenantId;
}
