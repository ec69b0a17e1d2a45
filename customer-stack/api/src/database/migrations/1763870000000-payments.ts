import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dropTenantRlsSql, revokeFromGranteesSql, tenantRlsSql } from '../../tenancy/rls.js';

const PAYMENT_TABLES = ['payment_deposit', 'payment_withdrawal', 'payment_webhook_event'] as const;

/**
 * Payments: deposits, withdrawals and the provider webhook events received (generated from the
 * entities by TypeORM's schema builder). Hand-written after: tenant isolation on all three, and
 * the webhook event store append-only (a replay is refused because its row stays).
 */
export class Payments1763870000000 implements MigrationInterface {
  name = 'Payments1763870000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "payment_deposit" ("id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "user_id" uuid NOT NULL, "account_ref" uuid NOT NULL, "provider" text NOT NULL, "provider_ref" text, "rail" text NOT NULL, "quote_id" uuid NOT NULL, "amount" numeric(38,18) NOT NULL, "currency" text NOT NULL, "credit_amount" numeric(38,18) NOT NULL, "credit_currency" text NOT NULL, "price" numeric(38,18) NOT NULL, "quote_expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "status" text NOT NULL, "failure_code" text, "transaction_id" uuid, "instructions" jsonb, "return_ref" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "payment_deposit_amounts" CHECK ("amount" > 0 AND "credit_amount" > 0 AND "price" > 0), CONSTRAINT "payment_deposit_failed" CHECK (("status" = 'failed') = ("failure_code" IS NOT NULL)), CONSTRAINT "payment_deposit_settled" CHECK (("status" = 'settled') = ("transaction_id" IS NOT NULL)), CONSTRAINT "payment_deposit_status" CHECK ("status" IN ('initiated', 'pending', 'settled', 'failed')), CONSTRAINT "PK_46484d4643a85b9b3ffac2a706b" PRIMARY KEY ("id"))`);
    await runner.query(`CREATE UNIQUE INDEX "payment_deposit_quote" ON "payment_deposit"  ("quote_id") `);
    await runner.query(`CREATE INDEX "payment_deposit_account_created" ON "payment_deposit"  ("account_ref", "created_at") `);
    await runner.query(`CREATE TABLE "payment_withdrawal" ("id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "user_id" uuid NOT NULL, "account_ref" uuid NOT NULL, "provider" text NOT NULL, "provider_ref" text, "rail" text NOT NULL, "urgency" text NOT NULL, "amount" numeric(38,18) NOT NULL, "currency" text NOT NULL, "payout_amount" numeric(38,18), "payout_currency" text NOT NULL, "quote_id" uuid, "reservation_id" uuid NOT NULL, "conversion_transaction_id" uuid, "settle_transaction_id" uuid, "status" text NOT NULL, "approvals_required" smallint NOT NULL, "approved_by" uuid array NOT NULL DEFAULT '{}', "beneficiary_sealed" bytea NOT NULL, "beneficiary_country" text NOT NULL, "screening_decision" text NOT NULL, "failure_code" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "payment_withdrawal_settled" CHECK (("status" = 'settled') = ("settle_transaction_id" IS NOT NULL)), CONSTRAINT "payment_withdrawal_sent" CHECK ("status" NOT IN ('sending', 'sent', 'settled') OR ("quote_id" IS NOT NULL AND "conversion_transaction_id" IS NOT NULL)), CONSTRAINT "payment_withdrawal_failed" CHECK (("status" IN ('failed', 'rejected')) = ("failure_code" IS NOT NULL)), CONSTRAINT "payment_withdrawal_approvals" CHECK ("approvals_required" BETWEEN 0 AND 2 AND cardinality("approved_by") <= "approvals_required"), CONSTRAINT "payment_withdrawal_amounts" CHECK ("amount" > 0 AND ("payout_amount" IS NULL OR "payout_amount" > 0)), CONSTRAINT "payment_withdrawal_status" CHECK ("status" IN ('held', 'pending_approval', 'approved', 'sending', 'sent', 'settled', 'failed', 'rejected')), CONSTRAINT "PK_ca2a35990401cf6456cfa27b55e" PRIMARY KEY ("id"))`);
    await runner.query(`CREATE UNIQUE INDEX "payment_withdrawal_quote" ON "payment_withdrawal"  ("quote_id") WHERE "quote_id" IS NOT NULL`);
    await runner.query(`CREATE INDEX "payment_withdrawal_queue" ON "payment_withdrawal"  ("status", "created_at") `);
    await runner.query(`CREATE INDEX "payment_withdrawal_account_created" ON "payment_withdrawal"  ("account_ref", "created_at") `);
    await runner.query(`CREATE TABLE "payment_webhook_event" ("provider" text NOT NULL, "event_id" text NOT NULL, "tenant_id" uuid NOT NULL, "signature_sha256" character(64) NOT NULL, "type" text NOT NULL, "payment_id" uuid NOT NULL, "signed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_892aba0af0a2bb444136067525f" PRIMARY KEY ("provider", "event_id"))`);
    await runner.query(`CREATE UNIQUE INDEX "payment_webhook_event_signature" ON "payment_webhook_event"  ("signature_sha256") `);
    for (const statement of PAYMENT_TABLES.flatMap(tenantRlsSql)) await runner.query(statement);
    await runner.query(revokeFromGranteesSql('payment_webhook_event', ['UPDATE', 'DELETE', 'TRUNCATE']));
    await runner.query(revokeFromGranteesSql('payment_deposit', ['DELETE', 'TRUNCATE']));
    await runner.query(revokeFromGranteesSql('payment_withdrawal', ['DELETE', 'TRUNCATE']));
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const statement of PAYMENT_TABLES.flatMap(dropTenantRlsSql)) await runner.query(statement);
    await runner.query(`DROP INDEX "public"."payment_webhook_event_signature"`);
    await runner.query(`DROP TABLE "payment_webhook_event"`);
    await runner.query(`DROP INDEX "public"."payment_withdrawal_account_created"`);
    await runner.query(`DROP INDEX "public"."payment_withdrawal_queue"`);
    await runner.query(`DROP INDEX "public"."payment_withdrawal_quote"`);
    await runner.query(`DROP TABLE "payment_withdrawal"`);
    await runner.query(`DROP INDEX "public"."payment_deposit_account_created"`);
    await runner.query(`DROP INDEX "public"."payment_deposit_quote"`);
    await runner.query(`DROP TABLE "payment_deposit"`);
  }
}
