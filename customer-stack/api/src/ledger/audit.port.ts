// The audit chain as the money modules see it: the contract's AuditService.recordMany, always
// inside the caller's transaction. Bound to the tenancy engineer's AuditService in the module.
import type { SqlTx } from '@bulwark/shared-contracts/wall';

export interface AuditInput {
  readonly tenantId: string | null;
  readonly actor: string;
  readonly role: string;
  readonly onBehalfOf?: string;
  readonly action: string;
  readonly resource: string;
  readonly diff?: Record<string, unknown>;
}

export interface AuditWriter {
  recordMany(tx: SqlTx, entries: AuditInput[]): Promise<unknown>;
}

export const AUDIT_WRITER = Symbol('AUDIT_WRITER');

/** The actor of postings the system makes on its own (group commit, expiry, wall handlers). */
export const SYSTEM_ACTOR = Object.freeze({ actor: 'system:ledger', role: 'system' });
