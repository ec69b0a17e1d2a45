// The execution stack's own audit chain: PII-free entries (opaque actor handles, resource ids,
// a diff of codes and amounts), each hash linked to the one before. The head row is what a
// writer locks, so entries are appended strictly in sequence.
import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'execution_audit' })
@Check('execution_audit_hashes', `"prev_hash" ~ '^[0-9a-f]{64}$' AND "hash" ~ '^[0-9a-f]{64}$'`)
export class ExecutionAuditEntity {
  @PrimaryColumn({ type: 'bigint' })
  seq!: string;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;

  /** An opaque principal: `operator:<uuid>`, `member:<uuid>` or `system:<name>`. */
  @Column({ type: 'text' })
  actor!: string;

  @Column({ type: 'text' })
  action!: string;

  @Column({ type: 'text' })
  resource!: string;

  @Column({ type: 'jsonb' })
  diff!: unknown;

  @Column({ name: 'prev_hash', type: 'char', length: 64 })
  prevHash!: string;

  @Column({ type: 'char', length: 64 })
  hash!: string;
}

/** One row: the chain's last seq and hash. */
@Entity({ name: 'execution_audit_head' })
@Check('execution_audit_head_single', `"id" = 1`)
export class ExecutionAuditHeadEntity {
  @PrimaryColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'bigint' })
  seq!: string;

  @Column({ type: 'char', length: 64 })
  hash!: string;
}
