import type { MigrationInterface, QueryRunner } from 'typeorm';

/** clob venue (generated from the entities by TypeORM's schema builder). */
export class ClobVenue1763825000000 implements MigrationInterface {
  name = 'ClobVenue1763825000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "clob_venue_order" ("order_ref" uuid NOT NULL, "instrument_id" uuid NOT NULL, "book_order_id" bigint NOT NULL, "owner_no" integer NOT NULL, "reject_code" text, "submitted_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "clob_venue_order_book" UNIQUE ("instrument_id", "book_order_id"), CONSTRAINT "PK_12145b09cad887b0773a45f880b" PRIMARY KEY ("order_ref"))`);
    await runner.query(`CREATE INDEX "market_trade_sell_order" ON "market_trade"  ("instrument_id", "sell_order_id") `);
    await runner.query(`CREATE INDEX "market_trade_buy_order" ON "market_trade"  ("instrument_id", "buy_order_id") `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX "public"."market_trade_buy_order"`);
    await runner.query(`DROP INDEX "public"."market_trade_sell_order"`);
    await runner.query(`DROP TABLE "clob_venue_order"`);
  }
}
