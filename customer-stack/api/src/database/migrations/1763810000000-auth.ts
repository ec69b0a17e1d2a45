import type { MigrationInterface, QueryRunner } from 'typeorm';

const AUTH_TENANT_TABLES = ['user_account', 'auth_session', 'refresh_token', 'known_device', 'user_totp'] as const;

/**
 * Auth's tables (generated from the entities by TypeORM's schema builder), then by hand: row-level
 * security on the tenant-scoped ones, the same policy tenancy/rls.ts gives every customer table.
 */
export class Auth1763810000000 implements MigrationInterface {
  name = 'Auth1763810000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "user_account" ("id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "email_lookup" bytea NOT NULL, "email_sealed" bytea NOT NULL, "password_hash" text NOT NULL, "roles" text array NOT NULL, "account_ref" uuid, "status" text NOT NULL, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "user_account_account_ref" UNIQUE ("account_ref"), CONSTRAINT "user_account_email" UNIQUE ("tenant_id", "email_lookup"), CONSTRAINT "user_account_status" CHECK ("status" IN ('active', 'disabled')), CONSTRAINT "user_account_investor_ref" CHECK (('investor' = ANY("roles")) = ("account_ref" IS NOT NULL)), CONSTRAINT "user_account_roles" CHECK (cardinality("roles") >= 1 AND "roles" <@ ARRAY['investor','compliance_officer','mlro','finance_ops','admin','auditor']::text[]), CONSTRAINT "PK_6acfec7285fdf9f463462de3e9f" PRIMARY KEY ("id"))`);
    await runner.query(`CREATE TABLE "user_directory" ("user_id" uuid NOT NULL, "tenant_id" uuid NOT NULL, CONSTRAINT "PK_a4990f58d380ce606c9d4d428f1" PRIMARY KEY ("user_id"))`);
    await runner.query(`CREATE TABLE "auth_session" ("id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "user_id" uuid NOT NULL, "device_lookup" bytea NOT NULL, "user_agent" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_used_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, "revoke_reason" text, CONSTRAINT "PK_19354ed146424a728c1112a8cbf" PRIMARY KEY ("id"))`);
    await runner.query(`CREATE INDEX "auth_session_user" ON "auth_session"  ("tenant_id", "user_id", "created_at") `);
    await runner.query(`CREATE TABLE "refresh_token" ("token_hash" bytea NOT NULL, "tenant_id" uuid NOT NULL, "session_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_f0812282fad2e352cdaf83ef0a9" PRIMARY KEY ("token_hash"))`);
    await runner.query(`CREATE INDEX "refresh_token_session" ON "refresh_token"  ("session_id") `);
    await runner.query(`CREATE TABLE "known_device" ("user_id" uuid NOT NULL, "device_lookup" bytea NOT NULL, "tenant_id" uuid NOT NULL, "first_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_b50be8a28becfd91b9cca610109" PRIMARY KEY ("user_id", "device_lookup"))`);
    await runner.query(`CREATE TABLE "user_totp" ("user_id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "secret_sealed" bytea NOT NULL, "enabled_at" TIMESTAMP WITH TIME ZONE, "last_step" bigint NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_04aa6aca4a656f0d4e1fd30ab10" PRIMARY KEY ("user_id"))`);
    await runner.query(`CREATE TABLE "auth_rate_limit" ("bucket" text NOT NULL, "window_started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "hits" integer NOT NULL, CONSTRAINT "PK_ba3df80c21e903d346bde3d3459" PRIMARY KEY ("bucket"))`);
    await runner.query(`CREATE INDEX "auth_rate_limit_window" ON "auth_rate_limit"  ("window_started_at") `);
    for (const table of AUTH_TENANT_TABLES) {
      await runner.query(`ALTER TABLE "${table}" ENABLE ROW LEVEL SECURITY`);
      await runner.query(`ALTER TABLE "${table}" FORCE ROW LEVEL SECURITY`);
      await runner.query(
        `CREATE POLICY tenant_isolation ON "${table}" USING (tenant_id = NULLIF(current_setting('bulwark.tenant_id', true), '')::uuid) WITH CHECK (tenant_id = NULLIF(current_setting('bulwark.tenant_id', true), '')::uuid)`,
      );
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of AUTH_TENANT_TABLES) await runner.query(`DROP POLICY tenant_isolation ON "${table}"`);
    await runner.query(`DROP INDEX "public"."auth_rate_limit_window"`);
    await runner.query(`DROP TABLE "auth_rate_limit"`);
    await runner.query(`DROP TABLE "user_totp"`);
    await runner.query(`DROP TABLE "known_device"`);
    await runner.query(`DROP INDEX "public"."refresh_token_session"`);
    await runner.query(`DROP TABLE "refresh_token"`);
    await runner.query(`DROP INDEX "public"."auth_session_user"`);
    await runner.query(`DROP TABLE "auth_session"`);
    await runner.query(`DROP TABLE "user_directory"`);
    await runner.query(`DROP TABLE "user_account"`);
  }
}
