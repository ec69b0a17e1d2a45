// The audit chain of the customer stack: every state change appends an entry in the caller's
// own transaction. Built for throughput: one statement per transaction (audit_append) locks the
// head row, hashes the entries onto it and inserts them, so the head is held for that statement
// and the commit only. The head stays locked until the transaction commits and every auditing
// transaction needs it, so entries are appended when the transaction is about to commit (its
// beforeCommit hook), whatever point of its work recorded them: the head is then the last lock a
// transaction takes. Taken mid-transaction, it was held while the rest of the work waited for
// other rows — a placement holding an investor's cash account and waiting for the head, a wall
// batch holding the head and waiting for that account: a deadlock, and every other auditing
// transaction queued behind the head meanwhile.
import { Inject, Injectable } from '@nestjs/common';
import { AUDIT_GENESIS_HASH, assert, findFirstBreak, type ChainedEntry } from '@bulwark/shared-contracts';
import type { SqlDatabase, SqlTx } from '@bulwark/shared-contracts/wall';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import { AuditError } from './audit.errors.js';
import { hashedFieldsOf, hashedTextAround, type AuditRecordFields } from './audit-fields.js';
import { checkAuditInput, type AuditInput, type CheckedAuditInput, type CheckedDiff } from './audit-input.js';
import { AUDIT_BATCH_MAX, AUDIT_CHAIN_PAGE_MAX, AUDIT_DEFERRED_PER_TX_MAX } from './audit-limits.js';
import { TENANT_SETTING } from '../tenancy/rls.js';
import { AuditRepository, type AuditRow, type NewAuditRow } from './audit.repository.js';

export type { AuditActor, AuditInput } from './audit-input.js';

export interface AuditEntry {
  readonly seq: bigint;
  readonly time: Date;
  readonly tenantId: string | null;
  readonly actor: string;
  readonly role: string;
  readonly onBehalfOf: string | null;
  readonly action: string;
  readonly resource: string;
  readonly diff: Record<string, unknown>;
  readonly prevHash: string;
  readonly hash: string;
}

/**
 * `missing_entries`: seq is the first entry absent below the head (deleted); `prev_hash_mismatch`
 * and `hash_mismatch`: seq is the first entry whose link or content was changed; `head_mismatch`:
 * the head row does not match the last entry.
 */
export type AuditBreakKind = 'missing_entries' | 'prev_hash_mismatch' | 'hash_mismatch' | 'head_mismatch';

export interface AuditVerification {
  readonly ok: boolean;
  /** The head's seq when the walk started (entries appended during the walk are left for the next). */
  readonly headSeq: string;
  readonly checkedEntries: string;
  readonly firstBreak: { readonly seq: string; readonly kind: AuditBreakKind } | null;
}

/** An entry recorded and not yet appended, with the tenant its transaction was in then. */
interface PendingEntry {
  readonly entry: CheckedAuditInput;
  readonly tenant: string | null;
}

