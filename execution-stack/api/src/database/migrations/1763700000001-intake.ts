import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Instruments and omnibus intents (generated from their entities by TypeORM's schema builder). */
export class Intake1763700000001 implements MigrationInterface {
  name = 'Intake1763700000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "instrument" ("id" uuid NOT NULL, "symbol" text NOT NULL, "kind" text NOT NULL, "tick_size" numeric(38,18) NOT NULL, "lot_size" numeric(38,18) NOT NULL, "status" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "instrument_symbol" UNIQUE ("symbol"), CONSTRAINT "instrument_sizes" CHECK ("tick_size" > 0 AND "lot_size" > 0), CONSTRAINT "instrument_status" CHECK ("status" IN ('open', 'halted', 'closed')), CONSTRAINT "instrument_kind" CHECK ("kind" IN ('event', 'security')), CONSTRAINT "PK_1707dc7e7c2845211b38bef3d29" PRIMARY KEY ("id"))`);
    await runner.query(`CREATE TABLE "omnibus_intent" ("intent_id" uuid NOT NULL, "account_ref" uuid NOT NULL, "tenant_ref" uuid NOT NULL, "instrument_id" uuid NOT NULL, "side" text NOT NULL, "quantity" numeric(38,18) NOT NULL, "limit_price" numeric(38,18) NOT NULL, "time_in_force" text NOT NULL, "status" text NOT NULL, "reject_code" text, "message_id" uuid NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "omnibus_intent_reject_code" CHECK (("status" = 'rejected') = ("reject_code" IS NOT NULL)), CONSTRAINT "omnibus_intent_positive" CHECK ("quantity" > 0 AND "limit_price" > 0), CONSTRAINT "omnibus_intent_status" CHECK ("status" IN ('accepted', 'rejected')), CONSTRAINT "omnibus_intent_tif" CHECK ("time_in_force" IN ('GTC', 'IOC', 'FOK')), CONSTRAINT "omnibus_intent_side" CHECK ("side" IN ('buy', 'sell')), CONSTRAINT "PK_d67be761842aa79e6124284ef7e" PRIMARY KEY ("intent_id"))`);
    await runner.query(`CREATE INDEX "omnibus_intent_pool" ON "omnibus_intent" ("instrument_id", "side", "limit_price", "time_in_force", "status")`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX "public"."omnibus_intent_pool"`);
    await runner.query(`DROP TABLE "omnibus_intent"`);
    await runner.query(`DROP TABLE "instrument"`);
  }
}
