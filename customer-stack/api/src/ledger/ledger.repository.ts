// SQL of the ledger. Every method runs inside the caller's transaction, with the tenant already
// set (RLS). Batches are written set-based (unnest), one statement per table.
import { assert } from '@bulwark/shared-contracts';
import type { SqlTx } from '@bulwark/shared-contracts/wall';
import { decimalArrayLiteral, integerArrayLiteral, textArrayBinary, uuidArrayBinary } from '../database/sql-arrays.js';
import type { EntryRow, JournaledPosting, LockedAccount, TransactionRow } from './posting-plan.js';
import { toScaled } from './scaled-decimal.js';
import type { AccountKind } from './ledger.types.js';

export interface NewAccount {
  readonly id: string;
  readonly tenantId: string;
  readonly kind: AccountKind;
  readonly ownerRef: string | null;
  readonly unit: string;
  readonly normalSide: 'debit' | 'credit';
  readonly allowNegative: boolean;
}

export interface ReservationRow {
  id: string;
  tenant_id: string;
  owner_ref: string;
  unit: string;
  source_kind: 'customer_cash' | 'customer_position';
  amount: string;
  posted: string;
  released: string;
  status: 'pending' | 'posted' | 'voided' | 'expired';
  reference: string | null;
  expires_at: Date;
}

export class LedgerRepository {
  async journaled(tx: SqlTx, tenantId: string, keys: readonly string[]): Promise<Map<string, JournaledPosting>> {
    const rows = await tx.query<{ idempotency_key: string; id: string; body_hash: string }>(
      `SELECT idempotency_key, id, body_hash FROM ledger_transaction WHERE tenant_id = $1 AND idempotency_key = ANY($2::text[])`,
      [tenantId, textArrayBinary(keys)],
    );
    return new Map(rows.map((row) => [row.idempotency_key, { transactionId: row.id, bodyHash: row.body_hash }]));
  }

  /**
   * Creates the accounts not known to exist, then locks all of them in id order (so concurrent
   * batches never deadlock): creation first, because locking found rows and then inserting the
   * missing ones would take locks out of order.
   */
  async lockAccounts(tx: SqlTx, accounts: readonly NewAccount[], knownToExist: (id: string) => boolean): Promise<Map<string, LockedAccount>> {
    await this.createAccounts(tx, accounts, knownToExist);
    return this.accountsById(tx, accounts.map((a) => a.id), 'lock');
  }

  /** Inserts the accounts not known to exist (in id order; an account created concurrently is kept). */
  async createAccounts(tx: SqlTx, accounts: readonly NewAccount[], knownToExist: (id: string) => boolean): Promise<void> {
    const missing = accounts.filter((a) => !knownToExist(a.id)).sort((a, b) => (a.id < b.id ? -1 : 1));
    if (missing.length === 0) return;
    await tx.query(
      `INSERT INTO ledger_account (id, tenant_id, kind, owner_ref, unit, normal_side, allow_negative)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::boolean[])
       ON CONFLICT (id) DO NOTHING`,
      [
        uuidArrayBinary(missing.map((a) => a.id)), uuidArrayBinary(missing.map((a) => a.tenantId)), textArrayBinary(missing.map((a) => a.kind)),
        uuidArrayBinary(missing.map((a) => a.ownerRef)), textArrayBinary(missing.map((a) => a.unit)), textArrayBinary(missing.map((a) => a.normalSide)),
        missing.map((a) => a.allowNegative),
      ],
    );
  }

  /**
   * The accounts' balances: 'read' as last committed (no lock), or 'lock' — locked for the rest of
   * the transaction in id order, so concurrent batches never deadlock.
   */
  async accountsById(tx: SqlTx, ids: readonly string[], mode: 'read' | 'lock'): Promise<Map<string, LockedAccount>> {
    const rows = await tx.query<{ id: string; balance: string; allow_negative: boolean; normal_side: 'debit' | 'credit' }>(
      `SELECT id, balance::text AS balance, allow_negative, normal_side FROM ledger_account WHERE id = ANY($1::uuid[])${mode === 'lock' ? ' ORDER BY id FOR UPDATE' : ''}`,
      [uuidArrayBinary(ids)],
    );
    return new Map(rows.map((row) => [row.id, { id: row.id, balanceScaled: toScaled(row.balance), allowNegative: row.allow_negative, normalSide: row.normal_side }]));
  }

