// Row-level security proved in the database itself: these tests connect as the application role
// with plain pg (no application code between them and Postgres) and try to cross tenants.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { testSuperuserUrl } from '@bulwark/testing';
import { AuditService } from '../src/audit/audit.service.js';
import { REFERENCE_TENANT, REFERENCE_TENANT_ID } from '../src/tenancy/reference-tenant.js';
import { TenantScope } from '../src/tenancy/tenant-scope.js';
import { TenantsService } from '../src/tenancy/tenants.service.js';
import { TEST_ADMIN, migratedCustomerDatabase, type MigratedCustomerDatabase } from './support/tenancy.js';

/** Tables with a tenant_id that are deliberately outside row-level security, and why. */
const RLS_EXEMPT: Readonly<Record<string, string>> = {
  account_directory: 'routes wall messages carrying only an opaque accountRef to their tenant; holds opaque references only',
  user_directory: 'auth: finds the tenant of a token\'s user id before any tenant is set; holds opaque ids only',
  notification_delivery: 'notifications: the dispatcher claims due deliveries across tenants; ids and delivery state only (content sits in notification_outbox, under RLS)',
};

let fixture: MigratedCustomerDatabase;
let app: pg.Client;
let tenants: TenantsService;
let scope: TenantScope;
let otherTenantId: string;
const intentOf: Record<string, string> = {};

async function inTenant<R extends pg.QueryResultRow = Record<string, unknown>>(tenantId: string | null, text: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
  await app.query('BEGIN');
  try {
    if (tenantId) await app.query(`SELECT set_config('bulwark.tenant_id', $1, true)`, [tenantId]);
    const result = await app.query<R>(text, params);
    await app.query('COMMIT');
    return result;
  } catch (error) {
    await app.query('ROLLBACK');
    throw error;
  }
}

const insertIntent = (tenantId: string, id = randomUUID()) =>
  inTenant(tenantId, `INSERT INTO order_intent (id, account_ref, tenant_id, instrument_id, side, quantity, limit_price, time_in_force, status, created_at, updated_at)
     VALUES ($1, $2, $3, $4, 'buy', 1, 0.5, 'GTC', 'submitted', now(), now())`, [id, randomUUID(), tenantId, randomUUID()]).then(() => id);

beforeAll(async () => {
  fixture = await migratedCustomerDatabase();
  const audit = new AuditService(fixture.db);
  scope = new TenantScope(fixture.db, audit);
  tenants = new TenantsService(fixture.db, scope, audit);
  const other = await tenants.create(TEST_ADMIN, {
    slug: 'mv', brand: { name: 'Bulwark Maldives', primaryColour: '#d21034', accentColour: '#007e3a' }, minimumAge: 18,
    residencyCountries: ['MV'], currencies: ['MVR', 'USD'], tierLimits: REFERENCE_TENANT.tierLimits.map((l) => ({ ...l })),
  });
  otherTenantId = other.id;
  app = new pg.Client({ connectionString: fixture.database.url });
  await app.connect();
  intentOf[REFERENCE_TENANT_ID] = await insertIntent(REFERENCE_TENANT_ID);
  intentOf[otherTenantId] = await insertIntent(otherTenantId);
});

afterAll(async () => {
  await app?.end();
  await fixture?.close();
});

