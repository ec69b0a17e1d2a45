import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The chain module's listing queue (a listed instrument waits here for its token suite) and the
 * block of the indexed Transfer that confirms a settlement leg (generated from the entities).
 */
export class ChainListing1763890000000 implements MigrationInterface {
  name = 'ChainListing1763890000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "chain_listing" ("instrument_id" uuid NOT NULL, "symbol" text NOT NULL, "status" text NOT NULL, "attempts" integer NOT NULL DEFAULT '0', "last_error" text, "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL, "deployed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "chain_listing_status" CHECK ("status" IN ('queued', 'deployed')), CONSTRAINT "PK_aa98b485ccad8b3bfad258487fd" PRIMARY KEY ("instrument_id"))`);
    await runner.query(`ALTER TABLE "chain_settlement" ADD "confirmed_block" bigint`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "chain_settlement" DROP COLUMN "confirmed_block"`);
    await runner.query(`DROP TABLE "chain_listing"`);
  }
}
