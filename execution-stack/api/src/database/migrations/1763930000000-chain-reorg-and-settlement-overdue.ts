import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A mined transaction keeps its block's hash (a reorganisation that drops it is seen and it is
 * rebroadcast), a settlement leg names its batch, and a break may carry when its subject happened
 * for the settlement_overdue kind (generated from the entities; the kind check by hand).
 */
export class ChainReorgAndSettlementOverdue1763930000000 implements MigrationInterface {
  name = 'ChainReorgAndSettlementOverdue1763930000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "chain_tx" ADD "block_hash" text`);
    await runner.query(`ALTER TABLE "chain_settlement" ADD "batch_ref" uuid`);
    await runner.query(`ALTER TABLE "reconciliation_break" ADD "subject_at" TIMESTAMP WITH TIME ZONE`);
    await runner.query(`CREATE INDEX "chain_settlement_batch" ON "chain_settlement"  ("batch_ref") `);
    await runner.query(`ALTER TABLE "reconciliation_break" DROP CONSTRAINT "reconciliation_break_kind"`);
    await runner.query(`ALTER TABLE "reconciliation_break" ADD CONSTRAINT "reconciliation_break_kind" CHECK ("kind" IN ('fill_without_order', 'order_fill_mismatch', 'clob_fill_mismatch', 'allocation_fill_mismatch', 'chain_balance_mismatch', 'settlement_overdue'))`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DELETE FROM "reconciliation_break" WHERE "kind" = 'settlement_overdue'`);
    await runner.query(`ALTER TABLE "reconciliation_break" DROP CONSTRAINT "reconciliation_break_kind"`);
    await runner.query(`ALTER TABLE "reconciliation_break" ADD CONSTRAINT "reconciliation_break_kind" CHECK ("kind" IN ('fill_without_order', 'order_fill_mismatch', 'clob_fill_mismatch', 'allocation_fill_mismatch', 'chain_balance_mismatch'))`);
    await runner.query(`DROP INDEX "public"."chain_settlement_batch"`);
    await runner.query(`ALTER TABLE "reconciliation_break" DROP COLUMN "subject_at"`);
    await runner.query(`ALTER TABLE "chain_settlement" DROP COLUMN "batch_ref"`);
    await runner.query(`ALTER TABLE "chain_tx" DROP COLUMN "block_hash"`);
  }
}
