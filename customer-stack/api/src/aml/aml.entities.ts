// AML's tables. The list tables hold published sanctions/PEP data shared by every tenant, so
// they carry no tenant_id (they are not customer data); every other table is customer data,
// tenant-scoped under row-level security. Screening explanations and SAR narratives, which name
// people, are stored sealed; the SAR register identifies its subject only by a keyed hash.
import { Check, Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { TenantRow } from '../tenancy/tenant-row.js';

/** One import of the lists: a version number screening results refer to. */
@Entity({ name: 'aml_list_version' })
export class AmlListVersionEntity {
  @PrimaryColumn({ type: 'integer' })
  version!: number;

  @Column({ name: 'imported_at', type: 'timestamptz' })
  importedAt!: Date;

  /** Which files, their SHA-256 and row counts. */
  @Column({ type: 'jsonb' })
  sources!: Record<string, unknown>;

  @Column({ type: 'integer' })
  entries!: number;

  @Column({ type: 'integer' })
  added!: number;

  @Column({ type: 'integer' })
  changed!: number;

  @Column({ type: 'integer' })
  removed!: number;
}

/** An entry as it stood from one version until (exclusive) another; `valid_to` null = current. */
@Entity({ name: 'aml_list_entry' })
@Index('aml_list_entry_current', ['entryId'], { unique: true, where: `"valid_to" IS NULL` })
@Index('aml_list_entry_from', ['validFrom'])
@Check('aml_list_entry_range', `"valid_to" IS NULL OR "valid_to" > "valid_from"`)
export class AmlListEntryEntity {
  @PrimaryColumn({ name: 'entry_id', type: 'text' })
  entryId!: string;

  @PrimaryColumn({ name: 'valid_from', type: 'integer' })
  validFrom!: number;

  @Column({ name: 'valid_to', type: 'integer', nullable: true })
  validTo!: number | null;

  @Column({ type: 'char', length: 64 })
  fingerprint!: string;

  @Column({ type: 'jsonb' })
  entry!: Record<string, unknown>;
}

@Entity({ name: 'aml_screening' })
@Index('aml_screening_user', ['tenantId', 'userId', 'createdAt'])
@Check('aml_screening_subject', `"subject" IN ('customer', 'beneficiary')`)
@Check('aml_screening_context', `"context" IN ('onboarding', 'withdrawal', 'rescreen')`)
@Check('aml_screening_decision', `"decision" IN ('clear', 'review', 'blocked')`)
export class AmlScreeningEntity extends TenantRow {
  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ type: 'text' })
  subject!: string;

  @Column({ type: 'text' })
  context!: string;

  @Column({ name: 'list_version', type: 'integer' })
  listVersion!: number;

  @Column({ type: 'text' })
  model!: string;

  @Column({ type: 'text' })
  decision!: string;

  /** Entry ids, kinds and scores of the hits: no names. */
  @Column({ name: 'hit_summary', type: 'jsonb' })
  hitSummary!: unknown[];

  /** The hits with their explanations (names on both sides), sealed. */
  @Column({ name: 'hits_sealed', type: 'bytea', nullable: true })
  hitsSealed!: Buffer | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

export const ALERT_STATUSES = ['open', 'assigned', 'escalated', 'freeze_requested', 'cleared', 'sar_filed', 'frozen'] as const;

@Entity({ name: 'aml_alert' })
@Index('aml_alert_queue', ['tenantId', 'status', 'createdAt'])
@Index('aml_alert_user', ['tenantId', 'userId', 'createdAt'])
@Check('aml_alert_kind', `"kind" IN ('screening', 'monitoring')`)
@Check('aml_alert_status', `"status" IN ('open', 'assigned', 'escalated', 'freeze_requested', 'cleared', 'sar_filed', 'frozen')`)
@Check('aml_alert_severity', `"severity" IN ('low', 'medium', 'high')`)
export class AmlAlertEntity extends TenantRow {
  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ type: 'text' })
  kind!: string;

  @Column({ type: 'text' })
  rule!: string;

  @Column({ type: 'text' })
  severity!: string;

  @Column({ type: 'text' })
  status!: string;

  @Column({ name: 'assigned_to', type: 'uuid', nullable: true })
  assignedTo!: string | null;

  /** Figures behind the alert (amounts, counts, screening id and entry ids): no personal data. */
  @Column({ type: 'jsonb' })
  details!: Record<string, unknown>;

  @Column({ name: 'screening_id', type: 'uuid', nullable: true })
  screeningId!: string | null;

  @Column({ type: 'text', nullable: true })
  decision!: string | null;

  @Column({ name: 'decided_by', type: 'uuid', nullable: true })
  decidedBy!: string | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

@Entity({ name: 'aml_alert_note' })
@Index('aml_alert_note_alert', ['tenantId', 'alertId', 'createdAt'])
export class AmlAlertNoteEntity extends TenantRow {
  @Column({ name: 'alert_id', type: 'uuid' })
  alertId!: string;

  @Column({ type: 'uuid' })
  author!: string;

