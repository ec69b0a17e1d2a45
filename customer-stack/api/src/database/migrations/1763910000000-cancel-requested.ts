import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A two-phase cancel: an intent its investor cancelled is `cancel_requested` (it keeps its hold)
 * until the execution stack's intent.closed.v1 confirms what will never fill. Hand-written: the
 * generator does not compare a CHECK's expression, only its name.
 */
export class CancelRequested1763910000000 implements MigrationInterface {
  name = 'CancelRequested1763910000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "order_intent" DROP CONSTRAINT "order_intent_status"`);
    await runner.query(`ALTER TABLE "order_intent" ADD CONSTRAINT "order_intent_status" CHECK ("status" IN ('submitted', 'accepted', 'cancel_requested', 'rejected', 'filled', 'cancelled', 'expired'))`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "order_intent" DROP CONSTRAINT "order_intent_status"`);
    await runner.query(`ALTER TABLE "order_intent" ADD CONSTRAINT "order_intent_status" CHECK ("status" IN ('submitted', 'accepted', 'rejected', 'filled', 'cancelled', 'expired'))`);
  }
}