  /** Inserts the transactions (all of one tenant); returns how many were new (fewer means a concurrent batch won a key). */
  async insertTransactions(tx: SqlTx, rows: readonly TransactionRow[]): Promise<number> {
    const tenantId = singleTenantOf(rows);
    // Counted in the database: a row per inserted transaction would only be counted here.
    const [inserted] = await tx.query<{ n: number }>(
      `WITH inserted AS (
         INSERT INTO ledger_transaction (id, tenant_id, idempotency_key, body_hash, kind, reference, reverses)
         SELECT id, $2::uuid, key, body_hash, kind, reference, reverses
           FROM unnest($1::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::uuid[]) AS t(id, key, body_hash, kind, reference, reverses)
         ON CONFLICT (tenant_id, idempotency_key) DO NOTHING RETURNING 1
       )
       SELECT count(*)::int AS n FROM inserted`,
      [
        uuidArrayBinary(rows.map((r) => r.id)), tenantId, textArrayBinary(rows.map((r) => r.idempotencyKey)),
        textArrayBinary(rows.map((r) => r.bodyHash)), textArrayBinary(rows.map((r) => r.kind)), textArrayBinary(rows.map((r) => r.reference)),
        uuidArrayBinary(rows.map((r) => r.reverses)),
      ],
    );
    assert(inserted !== undefined, 'one count row');
    return inserted.n;
  }

  /** Inserts the entries (all of one tenant) in one statement, as the database's entry check requires. */
  async insertEntries(tx: SqlTx, rows: readonly EntryRow[]): Promise<void> {
    const tenantId = singleTenantOf(rows);
    await tx.query(
      `INSERT INTO ledger_entry (transaction_id, leg, tenant_id, account_id, unit, amount)
       SELECT transaction_id, leg, $2::uuid, account_id, unit, amount
         FROM unnest($1::uuid[], $6::smallint[], $3::uuid[], $4::text[], $5::numeric[]) AS e(transaction_id, leg, account_id, unit, amount)`,
      [
        uuidArrayBinary(rows.map((r) => r.transactionId)), tenantId, uuidArrayBinary(rows.map((r) => r.accountId)),
        textArrayBinary(rows.map((r) => r.unit)), decimalArrayLiteral(rows.map((r) => r.amount)), integerArrayLiteral(rows.map((r) => r.leg)),
      ],
    );
  }

  /**
   * Locks the accounts in id order (so concurrent batches never deadlock) and moves the balances
   * of those with a delta, in one statement: one round trip and one pass instead of a locking
   * read and an UPDATE. `planned` are the balances the batch was planned from; only the accounts
   * whose balance under lock (just before the move) differs are returned, with that balance, so
   * a batch whose plan held sends back no rows. Also how many accounts were locked and how many
   * moved. A move that would take a customer below zero fails the statement (CHECK).
   */
  async lockAndMove(
    tx: SqlTx, planned: readonly LockedAccount[], deltas: ReadonlyMap<string, string>,
  ): Promise<{ locked: number; moved: number; changed: Map<string, bigint> }> {
    // Balances compared as integers of 1e-18, exact (NUMERIC(38,18) times 1e18), so nothing is formatted as decimal text here.
    const rows = await tx.query<{ locked: number; moved: number; id: string | null; balance: string | null }>(
      `WITH planned AS (SELECT * FROM unnest($1::uuid[], $2::numeric[], $3::numeric[]) AS p(id, scaled, delta)),
            locked AS (SELECT id, balance FROM ledger_account WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE),
            moved AS (UPDATE ledger_account a SET balance = a.balance + p.delta
                        FROM locked l JOIN planned p ON p.id = l.id
                       WHERE a.id = l.id AND p.delta <> 0 RETURNING a.id)
       SELECT c.locked, c.moved, x.id, x.balance
         FROM (SELECT (SELECT count(*) FROM locked)::int AS locked, (SELECT count(*) FROM moved)::int AS moved) c
         LEFT JOIN (SELECT l.id, l.balance::text AS balance FROM locked l JOIN planned p ON p.id = l.id
                     WHERE l.balance * 1000000000000000000 <> p.scaled) x ON true`,
      [
        uuidArrayBinary(planned.map((a) => a.id)),
        decimalArrayLiteral(planned.map((a) => a.balanceScaled.toString())),
        decimalArrayLiteral(planned.map((a) => deltas.get(a.id) ?? '0')),
      ],
    );
    const [first] = rows;
    assert(first !== undefined, 'one row at least');
    const changed = new Map<string, bigint>();
    for (const row of rows) if (row.id !== null && row.balance !== null) changed.set(row.id, toScaled(row.balance));
    return { locked: first.locked, moved: first.moved, changed };
  }

  /** One UPDATE for every account of the batch; returns how many rows moved. */
  async applyBalanceDeltas(tx: SqlTx, deltas: ReadonlyMap<string, string>): Promise<number> {
    const updated = await tx.query<{ id: string }>(
      `UPDATE ledger_account a SET balance = a.balance + d.delta
         FROM unnest($1::uuid[], $2::numeric[]) AS d(id, delta)
        WHERE a.id = d.id RETURNING a.id`,
      [uuidArrayBinary([...deltas.keys()]), decimalArrayLiteral([...deltas.values()])],
    );
    return updated.length;
  }

