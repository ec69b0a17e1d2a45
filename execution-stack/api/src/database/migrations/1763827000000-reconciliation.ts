import type { MigrationInterface, QueryRunner } from 'typeorm';

/** reconciliation (generated from the entities by TypeORM's schema builder). */
export class Reconciliation1763827000000 implements MigrationInterface {
  name = 'Reconciliation1763827000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "reconciliation_break" ADD "acknowledged_by" uuid`);
    await runner.query(`ALTER TABLE "reconciliation_break" ADD "resolved_by" uuid`);
    await runner.query(`ALTER TABLE "reconciliation_break" ADD CONSTRAINT "reconciliation_break_decided" CHECK (("status" <> 'resolved') = ("resolved_by" IS NULL))`);
    // The internal book's trades against the omnibus fills: a break kind of its own.
    await runner.query(`ALTER TABLE "reconciliation_break" DROP CONSTRAINT "reconciliation_break_kind"`);
    await runner.query(`ALTER TABLE "reconciliation_break" ADD CONSTRAINT "reconciliation_break_kind" CHECK ("kind" IN ('fill_without_order', 'order_fill_mismatch', 'clob_fill_mismatch', 'allocation_fill_mismatch', 'chain_balance_mismatch'))`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "reconciliation_break" DROP CONSTRAINT "reconciliation_break_kind"`);
    await runner.query(`ALTER TABLE "reconciliation_break" ADD CONSTRAINT "reconciliation_break_kind" CHECK ("kind" IN ('fill_without_order', 'order_fill_mismatch', 'allocation_fill_mismatch', 'chain_balance_mismatch'))`);
    await runner.query(`ALTER TABLE "reconciliation_break" DROP CONSTRAINT "reconciliation_break_decided"`);
    await runner.query(`ALTER TABLE "reconciliation_break" DROP COLUMN "resolved_by"`);
    await runner.query(`ALTER TABLE "reconciliation_break" DROP COLUMN "acknowledged_by"`);
  }
}
