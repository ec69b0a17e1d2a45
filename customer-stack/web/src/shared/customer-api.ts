// The customer stack's HTTP API as the two customer UIs use it. Every shape here is what the
// stack's controllers answer (see /docs-json); nothing is invented on this side.
import { createApiClient, type ApiClient } from '@bulwark/ui-kit';

export type Role = 'investor' | 'compliance_officer' | 'mlro' | 'finance_ops' | 'admin' | 'auditor';

export interface Principal {
  readonly userId: string;
  readonly tenantId: string;
  readonly accountRef: string | null;
  readonly roles: readonly Role[];
  readonly sessionId: string;
}

export type LoginAnswer = { readonly mfaRequired: true; readonly mfaToken: string } | { readonly tokenType: 'cookie'; readonly principal: Principal };

export interface SessionView {
  readonly id: string;
  readonly userAgent: string;
  readonly createdAt: string;
  readonly lastUsedAt: string;
  readonly expiresAt: string;
  readonly revokedAt: string | null;
  readonly current: boolean;
}

export interface TenantSettings {
  readonly id: string;
  readonly slug: string;
  readonly brand: { readonly name: string; readonly primaryColour: string; readonly accentColour: string };
  readonly residencyCountries: readonly string[];
  readonly minimumAge: number;
  readonly currencies: readonly string[];
  readonly tierLimits: readonly { readonly tier: 0 | 1 | 2 | 3; readonly dailyTradeLimitUsd: string; readonly dailyWithdrawalLimitUsd: string }[];
}

export interface AuditVerification {
  readonly ok: boolean;
  readonly headSeq: string;
  readonly checkedEntries: string;
  readonly firstBreak: { readonly seq: string; readonly kind: string } | null;
}

export const PASSWORD_LENGTH_MIN = 12;
export const PASSWORD_LENGTH_MAX = 128;

let onSessionEnded: () => void = () => undefined;
export function whenSessionEnds(callback: () => void): void {
  onSessionEnded = callback;
}

async function refreshSession(): Promise<boolean> {
  const response = await fetch('/auth/refresh', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ transport: 'cookie' }),
  }).catch(() => undefined);
  return response?.ok ?? false;
}

export const api: ApiClient = createApiClient({ refreshSession, onSessionEnded: () => onSessionEnded() });

export const auth = {
  me: (signal?: AbortSignal) => api.get<Principal>('/auth/me', undefined, signal),
  register: (tenantId: string, email: string, password: string) => api.post<{ userId: string; accountRef: string }>('/auth/register', { tenantId, email, password }),
  login: (tenantId: string, email: string, password: string) => api.post<LoginAnswer>('/auth/login', { tenantId, email, password, transport: 'cookie' }),
  verifyMfa: (mfaToken: string, code: string) => api.post<{ principal: Principal }>('/auth/2fa/verify', { mfaToken, code, transport: 'cookie' }),
  logout: () => api.post<undefined>('/auth/logout'),
  sessions: (signal?: AbortSignal) => api.get<SessionView[]>('/auth/sessions', undefined, signal),
  revokeSession: (id: string) => api.del<undefined>(`/auth/sessions/${encodeURIComponent(id)}`),
  setupTotp: () => api.post<{ secret: string; otpauthUri: string }>('/auth/2fa/setup'),
  enableTotp: (code: string) => api.post<undefined>('/auth/2fa/enable', { code }),
  disableTotp: (code: string) => api.post<undefined>('/auth/2fa/disable', { code }),
};

export const tenants = {
  current: (signal?: AbortSignal) => api.get<TenantSettings>('/tenants/current', undefined, signal),
  /** Public (no sign-in): the tenant's name and colours. */
  brand: (tenantId: string, signal?: AbortSignal) => api.get<TenantSettings['brand']>(`/tenants/${encodeURIComponent(tenantId)}/brand`, undefined, signal),
};

export interface AnchorBatch {
  readonly batchId: string;
  readonly firstSeq: string;
  readonly lastSeq: string;
  readonly merkleRoot: string;
  readonly status: 'requested' | 'anchored';
  readonly chainId: number | null;
  readonly contractAddress: string | null;
  readonly txHash: string | null;
  readonly blockNumber: string | null;
}

export interface InclusionProof {
  readonly seq: string;
  readonly entryHash: string;
  readonly leafIndex: number;
  readonly treeSize: string;
  readonly proof: readonly string[];
  readonly root: string;
  readonly batch: AnchorBatch;
}

export const audit = {
  verify: (signal?: AbortSignal) => api.get<AuditVerification>('/audit/verify', undefined, signal),
  proof: (seq: string) => api.get<InclusionProof>(`/audit/entries/${encodeURIComponent(seq)}/proof`),
};

export const ROLE_LABELS: Readonly<Record<Role, string>> = {
  investor: 'Investor',
  compliance_officer: 'Compliance officer',
  mlro: 'MLRO',
  finance_ops: 'Finance operations',
  admin: 'Administrator',
  auditor: 'Auditor',
};
