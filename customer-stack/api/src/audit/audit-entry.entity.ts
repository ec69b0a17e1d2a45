import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One link of the audit chain. Append-only in the database: the application role holds only
 * SELECT and INSERT, and a trigger refuses UPDATE, DELETE and TRUNCATE from anyone.
 */
@Entity({ name: 'audit_entry' })
@Index('audit_entry_tenant_seq', ['tenantId', 'seq'])
@Index('audit_entry_resource', ['resource'])
export class AuditEntryEntity {
  @PrimaryColumn({ type: 'bigint' })
  seq!: string;

  @Column({ type: 'timestamptz' })
  time!: Date;

  /** Null for platform-level entries (no tenant). */
  @Column({ name: 'tenant_id', type: 'uuid', nullable: true })
  tenantId!: string | null;

  @Column({ type: 'text' })
  actor!: string;

  @Column({ type: 'text' })
  role!: string;

  @Column({ name: 'on_behalf_of', type: 'text', nullable: true })
  onBehalfOf!: string | null;

  @Column({ type: 'text' })
  action!: string;

  @Column({ type: 'text' })
  resource!: string;

  @Column({ type: 'jsonb' })
  diff!: Record<string, unknown>;

  @Column({ name: 'prev_hash', type: 'char', length: 64 })
  prevHash!: string;

  @Column({ type: 'char', length: 64 })
  hash!: string;
}
