// SQL for KYC profiles and checks. Every method runs inside the caller's transaction, whose
// tenant is already set (row-level security scopes every statement).
import type { SqlTx } from '@bulwark/shared-contracts/wall';
import type { StoredKycStatus } from './kyc.entities.js';

export interface ProfileRow {
  user_id: string;
  tenant_id: string;
  status: StoredKycStatus;
  tier: number;
  requested_tier: number;
  residence_country: string;
  document_country: string;
  document_type: string;
  personal_data: Buffer;
  reasons: string[];
  provider: string;
  provider_ref: string | null;
  liveness_score: string | null;
  attempts: number;
  next_attempt_at: Date | null;
  submitted_at: Date;
  decided_at: Date | null;
  decided_by: string | null;
  updated_at: Date;
}

export interface ProfileWrite {
  readonly userId: string;
  readonly tenantId: string;
  readonly status: StoredKycStatus;
  readonly tier: number;
  readonly requestedTier: number;
  readonly residenceCountry: string;
  readonly documentCountry: string;
  readonly documentType: string;
  readonly personalData: Buffer;
  readonly reasons: readonly string[];
  readonly provider: string;
  readonly now: Date;
}

export interface ProfileUpdate {
  readonly status: StoredKycStatus;
  readonly tier: number;
  readonly reasons: readonly string[];
  readonly providerRef?: string | null;
  readonly livenessScore?: string | null;
  readonly attempts?: number;
  readonly nextAttemptAt?: Date | null;
  readonly decidedAt?: Date | null;
  readonly decidedBy?: string | null;
  readonly now: Date;
}

export const KYC_PAGE_MAX = 200;

export class KycRepository {
  async find(tx: SqlTx, userId: string, lock = false): Promise<ProfileRow | undefined> {
    const [row] = await tx.query<ProfileRow>(`SELECT * FROM kyc_profile WHERE user_id = $1${lock ? ' FOR UPDATE' : ''}`, [userId]);
    return row;
  }

  /** Inserts or replaces the submission (a new submission restarts the checks; the granted tier stays). */
  async upsertSubmission(tx: SqlTx, p: ProfileWrite): Promise<void> {
    await tx.query(
      `INSERT INTO kyc_profile (user_id, tenant_id, status, tier, requested_tier, residence_country, document_country, document_type, personal_data,
                                reasons, provider, attempts, submitted_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, $12, $12)
       ON CONFLICT (user_id) DO UPDATE SET status = EXCLUDED.status, tier = EXCLUDED.tier, requested_tier = EXCLUDED.requested_tier,
         residence_country = EXCLUDED.residence_country, document_country = EXCLUDED.document_country, document_type = EXCLUDED.document_type,
         personal_data = EXCLUDED.personal_data, reasons = EXCLUDED.reasons, provider = EXCLUDED.provider, provider_ref = NULL, liveness_score = NULL,
         attempts = 0, next_attempt_at = NULL, submitted_at = EXCLUDED.submitted_at, decided_at = NULL, decided_by = NULL, updated_at = EXCLUDED.updated_at`,
      [p.userId, p.tenantId, p.status, p.tier, p.requestedTier, p.residenceCountry, p.documentCountry, p.documentType, p.personalData, [...p.reasons], p.provider, p.now],
    );
  }

  async update(tx: SqlTx, userId: string, u: ProfileUpdate): Promise<void> {
    await tx.query(
      `UPDATE kyc_profile SET status = $2, tier = $3, reasons = $4,
              provider_ref = CASE WHEN $5::boolean THEN $6 ELSE provider_ref END,
              liveness_score = CASE WHEN $7::boolean THEN $8::numeric ELSE liveness_score END,
              attempts = COALESCE($9, attempts),
              next_attempt_at = CASE WHEN $10::boolean THEN $11::timestamptz ELSE next_attempt_at END,
              decided_at = CASE WHEN $12::boolean THEN $13::timestamptz ELSE decided_at END,
              decided_by = CASE WHEN $12::boolean THEN $14 ELSE decided_by END,
              updated_at = $15
        WHERE user_id = $1`,
      [
        userId, u.status, u.tier, [...u.reasons],
        u.providerRef !== undefined, u.providerRef ?? null,
        u.livenessScore !== undefined, u.livenessScore ?? null,
        u.attempts ?? null,
        u.nextAttemptAt !== undefined, u.nextAttemptAt ?? null,
        u.decidedAt !== undefined, u.decidedAt ?? null, u.decidedBy ?? null,
        u.now,
      ],
    );
  }

  async insertCheck(tx: SqlTx, c: { id: string; tenantId: string; userId: string; outcome: string; reasons: readonly string[]; providerRef: string | null; actor: string;
    now: Date }): Promise<void> {
    await tx.query(
      `INSERT INTO kyc_check (id, tenant_id, user_id, outcome, reasons, provider_ref, actor, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [c.id, c.tenantId, c.userId, c.outcome, [...c.reasons], c.providerRef, c.actor, c.now],
    );
  }

  async checks(tx: SqlTx, userId: string): Promise<{ id: string; outcome: string; reasons: string[]; provider_ref: string | null; actor: string; created_at: Date }[]> {
    return tx.query(`SELECT id, outcome, reasons, provider_ref, actor, created_at FROM kyc_check WHERE user_id = $1 ORDER BY created_at, id LIMIT ${KYC_PAGE_MAX}`, [userId]);
  }

  /** Pending profiles whose next provider attempt is due. */
  async dueForRetry(tx: SqlTx, now: Date, limit: number): Promise<string[]> {
    const rows = await tx.query<{ user_id: string }>(
      `SELECT user_id FROM kyc_profile WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => r.user_id);
  }

  async byStatus(tx: SqlTx, status: StoredKycStatus, limit: number, offset: number): Promise<ProfileRow[]> {
    return tx.query<ProfileRow>(`SELECT * FROM kyc_profile WHERE status = $1 ORDER BY updated_at, user_id LIMIT $2 OFFSET $3`, [status, limit, offset]);
  }

  /** Approved or in-review customers after `afterUserId`, for re-screening in pages. */
  async screenable(tx: SqlTx, afterUserId: string | null, limit: number): Promise<ProfileRow[]> {
    return tx.query<ProfileRow>(
      `SELECT * FROM kyc_profile WHERE status IN ('approved', 'manual_review', 'pending') AND ($1::uuid IS NULL OR user_id > $1::uuid) ORDER BY user_id LIMIT $2`,
      [afterUserId, limit],
    );
  }
}
