import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dropTenantRlsSql, revokeFromGranteesSql, tenantRlsSql } from '../../tenancy/rls.js';

const TABLES = ['reconciliation_statement', 'reconciliation_break'] as const;

/**
 * Customer-side reconciliation (generated from the entities), then tenant isolation on both
 * tables; a reconciled statement is never changed or removed, and a break is never removed
 * (people change its status and note; the values found stay as found — refused by a trigger).
 */
export class Reconciliation1763880000000 implements MigrationInterface {
  name = 'Reconciliation1763880000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "reconciliation_statement" ("statement_id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "period_start" TIMESTAMP WITH TIME ZONE NOT NULL, "period_end" TIMESTAMP WITH TIME ZONE NOT NULL, "content_hash" character(64) NOT NULL, "lines" integer NOT NULL, "breaks" integer NOT NULL, "reconciled_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "reconciliation_statement_period" CHECK ("period_end" > "period_start"), CONSTRAINT "PK_5914368f03983c681e2b490ec8c" PRIMARY KEY ("statement_id"))`);
    await runner.query(`CREATE TABLE "reconciliation_break" ("break_id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "statement_id" uuid NOT NULL, "kind" text NOT NULL, "account_ref" uuid NOT NULL, "unit" text NOT NULL, "expected" numeric(48,18) NOT NULL, "actual" numeric(48,18) NOT NULL, "period_end" TIMESTAMP WITH TIME ZONE NOT NULL, "status" text NOT NULL, "note" text, "detected_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_by" text, CONSTRAINT "reconciliation_break_line" UNIQUE ("statement_id", "kind", "account_ref", "unit"), CONSTRAINT "reconciliation_break_resolved_note" CHECK ("status" <> 'resolved' OR "note" IS NOT NULL), CONSTRAINT "reconciliation_break_status" CHECK ("status" IN ('open', 'investigating', 'resolved')), CONSTRAINT "reconciliation_break_kind" CHECK ("kind" IN ('position_mismatch', 'cash_mismatch', 'unknown_account')), CONSTRAINT "PK_e4aa687b77cf2cb67b0f7d3b0b8" PRIMARY KEY ("break_id"))`);
    await runner.query(`CREATE INDEX "reconciliation_break_queue" ON "reconciliation_break"  ("tenant_id", "status", "detected_at") `);
    for (const statement of TABLES.flatMap(tenantRlsSql)) await runner.query(statement);
    await runner.query(revokeFromGranteesSql('reconciliation_statement', ['UPDATE', 'DELETE', 'TRUNCATE']));
    await runner.query(revokeFromGranteesSql('reconciliation_break', ['DELETE', 'TRUNCATE']));
    await runner.query(`CREATE FUNCTION reconciliation_break_found_values() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.break_id <> OLD.break_id OR NEW.tenant_id <> OLD.tenant_id OR NEW.statement_id <> OLD.statement_id OR NEW.kind <> OLD.kind
           OR NEW.account_ref <> OLD.account_ref OR NEW.unit <> OLD.unit OR NEW.expected <> OLD.expected OR NEW.actual <> OLD.actual
           OR NEW.period_end <> OLD.period_end OR NEW.detected_at <> OLD.detected_at THEN
          RAISE EXCEPTION 'a reconciliation break keeps what was found: only its status and note change';
        END IF;
        IF OLD.status = 'resolved' THEN RAISE EXCEPTION 'a resolved reconciliation break stays resolved'; END IF;
        RETURN NEW;
      END $$`);
    await runner.query(`CREATE TRIGGER reconciliation_break_found_values BEFORE UPDATE ON reconciliation_break FOR EACH ROW EXECUTE FUNCTION reconciliation_break_found_values()`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TRIGGER reconciliation_break_found_values ON reconciliation_break`);
    await runner.query(`DROP FUNCTION reconciliation_break_found_values()`);
    for (const statement of TABLES.flatMap(dropTenantRlsSql)) await runner.query(statement);
    await runner.query(`DROP INDEX "public"."reconciliation_break_queue"`);
    await runner.query(`DROP TABLE "reconciliation_break"`);
    await runner.query(`DROP TABLE "reconciliation_statement"`);
  }
}
