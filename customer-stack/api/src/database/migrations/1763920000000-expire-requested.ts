import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A two-phase expiry, like the cancel: an intent past its time is `expire_requested` (it keeps its
 * hold, since a pooled intent can still fill) until the execution stack's intent.closed.v1 says
 * what it was allocated. And the GTD time in force, whose expiry crosses the wall. Hand-written:
 * the generator does not compare a CHECK's expression, only its name.
 */
export class ExpireRequested1763920000000 implements MigrationInterface {
  name = 'ExpireRequested1763920000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "order_intent" DROP CONSTRAINT "order_intent_status"`);
    await runner.query(`ALTER TABLE "order_intent" ADD CONSTRAINT "order_intent_status" CHECK ("status" IN ('submitted', 'accepted', 'cancel_requested', 'expire_requested', 'rejected', 'filled', 'cancelled', 'expired'))`);
    await runner.query(`ALTER TABLE "order_intent" DROP CONSTRAINT "order_intent_tif"`);
    await runner.query(`ALTER TABLE "order_intent" ADD CONSTRAINT "order_intent_tif" CHECK ("time_in_force" IN ('GTC', 'IOC', 'FOK', 'GTD'))`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "order_intent" DROP CONSTRAINT "order_intent_tif"`);
    await runner.query(`ALTER TABLE "order_intent" ADD CONSTRAINT "order_intent_tif" CHECK ("time_in_force" IN ('GTC', 'IOC', 'FOK'))`);
    await runner.query(`ALTER TABLE "order_intent" DROP CONSTRAINT "order_intent_status"`);
    await runner.query(`ALTER TABLE "order_intent" ADD CONSTRAINT "order_intent_status" CHECK ("status" IN ('submitted', 'accepted', 'cancel_requested', 'rejected', 'filled', 'cancelled', 'expired'))`);
  }
}