  async balance(tx: SqlTx, accountId: string, at: Date | null): Promise<string> {
    if (at === null) {
      const [row] = await tx.query<{ balance: string }>(`SELECT balance::text AS balance FROM ledger_account WHERE id = $1`, [accountId]);
      return row?.balance ?? '0';
    }
    // Point in time: the journal is the truth; the normal side turns entries into a balance.
    const [row] = await tx.query<{ balance: string | null }>(
      `SELECT (CASE a.normal_side WHEN 'debit' THEN 1 ELSE -1 END * coalesce(sum(e.amount), 0))::text AS balance
         FROM ledger_account a LEFT JOIN ledger_entry e ON e.account_id = a.id AND e.created_at <= $2
        WHERE a.id = $1 GROUP BY a.normal_side`,
      [accountId, at.toISOString()],
    );
    return row?.balance ?? '0';
  }

  /**
   * Every customer's units of every instrument (free plus held for a sell) at a point in time,
   * from the journal, non-zero only. Instrument units are UUIDs; currencies never are.
   */
  async unitHoldingsAt(tx: SqlTx, tenantId: string, at: Date, rowsMax: number): Promise<{ owner_ref: string; unit: string; quantity: string }[]> {
    return tx.query(
      `SELECT a.owner_ref, a.unit, sum(CASE a.normal_side WHEN 'debit' THEN 1 ELSE -1 END * e.amount)::text AS quantity
         FROM ledger_account a JOIN ledger_entry e ON e.account_id = a.id AND e.created_at <= $2
        WHERE a.tenant_id = $1 AND a.kind IN ('customer_position', 'customer_reserved') AND a.owner_ref IS NOT NULL
          AND a.unit ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
        GROUP BY a.owner_ref, a.unit
       HAVING sum(CASE a.normal_side WHEN 'debit' THEN 1 ELSE -1 END * e.amount) <> 0
        ORDER BY a.owner_ref, a.unit LIMIT $3`,
      [tenantId, at.toISOString(), rowsMax],
    );
  }

  async accountsOf(tx: SqlTx, ownerRef: string): Promise<{ id: string; kind: AccountKind; owner_ref: string | null; unit: string; balance: string }[]> {
    return tx.query(`SELECT id, kind, owner_ref, unit, balance::text AS balance FROM ledger_account WHERE owner_ref = $1 ORDER BY kind, unit`, [ownerRef]);
  }

  /** An owner's accounts with their balances just before `from`, from the journal. */
  async openingBalancesOf(tx: SqlTx, ownerRef: string, from: Date): Promise<{ id: string; kind: AccountKind; unit: string; opening: string }[]> {
    return tx.query(
      `SELECT a.id, a.kind, a.unit, (CASE a.normal_side WHEN 'debit' THEN 1 ELSE -1 END * coalesce(sum(e.amount), 0))::text AS opening
         FROM ledger_account a LEFT JOIN ledger_entry e ON e.account_id = a.id AND e.created_at < $2
        WHERE a.owner_ref = $1 GROUP BY a.id, a.kind, a.unit, a.normal_side ORDER BY a.kind, a.unit`,
      [ownerRef, from.toISOString()],
    );
  }

  /** An owner's entries in [from, to), oldest first, signed as they moved each balance; at most `limit`. */
  async periodEntriesOf(
    tx: SqlTx, ownerRef: string, from: Date, to: Date, limit: number,
  ): Promise<{ account_id: string; transaction_id: string; kind: string; reference: string | null; created_at: Date; amount: string }[]> {
    return tx.query(
      `SELECT e.account_id, e.transaction_id, t.kind, t.reference, e.created_at,
              (CASE a.normal_side WHEN 'debit' THEN e.amount ELSE -e.amount END)::text AS amount
         FROM ledger_account a
         JOIN ledger_entry e ON e.account_id = a.id AND e.created_at >= $2 AND e.created_at < $3
         JOIN ledger_transaction t ON t.id = e.transaction_id
        WHERE a.owner_ref = $1
        ORDER BY e.created_at, e.transaction_id, e.leg LIMIT $4`,
      [ownerRef, from.toISOString(), to.toISOString(), limit],
    );
  }

  async entriesOf(tx: SqlTx, transactionId: string): Promise<{ account_id: string; unit: string; amount: string }[]> {
    return tx.query(`SELECT account_id, unit, amount::text AS amount FROM ledger_entry WHERE transaction_id = $1 ORDER BY leg`, [transactionId]);
  }

