import type { MigrationInterface, QueryRunner } from 'typeorm';

/** When an instrument was resolved on chain: its later settlement legs burn instead of moving (generated from the entities). */
export class ChainResolved1763890000001 implements MigrationInterface {
  name = 'ChainResolved1763890000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "chain_instrument" ADD "resolved_at" TIMESTAMP WITH TIME ZONE`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "chain_instrument" DROP COLUMN "resolved_at"`);
  }
}
