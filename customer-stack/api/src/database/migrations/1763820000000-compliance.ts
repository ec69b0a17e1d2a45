import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dropTenantRlsSql, tenantRlsSql } from '../../tenancy/rls.js';

/** KYC's and AML's customer-data tables (the sanctions list tables are public reference data, shared by tenants). */
const COMPLIANCE_TENANT_TABLES = [
  'kyc_profile', 'kyc_check', 'aml_screening', 'aml_alert', 'aml_alert_note', 'aml_freeze', 'aml_sar', 'aml_monitored_event', 'aml_risk_score', 'aml_rescreen_run',
] as const;

/** KYC and AML tables (generated from the entities by TypeORM's schema builder), then row-level security on every customer-data table. */
export class Compliance1763820000000 implements MigrationInterface {
  name = 'Compliance1763820000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "aml_list_version" ("version" integer NOT NULL, "imported_at" TIMESTAMP WITH TIME ZONE NOT NULL, "sources" jsonb NOT NULL, "entries" integer NOT NULL, "added" integer NOT NULL, "changed" integer NOT NULL, "removed" integer NOT NULL, CONSTRAINT "PK_6fc4060a649302bb49e0a7e17ac" PRIMARY KEY ("version"))`);
    await runner.query(`CREATE TABLE "aml_list_entry" ("entry_id" text NOT NULL, "valid_from" integer NOT NULL, "valid_to" integer, "fingerprint" character(64) NOT NULL, "entry" jsonb NOT NULL, CONSTRAINT "aml_list_entry_range" CHECK ("valid_to" IS NULL OR "valid_to" > "valid_from"), CONSTRAINT "PK_2894a10d3335b6a2baa1f10955a" PRIMARY KEY ("entry_id", "valid_from"))`);
    await runner.query(`CREATE INDEX "aml_list_entry_from" ON "aml_list_entry"  ("valid_from") `);
    await runner.query(`CREATE UNIQUE INDEX "aml_list_entry_current" ON "aml_list_entry"  ("entry_id") WHERE "valid_to" IS NULL`);
    await runner.query(`CREATE TABLE "aml_screening" ("id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "user_id" uuid NOT NULL, "subject" text NOT NULL, "context" text NOT NULL, "list_version" integer NOT NULL, "model" text NOT NULL, "decision" text NOT NULL, "hit_summary" jsonb NOT NULL, "hits_sealed" bytea, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "aml_screening_decision" CHECK ("decision" IN ('clear', 'review', 'blocked')), CONSTRAINT "aml_screening_context" CHECK ("context" IN ('onboarding', 'withdrawal', 'rescreen')), CONSTRAINT "aml_screening_subject" CHECK ("subject" IN ('customer', 'beneficiary')), CONSTRAINT "PK_fe8a3ffbad440ab3ad3223b298e" PRIMARY KEY ("id"))`);
    await runner.query(`CREATE INDEX "aml_screening_user" ON "aml_screening"  ("tenant_id", "user_id", "created_at") `);
    await runner.query(`CREATE TABLE "aml_alert" ("id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "user_id" uuid NOT NULL, "kind" text NOT NULL, "rule" text NOT NULL, "severity" text NOT NULL, "status" text NOT NULL, "assigned_to" uuid, "details" jsonb NOT NULL, "screening_id" uuid, "decision" text, "decided_by" uuid, "decided_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "aml_alert_severity" CHECK ("severity" IN ('low', 'medium', 'high')), CONSTRAINT "aml_alert_status" CHECK ("status" IN ('open', 'assigned', 'escalated', 'freeze_requested', 'cleared', 'sar_filed', 'frozen')), CONSTRAINT "aml_alert_kind" CHECK ("kind" IN ('screening', 'monitoring')), CONSTRAINT "PK_38d914f1046be4d9d7741c44ed7" PRIMARY KEY ("id"))`);
    await runner.query(`CREATE INDEX "aml_alert_user" ON "aml_alert"  ("tenant_id", "user_id", "created_at") `);
    await runner.query(`CREATE INDEX "aml_alert_queue" ON "aml_alert"  ("tenant_id", "status", "created_at") `);
    await runner.query(`CREATE TABLE "aml_alert_note" ("id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "alert_id" uuid NOT NULL, "author" uuid NOT NULL, "body_sealed" bytea NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_8e4997d7d03419ab25719f7b06d" PRIMARY KEY ("id"))`);
    await runner.query(`CREATE INDEX "aml_alert_note_alert" ON "aml_alert_note"  ("tenant_id", "alert_id", "created_at") `);
    await runner.query(`CREATE TABLE "aml_freeze" ("id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "user_id" uuid NOT NULL, "alert_id" uuid, "status" text NOT NULL, "requested_by" uuid NOT NULL, "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL, "approved_by" uuid, "approved_at" TIMESTAMP WITH TIME ZONE, "lifted_by" uuid, "lifted_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "aml_freeze_active_approved" CHECK (NOT "status" = 'active' OR "approved_by" IS NOT NULL), CONSTRAINT "aml_freeze_four_eyes" CHECK ("approved_by" IS NULL OR "approved_by" <> "requested_by"), CONSTRAINT "aml_freeze_status" CHECK ("status" IN ('requested', 'active', 'lifted', 'withdrawn')), CONSTRAINT "PK_d6a3be0b4591f506564e2cc027d" PRIMARY KEY ("id"))`);
    await runner.query(`CREATE UNIQUE INDEX "aml_freeze_one_open" ON "aml_freeze"  ("tenant_id", "user_id") WHERE "status" IN ('requested', 'active')`);
    await runner.query(`CREATE INDEX "aml_freeze_user" ON "aml_freeze"  ("tenant_id", "user_id", "status") `);
    await runner.query(`CREATE TABLE "aml_sar" ("id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "subject_hash" character(64) NOT NULL, "alert_id" uuid, "status" text NOT NULL, "narrative_sealed" bytea NOT NULL, "decided_by" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "filed_at" TIMESTAMP WITH TIME ZONE, "filed_by" uuid, "reference" text, CONSTRAINT "aml_sar_filed" CHECK (("status" = 'filed') = ("filed_at" IS NOT NULL AND "reference" IS NOT NULL)), CONSTRAINT "aml_sar_status" CHECK ("status" IN ('draft', 'filed')), CONSTRAINT "PK_234a7649e8374929a9acc7600b5" PRIMARY KEY ("id"))`);
    await runner.query(`CREATE INDEX "aml_sar_subject" ON "aml_sar"  ("tenant_id", "subject_hash") `);
    await runner.query(`CREATE INDEX "aml_sar_due" ON "aml_sar"  ("tenant_id", "status", "due_at") `);
    await runner.query(`CREATE TABLE "aml_monitored_event" ("seq" BIGSERIAL NOT NULL, "tenant_id" uuid NOT NULL, "user_id" uuid NOT NULL, "kind" text NOT NULL, "amount_usd" numeric(38,18) NOT NULL, "currency" character(3) NOT NULL, "amount" numeric(38,18) NOT NULL, "source_ref" text, "country" character(2), "at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "aml_monitored_event_amount" CHECK ("amount_usd" >= 0 AND "amount" >= 0), CONSTRAINT "aml_monitored_event_kind" CHECK ("kind" IN ('deposit', 'withdrawal', 'trade', 'payout')), CONSTRAINT "PK_9b221afabe74af3e433aa27aa2f" PRIMARY KEY ("seq"))`);
    await runner.query(`CREATE INDEX "aml_monitored_event_user" ON "aml_monitored_event"  ("tenant_id", "user_id", "at") `);
    await runner.query(`CREATE TABLE "aml_risk_score" ("user_id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "score" smallint NOT NULL, "band" text NOT NULL, "version" text NOT NULL, "factors" jsonb NOT NULL, "computed_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "aml_risk_score_range" CHECK ("score" BETWEEN 0 AND 100), CONSTRAINT "PK_738f2c37a97dbc54ca416d2907b" PRIMARY KEY ("user_id"))`);
    await runner.query(`CREATE TABLE "aml_rescreen_run" ("id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "from_version" integer NOT NULL, "to_version" integer NOT NULL, "changed_entries" integer NOT NULL, "screened" integer NOT NULL, "hits" integer NOT NULL, "finished_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_03e90035e5d716dff3cbe34d1ad" PRIMARY KEY ("id"))`);
    await runner.query(`CREATE INDEX "aml_rescreen_run_tenant" ON "aml_rescreen_run"  ("tenant_id", "finished_at") `);
    await runner.query(`CREATE TABLE "kyc_profile" ("user_id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "status" text NOT NULL, "tier" smallint NOT NULL, "requested_tier" smallint NOT NULL, "residence_country" character(2) NOT NULL, "document_country" character(2) NOT NULL, "document_type" text NOT NULL, "personal_data" bytea NOT NULL, "reasons" text array NOT NULL DEFAULT '{}', "provider" text NOT NULL, "provider_ref" text, "liveness_score" numeric(4,3), "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE, "submitted_at" TIMESTAMP WITH TIME ZONE NOT NULL, "decided_at" TIMESTAMP WITH TIME ZONE, "decided_by" text, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "kyc_profile_attempts" CHECK ("attempts" >= 0), CONSTRAINT "kyc_profile_granted_tier" CHECK ((NOT "status" = 'approved' OR "tier" > 0) AND (NOT "status" = 'rejected' OR "tier" = 0)), CONSTRAINT "kyc_profile_tier" CHECK ("tier" BETWEEN 0 AND 3 AND "requested_tier" BETWEEN 1 AND 3), CONSTRAINT "kyc_profile_status" CHECK ("status" IN ('pending', 'manual_review', 'approved', 'rejected')), CONSTRAINT "PK_f4c432ca1ea90a3dc1b4df2c58f" PRIMARY KEY ("user_id"))`);
    await runner.query(`CREATE INDEX "kyc_profile_retry_due" ON "kyc_profile"  ("next_attempt_at") WHERE "status" = 'pending'`);
    await runner.query(`CREATE INDEX "kyc_profile_tenant_status" ON "kyc_profile"  ("tenant_id", "status", "updated_at") `);
    await runner.query(`CREATE TABLE "kyc_check" ("id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "user_id" uuid NOT NULL, "outcome" text NOT NULL, "reasons" text array NOT NULL DEFAULT '{}', "provider_ref" text, "actor" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "kyc_check_outcome" CHECK ("outcome" IN ('approve', 'reject', 'review', 'timeout', 'error', 'breaker_open', 'rules_failed', 'officer_approve', 'officer_reject')), CONSTRAINT "PK_81f91f2a76db93af6ac5f57c393" PRIMARY KEY ("id"))`);
    await runner.query(`CREATE INDEX "kyc_check_user" ON "kyc_check"  ("tenant_id", "user_id", "created_at") `);
    for (const table of COMPLIANCE_TENANT_TABLES) for (const statement of tenantRlsSql(table)) await runner.query(statement);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [...COMPLIANCE_TENANT_TABLES].reverse()) for (const statement of dropTenantRlsSql(table)) await runner.query(statement);
    await runner.query(`DROP INDEX "public"."kyc_check_user"`);
    await runner.query(`DROP TABLE "kyc_check"`);
    await runner.query(`DROP INDEX "public"."kyc_profile_tenant_status"`);
    await runner.query(`DROP INDEX "public"."kyc_profile_retry_due"`);
    await runner.query(`DROP TABLE "kyc_profile"`);
    await runner.query(`DROP INDEX "public"."aml_rescreen_run_tenant"`);
    await runner.query(`DROP TABLE "aml_rescreen_run"`);
    await runner.query(`DROP TABLE "aml_risk_score"`);
    await runner.query(`DROP INDEX "public"."aml_monitored_event_user"`);
    await runner.query(`DROP TABLE "aml_monitored_event"`);
    await runner.query(`DROP INDEX "public"."aml_sar_due"`);
    await runner.query(`DROP INDEX "public"."aml_sar_subject"`);
    await runner.query(`DROP TABLE "aml_sar"`);
    await runner.query(`DROP INDEX "public"."aml_freeze_user"`);
    await runner.query(`DROP INDEX "public"."aml_freeze_one_open"`);
    await runner.query(`DROP TABLE "aml_freeze"`);
    await runner.query(`DROP INDEX "public"."aml_alert_note_alert"`);
    await runner.query(`DROP TABLE "aml_alert_note"`);
    await runner.query(`DROP INDEX "public"."aml_alert_queue"`);
    await runner.query(`DROP INDEX "public"."aml_alert_user"`);
    await runner.query(`DROP TABLE "aml_alert"`);
    await runner.query(`DROP INDEX "public"."aml_screening_user"`);
    await runner.query(`DROP TABLE "aml_screening"`);
    await runner.query(`DROP INDEX "public"."aml_list_entry_current"`);
    await runner.query(`DROP INDEX "public"."aml_list_entry_from"`);
    await runner.query(`DROP TABLE "aml_list_entry"`);
    await runner.query(`DROP TABLE "aml_list_version"`);
  }
}