describe('tenant isolation in the database', () => {
  it('shows a transaction without a tenant zero rows of every tenant table', async () => {
    for (const table of ['order_intent', 'tenant_tier_limit', 'audit_entry']) {
      expect((await inTenant(null, `SELECT count(*)::int AS n FROM ${table}`)).rows).toEqual([{ n: 0 }]);
    }
    // Also after a tenant was set and its transaction ended: the setting does not leak.
    await inTenant(REFERENCE_TENANT_ID, 'SELECT 1');
    expect((await inTenant(null, 'SELECT count(*)::int AS n FROM order_intent')).rows).toEqual([{ n: 0 }]);
  });

  it('shows a tenant its own rows only', async () => {
    const mine = await inTenant<{ id: string; tenant_id: string }>(REFERENCE_TENANT_ID, 'SELECT id, tenant_id FROM order_intent');
    expect(mine.rows).toEqual([{ id: intentOf[REFERENCE_TENANT_ID], tenant_id: REFERENCE_TENANT_ID }]);
    const limits = await inTenant(otherTenantId, 'SELECT DISTINCT tenant_id FROM tenant_tier_limit');
    expect(limits.rows).toEqual([{ tenant_id: otherTenantId }]);
  });

  it.each([
    ['SELECT by id', 'SELECT * FROM order_intent WHERE id = $1'],
    ['UPDATE', `UPDATE order_intent SET status = 'accepted' WHERE id = $1`],
    ['DELETE', 'DELETE FROM order_intent WHERE id = $1'],
  ])('lets %s of another tenant\'s row affect nothing', async (_name, sql) => {
    const result = await inTenant(REFERENCE_TENANT_ID, sql, [intentOf[otherTenantId]]);
    expect(result.rowCount).toBe(0);
    const [still] = (await inTenant(otherTenantId, 'SELECT status FROM order_intent WHERE id = $1', [intentOf[otherTenantId]])).rows;
    expect(still).toEqual({ status: 'submitted' });
  });

  it('refuses an INSERT of another tenant\'s row, and one without a tenant', async () => {
    await expect(inTenant(REFERENCE_TENANT_ID, `INSERT INTO tenant_tier_limit VALUES ($1, 0, 1, 1)`, [otherTenantId])).rejects.toThrow(/row-level security/);
    await expect(insertIntent(REFERENCE_TENANT_ID).then(() => inTenant(null, `INSERT INTO order_intent (id, account_ref, tenant_id, instrument_id, side, quantity, limit_price, time_in_force, status, created_at, updated_at)
       VALUES ($1, $1, $2, $1, 'buy', 1, 1, 'GTC', 'submitted', now(), now())`, [randomUUID(), REFERENCE_TENANT_ID]))).rejects.toThrow(/row-level security/);
  });

  it('refuses to move a row to another tenant', async () => {
    await expect(inTenant(REFERENCE_TENANT_ID, 'UPDATE order_intent SET tenant_id = $1 WHERE id = $2', [otherTenantId, intentOf[REFERENCE_TENANT_ID]])).rejects.toThrow(/row-level security/);
  });
});

describe('the application role', () => {
  it('owns no table and cannot switch row-level security off', async () => {
    const { rows } = await app.query(`SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)`);
    expect(rows).toEqual([{ n: 0 }]);
    const [role] = (await app.query('SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user')).rows;
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false });
    for (const sql of [
      'ALTER TABLE order_intent DISABLE ROW LEVEL SECURITY',
      'ALTER TABLE order_intent NO FORCE ROW LEVEL SECURITY',
      'DROP POLICY tenant_isolation ON order_intent',
      'CREATE POLICY open_door ON order_intent USING (true)',
    ]) {
      await expect(app.query(sql)).rejects.toThrow(/must be owner/);
    }
    await expect(app.query(`SET ROLE ${fixture.database.ownerRole}`)).rejects.toThrow(/permission denied/);
    // row_security = off does not bypass the policies: the query is refused instead.
    await expect(inTenant(null, 'SET LOCAL row_security = off; SELECT * FROM order_intent')).rejects.toThrow(/row-level security/);
  });

  it('cannot change or delete account directory entries', async () => {
    const accountRef = randomUUID();
    await fixture.db.transaction((tx) => tenants.registerAccount(tx, TEST_ADMIN, REFERENCE_TENANT_ID, accountRef));
    expect(await fixture.db.transaction((tx) => scope.tenantOfAccounts(tx, [accountRef, randomUUID()]))).toEqual(new Map([[accountRef, REFERENCE_TENANT_ID]]));
    await expect(app.query('UPDATE account_directory SET tenant_id = $1 WHERE account_ref = $2', [otherTenantId, accountRef])).rejects.toThrow(/permission denied/);
    await expect(app.query('DELETE FROM account_directory WHERE account_ref = $1', [accountRef])).rejects.toThrow(/permission denied/);
    await expect(app.query('DELETE FROM tenant WHERE id = $1', [otherTenantId])).rejects.toThrow(/permission denied/);
  });
});

