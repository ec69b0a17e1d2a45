import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Instrument bands and breakers; the market journal, snapshots, orders, trades and candles (generated from the entities). */
export class Market1763800000000 implements MigrationInterface {
  name = 'Market1763800000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "market_journal" ("instrument_id" uuid NOT NULL, "seq" bigint NOT NULL, "command" jsonb NOT NULL, "journaled_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), CONSTRAINT "PK_5a4e48c45b22fab3c02001e15bd" PRIMARY KEY ("instrument_id", "seq"))`);
    await runner.query(`CREATE TABLE "market_snapshot" ("instrument_id" uuid NOT NULL, "seq" bigint NOT NULL, "state" jsonb NOT NULL, "taken_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), CONSTRAINT "PK_8dfbacfb838b82aa7a3b8bda154" PRIMARY KEY ("instrument_id", "seq"))`);
    await runner.query(`CREATE TABLE "market_order" ("instrument_id" uuid NOT NULL, "order_id" bigint NOT NULL, "owner_no" integer NOT NULL, "side" text NOT NULL, "order_type" text NOT NULL, "time_in_force" text NOT NULL, "price" numeric(38,18), "stop_price" numeric(38,18), "quantity" numeric(38,18) NOT NULL, "remaining_quantity" numeric(38,18) NOT NULL, "filled_quantity" numeric(38,18) NOT NULL, "status" text NOT NULL, "cancel_reason" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "market_order_quantities" CHECK ("quantity" > 0 AND "remaining_quantity" >= 0 AND "filled_quantity" >= 0), CONSTRAINT "market_order_side" CHECK ("side" IN ('buy', 'sell')), CONSTRAINT "market_order_status" CHECK ("status" IN ('pending', 'auction', 'open', 'filled', 'cancelled', 'expired')), CONSTRAINT "PK_1109ffe314a127c922b8add3f7c" PRIMARY KEY ("instrument_id", "order_id"))`);
    await runner.query(`CREATE INDEX "market_order_owner" ON "market_order"  ("owner_no", "status") `);
    await runner.query(`CREATE TABLE "market_trade" ("instrument_id" uuid NOT NULL, "trade_seq" bigint NOT NULL, "price" numeric(38,18) NOT NULL, "quantity" numeric(38,18) NOT NULL, "aggressor" text NOT NULL, "buy_order_id" bigint NOT NULL, "sell_order_id" bigint NOT NULL, "buy_owner_no" integer NOT NULL, "sell_owner_no" integer NOT NULL, "traded_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "market_trade_positive" CHECK ("price" > 0 AND "quantity" > 0), CONSTRAINT "market_trade_aggressor" CHECK ("aggressor" IN ('buy', 'sell', 'auction')), CONSTRAINT "PK_cfc3405708a737f52fc5259f3c5" PRIMARY KEY ("instrument_id", "trade_seq"))`);
    await runner.query(`CREATE INDEX "market_trade_sell_owner" ON "market_trade"  ("sell_owner_no", "traded_at") `);
    await runner.query(`CREATE INDEX "market_trade_buy_owner" ON "market_trade"  ("buy_owner_no", "traded_at") `);
    await runner.query(`CREATE TABLE "market_candle" ("instrument_id" uuid NOT NULL, "interval" text NOT NULL, "bucket_start" TIMESTAMP WITH TIME ZONE NOT NULL, "open" numeric(38,18) NOT NULL, "high" numeric(38,18) NOT NULL, "low" numeric(38,18) NOT NULL, "close" numeric(38,18) NOT NULL, "volume" numeric(38,18) NOT NULL, "trades" integer NOT NULL, CONSTRAINT "market_candle_range" CHECK ("low" <= "open" AND "low" <= "close" AND "high" >= "open" AND "high" >= "close" AND "volume" > 0), CONSTRAINT "market_candle_interval" CHECK ("interval" IN ('1s', '1m', '1h', '1d')), CONSTRAINT "PK_a270478856c00d9b34514f7abf5" PRIMARY KEY ("instrument_id", "interval", "bucket_start"))`);
    await runner.query(`ALTER TABLE "instrument" ADD "price_min" numeric(38,18) NOT NULL`);
    await runner.query(`ALTER TABLE "instrument" ADD "price_max" numeric(38,18) NOT NULL`);
    await runner.query(`ALTER TABLE "instrument" ADD "band_width" numeric(38,18) NOT NULL`);
    await runner.query(`ALTER TABLE "instrument" ADD "halt_move_bps" integer NOT NULL`);
    await runner.query(`ALTER TABLE "instrument" ADD "halt_window_ms" integer NOT NULL`);
    await runner.query(`ALTER TABLE "instrument" ADD "halt_cooldown_ms" integer NOT NULL`);
    await runner.query(`ALTER TABLE "instrument" ADD CONSTRAINT "instrument_breaker" CHECK ("band_width" >= 0 AND "halt_move_bps" >= 0 AND "halt_window_ms" > 0 AND "halt_cooldown_ms" >= 0)`);
    await runner.query(`ALTER TABLE "instrument" ADD CONSTRAINT "instrument_price_range" CHECK ("price_min" > 0 AND "price_max" >= "price_min")`);
    // Hand-written: the journal is what the books are rebuilt from, so it is append-only.
    await runner.query(`CREATE FUNCTION market_journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'market_journal is append-only'; END $$`);
    await runner.query(`CREATE TRIGGER market_journal_append_only BEFORE UPDATE OR DELETE ON market_journal
      FOR EACH ROW EXECUTE FUNCTION market_journal_append_only()`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TRIGGER market_journal_append_only ON market_journal`);
    await runner.query(`DROP FUNCTION market_journal_append_only()`);
    await runner.query(`ALTER TABLE "instrument" DROP CONSTRAINT "instrument_price_range"`);
    await runner.query(`ALTER TABLE "instrument" DROP CONSTRAINT "instrument_breaker"`);
    await runner.query(`ALTER TABLE "instrument" DROP COLUMN "halt_cooldown_ms"`);
    await runner.query(`ALTER TABLE "instrument" DROP COLUMN "halt_window_ms"`);
    await runner.query(`ALTER TABLE "instrument" DROP COLUMN "halt_move_bps"`);
    await runner.query(`ALTER TABLE "instrument" DROP COLUMN "band_width"`);
    await runner.query(`ALTER TABLE "instrument" DROP COLUMN "price_max"`);
    await runner.query(`ALTER TABLE "instrument" DROP COLUMN "price_min"`);
    await runner.query(`DROP TABLE "market_candle"`);
    await runner.query(`DROP INDEX "public"."market_trade_buy_owner"`);
    await runner.query(`DROP INDEX "public"."market_trade_sell_owner"`);
    await runner.query(`DROP TABLE "market_trade"`);
    await runner.query(`DROP INDEX "public"."market_order_owner"`);
    await runner.query(`DROP TABLE "market_order"`);
    await runner.query(`DROP TABLE "market_snapshot"`);
    await runner.query(`DROP TABLE "market_journal"`);
  }
}
