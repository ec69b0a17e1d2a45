import type { MigrationInterface, QueryRunner } from 'typeorm';

const TENANT_TABLES = ['notification_outbox', 'webhook_endpoint'] as const;

/**
 * Notifications' tables (generated from the entities by TypeORM's schema builder), then by hand:
 * row-level security on the tenant-scoped ones (the policy tenancy/rls.ts gives every customer table).
 */
export class Notifications1763810000001 implements MigrationInterface {
  name = 'Notifications1763810000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "notification_outbox" ("id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "user_id" uuid, "event" text NOT NULL, "data" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_83d47c7dba1da2d038749fe757e" PRIMARY KEY ("id"))`);
    await runner.query(`CREATE TABLE "notification_delivery" ("id" uuid NOT NULL, "outbox_id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "channel" text NOT NULL, "target" uuid NOT NULL, "status" text NOT NULL, "attempts" integer NOT NULL, "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "sent_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "notification_delivery_once" UNIQUE ("outbox_id", "channel", "target"), CONSTRAINT "notification_delivery_attempts" CHECK ("attempts" >= 0), CONSTRAINT "notification_delivery_status" CHECK ("status" IN ('pending', 'sending', 'sent', 'dead', 'skipped')), CONSTRAINT "notification_delivery_channel" CHECK ("channel" IN ('email', 'webhook')), CONSTRAINT "PK_109dea88c25343da49d86de6bfd" PRIMARY KEY ("id"))`);
    await runner.query(`CREATE INDEX "notification_delivery_tenant_status" ON "notification_delivery"  ("tenant_id", "status", "created_at") `);
    await runner.query(`CREATE INDEX "notification_delivery_due" ON "notification_delivery"  ("next_attempt_at") WHERE "status" IN ('pending', 'sending')`);
    await runner.query(`CREATE TABLE "webhook_endpoint" ("id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "url" text NOT NULL, "secret_sealed" bytea NOT NULL, "events" text array NOT NULL, "active" boolean NOT NULL, "created_by" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_6c98112122b2b8a4f3984d2efa8" PRIMARY KEY ("id"))`);
    await runner.query(`CREATE INDEX "webhook_endpoint_tenant" ON "webhook_endpoint"  ("tenant_id", "active") `);
    for (const table of TENANT_TABLES) {
      await runner.query(`ALTER TABLE "${table}" ENABLE ROW LEVEL SECURITY`);
      await runner.query(`ALTER TABLE "${table}" FORCE ROW LEVEL SECURITY`);
      await runner.query(
        `CREATE POLICY tenant_isolation ON "${table}" USING (tenant_id = NULLIF(current_setting('bulwark.tenant_id', true), '')::uuid) WITH CHECK (tenant_id = NULLIF(current_setting('bulwark.tenant_id', true), '')::uuid)`,
      );
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of TENANT_TABLES) await runner.query(`DROP POLICY tenant_isolation ON "${table}"`);
    await runner.query(`DROP INDEX "public"."webhook_endpoint_tenant"`);
    await runner.query(`DROP TABLE "webhook_endpoint"`);
    await runner.query(`DROP INDEX "public"."notification_delivery_due"`);
    await runner.query(`DROP INDEX "public"."notification_delivery_tenant_status"`);
    await runner.query(`DROP TABLE "notification_delivery"`);
    await runner.query(`DROP TABLE "notification_outbox"`);
  }
}
