// Row-level security proved in the database itself: these tests connect as the application role
// with plain pg (no application code between them and Postgres) and try to cross tenants.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { testSuperuserUrl } from '@bulwark/testing';
import { AuditService } from '../src/audit/audit.service.js';
import { REFERENCE_TENANT, REFERENCE_TENANT_ID } from '../src/tenancy/reference-tenant.js';
import { RequestTransaction } from '../src/tenancy/request-transaction.js';
import { TenantScope } from '../src/tenancy/tenant-scope.js';
import { TenantsService } from '../src/tenancy/tenants.service.js';
import { TEST_ADMIN, migratedCustomerDatabase, type MigratedCustomerDatabase } from './support/tenancy.js';

/** Tables with a tenant_id that are deliberately outside row-level security, and why. */
const RLS_EXEMPT: Readonly<Record<string, string>> = {
  account_directory: 'routes wall messages carrying only an opaque accountRef to their tenant; holds opaque references only',
};

/** Auth's and notifications' tenant tables (issue 3's identity gaps): isolated, and readable only through the audited bypass. */
const IDENTITY_TABLES = ['user_account', 'auth_session', 'refresh_token', 'known_device', 'user_totp', 'notification_outbox', 'webhook_endpoint', 'notification_delivery'];

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
  scope = new TenantScope(fixture.db, audit, new RequestTransaction(fixture.db));
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
        .filter((row) => !row.enabled || !row.forced || !row.policies.includes('tenant_isolation') || !row.policies.includes('platform_admin_read'))
        .map((row) => row.table);
      expect(unprotected).toEqual([]);
      expect(rows.map((r) => r.table)).toEqual(expect.arrayContaining(['order_intent', 'tenant_tier_limit', 'audit_entry', ...IDENTITY_TABLES, ...Object.keys(RLS_EXEMPT)]));
      // The user directory that mapped a user id to its tenant outside any tenant is gone.
      expect((await superuser.query(`SELECT to_regclass('public.user_directory') AS t`)).rows).toEqual([{ t: null }]);
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

