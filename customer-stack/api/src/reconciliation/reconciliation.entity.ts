// Customer-side reconciliation: each statement.v1 received, and the breaks found comparing it
// with the ledger. Tenant data under row-level security; breaks are changed only by people
// (status and note), never corrected by the system.
import { Check, Column, Entity, Index, PrimaryColumn, Unique } from 'typeorm';
import type { BreakKind, BreakStatus } from './reconciliation.views.js';

/** A statement from the execution stack, reconciled once. */
@Entity({ name: 'reconciliation_statement' })
@Check('reconciliation_statement_period', `"period_end" > "period_start"`)
export class ReconciliationStatementEntity {
  @PrimaryColumn({ name: 'statement_id', type: 'uuid' })
  statementId!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'period_start', type: 'timestamptz' })
  periodStart!: Date;

  @Column({ name: 'period_end', type: 'timestamptz' })
  periodEnd!: Date;

  @Column({ name: 'content_hash', type: 'char', length: 64 })
  contentHash!: string;

  @Column({ name: 'lines', type: 'integer' })
  lines!: number;

  @Column({ name: 'breaks', type: 'integer' })
  breaks!: number;

  @Column({ name: 'reconciled_at', type: 'timestamptz' })
  reconciledAt!: Date;
}

/** One difference between a statement line and the ledger: expected (statement) vs actual (ledger). */
@Entity({ name: 'reconciliation_break' })
@Unique('reconciliation_break_line', ['statementId', 'kind', 'accountRef', 'unit'])
@Index('reconciliation_break_queue', ['tenantId', 'status', 'detectedAt'])
@Check('reconciliation_break_kind', `"kind" IN ('position_mismatch', 'cash_mismatch', 'unknown_account')`)
@Check('reconciliation_break_status', `"status" IN ('open', 'investigating', 'resolved')`)
@Check('reconciliation_break_resolved_note', `"status" <> 'resolved' OR "note" IS NOT NULL`)
export class ReconciliationBreakEntity {
  @PrimaryColumn({ name: 'break_id', type: 'uuid' })
  breakId!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'statement_id', type: 'uuid' })
  statementId!: string;

  @Column({ type: 'text' })
  kind!: BreakKind;

  @Column({ name: 'account_ref', type: 'uuid' })
  accountRef!: string;

  /** The instrument id of a position, or the currency of cash. */
  @Column({ type: 'text' })
  unit!: string;

  @Column({ type: 'numeric', precision: 48, scale: 18 })
  expected!: string;

  @Column({ type: 'numeric', precision: 48, scale: 18 })
  actual!: string;

  @Column({ name: 'period_end', type: 'timestamptz' })
  periodEnd!: Date;

  @Column({ type: 'text' })
  status!: BreakStatus;

  @Column({ type: 'text', nullable: true })
  note!: string | null;

  @Column({ name: 'detected_at', type: 'timestamptz' })
  detectedAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'updated_by', type: 'text', nullable: true })
  updatedBy!: string | null;
}

export const RECONCILIATION_ENTITIES = [ReconciliationStatementEntity, ReconciliationBreakEntity];
