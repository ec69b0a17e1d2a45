import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The single row that holds the chain's last seq and hash. Appending locks it (FOR UPDATE), so
 * concurrent transactions extend the chain one after another without gaps or forks.
 */
@Entity({ name: 'audit_chain_head' })
@Check('audit_chain_head_single', `"id" = 1`)
export class AuditChainHeadEntity {
  @PrimaryColumn({ type: 'smallint' })
  id!: number;

  @Column({ type: 'bigint' })
  seq!: string;

  @Column({ type: 'char', length: 64 })
  hash!: string;
}
