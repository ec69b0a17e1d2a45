import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { BatchStatus } from './settlement.views.js';

/** One period's netting: its exports, its content hash and its state. */
@Entity({ name: 'settlement_batch' })
@Check('settlement_batch_status', `"status" IN ('draft', 'pending_approval', 'approved', 'released', 'rejected')`)
@Check('settlement_batch_period', `"period_end" > "period_start"`)
@Check('settlement_batch_released', `("status" = 'released') = ("bank_reference" IS NOT NULL)`)
@Check('settlement_batch_rejected', `("status" = 'rejected') = ("rejection_reason" IS NOT NULL)`)
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

  /** Why a person rejected the batch (rejected batches only). */
  @Column({ name: 'rejection_reason', type: 'text', nullable: true })
  rejectionReason!: string | null;

  /** Net token legs handed to the chain module when the batch was approved. */
  @Column({ name: 'token_legs_queued', type: 'integer', default: 0 })
  tokenLegsQueued!: number;
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

/** An operator authorised to approve settlement batches (their approvals verify against their own operator keys). */
@Entity({ name: 'settlement_approver' })
export class SettlementApproverEntity {
  @PrimaryColumn({ name: 'operator_ref', type: 'uuid' })
  operatorRef!: string;

  @Column({ type: 'boolean' })
  active!: boolean;

  @Column({ name: 'added_at', type: 'timestamptz' })
  addedAt!: Date;
}

export const SETTLEMENT_ENTITIES = [SettlementBatchEntity, SettlementInstructionEntity, SettlementApprovalEntity, SettlementApproverEntity];
