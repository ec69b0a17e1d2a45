// SQL of the audit chain. An append locks the single head row, chains and inserts the whole batch
// and moves the head in one statement (the audit_append function); reads of the whole chain go through the
// SECURITY DEFINER reader (row-level security shows a tenant only its own entries).
import { assert } from '@bulwark/shared-contracts';
import type { SqlTx } from '@bulwark/shared-contracts/wall';
import { textArrayBinary, uuidArrayBinary } from '../database/sql-arrays.js';

export interface AuditRow {
  seq: string;
  time: Date;
  tenant_id: string | null;
  actor: string;
  role: string;
  on_behalf_of: string | null;
  action: string;
  resource: string;
  diff: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

/** An entry to append: its fields and the canonical text its hash covers around its seq (audit-fields.ts). */
export interface NewAuditRow {
  readonly tenantId: string | null;
  readonly actor: string;
  readonly role: string;
  readonly onBehalfOf: string | null;
  readonly action: string;
  readonly resource: string;
  readonly diffJson: string;
  readonly hashedBefore: string;
  readonly hashedAfter: string;
}

export class AuditRepository {
  async head(tx: SqlTx): Promise<{ seq: bigint; hash: string }> {
    const [head] = await tx.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_chain_head WHERE id = 1');
    if (!head) throw new Error('audit_chain_head row is missing: the audit migration did not run');
    return { seq: BigInt(head.seq), hash: head.hash };
  }

  /**
   * Appends the rows in one statement (audit_append): the head locked for the rest of the
   * caller's transaction, the rows chained onto it in order at consecutive seqs, all at one time
   * (an append is one moment), and the head moved to the last. Returns the seqs and the new head.
   */
  async append(tx: SqlTx, time: Date, rows: readonly NewAuditRow[]): Promise<{ firstSeq: bigint; seq: bigint; hash: string }> {
    assert(rows.length >= 1, 'an append has entries');
    const [appended] = await tx.query<{ first_seq: string; last_seq: string; last_hash: string }>(
      'SELECT first_seq, last_seq, last_hash FROM audit_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
      [
        time.toISOString(),
        uuidArrayBinary(rows.map((r) => r.tenantId)),
        textArrayBinary(rows.map((r) => r.actor)),
        textArrayBinary(rows.map((r) => r.role)),
        textArrayBinary(rows.map((r) => r.onBehalfOf)),
        textArrayBinary(rows.map((r) => r.action)),
        textArrayBinary(rows.map((r) => r.resource)),
        textArrayBinary(rows.map((r) => r.diffJson)),
        textArrayBinary(rows.map((r) => r.hashedBefore)),
        textArrayBinary(rows.map((r) => r.hashedAfter)),
      ],
    );
    if (!appended) throw new Error('audit_append returned no head');
    return { firstSeq: BigInt(appended.first_seq), seq: BigInt(appended.last_seq), hash: appended.last_hash };
  }

  /** Entries fromSeq..toSeq of the whole chain, in order (at most AUDIT_CHAIN_PAGE_MAX, enforced in SQL too). */
  async range(tx: SqlTx, fromSeq: bigint, toSeq: bigint): Promise<AuditRow[]> {
    return tx.query<AuditRow>('SELECT * FROM audit_chain_range($1, $2)', [fromSeq.toString(), toSeq.toString()]);
  }

  /**
   * A page of the tenant's trail (row-level security filters), newest first: entries below
   * `beforeSeq` when given, and only actions starting with `actionPrefix` when given.
   */
  async trail(tx: SqlTx, beforeSeq: bigint | null, actionPrefix: string | null, limit: number): Promise<AuditRow[]> {
    return tx.query<AuditRow>(
      `SELECT * FROM audit_entry WHERE ($1::bigint IS NULL OR seq < $1) AND ($2::text IS NULL OR left(action, length($2)) = $2) ORDER BY seq DESC LIMIT $3`,
      [beforeSeq === null ? null : beforeSeq.toString(), actionPrefix, limit],
    );
  }

  /** The entries of the tenant set on the transaction (row-level security filters), newest first. */
  async ofResource(tx: SqlTx, resource: string, limit: number): Promise<AuditRow[]> {
    return tx.query<AuditRow>('SELECT * FROM audit_entry WHERE resource = $1 ORDER BY seq DESC LIMIT $2', [resource, limit]);
  }
}
