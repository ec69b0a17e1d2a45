// Records operator and member actions in the execution stack's hash-chained audit table, in
// the caller's transaction (so an action and its entry commit together), and serves ranges
// and the head for verification and on-chain anchoring.
import { Inject, Injectable, Module } from '@nestjs/common';
import { z } from 'zod';
import { AUDIT_GENESIS_HASH, assert, auditEntryHash, detectPii, findFirstBreak, type CanonicalValue, type ChainBreak } from '@bulwark/shared-contracts';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import type { SqlDatabase, SqlTx } from '@bulwark/shared-contracts/wall';

export const EXECUTION_AUDIT_RANGE_MAX = 10_000;
export const EXECUTION_AUDIT_DIFF_BYTES_MAX = 16_384;

const Principal = z.string().regex(/^(operator|member|system):[a-z0-9-]{1,64}$/, 'an opaque principal');
export const ExecutionAuditInput = z.strictObject({
  actor: Principal,
  action: z.string().regex(/^[a-z][a-z0-9_.]{1,63}$/),
  resource: z.string().min(1).max(200),
  diff: z.record(z.string(), z.unknown()),
});
export type ExecutionAuditInput = z.infer<typeof ExecutionAuditInput>;

export interface ExecutionAuditEntry {
  readonly seq: bigint;
  readonly recordedAt: string;
  readonly actor: string;
  readonly action: string;
  readonly resource: string;
  readonly diff: Record<string, CanonicalValue>;
  readonly prevHash: string;
  readonly hash: string;
}

const hashedFields = (e: Omit<ExecutionAuditEntry, 'prevHash' | 'hash'>) => ({
  seq: e.seq.toString(),
  recordedAt: e.recordedAt,
  actor: e.actor,
  action: e.action,
  resource: e.resource,
  diff: e.diff,
});

@Injectable()
export class ExecutionAuditService {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}

  /** Appends one entry in the caller's transaction; the head stays locked until it commits. */
  async record(tx: SqlTx, input: ExecutionAuditInput): Promise<{ seq: bigint; hash: string }> {
    const entry = ExecutionAuditInput.parse(input);
    const diff = JSON.parse(JSON.stringify(entry.diff)) as Record<string, CanonicalValue>;
    assert(JSON.stringify(diff).length <= EXECUTION_AUDIT_DIFF_BYTES_MAX, 'audit diff within its size limit');
    // The execution stack holds no personal data, and its audit chain is no exception.
    assert(detectPii(diff).length === 0, 'an audit diff carries no personal data');
    const [head] = await tx.query<{ seq: string; hash: string }>(`SELECT seq, hash FROM execution_audit_head WHERE id = 1 FOR UPDATE`);
    assert(head !== undefined, 'the audit head row exists');
    const seq = BigInt(head.seq) + 1n;
    const recordedAt = new Date().toISOString();
    const hash = auditEntryHash(head.hash, hashedFields({ seq, recordedAt, actor: entry.actor, action: entry.action, resource: entry.resource, diff }));
    await tx.query(
      `INSERT INTO execution_audit (seq, recorded_at, actor, action, resource, diff, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [seq.toString(), recordedAt, entry.actor, entry.action, entry.resource, JSON.stringify(diff), head.hash, hash],
    );
    await tx.query(`UPDATE execution_audit_head SET seq = $1, hash = $2 WHERE id = 1`, [seq.toString(), hash]);
    return { seq, hash };
  }

  async head(): Promise<{ seq: bigint; hash: string }> {
    const [row] = await this.db.transaction((tx) => tx.query<{ seq: string; hash: string }>(`SELECT seq, hash FROM execution_audit_head WHERE id = 1`));
    assert(row !== undefined, 'the audit head row exists');
    return { seq: BigInt(row.seq), hash: row.hash };
  }

  /** Entries fromSeq..toSeq inclusive, in order. */
  async range(fromSeq: bigint, toSeq: bigint): Promise<ExecutionAuditEntry[]> {
    assert(fromSeq >= 1n && toSeq >= fromSeq && toSeq - fromSeq < BigInt(EXECUTION_AUDIT_RANGE_MAX), 'audit range within limits');
    const rows = await this.db.transaction((tx) =>
      tx.query<{ seq: string; recorded_at: Date; actor: string; action: string; resource: string; diff: Record<string, CanonicalValue>; prev_hash: string; hash: string }>(
        `SELECT * FROM execution_audit WHERE seq BETWEEN $1 AND $2 ORDER BY seq`,
        [fromSeq.toString(), toSeq.toString()],
      ),
    );
    return rows.map((r) => ({
      seq: BigInt(r.seq),
      recordedAt: r.recorded_at.toISOString(),
      actor: r.actor,
      action: r.action,
      resource: r.resource,
      diff: r.diff,
      prevHash: r.prev_hash,
      hash: r.hash,
    }));
  }

  /** Walks the chain from the genesis to the head; null when every link holds. */
  async verify(): Promise<ChainBreak | null> {
    const head = await this.head();
    let last = { seq: 0n, hash: AUDIT_GENESIS_HASH };
    while (last.seq < head.seq) {
      const to = last.seq + BigInt(EXECUTION_AUDIT_RANGE_MAX) - 1n < head.seq ? last.seq + BigInt(EXECUTION_AUDIT_RANGE_MAX) - 1n : head.seq;
      const page = await this.range(last.seq + 1n, to);
      const broken = findFirstBreak(
        page.map((e) => ({ seq: e.seq, prevHash: e.prevHash, hash: e.hash, fields: hashedFields(e) })),
        last,
      );
      if (broken) return broken;
      const tail = page.at(-1);
      if (!tail || tail.seq !== to) return { seq: (tail?.seq ?? last.seq) + 1n, kind: 'sequence_gap', expectedSeq: (tail?.seq ?? last.seq) + 1n };
      last = { seq: tail.seq, hash: tail.hash };
    }
    return head.hash === last.hash ? null : { seq: head.seq, kind: 'hash_mismatch' };
  }
}

@Module({ providers: [ExecutionAuditService], exports: [ExecutionAuditService] })
export class ExecutionAuditModule {}
