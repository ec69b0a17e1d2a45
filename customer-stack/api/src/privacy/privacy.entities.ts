// The data-protection tables. All tenant-scoped under row-level security; none holds personal
// data in the clear: person_key holds wrapped keys, the others references, purposes and counts.
import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const CONSENT_PURPOSES = ['marketing', 'analytics', 'research', 'third_party_sharing'] as const;
export const BREACH_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const BREACH_CATEGORIES = ['confidentiality', 'integrity', 'availability'] as const;
export const BREACH_STATUSES = ['open', 'contained', 'resolved'] as const;

/** A person's data key, wrapped by the vault master key. Erasure sets wrapped_key to NULL for good. */
@Entity({ name: 'person_key' })
@Check('person_key_erasure', `("wrapped_key" IS NULL) = ("erased_at" IS NOT NULL)`)
export class PersonKeyEntity {
  @PrimaryColumn({ name: 'subject_id', type: 'uuid' })
  subjectId!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'wrapped_key', type: 'bytea', nullable: true })
  wrappedKey!: Buffer | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'erased_at', type: 'timestamptz', nullable: true })
  erasedAt!: Date | null;
}

/** One consent decision; the latest per (subject, purpose) is the current state. */
@Entity({ name: 'consent_record' })
@Index('consent_record_subject', ['tenantId', 'subjectId', 'purpose', 'recordedAt'])
@Check('consent_record_purpose', `"purpose" IN ('marketing', 'analytics', 'research', 'third_party_sharing')`)
export class ConsentRecordEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'subject_id', type: 'uuid' })
  subjectId!: string;

  @Column({ type: 'text' })
  purpose!: string;

  @Column({ type: 'boolean' })
  granted!: boolean;

  /** Where the decision was captured, e.g. `web:settings`, `api`. */
  @Column({ type: 'text' })
  source!: string;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}

/** How long a tenant keeps one category of data. */
@Entity({ name: 'retention_policy' })
@Check('retention_policy_days', `"retain_days" BETWEEN 1 AND 36500`)
export class RetentionPolicyEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @PrimaryColumn({ type: 'text' })
  category!: string;

  @Column({ name: 'retain_days', type: 'integer' })
  retainDays!: number;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** The breach-incident register (GDPR art. 33-style: the regulator within 72 hours of detection). */
@Entity({ name: 'breach_incident' })
@Index('breach_incident_status', ['tenantId', 'status', 'detectedAt'])
@Check('breach_incident_severity', `"severity" IN ('low', 'medium', 'high', 'critical')`)
@Check('breach_incident_category', `"category" IN ('confidentiality', 'integrity', 'availability')`)
@Check('breach_incident_status_check', `"status" IN ('open', 'contained', 'resolved')`)
@Check('breach_incident_affected', `"affected_subjects" >= 0`)
export class BreachIncidentEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text' })
  title!: string;

  /** What happened, without personal data (checked by the PII guard). */
  @Column({ type: 'text' })
  description!: string;

  @Column({ type: 'text' })
  category!: string;

  @Column({ type: 'text' })
  severity!: string;

  @Column({ name: 'affected_subjects', type: 'integer' })
  affectedSubjects!: number;

  @Column({ type: 'text' })
  status!: string;

  @Column({ name: 'detected_at', type: 'timestamptz' })
  detectedAt!: Date;

  @Column({ name: 'regulator_deadline_at', type: 'timestamptz' })
  regulatorDeadlineAt!: Date;

  @Column({ name: 'regulator_notified_at', type: 'timestamptz', nullable: true })
  regulatorNotifiedAt!: Date | null;

  @Column({ name: 'subjects_notified_at', type: 'timestamptz', nullable: true })
  subjectsNotifiedAt!: Date | null;

  @Column({ name: 'reported_by', type: 'text' })
  reportedBy!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

export const PRIVACY_ENTITIES = [PersonKeyEntity, ConsentRecordEntity, RetentionPolicyEntity, BreachIncidentEntity];