  async transaction(tx: SqlTx, transactionId: string): Promise<{ id: string; tenant_id: string; kind: string; reference: string | null } | undefined> {
    const [row] = await tx.query<{ id: string; tenant_id: string; kind: string; reference: string | null }>(
      `SELECT id, tenant_id, kind, reference FROM ledger_transaction WHERE id = $1`,
      [transactionId],
    );
    return row;
  }

  async insertReservation(
    tx: SqlTx,
    row: {
      id: string; tenantId: string; ownerRef: string; unit: string; sourceKind: 'customer_cash' | 'customer_position'; amount: string; reference: string | null; expiresAt: Date;
    },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO ledger_reservation (id, tenant_id, owner_ref, unit, source_kind, amount, status, reference, expires_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8)`,
      [row.id, row.tenantId, row.ownerRef, row.unit, row.sourceKind, row.amount, row.reference, row.expiresAt.toISOString()],
    );
  }

  async lockReservation(tx: SqlTx, id: string): Promise<ReservationRow | undefined> {
    const [row] = await tx.query<ReservationRow>(
      `SELECT id, tenant_id, owner_ref, unit, source_kind, amount::text AS amount, posted::text AS posted, released::text AS released, status, reference, expires_at
         FROM ledger_reservation WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return row;
  }

  /** Locks the reservations in id order (one statement, so concurrent batches never deadlock on them). */
  async lockReservations(tx: SqlTx, ids: readonly string[]): Promise<Map<string, ReservationRow>> {
    const rows = await tx.query<ReservationRow>(
      `SELECT id, tenant_id, owner_ref, unit, source_kind, amount::text AS amount, posted::text AS posted, released::text AS released, status, reference, expires_at
         FROM ledger_reservation WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
      [uuidArrayBinary(ids)],
    );
    return new Map(rows.map((row) => [row.id, row]));
  }

  async findReservation(tx: SqlTx, id: string): Promise<ReservationRow | undefined> {
    const [row] = await tx.query<ReservationRow>(
      `SELECT id, tenant_id, owner_ref, unit, source_kind, amount::text AS amount, posted::text AS posted, released::text AS released, status, reference, expires_at
         FROM ledger_reservation WHERE id = $1`,
      [id],
    );
    return row;
  }

  async updateReservation(tx: SqlTx, id: string, change: { posted: string; released: string; status: ReservationRow['status'] }): Promise<void> {
    const rows = await tx.query(
      `UPDATE ledger_reservation SET posted = posted + $2, released = released + $3, status = $4, updated_at = now() WHERE id = $1 AND status = 'pending' RETURNING id`,
      [id, change.posted, change.released, change.status],
    );
    if (rows.length !== 1) throw new Error(`reservation ${id} was not pending`);
  }

  /** Moves many pending reservations at once: each change adds to posted and released and sets the status. */
  async updateReservations(tx: SqlTx, changes: readonly { id: string; posted: string; released: string; status: ReservationRow['status'] }[]): Promise<void> {
    if (changes.length === 0) return;
    const rows = await tx.query(
      `UPDATE ledger_reservation r SET posted = r.posted + c.posted, released = r.released + c.released, status = c.status, updated_at = now()
         FROM unnest($1::uuid[], $2::numeric[], $3::numeric[], $4::text[]) AS c(id, posted, released, status)
        WHERE r.id = c.id AND r.status = 'pending' RETURNING r.id`,
      [
        uuidArrayBinary(changes.map((c) => c.id)), decimalArrayLiteral(changes.map((c) => c.posted)), decimalArrayLiteral(changes.map((c) => c.released)),
        textArrayBinary(changes.map((c) => c.status)),
      ],
    );
    if (rows.length !== changes.length) throw new Error(`${changes.length - rows.length} of ${changes.length} reservations were not pending`);
  }

  /** Pending reservations past their expiry, except those whose reference starts with an owned prefix. */
  async dueReservations(tx: SqlTx, now: Date, limit: number, ownedPrefixes: readonly string[]): Promise<string[]> {
    const rows = await tx.query<{ id: string }>(
      `SELECT id FROM ledger_reservation
        WHERE status = 'pending' AND expires_at <= $1
          AND NOT EXISTS (SELECT 1 FROM unnest($3::text[]) AS owned(prefix) WHERE starts_with(reference, owned.prefix))
        ORDER BY expires_at LIMIT $2`,
      [now.toISOString(), limit, ownedPrefixes],
    );
    return rows.map((row) => row.id);
  }
}

function singleTenantOf(rows: readonly { readonly tenantId: string }[]): string {
  const tenantId = rows[0]?.tenantId;
  assert(tenantId !== undefined && rows.every((row) => row.tenantId === tenantId), 'a batch writes rows of one tenant');
  return tenantId;
}