describe('identity tables (auth and notifications) in the database', () => {
  const userOf: Record<string, string> = {};
  const deliveryOf: Record<string, string> = {};

  const insertUser = (tenantId: string, id = randomUUID()) =>
    inTenant(tenantId, `INSERT INTO user_account (id, tenant_id, email_lookup, email_sealed, password_hash, roles, account_ref, status, created_by, created_at, updated_at)
       VALUES ($1, $2, $3, NULL, 'argon2id$test', ARRAY['admin'], NULL, 'active', NULL, now(), now())`, [id, tenantId, Buffer.from(id)]).then(() => id);

  const insertDelivery = async (tenantId: string, id = randomUUID()) => {
    const outboxId = randomUUID();
    await inTenant(tenantId, `INSERT INTO notification_outbox (id, tenant_id, user_id, event, data, created_at) VALUES ($1, $2, NULL, 'deposit.settled', '{}', now())`, [outboxId, tenantId]);
    await inTenant(tenantId, `INSERT INTO notification_delivery (id, outbox_id, tenant_id, channel, target, status, attempts, next_attempt_at, created_at)
       VALUES ($1, $2, $3, 'webhook', $4, 'pending', 0, now() + interval '1 hour', now())`, [id, outboxId, tenantId, randomUUID()]);
    return id;
  };

  beforeAll(async () => {
    for (const tenantId of [REFERENCE_TENANT_ID, otherTenantId]) {
      userOf[tenantId] = await insertUser(tenantId);
      deliveryOf[tenantId] = await insertDelivery(tenantId);
    }
  });

  it('shows a transaction without a tenant zero rows of every identity table', async () => {
    for (const table of IDENTITY_TABLES) expect({ table, rows: (await inTenant(null, `SELECT count(*)::int AS n FROM ${table}`)).rows }).toEqual({ table, rows: [{ n: 0 }] });
  });

  it('shows a tenant its own users and deliveries only', async () => {
    expect((await inTenant(otherTenantId, 'SELECT id FROM user_account')).rows).toEqual([{ id: userOf[otherTenantId] }]);
    expect((await inTenant(otherTenantId, 'SELECT id FROM notification_delivery')).rows).toEqual([{ id: deliveryOf[otherTenantId] }]);
  });

  it.each([
    ['read a user', 'SELECT id FROM user_account WHERE id = $1', 'user'],
    ['disable a user', `UPDATE user_account SET status = 'disabled' WHERE id = $1`, 'user'],
    ['delete a user', 'DELETE FROM user_account WHERE id = $1', 'user'],
    ['read a delivery', 'SELECT id FROM notification_delivery WHERE id = $1', 'delivery'],
    ['claim a delivery', `UPDATE notification_delivery SET status = 'sending' WHERE id = $1`, 'delivery'],
    ['delete a delivery', 'DELETE FROM notification_delivery WHERE id = $1', 'delivery'],
  ])('lets an attempt to %s of another tenant affect nothing', async (_name, sql, kind) => {
    const target = kind === 'user' ? userOf[otherTenantId] : deliveryOf[otherTenantId];
    expect((await inTenant(REFERENCE_TENANT_ID, sql, [target])).rowCount).toBe(0);
    const table = kind === 'user' ? 'user_account' : 'notification_delivery';
    expect((await inTenant(otherTenantId, `SELECT status FROM ${table} WHERE id = $1`, [target])).rows).toEqual([{ status: kind === 'user' ? 'active' : 'pending' }]);
  });

  it('refuses a delivery or a user written into another tenant, or moved there', async () => {
    await expect(inTenant(REFERENCE_TENANT_ID, `INSERT INTO notification_delivery (id, outbox_id, tenant_id, channel, target, status, attempts, next_attempt_at, created_at)
       VALUES ($1, $1, $2, 'email', $1, 'pending', 0, now(), now())`, [randomUUID(), otherTenantId])).rejects.toThrow(/row-level security/);
    await expect(inTenant(REFERENCE_TENANT_ID, 'UPDATE notification_delivery SET tenant_id = $1 WHERE id = $2', [otherTenantId, deliveryOf[REFERENCE_TENANT_ID]])).rejects.toThrow(/row-level security/);
    await expect(inTenant(null, `INSERT INTO user_account (id, tenant_id, email_lookup, password_hash, roles, status, created_at, updated_at)
       VALUES ($1, $2, '\\x00', 'x', ARRAY['admin'], 'active', now(), now())`, [randomUUID(), REFERENCE_TENANT_ID])).rejects.toThrow(/row-level security/);
  });

  it('reads every tenant\'s identity rows through the audited platform-admin bypass only, and never writes through it', async () => {
    const seen = await scope.runAsPlatformAdmin(TEST_ADMIN, 'identity review across tenants', async (tx) => {
      const users = await tx.query<{ id: string }>('SELECT id FROM user_account WHERE id = ANY($1::uuid[])', [Object.values(userOf)]);
      const deliveries = await tx.query<{ id: string }>('SELECT id FROM notification_delivery WHERE id = ANY($1::uuid[])', [Object.values(deliveryOf)]);
      const tables: Record<string, number> = {};
      for (const table of IDENTITY_TABLES) tables[table] = (await tx.query<{ n: number }>(`SELECT count(DISTINCT tenant_id)::int AS n FROM ${table}`))[0]?.n ?? 0;
      const disabled = await tx.query(`UPDATE user_account SET status = 'disabled' WHERE id = $1 RETURNING id`, [userOf[otherTenantId]]);
      const claimed = await tx.query(`UPDATE notification_delivery SET status = 'sending' WHERE id = $1 RETURNING id`, [deliveryOf[otherTenantId]]);
      return { users: users.length, deliveries: deliveries.length, tables, written: disabled.length + claimed.length };
    });
    expect(seen).toMatchObject({ users: 2, deliveries: 2, written: 0 });
    expect(seen.tables).toMatchObject({ user_account: 2, notification_outbox: 2, notification_delivery: 2 });
    // Without the bypass the same read as the application role sees nothing.
    expect((await inTenant(null, 'SELECT count(*)::int AS n FROM user_account WHERE id = ANY($1::uuid[])', [Object.values(userOf)])).rows).toEqual([{ n: 0 }]);
  });
});