  /** The officer's note, sealed to the alert's subject (it may name people). */
  @Column({ name: 'body_sealed', type: 'bytea' })
  bodySealed!: Buffer;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** A freeze of a customer: requested by one officer, in force only once a different one approves. */
@Entity({ name: 'aml_freeze' })
@Index('aml_freeze_user', ['tenantId', 'userId', 'status'])
@Index('aml_freeze_one_open', ['tenantId', 'userId'], { unique: true, where: `"status" IN ('requested', 'active')` })
@Check('aml_freeze_status', `"status" IN ('requested', 'active', 'lifted', 'withdrawn')`)
@Check('aml_freeze_four_eyes', `"approved_by" IS NULL OR "approved_by" <> "requested_by"`)
@Check('aml_freeze_active_approved', `NOT "status" = 'active' OR "approved_by" IS NOT NULL`)
export class AmlFreezeEntity extends TenantRow {
  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'alert_id', type: 'uuid', nullable: true })
  alertId!: string | null;

  @Column({ type: 'text' })
  status!: string;

  @Column({ name: 'requested_by', type: 'uuid' })
  requestedBy!: string;

  @Column({ name: 'requested_at', type: 'timestamptz' })
  requestedAt!: Date;

  @Column({ name: 'approved_by', type: 'uuid', nullable: true })
  approvedBy!: string | null;

  @Column({ name: 'approved_at', type: 'timestamptz', nullable: true })
  approvedAt!: Date | null;

  @Column({ name: 'lifted_by', type: 'uuid', nullable: true })
  liftedBy!: string | null;

  @Column({ name: 'lifted_at', type: 'timestamptz', nullable: true })
  liftedAt!: Date | null;
}

/** The SAR register: the subject only as HMAC(tenant, user) under COMPLIANCE_SUBJECT_KEY. */
@Entity({ name: 'aml_sar' })
@Index('aml_sar_due', ['tenantId', 'status', 'dueAt'])
@Index('aml_sar_subject', ['tenantId', 'subjectHash'])
@Check('aml_sar_status', `"status" IN ('draft', 'filed')`)
@Check('aml_sar_filed', `("status" = 'filed') = ("filed_at" IS NOT NULL AND "reference" IS NOT NULL)`)
export class AmlSarEntity extends TenantRow {
  @Column({ name: 'subject_hash', type: 'char', length: 64 })
  subjectHash!: string;

  @Column({ name: 'alert_id', type: 'uuid', nullable: true })
  alertId!: string | null;

  @Column({ type: 'text' })
  status!: string;

  /** The MLRO's grounds, sealed (not under the subject's key: a SAR outlives an erasure request). */
  @Column({ name: 'narrative_sealed', type: 'bytea' })
  narrativeSealed!: Buffer;

  @Column({ name: 'decided_by', type: 'uuid' })
  decidedBy!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt!: Date;

  @Column({ name: 'filed_at', type: 'timestamptz', nullable: true })
  filedAt!: Date | null;

  @Column({ name: 'filed_by', type: 'uuid', nullable: true })
  filedBy!: string | null;

  /** The regulator's reference for the filed report. */
  @Column({ type: 'text', nullable: true })
  reference!: string | null;
}

/** Ledger events as monitoring saw them: the history the rules look back over. */
@Entity({ name: 'aml_monitored_event' })
@Index('aml_monitored_event_user', ['tenantId', 'userId', 'at'])
@Check('aml_monitored_event_kind', `"kind" IN ('deposit', 'withdrawal', 'trade', 'payout')`)
@Check('aml_monitored_event_amount', `"amount_usd" >= 0 AND "amount" >= 0`)
export class AmlMonitoredEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  seq!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ type: 'text' })
  kind!: string;

  @Column({ name: 'amount_usd', type: 'numeric', precision: 38, scale: 18 })
  amountUsd!: string;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  amount!: string;

  @Column({ name: 'source_ref', type: 'text', nullable: true })
  sourceRef!: string | null;

  @Column({ type: 'char', length: 2, nullable: true })
  country!: string | null;

  @Column({ type: 'timestamptz' })
  at!: Date;
}

@Entity({ name: 'aml_risk_score' })
@Check('aml_risk_score_range', `"score" BETWEEN 0 AND 100`)
export class AmlRiskScoreEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'smallint' })
  score!: number;

  @Column({ type: 'text' })
  band!: string;

  @Column({ type: 'text' })
  version!: string;

  @Column({ type: 'jsonb' })
  factors!: Record<string, number>;

  @Column({ name: 'computed_at', type: 'timestamptz' })
  computedAt!: Date;
}

/** The last list version each tenant's customers were re-screened against. */
@Entity({ name: 'aml_rescreen_run' })
@Index('aml_rescreen_run_tenant', ['tenantId', 'finishedAt'])
export class AmlRescreenRunEntity extends TenantRow {
  @Column({ name: 'from_version', type: 'integer' })
  fromVersion!: number;

  @Column({ name: 'to_version', type: 'integer' })
  toVersion!: number;

  @Column({ name: 'changed_entries', type: 'integer' })
  changedEntries!: number;

  @Column({ type: 'integer' })
  screened!: number;

  @Column({ type: 'integer' })
  hits!: number;

  @Column({ name: 'finished_at', type: 'timestamptz' })
  finishedAt!: Date;
}

export const AML_ENTITIES = [
  AmlListVersionEntity, AmlListEntryEntity, AmlScreeningEntity, AmlAlertEntity, AmlAlertNoteEntity, AmlFreezeEntity, AmlSarEntity,
  AmlMonitoredEventEntity, AmlRiskScoreEntity, AmlRescreenRunEntity,
];

/** The tables holding customer data (row-level security); the list tables are public reference data. */
export const AML_TENANT_TABLES = [
  'aml_screening', 'aml_alert', 'aml_alert_note', 'aml_freeze', 'aml_sar', 'aml_monitored_event', 'aml_risk_score', 'aml_rescreen_run',
] as const;
