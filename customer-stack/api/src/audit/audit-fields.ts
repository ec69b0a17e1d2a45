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
 * The canonical text an entry's hash covers, less its seq and the previous hash: what comes
 * before the seq and what comes after it. The entry's other keys are fixed, so the canonical
 * object is spelled directly in canonicalJson's key order, the diff's canonical JSON already known
 * (checked once on input). The append statement hashes `prevHash \n before seq after` in the
 * database, where the seq and the previous hash are known; hashAuditEntryFast spells the same in
 * the process, and audit-fields.spec.ts pins it to the reference hash the verifier uses.
 */
export function hashedTextAround(
  entry: Omit<AuditRecordFields, 'diff' | 'seq'> & { readonly diffJson: string },
  /** The entry's time as canonical JSON text, when the caller has it already (a batch shares one time). */
  timeJson: string = JSON.stringify(entry.time.toISOString()),
): { readonly before: string; readonly after: string } {
  const j = JSON.stringify;
  return {
    before: `{"action":${j(entry.action)},"actor":${j(entry.actor)},"diff":${entry.diffJson},"onBehalfOf":${j(entry.onBehalfOf)},` +
      `"resource":${j(entry.resource)},"role":${j(entry.role)},"seq":"`,
    after: `","tenantId":${j(entry.tenantId)},"time":${timeJson}}`,
  };
}

/** The same hash as hashAuditEntry, from the text around the seq (what the append statement hashes). */
export function hashAuditEntryFast(
  prevHash: string,
  entry: Omit<AuditRecordFields, 'diff'> & { readonly diffJson: string },
  timeJson: string = JSON.stringify(entry.time.toISOString()),
): string {
  const { before, after } = hashedTextAround(entry, timeJson);
  // One-shot hashing of one string: a Hash object and three updates cost several times the digest.
  return hash('sha256', `${prevHash}\n${before}${entry.seq.toString()}${after}`, 'hex');
}
