import { Check, Column, Entity } from 'typeorm';
import { AnchorBatchColumns } from '@bulwark/shared-contracts/platform';

/**
 * One Merkle batch of the audit chain: the RFC 9162 root of the whole log at `last_seq` entries,
 * sent to the execution stack for anchoring, and where the chain holds it once anchored.
 */
@Entity({ name: 'audit_anchor_batch' })
@Check('audit_anchor_batch_range', `"first_seq" >= 1 AND "last_seq" >= "first_seq" AND "entry_count" = "last_seq" - "first_seq" + 1`)
@Check('audit_anchor_batch_status', `"status" IN ('requested', 'anchored')`)
export class AuditAnchorBatchEntity extends AnchorBatchColumns {
  /** When the root was requested across the wall (audit.anchor-request.v1). */
  @Column({ name: 'requested_at', type: 'timestamptz' })
  requestedAt!: Date;
}
