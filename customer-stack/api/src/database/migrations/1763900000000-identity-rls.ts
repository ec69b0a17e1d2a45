import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dropTenantRlsSql, tenantRlsSql } from '../../tenancy/rls.js';

/** Auth's and notifications' tenant tables that had tenant isolation but no audited platform-admin read. */
const WITHOUT_ADMIN_READ = ['user_account', 'auth_session', 'refresh_token', 'known_device', 'user_totp', 'notification_outbox', 'webhook_endpoint'] as const;
const ADMIN_READ = `CREATE POLICY platform_admin_read ON "%t" FOR SELECT USING ((SELECT bulwark_admin_bypass_active()))`;

/**
 * Closes the identity gaps in tenant isolation (written by hand: no entity changes but the
 * removed directory, which TypeORM's generator does not drop):
 *  - the audited platform-admin read (`platform_admin_read`) on auth's and notifications' tenant
 *    tables, like every other tenant table;
 *  - notification_delivery under row-level security (ENABLE, FORCE, tenant isolation, admin read):
 *    the dispatcher now claims due deliveries tenant by tenant, in that tenant's transaction;
 *  - user_directory dropped: its one reader (the step-up check) now takes the tenant from the
 *    caller's verified principal, so nothing needs a user's tenant before a tenant is set.
 */
export class IdentityRls1763900000000 implements MigrationInterface {
  name = 'IdentityRls1763900000000';

  async up(runner: QueryRunner): Promise<void> {
    for (const table of WITHOUT_ADMIN_READ) await runner.query(ADMIN_READ.replace('%t', table));
    for (const statement of tenantRlsSql('notification_delivery')) await runner.query(statement);
    await runner.query(`DROP TABLE "user_directory"`);
  }

  async down(runner: QueryRunner): Promise<void> {
    // The directory comes back empty: under FORCE row-level security not even the owner can copy
    // every tenant's users into it; a rollback that needs it refills it as a superuser from user_account.
    await runner.query(`CREATE TABLE "user_directory" ("user_id" uuid NOT NULL, "tenant_id" uuid NOT NULL, CONSTRAINT "PK_a4990f58d380ce606c9d4d428f1" PRIMARY KEY ("user_id"))`);
    for (const statement of dropTenantRlsSql('notification_delivery')) await runner.query(statement);
    for (const table of [...WITHOUT_ADMIN_READ].reverse()) await runner.query(`DROP POLICY platform_admin_read ON "${table}"`);
  }
}
