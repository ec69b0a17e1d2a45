import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Intent expiry on the execution side: a GTD intent keeps the expiry it crossed the wall with,
 * and the aggregator expires it then; a pooled intent records why it was asked to close (a
 * cancel or its expiry) and becomes `withdrawn` once taken out of its omnibus order. The changed
 * checks are hand-written (the schema builder does not see a changed check expression).
 */
export class IntentExpiry1763920000000 implements MigrationInterface {
  name = 'IntentExpiry1763920000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "omnibus_intent" ADD "expires_at" TIMESTAMP WITH TIME ZONE`);
    await runner.query(`ALTER TABLE "omnibus_intent" DROP CONSTRAINT "omnibus_intent_tif"`);
    await runner.query(`ALTER TABLE "omnibus_intent" ADD CONSTRAINT "omnibus_intent_tif" CHECK ("time_in_force" IN ('GTC', 'IOC', 'FOK', 'GTD'))`);
    await runner.query(`ALTER TABLE "pooled_intent" ADD "expires_at" TIMESTAMP WITH TIME ZONE`);
    await runner.query(`ALTER TABLE "pooled_intent" ADD "close_reason" text`);
    await runner.query(`ALTER TABLE "pooled_intent" ADD CONSTRAINT "pooled_intent_close_reason" CHECK ("close_reason" IN ('cancelled', 'expired'))`);
    await runner.query(`ALTER TABLE "pooled_intent" DROP CONSTRAINT "pooled_intent_status"`);
    await runner.query(`ALTER TABLE "pooled_intent" ADD CONSTRAINT "pooled_intent_status" CHECK ("status" IN ('waiting', 'pooled', 'withdrawn', 'done', 'cancelled'))`);
    await runner.query(`CREATE INDEX "pooled_intent_expiry" ON "pooled_intent" ("expires_at") WHERE "status" IN ('waiting', 'pooled') AND "expires_at" IS NOT NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX "public"."pooled_intent_expiry"`);
    await runner.query(`ALTER TABLE "pooled_intent" DROP CONSTRAINT "pooled_intent_status"`);
    await runner.query(`ALTER TABLE "pooled_intent" ADD CONSTRAINT "pooled_intent_status" CHECK ("status" IN ('waiting', 'pooled', 'done', 'cancelled'))`);
    await runner.query(`ALTER TABLE "pooled_intent" DROP CONSTRAINT "pooled_intent_close_reason"`);
    await runner.query(`ALTER TABLE "pooled_intent" DROP COLUMN "close_reason"`);
    await runner.query(`ALTER TABLE "pooled_intent" DROP COLUMN "expires_at"`);
    await runner.query(`ALTER TABLE "omnibus_intent" DROP CONSTRAINT "omnibus_intent_tif"`);
    await runner.query(`ALTER TABLE "omnibus_intent" ADD CONSTRAINT "omnibus_intent_tif" CHECK ("time_in_force" IN ('GTC', 'IOC', 'FOK'))`);
    await runner.query(`ALTER TABLE "omnibus_intent" DROP COLUMN "expires_at"`);
  }
}
