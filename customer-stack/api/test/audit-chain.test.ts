// The audit chain on the real database: appends are gapless under concurrency and verify; the
// application role cannot change history; a superuser who switches the triggers off to edit,
// delete or reorder entries is named at the right seq by the verifier.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { testSuperuserUrl } from '@bulwark/testing';
import { AuditService, type AuditInput } from '../src/audit/audit.service.js';
import { REFERENCE_TENANT_ID } from '../src/tenancy/reference-tenant.js';
import { RequestTransaction } from '../src/tenancy/request-transaction.js';
import { TenantScope } from '../src/tenancy/tenant-scope.js';
import { TEST_ADMIN, migratedCustomerDatabase, type MigratedCustomerDatabase } from './support/tenancy.js';

let fixture: MigratedCustomerDatabase;
let audit: AuditService;
let scope: TenantScope;
let app: pg.Client;
let superuser: pg.Client;

const entry = (n: number, tenantId: string | null = REFERENCE_TENANT_ID): AuditInput => ({
  tenantId, ...TEST_ADMIN, action: 'test.thing.changed', resource: `thing:${n}`, diff: { n, amount: '12.50', nested: { list: [1, 'two', null, true] } },
});

/** Runs `sql` as a superuser with triggers switched off (what an insider with root would do). */
async function tamper(sql: string, params: unknown[] = []): Promise<void> {
  await superuser.query('BEGIN');
  await superuser.query('SET LOCAL session_replication_role = replica');
  await superuser.query(sql, params);
  await superuser.query('COMMIT');
}

beforeAll(async () => {
  fixture = await migratedCustomerDatabase();
  audit = new AuditService(fixture.db);
  scope = new TenantScope(fixture.db, audit, new RequestTransaction(fixture.db));
  app = new pg.Client({ connectionString: fixture.database.url });
  superuser = new pg.Client({ connectionString: testSuperuserUrl(fixture.database) });
  await Promise.all([app.connect(), superuser.connect()]);
  await scope.run(REFERENCE_TENANT_ID, (tx) => audit.recordMany(tx, Array.from({ length: 40 }, (_, i) => entry(i))));
});

afterAll(async () => {
  await app?.end();
  await superuser?.end();
  await fixture?.close();
});

