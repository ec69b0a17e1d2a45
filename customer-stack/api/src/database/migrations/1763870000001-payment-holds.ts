import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Withdrawal holds: when a withdrawal's reservation expires (generated from the entities by
 * TypeORM's schema builder). Hand-written: rows made before this migration get the default hold
 * (14 days after they were asked for) before the column becomes NOT NULL.
 */
export class PaymentHolds1763870000001 implements MigrationInterface {
  name = 'PaymentHolds1763870000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "payment_withdrawal" ADD "hold_expires_at" TIMESTAMP WITH TIME ZONE`);
    // Row-level security binds the owner too (FORCE): lifted for this one statement.
    await runner.query(`ALTER TABLE "payment_withdrawal" NO FORCE ROW LEVEL SECURITY`);
    await runner.query(`UPDATE "payment_withdrawal" SET "hold_expires_at" = "created_at" + interval '14 days'`);
    await runner.query(`ALTER TABLE "payment_withdrawal" FORCE ROW LEVEL SECURITY`);
    await runner.query(`ALTER TABLE "payment_withdrawal" ALTER COLUMN "hold_expires_at" SET NOT NULL`);
    await runner.query(`CREATE INDEX "payment_withdrawal_hold_expiry" ON "payment_withdrawal"  ("hold_expires_at") WHERE "status" IN ('held', 'pending_approval', 'approved', 'sending', 'sent')`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX "public"."payment_withdrawal_hold_expiry"`);
    await runner.query(`ALTER TABLE "payment_withdrawal" DROP COLUMN "hold_expires_at"`);
  }
}
