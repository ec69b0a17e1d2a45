import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One Merkle batch of the execution audit table: the RFC 9162 root of the whole log at
 * `last_seq` entries, handed to the chain module for anchoring, and where the chain holds it once
 * the anchoring transaction is mined. The frontier (the tree's compact right edge) lets the next
 * batch continue without re-reading the log.
 */
@Entity({ name: 'execution_audit_batch' })
@Check('execution_audit_batch_range', `"first_seq" >= 1 AND "last_seq" >= "first_seq" AND "entry_count" = "last_seq" - "first_seq" + 1`)
@Check('execution_audit_batch_status', `"status" IN ('requested', 'anchored')`)
export class ExecutionAuditBatchEntity {
  @PrimaryColumn({ name: 'batch_id', type: 'bigint' })
  batchId!: string;

  @Column({ name: 'first_seq', type: 'bigint' })
  firstSeq!: string;

  @Column({ name: 'last_seq', type: 'bigint' })
  lastSeq!: string;

  @Column({ name: 'entry_count', type: 'bigint' })
  entryCount!: string;

  @Column({ name: 'merkle_root', type: 'char', length: 64 })
  merkleRoot!: string;

  @Column({ type: 'jsonb' })
  frontier!: Record<string, unknown>;

  @Column({ type: 'text' })
  status!: 'requested' | 'anchored';

  @Column({ name: 'cut_at', type: 'timestamptz' })
  cutAt!: Date;

  @Column({ name: 'chain_id', type: 'integer', nullable: true })
  chainId!: number | null;

  @Column({ name: 'contract_address', type: 'text', nullable: true })
  contractAddress!: string | null;

  @Column({ name: 'tx_hash', type: 'text', nullable: true })
  txHash!: string | null;

  @Column({ name: 'block_number', type: 'bigint', nullable: true })
  blockNumber!: string | null;

  @Column({ name: 'anchored_at', type: 'timestamptz', nullable: true })
  anchoredAt!: Date | null;
}
