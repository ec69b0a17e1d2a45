// The columns of an anchor batch table (see audit/anchor-batch.ts), the same in both stacks. Each
// stack's entity extends this with its table name, its checks and the column that says when the
// batch was cut (the customer stack: `requested_at`; the execution stack: `cut_at`).
import { Column, PrimaryColumn } from 'typeorm';
import type { AnchorBatchStatus } from '../audit/anchor-batch.js';

export abstract class AnchorBatchColumns {
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

  /** The tree's compact right edge: the next batch continues from it without re-reading the log. */
  @Column({ type: 'jsonb' })
  frontier!: Record<string, unknown>;

  @Column({ type: 'text' })
  status!: AnchorBatchStatus;

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