describe('appending', () => {
  it('numbers entries without gaps and links each to the previous hash', async () => {
    const head = await audit.head();
    expect(head.seq).toBe(40n);
    const entries = await audit.range(1n, 40n);
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 40 }, (_, i) => BigInt(i + 1)));
    entries.slice(1).forEach((e, i) => expect(e.prevHash).toBe(entries[i]!.hash));
    expect(entries[39]!.hash).toBe(head.hash);
    expect(await audit.verify(7)).toEqual({ ok: true, headSeq: '40', checkedEntries: '40', firstBreak: null });
  });

  it('stays one gapless chain when many transactions append at once', async () => {
    const before = (await audit.head()).seq;
    await Promise.all(Array.from({ length: 12 }, (_, i) =>
      scope.run(REFERENCE_TENANT_ID, (tx) => audit.recordMany(tx, Array.from({ length: 5 }, (__, j) => entry(1000 + i * 10 + j))))));
    await Promise.all(Array.from({ length: 8 }, (_, i) => fixture.db.transaction((tx) => audit.record(tx, entry(2000 + i, null)))));
    expect((await audit.head()).seq).toBe(before + 68n);
    expect((await audit.verify()).ok).toBe(true);
  });

  it('hashes in the database exactly as the verifier does, for text beyond ASCII and characters JSON escapes', async () => {
    const before = (await audit.head()).seq;
    await scope.run(REFERENCE_TENANT_ID, (tx) => audit.recordMany(tx, [
      { tenantId: REFERENCE_TENANT_ID, ...TEST_ADMIN, onBehalfOf: 'user:zoë', action: 'test.thing.renamed', resource: 'thing:ünïcode/€',
        diff: { label: 'ā ś 🌏 — 名 ü €', quote: 'say "hi"\\ back\ttab\nline', control: '\u0001\u001f', empty: '' } },
      entry(3001),
    ]));
    await fixture.db.transaction((tx) => audit.record(tx, { tenantId: null, ...TEST_ADMIN, action: 'test.platform.noted', resource: 'platform:ü', diff: { big: '1e+400', n: -0 } }));
    expect((await audit.head()).seq).toBe(before + 3n);
    expect(await audit.verify()).toMatchObject({ ok: true, firstBreak: null });
  });

  it('rolls back with the caller: an aborted transaction leaves neither entries nor a moved head', async () => {
    const before = await audit.head();
    await expect(scope.run(REFERENCE_TENANT_ID, async (tx) => {
      await audit.recordMany(tx, [entry(1), entry(2)]);
      throw new Error('the state change failed');
    })).rejects.toThrow('the state change failed');
    expect(await audit.head()).toEqual(before);
  });

  it.each([
    ['a secret', { password: 'hunter2' }, /never carry a secret/],
    ['a TOTP code', { totpCode: '123456' }, /never carry a secret/],
    ['an email address', { contact: 'jane.perera@example.lk' }, /raw personal data/],
    ['a person\'s name under a name key', { fullName: 'Jane Perera' }, /raw personal data/],
    ['a float', { amount: 0.1 }, /plain JSON/],
    ['a Date object', { at: new Date() }, /plain JSON/],
  ])('refuses a diff carrying %s and writes nothing', async (_name, diff, message) => {
    const before = await audit.head();
    await expect(scope.run(REFERENCE_TENANT_ID, (tx) => audit.record(tx, { ...entry(1), diff }))).rejects.toThrow(message);
    expect(await audit.head()).toEqual(before);
  });

  it('accepts amounts and identifiers that only look like numbers', async () => {
    await scope.run(REFERENCE_TENANT_ID, (tx) => audit.record(tx, { ...entry(1), diff: { amountMinor: 200012345678, quantity: '771234567', instrumentId: randomUUID() } }));
    expect((await audit.verify()).ok).toBe(true);
  });

  it('refuses an entry about one tenant from a transaction of another', async () => {
    await expect(scope.run(randomUUID(), (tx) => audit.record(tx, entry(1)))).rejects.toThrow(/row-level security/);
  });

  it('appends at commit: a transaction that recorded does not hold the head while its work goes on', async () => {
    const before = (await audit.head()).seq;
    let laterCommitted: () => void = () => undefined;
    const later = new Promise<void>((resolve) => (laterCommitted = resolve));
    const bounded = (work: Promise<void>) => Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('blocked on the head')), 10_000).unref())]);
    // The first records, then waits for the second to record and commit: with the head locked at
    // record time, the second would wait for the first and neither would finish.
    const first = scope.run(REFERENCE_TENANT_ID, async (tx) => {
      await audit.record(tx, entry(3001));
      await bounded(later);
    });
    await scope.run(REFERENCE_TENANT_ID, (tx) => audit.record(tx, entry(3002)));
    laterCommitted();
    await first;
    const appended = await audit.range(before + 1n, before + 2n);
    expect(appended.map((e) => e.resource)).toEqual(['thing:3002', 'thing:3001']); // in commit order
    expect((await audit.verify()).ok).toBe(true);
  });

  it('appends each entry under the tenant its transaction was in when it was recorded', async () => {
    const before = (await audit.head()).seq;
    await fixture.db.transaction(async (tx) => {
      await audit.record(tx, entry(3101, null)); // before any tenant: a platform entry
      await scope.enter(tx, REFERENCE_TENANT_ID);
      await audit.record(tx, entry(3102));
      await scope.enter(tx, randomUUID()); // the transaction moves on to another tenant before it commits
    });
    const appended = await audit.range(before + 1n, before + 2n);
    expect(appended.map((e) => [e.resource, e.tenantId])).toEqual([['thing:3101', null], ['thing:3102', REFERENCE_TENANT_ID]]);
    // Recorded before the tenant it names was entered: refused at commit, nothing appended.
    const head = await audit.head();
    await expect(fixture.db.transaction(async (tx) => {
      await audit.record(tx, entry(3103));
      await scope.enter(tx, REFERENCE_TENANT_ID);
    })).rejects.toThrow(/row-level security/);
    expect(await audit.head()).toEqual(head);
  });
});

describe('reading', () => {
  it('shows a tenant its own entries, none without a tenant, the whole chain through range()', async () => {
    await app.query('BEGIN');
    const none = await app.query('SELECT count(*)::int AS n FROM audit_entry');
    await app.query(`SELECT set_config('bulwark.tenant_id', $1, true)`, [REFERENCE_TENANT_ID]);
    const own = await app.query<{ tenants: (string | null)[] }>('SELECT array_agg(DISTINCT tenant_id) AS tenants FROM audit_entry');
    await app.query('COMMIT');
    expect(none.rows).toEqual([{ n: 0 }]);
    expect(own.rows[0]!.tenants).toEqual([REFERENCE_TENANT_ID]);
    const head = await audit.head();
    const all = await audit.range(1n, head.seq);
    expect(all.some((e) => e.tenantId === null)).toBe(true);
    await expect(audit.range(0n, 5n)).rejects.toThrow(/range/);
    await expect(audit.range(1n, 20_000n)).rejects.toThrow(/range/);
  });
});

