// KYC's tables, both tenant-scoped under row-level security. Personal data (names, date of
// birth, document number, address) is one sealed blob; the columns beside it hold only states,
// codes, the tier and the residence country the rules and the risk score need.
import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TenantRow } from '../tenancy/tenant-row.js';

export const KYC_STATUSES = ['pending', 'manual_review', 'approved', 'rejected'] as const;
export type StoredKycStatus = (typeof KYC_STATUSES)[number];

@Entity({ name: 'kyc_profile' })
@Index('kyc_profile_tenant_status', ['tenantId', 'status', 'updatedAt'])
@Index('kyc_profile_retry_due', ['nextAttemptAt'], { where: `"status" = 'pending'` })
@Check('kyc_profile_status', `"status" IN ('pending', 'manual_review', 'approved', 'rejected')`)
@Check('kyc_profile_tier', `"tier" BETWEEN 0 AND 3 AND "requested_tier" BETWEEN 1 AND 3`)
@Check('kyc_profile_granted_tier', `(NOT "status" = 'approved' OR "tier" > 0) AND (NOT "status" = 'rejected' OR "tier" = 0)`)
@Check('kyc_profile_attempts', `"attempts" >= 0`)
export class KycProfileEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text' })
  status!: StoredKycStatus;

  /** The tier granted by the last approval (kept while an upgrade is checked); 0 before any. */
  @Column({ type: 'smallint' })
  tier!: number;

  @Column({ name: 'requested_tier', type: 'smallint' })
  requestedTier!: number;

  @Column({ name: 'residence_country', type: 'char', length: 2 })
  residenceCountry!: string;

  @Column({ name: 'document_country', type: 'char', length: 2 })
  documentCountry!: string;

  @Column({ name: 'document_type', type: 'text' })
  documentType!: string;

  /** Names, date of birth, document number and address, sealed (JSON). */
  @Column({ name: 'personal_data', type: 'bytea' })
  personalData!: Buffer;

  @Column({ type: 'text', array: true, default: () => `'{}'` })
  reasons!: string[];

  @Column({ type: 'text' })
  provider!: string;

  @Column({ name: 'provider_ref', type: 'text', nullable: true })
  providerRef!: string | null;

  @Column({ name: 'liveness_score', type: 'numeric', precision: 4, scale: 3, nullable: true })
  livenessScore!: string | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt!: Date | null;

  @Column({ name: 'submitted_at', type: 'timestamptz' })
  submittedAt!: Date;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;

  @Column({ name: 'decided_by', type: 'text', nullable: true })
  decidedBy!: string | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

export const KYC_CHECK_OUTCOMES = ['approve', 'reject', 'review', 'timeout', 'error', 'breaker_open', 'rules_failed', 'officer_approve', 'officer_reject'] as const;

/** Every attempt and decision, in order: the history behind a profile's state. */
@Entity({ name: 'kyc_check' })
@Index('kyc_check_user', ['tenantId', 'userId', 'createdAt'])
@Check('kyc_check_outcome', `"outcome" IN ('approve', 'reject', 'review', 'timeout', 'error', 'breaker_open', 'rules_failed', 'officer_approve', 'officer_reject')`)
export class KycCheckEntity extends TenantRow {
  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ type: 'text' })
  outcome!: string;

  @Column({ type: 'text', array: true, default: () => `'{}'` })
  reasons!: string[];

  @Column({ name: 'provider_ref', type: 'text', nullable: true })
  providerRef!: string | null;

  @Column({ type: 'text' })
  actor!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

export const KYC_ENTITIES = [KycProfileEntity, KycCheckEntity];
