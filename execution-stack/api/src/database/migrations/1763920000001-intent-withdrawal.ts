import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Taking an intent out of its working omnibus order: the order records the reduction it claimed
 * before asking the venue (and the intents it withdraws), so a crash between the venue's answer
 * and the record never reduces twice; the internal book records each reduction it applied, in the
 * book's journal transaction.
 */
export class IntentWithdrawal1763920000001 implements MigrationInterface {
  name = 'IntentWithdrawal1763920000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "omnibus_order" ADD "reduction_ref" uuid`);
    await runner.query(`ALTER TABLE "omnibus_order" ADD "reduction_quantity" numeric(38,18)`);
    await runner.query(`ALTER TABLE "omnibus_order" ADD CONSTRAINT "omnibus_order_reduction" CHECK (("reduction_ref" IS NULL) = ("reduction_quantity" IS NULL) AND ("reduction_quantity" IS NULL OR "reduction_quantity" > 0))`);
    await runner.query(`ALTER TABLE "pooled_intent" ADD "withdrawal_ref" uuid`);
    await runner.query(`CREATE TABLE "clob_venue_reduction" ("reduction_ref" uuid NOT NULL, "order_ref" uuid NOT NULL, "lots" bigint NOT NULL, "reject_code" text, "reduced_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_fb507ec2acb9e79fdf4cb008ae7" PRIMARY KEY ("reduction_ref"))`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "clob_venue_reduction"`);
    await runner.query(`ALTER TABLE "pooled_intent" DROP COLUMN "withdrawal_ref"`);
    await runner.query(`ALTER TABLE "omnibus_order" DROP CONSTRAINT "omnibus_order_reduction"`);
    await runner.query(`ALTER TABLE "omnibus_order" DROP COLUMN "reduction_quantity"`);
    await runner.query(`ALTER TABLE "omnibus_order" DROP COLUMN "reduction_ref"`);
  }
}
