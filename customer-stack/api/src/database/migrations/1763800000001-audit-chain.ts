import type { MigrationInterface, QueryRunner } from 'typeorm';
import { AUDIT_GENESIS_HASH } from '@bulwark/shared-contracts';
import { AUDIT_CHAIN_PAGE_MAX } from '../../audit/audit-limits.js';
import { dropTenantRlsSql, revokeFromGranteesSql, tenantRlsSql } from '../../tenancy/rls.js';

/**
 * The audit chain: append-only entries and the single head row appends lock. Tables generated
 * from the entities; grants, triggers, row-level security and the chain reader written by hand.
 */
export class AuditChain1763800000001 implements MigrationInterface {
  name = 'AuditChain1763800000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "audit_chain_head" ("id" smallint NOT NULL, "seq" bigint NOT NULL, "hash" character(64) NOT NULL, CONSTRAINT "audit_chain_head_single" CHECK ("id" = 1), CONSTRAINT "PK_9211408bf584034de409b1bbec5" PRIMARY KEY ("id"))`);
    await runner.query(`CREATE TABLE "audit_entry" ("seq" bigint NOT NULL, "time" TIMESTAMP WITH TIME ZONE NOT NULL, "tenant_id" uuid, "actor" text NOT NULL, "role" text NOT NULL, "on_behalf_of" text, "action" text NOT NULL, "resource" text NOT NULL, "diff" jsonb NOT NULL, "prev_hash" character(64) NOT NULL, "hash" character(64) NOT NULL, CONSTRAINT "PK_bb4ea39cbd1686232d5fdda3a01" PRIMARY KEY ("seq"))`);
    await runner.query(`CREATE INDEX "audit_entry_resource" ON "audit_entry"  ("resource") `);
    await runner.query(`CREATE INDEX "audit_entry_tenant_seq" ON "audit_entry"  ("tenant_id", "seq") `);
    await runner.query(`INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 0, $1)`, [AUDIT_GENESIS_HASH]);

    // Append-only twice over: the application role keeps only SELECT and INSERT on the entries
    // (SELECT and UPDATE on the head), and a trigger refuses UPDATE, DELETE and TRUNCATE from
    // anyone short of a superuser switching triggers off (which the chain then exposes).
    await runner.query(revokeFromGranteesSql('audit_entry', ['UPDATE', 'DELETE', 'TRUNCATE']));
    await runner.query(revokeFromGranteesSql('audit_chain_head', ['INSERT', 'DELETE', 'TRUNCATE']));
    await runner.query(`CREATE FUNCTION audit_entry_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_entry is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await runner.query(`CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse_change()`);
    await runner.query(`CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_refuse_change()`);

    // Tenants read and write their own entries; platform entries (no tenant) may be appended
    // from any transaction; the audited admin bypass reads everything.
    for (const statement of tenantRlsSql('audit_entry')) await runner.query(statement);
    await runner.query(`CREATE POLICY audit_platform_append ON audit_entry FOR INSERT WITH CHECK (tenant_id IS NULL)`);
    // The database owner (only ever inside the SECURITY DEFINER reader below) reads the whole chain.
    await runner.query(`CREATE POLICY audit_chain_reader ON audit_entry FOR SELECT USING ((SELECT pg_has_role('pg_database_owner', 'MEMBER')))`);
    await runner.query(`CREATE FUNCTION audit_chain_range(from_seq bigint, to_seq bigint) RETURNS SETOF audit_entry
      LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
      BEGIN
        IF from_seq < 1 OR to_seq < from_seq OR to_seq - from_seq >= ${AUDIT_CHAIN_PAGE_MAX} THEN
          RAISE EXCEPTION 'audit_chain_range(%, %): 1 <= from <= to and at most ${AUDIT_CHAIN_PAGE_MAX} entries', from_seq, to_seq
            USING ERRCODE = 'invalid_parameter_value';
        END IF;
        RETURN QUERY SELECT * FROM audit_entry WHERE seq BETWEEN from_seq AND to_seq ORDER BY seq;
      END $$`);

    // Writing a `tenancy.admin_bypass.entered` entry is the only way to open the admin bypass,
    // and only for a platform admin or auditor: the grant is keyed by this transaction's id.
    await runner.query(`CREATE FUNCTION audit_entry_grant_admin_bypass() RETURNS trigger
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      BEGIN
        IF NEW.role NOT IN ('admin', 'auditor') OR NEW.tenant_id IS NOT NULL THEN
          RAISE EXCEPTION 'admin bypass refused for role %', NEW.role USING ERRCODE = 'insufficient_privilege';
        END IF;
        INSERT INTO admin_bypass_grant (txid, audit_seq, actor) VALUES (txid_current(), NEW.seq, NEW.actor)
          ON CONFLICT (txid) DO NOTHING;
        RETURN NULL;
      END $$`);
    await runner.query(`CREATE TRIGGER audit_entry_admin_bypass AFTER INSERT ON audit_entry FOR EACH ROW
      WHEN (NEW.action = 'tenancy.admin_bypass.entered') EXECUTE FUNCTION audit_entry_grant_admin_bypass()`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TRIGGER audit_entry_admin_bypass ON audit_entry`);
    await runner.query(`DROP FUNCTION audit_entry_grant_admin_bypass()`);
    await runner.query(`DROP FUNCTION audit_chain_range(bigint, bigint)`);
    await runner.query(`DROP POLICY audit_chain_reader ON audit_entry`);
    await runner.query(`DROP POLICY audit_platform_append ON audit_entry`);
    for (const statement of dropTenantRlsSql('audit_entry')) await runner.query(statement);
    await runner.query(`DROP TRIGGER audit_entry_no_truncate ON audit_entry`);
    await runner.query(`DROP TRIGGER audit_entry_append_only ON audit_entry`);
    await runner.query(`DROP FUNCTION audit_entry_refuse_change()`);
    await runner.query(`DROP INDEX "public"."audit_entry_tenant_seq"`);
    await runner.query(`DROP INDEX "public"."audit_entry_resource"`);
    await runner.query(`DROP TABLE "audit_entry"`);
    await runner.query(`DROP TABLE "audit_chain_head"`);
  }
}
