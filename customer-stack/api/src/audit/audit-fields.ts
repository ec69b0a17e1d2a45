// The exact fields an audit entry's hash commits to, in one place: the service hashes them when
// it appends, the verifier recomputes them from the stored row. Every stored column but the two
// hashes is covered, so editing any of them breaks the link.
import { hash } from 'node:crypto';
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

/**
 * The same hash as hashAuditEntry, for the append path: the diff's canonical JSON is already known
 * (checked once on input), and the entry's other keys are fixed, so the canonical object is
 * spelled directly in canonicalJson's key order instead of being sorted again per entry. The
 * verifier recomputes with the reference functions, and audit-fields.spec.ts pins the two equal.
 */
export function hashAuditEntryFast(
  prevHash: string,
  entry: Omit<AuditRecordFields, 'diff'> & { readonly diffJson: string },
  /** The entry's time as canonical JSON text, when the caller has it already (a batch shares one time). */
  timeJson: string = JSON.stringify(entry.time.toISOString()),
): string {
  const j = JSON.stringify;
  // One-shot hashing of one string: a Hash object and three updates cost several times the digest.
  return hash(
    'sha256',
    `${prevHash}\n{"action":${j(entry.action)},"actor":${j(entry.actor)},"diff":${entry.diffJson},"onBehalfOf":${j(entry.onBehalfOf)},` +
      `"resource":${j(entry.resource)},"role":${j(entry.role)},"seq":"${entry.seq.toString()}","tenantId":${j(entry.tenantId)},"time":${timeJson}}`,
    'hex',
  );
}
