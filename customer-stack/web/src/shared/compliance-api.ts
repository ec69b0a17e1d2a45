// KYC (the investor's side) and the compliance console's API as the stack answers them
// (customer-stack/api/src/kyc, src/aml, src/console). Database rows keep their snake_case.
// Reconciliation's and screening's response types are the API's own (their views files hold plain types only).
import type { ScreeningHit } from '../../../api/src/aml/screening/screening.views';
import type { BreakKind, BreakStatus, BreakView as ReconciliationBreak } from '../../../api/src/reconciliation/reconciliation.views';
import { api } from './customer-api';

export type KycStatus = 'not_started' | 'pending' | 'manual_review' | 'approved' | 'rejected';

export interface KycView {
  readonly status: KycStatus;
  readonly tier: 0 | 1 | 2 | 3;
  readonly requestedTier: 1 | 2 | 3 | null;
  readonly reasons: readonly string[];
  readonly submittedAt: string | null;
  readonly decidedAt: string | null;
}

export interface KycSubmission {
  readonly givenNames: string;
  readonly familyName: string;
  readonly dateOfBirth: string;
  readonly residenceCountry: string;
  readonly address: { readonly line1: string; readonly line2?: string; readonly city: string; readonly postalCode?: string; readonly country: string };
  readonly document: { readonly type: 'lk_nic' | 'passport'; readonly number: string; readonly country: string };
  readonly requestedTier: 1 | 2 | 3;
}

