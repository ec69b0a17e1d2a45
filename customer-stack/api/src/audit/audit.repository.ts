// SQL of the audit chain. Appends lock the single head row, insert the whole batch in one
// statement and move the head in the same statement; reads of the whole chain go through the
// SECURITY DEFINER reader (row-level security shows a tenant only its own entries).
import { assert } from '@bulwark/shared-contracts';
import type { SqlTx } from '@bulwark/shared-contracts/wall';
import { decimalArrayLiteral, textArrayLiteral, uuidArrayLiteral } from '../database/sql-arrays.js';

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

export interface NewAuditRow {
  readonly seq: bigint;
  readonly time: Date;
  readonly tenantId: string | null;
  readonly actor: string;
  readonly role: string;
  readonly onBehalfOf: string | null;
  readonly action: string;
  readonly resource: string;
  readonly diffJson: string;
  readonly prevHash: string;
  readonly hash: string;
}

export class AuditRepository {
  /** Locks the chain head for the rest of the caller's transaction. */
  async lockHead(tx: SqlTx): Promise<{ seq: bigint; hash: string }> {
    const [head] = await tx.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE');
    if (!head) throw new Error('audit_chain_head row is missing: the audit migration did not run');
    return { seq: BigInt(head.seq), hash: head.hash };
  }

  async head(tx: SqlTx): Promise<{ seq: bigint; hash: string }> {
    const [head] = await tx.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_chain_head WHERE id = 1');
    if (!head) throw new Error('audit_chain_head row is missing: the audit migration did not run');
    return { seq: BigInt(head.seq), hash: head.hash };
  }

  /**
   * Inserts the rows (consecutive seqs, one time: an append is one moment) and moves the head to
   * the last of them, in one statement. The shared time goes once, not parsed again per row.
   */
  async append(tx: SqlTx, rows: readonly NewAuditRow[]): Promise<void> {
    const last = rows[rows.length - 1];
    if (!last) return;
    const time = last.time.getTime();
    assert(rows.every((row) => row.time.getTime() === time), 'the entries of one append share their time');
    await tx.query(
      `WITH appended AS (
         INSERT INTO audit_entry (seq, time, tenant_id, actor, role, on_behalf_of, action, resource, diff, prev_hash, hash)
         SELECT seq, $2::timestamptz, tenant_id, actor, role, on_behalf_of, action, resource, diff, prev_hash, hash
           FROM unnest($1::bigint[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::jsonb[], $10::text[], $11::text[])
             AS e(seq, tenant_id, actor, role, on_behalf_of, action, resource, diff, prev_hash, hash)
       )
       UPDATE audit_chain_head SET seq = $12, hash = $13 WHERE id = 1`,
      [
        decimalArrayLiteral(rows.map((r) => r.seq.toString())),
        last.time.toISOString(),
        uuidArrayLiteral(rows.map((r) => r.tenantId)),
        textArrayLiteral(rows.map((r) => r.actor)),
        textArrayLiteral(rows.map((r) => r.role)),
        textArrayLiteral(rows.map((r) => r.onBehalfOf)),
        textArrayLiteral(rows.map((r) => r.action)),
        textArrayLiteral(rows.map((r) => r.resource)),
        textArrayLiteral(rows.map((r) => r.diffJson)),
        textArrayLiteral(rows.map((r) => r.prevHash)),
        textArrayLiteral(rows.map((r) => r.hash)),
        last.seq.toString(),
        last.hash,
      ],
    );
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
