import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ExecutionBreakKind } from './reconciliation.views.js';

/** A reconciliation break: recorded, shown to people, never corrected automatically. */
@Entity({ name: 'reconciliation_break' })
@Check(
  'reconciliation_break_kind',
  `"kind" IN ('fill_without_order', 'order_fill_mismatch', 'clob_fill_mismatch', 'allocation_fill_mismatch', 'chain_balance_mismatch', 'settlement_overdue')`,
)
@Check('reconciliation_break_decided', `("status" <> 'resolved') = ("resolved_by" IS NULL)`)
@Check('reconciliation_break_status', `"status" IN ('open', 'acknowledged', 'resolved')`)
@Index('reconciliation_break_open', ['kind', 'subject'], { unique: true, where: `"status" <> 'resolved'` })
export class ReconciliationBreakEntity {
  @PrimaryColumn({ name: 'break_id', type: 'uuid' })
  breakId!: string;

  @Column({ type: 'text' })
  kind!: ExecutionBreakKind;

  /** What does not agree: an order, a fill round, an (instrument, wallet). */
  @Column({ type: 'text' })
  subject!: string;

  @Column({ type: 'numeric', precision: 48, scale: 18 })
  expected!: string;

  @Column({ type: 'numeric', precision: 48, scale: 18 })
  actual!: string;

  @Column({ type: 'text' })
  status!: 'open' | 'acknowledged' | 'resolved';

  /** When the subject happened, for a break about age (a trade still unsettled: when it traded). */
  @Column({ name: 'subject_at', type: 'timestamptz', nullable: true })
  subjectAt!: Date | null;

  @Column({ name: 'detected_at', type: 'timestamptz' })
  detectedAt!: Date;

  @Column({ name: 'last_seen_at', type: 'timestamptz' })
  lastSeenAt!: Date;

  /** The operator who acknowledged it (an opaque id). */
  @Column({ name: 'acknowledged_by', type: 'uuid', nullable: true })
  acknowledgedBy!: string | null;

  /** The operator who resolved it: a person, never the system. */
  @Column({ name: 'resolved_by', type: 'uuid', nullable: true })
  resolvedBy!: string | null;
}

/** A statement sent to a tenant for a period. */
@Entity({ name: 'statement_sent' })
@Index('statement_sent_period', ['tenantRef', 'periodStart', 'periodEnd'], { unique: true })
export class StatementSentEntity {
  @PrimaryColumn({ name: 'statement_id', type: 'uuid' })
  statementId!: string;

  @Column({ name: 'tenant_ref', type: 'uuid' })
  tenantRef!: string;

  @Column({ name: 'period_start', type: 'timestamptz' })
  periodStart!: Date;

  @Column({ name: 'period_end', type: 'timestamptz' })
  periodEnd!: Date;

  @Column({ name: 'content_hash', type: 'char', length: 64 })
  contentHash!: string;

  @Column({ name: 'sent_at', type: 'timestamptz' })
  sentAt!: Date;
}
