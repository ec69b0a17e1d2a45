import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Order intents (generated from OrderIntentEntity by TypeORM's schema builder). */
export class OrderIntents1763700000001 implements MigrationInterface {
  name = 'OrderIntents1763700000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "order_intent" ("id" uuid NOT NULL, "account_ref" uuid NOT NULL, "tenant_ref" uuid NOT NULL, "instrument_id" uuid NOT NULL, "side" text NOT NULL, "quantity" numeric(38,18) NOT NULL, "limit_price" numeric(38,18) NOT NULL, "time_in_force" text NOT NULL, "status" text NOT NULL, "reject_code" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "order_intent_reject_code" CHECK (("status" = 'rejected') = ("reject_code" IS NOT NULL)), CONSTRAINT "order_intent_positive" CHECK ("quantity" > 0 AND "limit_price" > 0), CONSTRAINT "order_intent_status" CHECK ("status" IN ('submitted', 'accepted', 'rejected')), CONSTRAINT "order_intent_tif" CHECK ("time_in_force" IN ('GTC', 'IOC', 'FOK')), CONSTRAINT "order_intent_side" CHECK ("side" IN ('buy', 'sell')), CONSTRAINT "PK_89c776aaddc524a5bc97eeb96e0" PRIMARY KEY ("id"))`);
    await runner.query(`CREATE INDEX "order_intent_account_created" ON "order_intent" ("account_ref", "created_at")`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX "public"."order_intent_account_created"`);
    await runner.query(`DROP TABLE "order_intent"`);
  }
}