describe('every tenant table is under forced row-level security', () => {
  it('finds no table with a tenant_id column without ENABLE + FORCE and the tenant policy (a new table without them fails here)', async () => {
    const superuser = new pg.Client({ connectionString: testSuperuserUrl(fixture.database) });
    await superuser.connect();
    try {
      const { rows } = await superuser.query<{ table: string; enabled: boolean; forced: boolean; policies: string[] }>(
        `SELECT c.relname AS table, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
                coalesce(array_agg(p.polname ORDER BY p.polname) FILTER (WHERE p.polname IS NOT NULL), '{}') AS policies
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
           LEFT JOIN pg_policy p ON p.polrelid = c.oid
          WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
          GROUP BY c.relname, c.relrowsecurity, c.relforcerowsecurity ORDER BY c.relname`,
      );
      expect(rows.length).toBeGreaterThanOrEqual(3);
      const unprotected = rows
        .filter((row) => !(row.table in RLS_EXEMPT))
        .filter((row) => !row.enabled || !row.forced || !row.policies.includes('tenant_isolation'))
        .map((row) => row.table);
      expect(unprotected).toEqual([]);
      expect(rows.map((r) => r.table)).toEqual(expect.arrayContaining(['order_intent', 'tenant_tier_limit', 'audit_entry', ...Object.keys(RLS_EXEMPT)]));
    } finally {
      await superuser.end();
    }
  });
});

describe('the platform-admin bypass', () => {
  it('does not exist without its audit entry: setting things by hand reads nothing and grants nothing', async () => {
    await expect(app.query('INSERT INTO admin_bypass_grant (txid, audit_seq, actor) VALUES (txid_current(), 1, $1)', ['me'])).rejects.toThrow(/permission denied/);
    expect((await inTenant(null, 'SELECT count(*)::int AS n FROM order_intent')).rows).toEqual([{ n: 0 }]);
  });

  it('reads across tenants once audited, for that transaction only, and never writes across them', async () => {
    const seen = await scope.runAsPlatformAdmin(TEST_ADMIN, 'quarterly cross-tenant reconciliation', async (tx) => {
      const rows = await tx.query<{ tenant_id: string }>('SELECT DISTINCT tenant_id FROM order_intent ORDER BY tenant_id');
      const updated = await tx.query(`UPDATE order_intent SET status = 'accepted' WHERE id = $1 RETURNING id`, [intentOf[otherTenantId]]);
      return { tenants: rows.map((r) => r.tenant_id), updated: updated.length };
    });
    expect(seen.tenants).toEqual([REFERENCE_TENANT_ID, otherTenantId].sort());
    expect(seen.updated).toBe(0);
    const [entry] = await fixture.db.transaction((tx) => tx.query<{ actor: string; role: string; diff: unknown }>(
      `SELECT actor, role, diff FROM audit_chain_range(1, (SELECT seq FROM audit_chain_head)) WHERE action = 'tenancy.admin_bypass.entered'`));
    expect(entry).toEqual({ actor: TEST_ADMIN.actor, role: 'admin', diff: { reason: 'quarterly cross-tenant reconciliation' } });
    // The next transaction is back to zero rows.
    expect((await inTenant(null, 'SELECT count(*)::int AS n FROM order_intent')).rows).toEqual([{ n: 0 }]);
  });

  it('is refused to any role but admin and auditor, even through a hand-written audit entry', async () => {
    await expect(scope.runAsPlatformAdmin({ actor: 'user:x', role: 'investor' }, 'curious', async () => 1)).rejects.toThrow(/admin bypass refused/);
    await expect(scope.runAsPlatformAdmin(TEST_ADMIN, '', async () => 1)).rejects.toThrow(/reason/);
  });
});