@Injectable()
export class AuditService {
  private readonly repository = new AuditRepository();
  private readonly pending = new WeakMap<SqlTx, PendingEntry[]>();
  private readonly tenantOf = new WeakMap<SqlTx, string>();

  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}

  /** Appends one entry inside the caller's transaction (when it commits). */
  async record(tx: SqlTx, entry: AuditInput): Promise<void> {
    await this.recordMany(tx, [entry]);
  }

  /**
   * Appends entries in order inside the caller's transaction. They are checked now and appended
   * just before it commits, with every other entry it records (one head lock, one INSERT per
   * tenant), each under the tenant the transaction was in when it was recorded, so row-level
   * security checks them as it would have then. A transaction that cannot run work before its
   * commit appends at once.
   */
  async recordMany(tx: SqlTx, entries: readonly AuditInput[]): Promise<void> {
    if (entries.length === 0) return;
    if (entries.length > AUDIT_BATCH_MAX) throw new AuditError('batch_too_large');
    const checkedDiffs = new Map<object, CheckedDiff>();
    const checked = entries.map((entry) => checkAuditInput(entry, checkedDiffs));
    if (!tx.beforeCommit) {
      await this.appendNow(tx, checked);
      return;
    }
    let pending = this.pending.get(tx);
    if (!pending) {
      const created: PendingEntry[] = [];
      this.pending.set(tx, created);
      tx.beforeCommit(() => this.flush(tx, created));
      pending = created;
    }
    assert(pending.length + checked.length <= AUDIT_DEFERRED_PER_TX_MAX, 'audit entries per transaction within limit');
    const tenant = this.tenantOf.get(tx) ?? null;
    for (const entry of checked) pending.push({ entry, tenant });
  }

  /**
   * Appends one entry at once, holding the head until the transaction commits: only for an entry
   * the database must see before the transaction goes on (the admin bypass, granted by a trigger
   * on the entry's insert).
   */
  async recordNow(tx: SqlTx, entry: AuditInput): Promise<void> {
    await this.appendNow(tx, [checkAuditInput(entry)]);
  }

  /** TenantScope tells each tenant it enters: the deferred entries are appended under it. */
  enteredTenant(tx: SqlTx, tenantId: string): void {
    this.tenantOf.set(tx, tenantId);
  }

  private async appendNow(tx: SqlTx, entries: readonly CheckedAuditInput[]): Promise<void> {
    await this.chain(tx, entries);
  }

  /** Appends what the transaction recorded, in runs of one tenant, under that tenant; then restores the tenant it was in. */
  private async flush(tx: SqlTx, pending: readonly PendingEntry[]): Promise<void> {
    this.pending.delete(tx);
    const entered = this.tenantOf.get(tx) ?? null;
    let current = entered;
    let first: bigint | null = null;
    let last: bigint | null = null;
    for (let start = 0; start < pending.length;) {
      const tenant = (pending[start] as PendingEntry).tenant;
      let end = start + 1;
      while (end < pending.length && end - start < AUDIT_BATCH_MAX && (pending[end] as PendingEntry).tenant === tenant) end += 1;
      if (tenant !== current) await this.setTenant(tx, tenant);
      current = tenant;
      const appended = await this.chain(tx, pending.slice(start, end).map((p) => p.entry));
      // The first append locked the head until the commit: the runs follow each other in the chain.
      assert(last === null || appended.firstSeq === last + 1n, 'the runs of one transaction are consecutive in the chain');
      first ??= appended.firstSeq;
      last = appended.seq;
      start = end;
    }
    if (current !== entered) await this.setTenant(tx, entered);
    assert(first !== null && last !== null && last - first + 1n === BigInt(pending.length), 'the chain grew by exactly the entries recorded');
  }

  private async setTenant(tx: SqlTx, tenantId: string | null): Promise<void> {
    // '' is no tenant: row-level security then admits only platform entries (tenant_id IS NULL).
    await tx.query(`SELECT set_config('${TENANT_SETTING}', $1, true)`, [tenantId ?? '']);
  }

  /**
   * Appends the entries in one statement, which locks the head, hashes each entry onto the one
   * before it in the database and moves the head; returns the seqs it took and the new head.
   */
  private async chain(tx: SqlTx, entries: readonly CheckedAuditInput[]): Promise<{ firstSeq: bigint; seq: bigint; hash: string }> {
    assert(entries.length >= 1 && entries.length <= AUDIT_BATCH_MAX, 'entries per append within limit');
    const time = new Date();
    const timeJson = JSON.stringify(time.toISOString());
    const rows: NewAuditRow[] = entries.map((entry) => {
      // One object per entry, spelled out: spreading the checked entry twice allocated three.
      const { tenantId, actor, role, onBehalfOf, action, resource, diffJson } = entry;
      const { before, after } = hashedTextAround({ time, tenantId, actor, role, onBehalfOf, action, resource, diffJson }, timeJson);
      return { tenantId, actor, role, onBehalfOf, action, resource, diffJson, hashedBefore: before, hashedAfter: after };
    });
    const appended = await this.repository.append(tx, time, rows);
    assert(appended.firstSeq >= 1n && appended.seq - appended.firstSeq + 1n === BigInt(entries.length), 'the chain grew by exactly the entries given');
    return appended;
  }

  /** The chain's last seq and hash (seq 0 and the genesis hash while empty). */
  async head(tx?: SqlTx): Promise<{ seq: bigint; hash: string }> {
    return tx ? this.repository.head(tx) : this.db.transaction((own) => this.repository.head(own));
  }

  /** Entries fromSeq..toSeq (inclusive) of the whole chain, across tenants, in order. */
  async range(fromSeq: bigint, toSeq: bigint, tx?: SqlTx): Promise<AuditEntry[]> {
    if (fromSeq < 1n || toSeq < fromSeq || toSeq - fromSeq >= BigInt(AUDIT_CHAIN_PAGE_MAX)) throw new AuditError('range_invalid');
    const read = async (t: SqlTx) => (await this.repository.range(t, fromSeq, toSeq)).map(entryOf);
    return tx ? read(tx) : this.db.transaction(read);
  }

  /** A page of the transaction's tenant's trail, newest first (before a seq, of actions with a prefix). */
  async trail(tx: SqlTx, filter: { beforeSeq: bigint | null; actionPrefix: string | null; limit: number }): Promise<AuditEntry[]> {
    assert(filter.limit >= 1 && filter.limit <= AUDIT_CHAIN_PAGE_MAX, 'trail page within bounds');
    assert(filter.beforeSeq === null || filter.beforeSeq >= 1n, 'trail cursor is a seq');
    return (await this.repository.trail(tx, filter.beforeSeq, filter.actionPrefix, filter.limit)).map(entryOf);
  }

  /** Entries about one resource visible to the transaction's tenant, newest first. */
  async ofResource(tx: SqlTx, resource: string, limit = 100): Promise<AuditEntry[]> {
    assert(limit >= 1 && limit <= AUDIT_CHAIN_PAGE_MAX, 'resource history limit within bounds');
    return (await this.repository.ofResource(tx, resource, limit)).map(entryOf);
  }

  /**
   * Walks the whole chain from the genesis in pages and names the first broken entry: a gap in
   * the seqs, a link to the wrong previous hash, a hash that does not match the entry, entries
   * missing below the head, or a head that disagrees with the last entry.
   */
  async verify(pageSize = AUDIT_CHAIN_PAGE_MAX): Promise<AuditVerification> {
    assert(pageSize >= 1 && pageSize <= AUDIT_CHAIN_PAGE_MAX, 'verification page within limit');
    const head = await this.head();
    let last = { seq: 0n, hash: AUDIT_GENESIS_HASH };
    const report = (firstBreak: AuditVerification['firstBreak']): AuditVerification => ({
      ok: firstBreak === null,
      headSeq: head.seq.toString(),
      checkedEntries: last.seq.toString(),
      firstBreak,
    });
    while (last.seq < head.seq) {
      const to = last.seq + BigInt(pageSize) < head.seq ? last.seq + BigInt(pageSize) : head.seq;
      const page = await this.range(last.seq + 1n, to);
      const chained: ChainedEntry[] = page.map((entry) => ({
        seq: entry.seq,
        prevHash: entry.prevHash,
        hash: entry.hash,
        fields: hashedFieldsOf({ ...entry, diff: entry.diff as AuditRecordFields['diff'] }),
      }));
      const broken = findFirstBreak(chained, last);
      if (broken?.kind === 'sequence_gap') return report({ seq: broken.expectedSeq.toString(), kind: 'missing_entries' });
      if (broken) return report({ seq: broken.seq.toString(), kind: broken.kind });
      const tail = page[page.length - 1];
      if (!tail || tail.seq < to) {
        // Entries below the head are gone (a deleted tail of this page).
        const missing = (tail?.seq ?? last.seq) + 1n;
        if (tail) last = { seq: tail.seq, hash: tail.hash };
        return report({ seq: missing.toString(), kind: 'missing_entries' });
      }
      last = { seq: tail.seq, hash: tail.hash };
    }
    if (last.hash !== head.hash) return report({ seq: head.seq.toString(), kind: 'head_mismatch' });
    return report(null);
  }
}

function entryOf(row: AuditRow): AuditEntry {
  return {
    seq: BigInt(row.seq),
    time: row.time,
    tenantId: row.tenant_id,
    actor: row.actor,
    role: row.role,
    onBehalfOf: row.on_behalf_of,
    action: row.action,
    resource: row.resource,
    diff: row.diff,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
