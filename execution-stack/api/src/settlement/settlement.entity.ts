import { Check, Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

export const BATCH_STATUSES = ['draft', 'pending_approval', 'approved', 'released', 'rejected'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

/** One period's netting: its exports, its content hash and its state. */
@Entity({ name: 'settlement_batch' })
@Check('settlement_batch_status', `"status" IN ('draft', 'pending_approval', 'approved', 'released', 'rejected')`)
@Check('settlement_batch_period', `"period_end" > "period_start"`)
@Check('settlement_batch_released', `("status" = 'released') = ("bank_reference" IS NOT NULL)`)
@Index('settlement_batch_period_live', ['periodStart', 'periodEnd'], { unique: true, where: `"status" <> 'rejected'` })
export class SettlementBatchEntity {
  @PrimaryColumn({ name: 'batch_id', type: 'uuid' })
  batchId!: string;

  @Column({ name: 'period_start', type: 'timestamptz' })
  periodStart!: Date;

  @Column({ name: 'period_end', type: 'timestamptz' })
  periodEnd!: Date;

  @Column({ type: 'text' })
  status!: BatchStatus;

  @Column({ name: 'content_hash', type: 'char', length: 64 })
  contentHash!: string;

  @Column({ name: 'export_json', type: 'text' })
  exportJson!: string;

  @Column({ name: 'export_csv', type: 'text' })
  exportCsv!: string;

  @Column({ name: 'pain001_xml', type: 'text' })
  pain001Xml!: string;

  @Column({ name: 'trade_count', type: 'bigint' })
  tradeCount!: string;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'bank_reference', type: 'text', nullable: true })
  bankReference!: string | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;
}

/** One net instruction per counterparty and currency. */
@Entity({ name: 'settlement_instruction' })
export class SettlementInstructionEntity {
  @PrimaryColumn({ name: 'batch_id', type: 'uuid' })
  batchId!: string;

  @PrimaryColumn({ type: 'text' })
  counterparty!: string;

  @PrimaryColumn({ type: 'text' })
  currency!: string;

  @Column({ type: 'numeric', precision: 48, scale: 18 })
  bought!: string;

  @Column({ type: 'numeric', precision: 48, scale: 18 })
  sold!: string;

  @Column({ type: 'numeric', precision: 48, scale: 18 })
  fees!: string;

  @Column({ type: 'numeric', precision: 48, scale: 18 })
  payouts!: string;

  /** Positive: the platform pays the counterparty; negative: the counterparty pays. */
  @Column({ name: 'net_amount', type: 'numeric', precision: 48, scale: 18 })
  netAmount!: string;
}

/** One operator's PS256 signature over the batch's content hash. */
@Entity({ name: 'settlement_approval' })
export class SettlementApprovalEntity {
  @PrimaryColumn({ name: 'batch_id', type: 'uuid' })
  batchId!: string;

  @PrimaryColumn({ name: 'operator_ref', type: 'uuid' })
  operatorRef!: string;

  @Column({ type: 'text' })
  signature!: string;

  @Column({ name: 'approved_at', type: 'timestamptz' })
  approvedAt!: Date;
}

/** An operator authorised to approve settlement batches, with the public key that verifies them. */
@Entity({ name: 'settlement_approver' })
export class SettlementApproverEntity {
  @PrimaryColumn({ name: 'operator_ref', type: 'uuid' })
  operatorRef!: string;

  @Column({ name: 'public_jwk', type: 'jsonb' })
  publicJwk!: Record<string, string>;

  @Column({ type: 'boolean' })
  active!: boolean;

  @Column({ name: 'added_at', type: 'timestamptz' })
  addedAt!: Date;
}

/** The post-trade audit chain (hash-linked, append-only). */
@Entity({ name: 'posttrade_audit' })
export class PostTradeAuditEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  seq!: string;

  @Column({ name: 'prev_hash', type: 'char', length: 64 })
  prevHash!: string;

  @Column({ type: 'char', length: 64 })
  hash!: string;

  @Column({ type: 'text' })
  actor!: string;

  @Column({ type: 'text' })
  action!: string;

  @Column({ type: 'text' })
  resource!: string;

  @Column({ type: 'jsonb' })
  diff!: Record<string, unknown>;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}

export const SETTLEMENT_ENTITIES = [SettlementBatchEntity, SettlementInstructionEntity, SettlementApprovalEntity, SettlementApproverEntity, PostTradeAuditEntity];
