// The exact fields an audit entry's hash commits to, in one place: the service hashes them when
// it appends, the verifier recomputes them from the stored row. Every stored column but the two
// hashes is covered, so editing any of them breaks the link.
import { auditEntryHash, type CanonicalValue } from '@bulwark/shared-contracts';

export interface AuditRecordFields {
  readonly seq: bigint;
  readonly time: Date;
  readonly tenantId: string | null;
  readonly actor: string;
  readonly role: string;
  readonly onBehalfOf: string | null;
  readonly action: string;
  readonly resource: string;
  readonly diff: { readonly [key: string]: CanonicalValue | undefined };
}

/** The canonical object hashed for an entry (seq as a decimal string, time as ISO-8601 with milliseconds). */
export function hashedFieldsOf(entry: AuditRecordFields): { readonly [key: string]: CanonicalValue } {
  return {
    seq: entry.seq.toString(),
    time: entry.time.toISOString(),
    tenantId: entry.tenantId,
    actor: entry.actor,
    role: entry.role,
    onBehalfOf: entry.onBehalfOf,
    action: entry.action,
    resource: entry.resource,
    diff: entry.diff,
  };
}

export function hashAuditEntry(prevHash: string, entry: AuditRecordFields): string {
  return auditEntryHash(prevHash, hashedFieldsOf(entry));
}
