// Row-level security for customer data. Every table with a `tenant_id` gets the same policy:
// a row is visible and writable only while the transaction's `bulwark.tenant_id` names its
// tenant, and an unset tenant sees nothing. FORCE applies it to the table's owner too. The only
// way across tenants is the audited platform-admin read (see 1763800000000-tenancy.ts): a
// transaction whose audit chain holds a `tenancy.admin_bypass.entered` entry may SELECT.

/** The Postgres setting that carries the current tenant (local to a transaction). */
export const TENANT_SETTING = 'bulwark.tenant_id';

const TABLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function checkedTable(table: string): string {
  if (!TABLE_NAME.test(table)) throw new Error(`unsafe table name ${table}`);
  return table;
}

const CURRENT_TENANT = `NULLIF(current_setting('${TENANT_SETTING}', true), '')::uuid`;

/** The statements that put a customer-data table under tenant isolation (use them in a migration's `up`). */
export function tenantRlsSql(table: string): string[] {
  const t = checkedTable(table);
  return [
    `ALTER TABLE "${t}" ENABLE ROW LEVEL SECURITY`,
    `ALTER TABLE "${t}" FORCE ROW LEVEL SECURITY`,
    `CREATE POLICY tenant_isolation ON "${t}" USING (tenant_id = ${CURRENT_TENANT}) WITH CHECK (tenant_id = ${CURRENT_TENANT})`,
    `CREATE POLICY platform_admin_read ON "${t}" FOR SELECT USING ((SELECT bulwark_admin_bypass_active()))`,
  ];
}

/** Undoes tenantRlsSql (a migration's `down`). */
export function dropTenantRlsSql(table: string): string[] {
  const t = checkedTable(table);
  return [
    `DROP POLICY platform_admin_read ON "${t}"`,
    `DROP POLICY tenant_isolation ON "${t}"`,
    `ALTER TABLE "${t}" NO FORCE ROW LEVEL SECURITY`,
    `ALTER TABLE "${t}" DISABLE ROW LEVEL SECURITY`,
  ];
}

export type TablePrivilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE' | 'TRUNCATE';

/**
 * Revokes privileges on a table from every role but its owner. The owner's default privileges
 * give the application role full DML on each new table; a migration narrows that for tables the
 * application must not change (append-only logs, directories). The application role's name
 * differs per installation, so the statement finds the grantees in the table's ACL.
 */
export function revokeFromGranteesSql(table: string, privileges: readonly TablePrivilege[]): string {
  const t = checkedTable(table);
  if (privileges.length === 0) throw new Error('revokeFromGranteesSql needs at least one privilege');
  const list = privileges.join(', ');
  return `DO $revoke$
DECLARE grantee_name text;
BEGIN
  FOR grantee_name IN
    SELECT DISTINCT pg_get_userbyid(a.grantee) FROM pg_class c, aclexplode(c.relacl) a
     WHERE c.oid = 'public.${t}'::regclass AND a.grantee <> c.relowner AND a.grantee <> 0
  LOOP
    EXECUTE format('REVOKE ${list} ON TABLE public.${t} FROM %I', grantee_name);
  END LOOP;
  REVOKE ${list} ON TABLE public.${t} FROM PUBLIC;
END
$revoke$`;
}