describe('append-only', () => {
  it.each([
    ['UPDATE', `UPDATE audit_entry SET actor = 'someone else' WHERE seq = 3`],
    ['DELETE', 'DELETE FROM audit_entry WHERE seq = 3'],
    ['TRUNCATE', 'TRUNCATE audit_entry'],
  ])('refuses %s to the application role', async (_name, sql) => {
    await app.query('BEGIN');
    await app.query(`SELECT set_config('bulwark.tenant_id', $1, true)`, [REFERENCE_TENANT_ID]);
    await expect(app.query(sql)).rejects.toThrow(/permission denied/);
    await app.query('ROLLBACK');
  });

  it.each([
    ['UPDATE', `UPDATE audit_entry SET actor = 'someone else' WHERE seq = 3`],
    ['DELETE', 'DELETE FROM audit_entry WHERE seq = 3'],
    ['TRUNCATE', 'TRUNCATE audit_entry'],
  ])('refuses %s even to a superuser while the trigger is on', async (_name, sql) => {
    await expect(superuser.query(sql)).rejects.toThrow(/append-only/);
  });
});

describe('tampering with the triggers switched off is named at the right seq', () => {
  const restore = async (rows: Record<string, unknown>[]) => {
    for (const row of rows) {
      await tamper(`DELETE FROM audit_entry WHERE seq = $1`, [row.seq]);
      await tamper(
        `INSERT INTO audit_entry (seq, time, tenant_id, actor, role, on_behalf_of, action, resource, diff, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [row.seq, row.time, row.tenant_id, row.actor, row.role, row.on_behalf_of, row.action, row.resource, JSON.stringify(row.diff), row.prev_hash, row.hash],
      );
    }
    expect((await audit.verify()).ok).toBe(true);
  };
  const original = async (...seqs: number[]) => (await superuser.query('SELECT * FROM audit_entry WHERE seq = ANY($1) ORDER BY seq', [seqs])).rows;

  it('an edited diff', async () => {
    const saved = await original(17);
    await tamper(`UPDATE audit_entry SET diff = jsonb_set(diff, '{amount}', '"99.99"') WHERE seq = 17`);
    expect((await audit.verify(5)).firstBreak).toEqual({ seq: '17', kind: 'hash_mismatch' });
    await restore(saved);
  });

  it('an edited actor with its hash recomputed (the next link no longer matches)', async () => {
    const saved = await original(21);
    await tamper(`UPDATE audit_entry SET actor = 'user:framed', hash = repeat('a', 64) WHERE seq = 21`);
    expect((await audit.verify()).firstBreak).toEqual({ seq: '21', kind: 'hash_mismatch' });
    await restore(saved);
  });

  it('a deleted entry', async () => {
    const saved = await original(9);
    await tamper('DELETE FROM audit_entry WHERE seq = 9');
    expect((await audit.verify(4)).firstBreak).toEqual({ seq: '9', kind: 'missing_entries' });
    await restore(saved);
  });

  it('two entries swapped', async () => {
    const saved = await original(12, 13);
    await tamper(`UPDATE audit_entry SET seq = -seq WHERE seq IN (12, 13)`);
    await tamper(`UPDATE audit_entry SET seq = CASE seq WHEN -12 THEN 13 ELSE 12 END WHERE seq IN (-12, -13)`);
    expect((await audit.verify()).firstBreak).toEqual({ seq: '12', kind: 'prev_hash_mismatch' });
    await tamper('DELETE FROM audit_entry WHERE seq IN (12, 13)');
    await restore(saved);
  });

  it('the newest entries deleted below the head', async () => {
    const head = await audit.head();
    const saved = await original(Number(head.seq) - 1, Number(head.seq));
    await tamper('DELETE FROM audit_entry WHERE seq >= $1', [(head.seq - 1n).toString()]);
    expect((await audit.verify()).firstBreak).toEqual({ seq: (head.seq - 1n).toString(), kind: 'missing_entries' });
    await restore(saved);
  });
});