export const ALERT_STATUSES = ['open', 'assigned', 'escalated', 'freeze_requested', 'cleared', 'sar_filed', 'frozen'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
export type AlertDecision = 'clear' | 'escalate' | 'file_sar' | 'freeze';

export interface AlertRow {
  readonly id: string;
  readonly user_id: string;
  readonly kind: 'screening' | 'monitoring';
  readonly rule: string;
  readonly severity: 'low' | 'medium' | 'high';
  readonly status: AlertStatus;
  readonly assigned_to: string | null;
  readonly details: Record<string, unknown>;
  readonly decision: string | null;
  readonly decided_by: string | null;
  readonly decided_at: string | null;
  readonly created_at: string;
}

export type { ScreeningHit, TokenMatch } from '../../../api/src/aml/screening/screening.views';

export interface AlertCase {
  readonly alert: AlertRow;
  readonly notes: readonly { readonly id: string; readonly author: string; readonly text: string | null; readonly createdAt: string }[];
  readonly hits: readonly ScreeningHit[] | null;
}

export interface FreezeRow {
  readonly id: string;
  readonly status: 'requested' | 'active' | 'lifted' | 'withdrawn';
  readonly requested_by: string;
  readonly requested_at: string;
  readonly approved_by: string | null;
  readonly approved_at: string | null;
}

export interface Customer360 {
  readonly userId: string;
  readonly standing: { readonly status: KycStatus; readonly tier: number; readonly dailyTradeLimitUsd: string; readonly dailyWithdrawalLimitUsd: string };
  readonly kyc: (KycView & {
    readonly residenceCountry: string;
    readonly documentType: string;
    readonly documentCountry: string;
    readonly personalData: { readonly givenNames: string; readonly familyName: string; readonly dateOfBirth: string; readonly documentNumber: string } | null;
    readonly livenessScore: string | null;
    readonly attempts: number;
  }) | null;
  readonly aml: {
    readonly risk: { readonly score: number; readonly band: string; readonly factors: Record<string, number>; readonly computedAt: string } | null;
    readonly frozen: boolean;
    readonly freezes: readonly FreezeRow[];
    readonly openAlerts: number;
    readonly alerts: readonly AlertRow[];
  };
}

export interface AuditEntry {
  readonly seq: string;
  readonly actor: string;
  readonly role: string;
  readonly action: string;
  readonly resource: string;
  readonly time: string;
  readonly onBehalfOf: string | null;
  readonly diff: Record<string, unknown>;
  readonly prevHash: string;
  readonly hash: string;
}

export interface SarEntry {
  readonly id: string;
  readonly subject_hash: string;
  readonly alert_id: string | null;
  readonly status: 'draft' | 'filed';
  readonly narrative: string | null;
  readonly overdue: boolean;
  readonly created_at: string;
  readonly due_at: string;
  readonly filed_at: string | null;
  readonly reference: string | null;
}

export type { BreakKind, BreakStatus, BreakView as ReconciliationBreak } from '../../../api/src/reconciliation/reconciliation.views';

export interface AlertFilter {
  readonly status?: AlertStatus | undefined;
  readonly kind?: 'screening' | 'monitoring' | undefined;
  readonly assignedTo?: string | undefined;
  readonly userId?: string | undefined;
}

export const kyc = {
  me: (signal?: AbortSignal) => api.get<KycView>('/kyc/me', undefined, signal),
  submit: (submission: KycSubmission) => api.post<KycView>('/kyc/submissions', submission),
};

export const consoleApi = {
  alerts: (filter: AlertFilter, signal?: AbortSignal) => api.get<AlertRow[]>('/console/alerts', { ...filter, limit: 100 }, signal),
  alertCase: (id: string, signal?: AbortSignal) => api.get<AlertCase>(`/console/alerts/${encodeURIComponent(id)}`, undefined, signal),
  assign: (id: string, assigneeId: string) => api.post<unknown>(`/console/alerts/${encodeURIComponent(id)}/assign`, { assigneeId }),
  note: (id: string, text: string) => api.post<unknown>(`/console/alerts/${encodeURIComponent(id)}/notes`, { text }),
  decide: (id: string, decision: AlertDecision, reason: string, narrative?: string) =>
    api.post<{ alert: AlertRow; sarId?: string; freezeId?: string }>(`/console/alerts/${encodeURIComponent(id)}/decision`, {
      decision, reason, ...(narrative ? { narrative } : {}),
    }),
  approveFreeze: (userId: string) => api.post<FreezeRow>(`/console/customers/${encodeURIComponent(userId)}/freeze/approve`, {}),
  kycReviews: (signal?: AbortSignal) => api.get<(KycView & { userId: string })[]>('/console/kyc/reviews', { limit: 100 }, signal),
  kycDecide: (userId: string, decision: 'approve' | 'reject', reason: string) => api.post<KycView>(`/console/kyc/${encodeURIComponent(userId)}/decision`, { decision, reason }),
  customer: (userId: string, signal?: AbortSignal) => api.get<Customer360>(`/console/customers/${encodeURIComponent(userId)}`, undefined, signal),
  customerAudit: (userId: string, signal?: AbortSignal) => api.get<AuditEntry[]>(`/console/customers/${encodeURIComponent(userId)}/audit`, undefined, signal),
  auditTrail: (filter: { before?: string | undefined; action?: string | undefined; limit: number }, signal?: AbortSignal) =>
    api.get<{ entries: AuditEntry[]; nextBefore: string | null }>('/console/audit', filter, signal),
  breaks: async (filter: { status?: BreakStatus | undefined; kind?: BreakKind | undefined }, signal?: AbortSignal) =>
    (await api.get<{ breaks: ReconciliationBreak[] }>('/v1/console/reconciliation/breaks', { ...filter, limit: 200 }, signal)).breaks,
  moveBreak: (breakId: string, status: 'investigating' | 'resolved', note?: string) =>
    api.post<ReconciliationBreak>(`/v1/console/reconciliation/breaks/${encodeURIComponent(breakId)}/status`, { status, ...(note ? { note } : {}) }),
  sars: (status: 'draft' | 'filed' | undefined, signal?: AbortSignal) => api.get<SarEntry[]>('/console/sars', { status }, signal),
  fileSar: (id: string, reference: string) => api.post<unknown>(`/console/sars/${encodeURIComponent(id)}/filed`, { reference }),
};

export const KYC_STATUS_TEXT: Readonly<Record<KycStatus, string>> = {
  not_started: 'Not started',
  pending: 'Being checked',
  manual_review: 'With our compliance team',
  approved: 'Verified',
  rejected: 'Not verified',
};

export function kycTone(status: KycStatus): 'success' | 'warning' | 'error' | 'info' | 'neutral' {
  return status === 'approved' ? 'success' : status === 'rejected' ? 'error' : status === 'not_started' ? 'neutral' : status === 'pending' ? 'info' : 'warning';
}
