import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Intent cancellation: an omnibus intent records when a cancel withdrew it, and a pooled intent
 * may be cancelled while still waiting (never pooled). The changed checks are hand-written (the
 * schema builder does not see a changed check expression).
 */
export class IntentCancel1763836000000 implements MigrationInterface {
  name = 'IntentCancel1763836000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "omnibus_intent" ADD "cancelled_at" TIMESTAMP WITH TIME ZONE`);
    await runner.query(`ALTER TABLE "pooled_intent" DROP CONSTRAINT "pooled_intent_status"`);
    await runner.query(`ALTER TABLE "pooled_intent" ADD CONSTRAINT "pooled_intent_status" CHECK ("status" IN ('waiting', 'pooled', 'done', 'cancelled'))`);
    await runner.query(`ALTER TABLE "pooled_intent" DROP CONSTRAINT "pooled_intent_pooled"`);
    await runner.query(`ALTER TABLE "pooled_intent" ADD CONSTRAINT "pooled_intent_pooled" CHECK (("status" IN ('waiting', 'cancelled')) = ("order_ref" IS NULL))`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "pooled_intent" DROP CONSTRAINT "pooled_intent_pooled"`);
    await runner.query(`ALTER TABLE "pooled_intent" ADD CONSTRAINT "pooled_intent_pooled" CHECK (("status" = 'waiting') = ("order_ref" IS NULL))`);
    await runner.query(`ALTER TABLE "pooled_intent" DROP CONSTRAINT "pooled_intent_status"`);
    await runner.query(`ALTER TABLE "pooled_intent" ADD CONSTRAINT "pooled_intent_status" CHECK ("status" IN ('waiting', 'pooled', 'done'))`);
    await runner.query(`ALTER TABLE "omnibus_intent" DROP COLUMN "cancelled_at"`);
  }
}
