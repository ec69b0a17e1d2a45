import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dropTenantRlsSql, revokeFromGranteesSql, tenantRlsSql } from '../../tenancy/rls.js';

const PRIVACY_TABLES = ['person_key', 'consent_record', 'retention_policy', 'breach_incident'] as const;

/**
 * Data protection: person keys, consents, retention policies, the breach register (generated
 * from the entities), then by hand: row-level security on all four, and narrower grants (a person
 * key is never deleted, only erased; consents are a history that only the retention purge trims;
 * breaches are never deleted).
 */
export class Privacy1763800000002 implements MigrationInterface {
  name = 'Privacy1763800000002';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "person_key" ("subject_id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "wrapped_key" bytea, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "erased_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "person_key_erasure" CHECK (("wrapped_key" IS NULL) = ("erased_at" IS NOT NULL)), CONSTRAINT "PK_0fb5527521ece7a8e85cbf3f044" PRIMARY KEY ("subject_id"))`);
    await runner.query(`CREATE TABLE "consent_record" ("id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "subject_id" uuid NOT NULL, "purpose" text NOT NULL, "granted" boolean NOT NULL, "source" text NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "consent_record_purpose" CHECK ("purpose" IN ('marketing', 'analytics', 'research', 'third_party_sharing')), CONSTRAINT "PK_b357c35aea3aa0be4647282324f" PRIMARY KEY ("id"))`);
    await runner.query(`CREATE INDEX "consent_record_subject" ON "consent_record"  ("tenant_id", "subject_id", "purpose", "recorded_at") `);
    await runner.query(`CREATE TABLE "retention_policy" ("tenant_id" uuid NOT NULL, "category" text NOT NULL, "retain_days" integer NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "retention_policy_days" CHECK ("retain_days" BETWEEN 1 AND 36500), CONSTRAINT "PK_53246a6598b73f832f5e1429844" PRIMARY KEY ("tenant_id", "category"))`);
    await runner.query(`CREATE TABLE "breach_incident" ("id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "title" text NOT NULL, "description" text NOT NULL, "category" text NOT NULL, "severity" text NOT NULL, "affected_subjects" integer NOT NULL, "status" text NOT NULL, "detected_at" TIMESTAMP WITH TIME ZONE NOT NULL, "regulator_deadline_at" TIMESTAMP WITH TIME ZONE NOT NULL, "regulator_notified_at" TIMESTAMP WITH TIME ZONE, "subjects_notified_at" TIMESTAMP WITH TIME ZONE, "reported_by" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "breach_incident_affected" CHECK ("affected_subjects" >= 0), CONSTRAINT "breach_incident_status_check" CHECK ("status" IN ('open', 'contained', 'resolved')), CONSTRAINT "breach_incident_category" CHECK ("category" IN ('confidentiality', 'integrity', 'availability')), CONSTRAINT "breach_incident_severity" CHECK ("severity" IN ('low', 'medium', 'high', 'critical')), CONSTRAINT "PK_b7e67b0299be1e88e0caf8337a9" PRIMARY KEY ("id"))`);
    await runner.query(`CREATE INDEX "breach_incident_status" ON "breach_incident"  ("tenant_id", "status", "detected_at") `);
    for (const table of PRIVACY_TABLES) for (const statement of tenantRlsSql(table)) await runner.query(statement);
    await runner.query(revokeFromGranteesSql('person_key', ['DELETE', 'TRUNCATE']));
    await runner.query(revokeFromGranteesSql('consent_record', ['UPDATE', 'TRUNCATE']));
    await runner.query(revokeFromGranteesSql('breach_incident', ['DELETE', 'TRUNCATE']));
    // Erasure is final: a key once destroyed never comes back.
    await runner.query(`CREATE FUNCTION person_key_erasure_final() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.erased_at IS NOT NULL THEN
          RAISE EXCEPTION 'person % is erased: the key cannot be restored', OLD.subject_id USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$`);
    await runner.query(`CREATE TRIGGER person_key_erasure_final BEFORE UPDATE ON person_key FOR EACH ROW EXECUTE FUNCTION person_key_erasure_final()`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TRIGGER person_key_erasure_final ON person_key`);
    await runner.query(`DROP FUNCTION person_key_erasure_final()`);
    for (const table of [...PRIVACY_TABLES].reverse()) for (const statement of dropTenantRlsSql(table)) await runner.query(statement);
    await runner.query(`DROP INDEX "public"."breach_incident_status"`);
    await runner.query(`DROP TABLE "breach_incident"`);
    await runner.query(`DROP TABLE "retention_policy"`);
    await runner.query(`DROP INDEX "public"."consent_record_subject"`);
    await runner.query(`DROP TABLE "consent_record"`);
    await runner.query(`DROP TABLE "person_key"`);
  }
}
