// The post-trade audit chain: every post-trade state change (allocation rounds, resolutions,
// payouts, batches and their approvals, breaks) is recorded in the caller's transaction, each
// entry hash-linked to the one before with the shared auditEntryHash, and the table is
// append-only in the database. (When the market engineer's ExecutionAuditService lands, this
// service is the one adapter to point at it.)
import { Injectable, Module } from '@nestjs/common';
import { AUDIT_GENESIS_HASH, auditEntryHash, type CanonicalValue } from '@bulwark/shared-contracts';
import type { SqlTx } from '@bulwark/shared-contracts/wall';

export interface PostTradeAuditInput {
  /** An operator ref, or a system actor such as `system:aggregation`. */
  readonly actor: string;
  readonly action: string;
  readonly resource: string;
  readonly diff?: { readonly [key: string]: CanonicalValue | undefined };
}

/** Serialises appends to the chain inside their transactions. */
const AUDIT_LOCK_KEY = 0x706f_7374; // "post"

@Injectable()
export class PostTradeAuditService {
  async record(tx: SqlTx, entry: PostTradeAuditInput): Promise<{ seq: string; hash: string }> {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK_KEY]);
    const [last] = await tx.query<{ hash: string }>('SELECT hash FROM posttrade_audit ORDER BY seq DESC LIMIT 1');
    const prevHash = last?.hash ?? AUDIT_GENESIS_HASH;
    const [{ at }] = (await tx.query<{ at: string }>(`SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at`)) as [{ at: string }];
    const diff = entry.diff ?? {};
    const hash = auditEntryHash(prevHash, { actor: entry.actor, action: entry.action, resource: entry.resource, diff, at });
    const [row] = await tx.query<{ seq: string }>(
      `INSERT INTO posttrade_audit (prev_hash, hash, actor, action, resource, diff, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq`,
      [prevHash, hash, entry.actor, entry.action, entry.resource, JSON.stringify(diff), at],
    );
    return { seq: (row as { seq: string }).seq, hash };
  }
}

@Module({ providers: [PostTradeAuditService], exports: [PostTradeAuditService] })
export class PostTradeAuditModule {}
