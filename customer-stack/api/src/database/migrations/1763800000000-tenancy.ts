import type { MigrationInterface, QueryRunner } from 'typeorm';
import { REFERENCE_TENANT } from '../../tenancy/reference-tenant.js';
import { dropTenantRlsSql, revokeFromGranteesSql, tenantRlsSql } from '../../tenancy/rls.js';

/**
 * Tenants (with the Sri Lanka reference tenant), the account directory, the audited
 * platform-admin bypass, and row-level security on order_intent (its tenant_ref becomes the
 * tenant_id the policy reads). Tables generated from the entities; the rest written by hand.
 */
export class Tenancy1763800000000 implements MigrationInterface {
  name = 'Tenancy1763800000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "tenant" ("id" uuid NOT NULL, "slug" text NOT NULL, "brand_name" text NOT NULL, "brand_primary_colour" text NOT NULL, "brand_accent_colour" text NOT NULL, "residency_countries" text array NOT NULL, "minimum_age" smallint NOT NULL, "currencies" text array NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "UQ_abfd243f7bd832e806d19c5a919" UNIQUE ("slug"), CONSTRAINT "tenant_lists" CHECK (cardinality("residency_countries") >= 1 AND cardinality("currencies") >= 1), CONSTRAINT "tenant_minimum_age" CHECK ("minimum_age" BETWEEN 16 AND 99), CONSTRAINT "tenant_colours" CHECK ("brand_primary_colour" ~ '^#[0-9a-f]{6}$' AND "brand_accent_colour" ~ '^#[0-9a-f]{6}$'), CONSTRAINT "tenant_slug" CHECK ("slug" ~ '^[a-z0-9][a-z0-9-]{1,30}$'), CONSTRAINT "PK_da8c6efd67bb301e810e56ac139" PRIMARY KEY ("id"))`);
    await runner.query(`CREATE TABLE "tenant_tier_limit" ("tenant_id" uuid NOT NULL, "tier" smallint NOT NULL, "daily_trade_limit_usd" numeric(20,2) NOT NULL, "daily_withdrawal_limit_usd" numeric(20,2) NOT NULL, CONSTRAINT "tenant_tier_limit_amounts" CHECK ("daily_trade_limit_usd" >= 0 AND "daily_withdrawal_limit_usd" >= 0), CONSTRAINT "tenant_tier_limit_tier" CHECK ("tier" BETWEEN 0 AND 3), CONSTRAINT "PK_62b1087dd09344d18f7caacf63d" PRIMARY KEY ("tenant_id", "tier"))`);
    await runner.query(`CREATE TABLE "account_directory" ("account_ref" uuid NOT NULL, "tenant_id" uuid NOT NULL, "registered_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_15ccedeaec8479554dc05ea28fe" PRIMARY KEY ("account_ref"))`);
    await runner.query(`ALTER TABLE "order_intent" RENAME COLUMN "tenant_ref" TO "tenant_id"`);

    // The reference tenant, before its tier limits fall under row-level security.
    const lk = REFERENCE_TENANT;
    await runner.query(
      `INSERT INTO tenant (id, slug, brand_name, brand_primary_colour, brand_accent_colour, residency_countries, minimum_age, currencies, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, clock_timestamp(), clock_timestamp())`,
      [lk.id, lk.slug, lk.brand.name, lk.brand.primaryColour, lk.brand.accentColour, lk.residencyCountries, lk.minimumAge, lk.currencies],
    );
    for (const limit of lk.tierLimits) {
      await runner.query(`INSERT INTO tenant_tier_limit (tenant_id, tier, daily_trade_limit_usd, daily_withdrawal_limit_usd) VALUES ($1, $2, $3, $4)`, [
        lk.id, limit.tier, limit.dailyTradeLimitUsd, limit.dailyWithdrawalLimitUsd,
      ]);
    }

    // The platform-admin bypass: a transaction may read across tenants only once its audit chain
    // holds a `tenancy.admin_bypass.entered` entry; a trigger on audit_entry (next migration)
    // writes the grant, keyed by the transaction id. The application cannot touch this table.
    await runner.query(`CREATE TABLE admin_bypass_grant (
      txid        bigint PRIMARY KEY,
      audit_seq   bigint NOT NULL,
      actor       text NOT NULL,
      granted_at  timestamptz NOT NULL DEFAULT clock_timestamp()
    )`);
    await runner.query(revokeFromGranteesSql('admin_bypass_grant', ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']));
    await runner.query(`CREATE FUNCTION bulwark_admin_bypass_active() RETURNS boolean
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
      AS $$ SELECT EXISTS (SELECT 1 FROM admin_bypass_grant WHERE txid = txid_current_if_assigned()) $$`);

    // What the application may do: tenants and their limits are configured, never deleted; a
    // directory entry is written once and never moves to another tenant.
    await runner.query(revokeFromGranteesSql('tenant', ['DELETE', 'TRUNCATE']));
    await runner.query(revokeFromGranteesSql('tenant_tier_limit', ['DELETE', 'TRUNCATE']));
    await runner.query(revokeFromGranteesSql('account_directory', ['UPDATE', 'DELETE', 'TRUNCATE']));

    for (const statement of [...tenantRlsSql('tenant_tier_limit'), ...tenantRlsSql('order_intent')]) await runner.query(statement);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const statement of [...dropTenantRlsSql('order_intent'), ...dropTenantRlsSql('tenant_tier_limit')]) await runner.query(statement);
    await runner.query(`DROP FUNCTION bulwark_admin_bypass_active()`);
    await runner.query(`DROP TABLE admin_bypass_grant`);
    await runner.query(`ALTER TABLE "order_intent" RENAME COLUMN "tenant_id" TO "tenant_ref"`);
    await runner.query(`DROP TABLE "account_directory"`);
    await runner.query(`DROP TABLE "tenant_tier_limit"`);
    await runner.query(`DROP TABLE "tenant"`);
  }
}
