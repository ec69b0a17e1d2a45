// The versioned list store. Each import is a new version; an entry's row is valid from the
// version that added or changed it until the version that changed or removed it, so a
// re-screen can ask "what changed since version N" and screen customers against only that.
import { assert } from '@bulwark/shared-contracts';
import type { SqlTx } from '@bulwark/shared-contracts/wall';
import { ENTRIES_MAX } from './screening/screening-index.js';
import { entryFingerprint, type ListEntry } from './screening/list-entry.js';

export const LIST_INSERT_BATCH = 2_000;

export interface ImportSummary {
  readonly version: number;
  readonly entries: number;
  readonly added: number;
  readonly changed: number;
  readonly removed: number;
}

export class ListRepository {
  async currentVersion(tx: SqlTx): Promise<number | null> {
    const [row] = await tx.query<{ version: number | null }>('SELECT max(version) AS version FROM aml_list_version');
    return row?.version ?? null;
  }

  async currentEntries(tx: SqlTx): Promise<ListEntry[]> {
    const rows = await tx.query<{ entry: ListEntry }>('SELECT entry FROM aml_list_entry WHERE valid_to IS NULL ORDER BY entry_id');
    return rows.map((r) => r.entry);
  }

  /** Entries added or changed after `version` that are still current. */
  async changedSince(tx: SqlTx, version: number): Promise<ListEntry[]> {
    const rows = await tx.query<{ entry: ListEntry }>('SELECT entry FROM aml_list_entry WHERE valid_to IS NULL AND valid_from > $1 ORDER BY entry_id', [version]);
    return rows.map((r) => r.entry);
  }

  /** Stores `entries` as the next version (one transaction; concurrent imports queue on the lock). */
  async importVersion(tx: SqlTx, entries: readonly ListEntry[], sources: Record<string, unknown>, now: Date): Promise<ImportSummary> {
    assert(entries.length <= ENTRIES_MAX, 'list entries within limit');
    await tx.query('LOCK TABLE aml_list_version IN EXCLUSIVE MODE');
    const version = ((await this.currentVersion(tx)) ?? 0) + 1;
    const current = new Map(
      (await tx.query<{ entry_id: string; fingerprint: string }>('SELECT entry_id, fingerprint FROM aml_list_entry WHERE valid_to IS NULL')).map((r) => [r.entry_id,
        r.fingerprint]),
    );
    const incoming = new Map<string, { entry: ListEntry; fingerprint: string }>();
    for (const entry of entries) incoming.set(entry.id, { entry, fingerprint: entryFingerprint(entry) });
    const fresh: { entry: ListEntry; fingerprint: string }[] = [];
    const closed: string[] = [];
    let added = 0;
    let changed = 0;
    for (const [id, item] of incoming) {
      const before = current.get(id);
      if (before === item.fingerprint) continue;
      if (before === undefined) added++;
      else {
        changed++;
        closed.push(id);
      }
      fresh.push(item);
    }
    const removedIds = [...current.keys()].filter((id) => !incoming.has(id));
    closed.push(...removedIds);
    for (let i = 0; i < closed.length; i += LIST_INSERT_BATCH) {
      await tx.query('UPDATE aml_list_entry SET valid_to = $1 WHERE valid_to IS NULL AND entry_id = ANY($2::text[])', [version, closed.slice(i, i + LIST_INSERT_BATCH)]);
    }
    for (let i = 0; i < fresh.length; i += LIST_INSERT_BATCH) {
      const batch = fresh.slice(i, i + LIST_INSERT_BATCH);
      await tx.query(
        `INSERT INTO aml_list_entry (entry_id, valid_from, fingerprint, entry)
         SELECT id, $1, fp, e FROM unnest($2::text[], $3::text[], $4::jsonb[]) AS t(id, fp, e)`,
        [version, batch.map((b) => b.entry.id), batch.map((b) => b.fingerprint), batch.map((b) => JSON.stringify(b.entry))],
      );
    }
    const summary = { version, entries: incoming.size, added, changed, removed: removedIds.length };
    await tx.query(
      'INSERT INTO aml_list_version (version, imported_at, sources, entries, added, changed, removed) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [version, now, JSON.stringify(sources), summary.entries, added, changed, summary.removed],
    );
    return summary;
  }
}
