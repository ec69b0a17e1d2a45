import { Check, Column, Entity } from 'typeorm';
import { AnchorBatchColumns } from '@bulwark/shared-contracts/platform';

/**
 * One Merkle batch of the execution audit table: the RFC 9162 root of the whole log at
 * `last_seq` entries, handed to the chain module for anchoring, and where the chain holds it once
 * the anchoring transaction is mined.
 */
@Entity({ name: 'execution_audit_batch' })
@Check('execution_audit_batch_range', `"first_seq" >= 1 AND "last_seq" >= "first_seq" AND "entry_count" = "last_seq" - "first_seq" + 1`)
@Check('execution_audit_batch_status', `"status" IN ('requested', 'anchored')`)
export class ExecutionAuditBatchEntity extends AnchorBatchColumns {
  /** When the batch was cut and handed to the chain module. */
  @Column({ name: 'cut_at', type: 'timestamptz' })
  cutAt!: Date;
}
