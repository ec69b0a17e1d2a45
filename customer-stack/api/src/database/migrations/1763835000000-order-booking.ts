import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dropTenantRlsSql, revokeFromGranteesSql, tenantRlsSql } from '../../tenancy/rls.js';

const BOOKING_TABLES = ['order_allocation', 'order_payout'] as const;

/**
 * Order booking: intents carry their investor, reservation, fills and expiry; allocations and
 * payouts booked from the wall (generated from the entities by TypeORM's schema builder); sell
 * reservations hold positions. Hand-written after: the widened intent status check (the builder
 * does not see a changed check), tenant isolation, and booked allocations and payouts append-only.
 */
export class OrderBooking1763835000000 implements MigrationInterface {
  name = 'OrderBooking1763835000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "order_allocation" ("allocation_id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "intent_id" uuid NOT NULL, "quantity" numeric(38,18) NOT NULL, "notional" numeric(38,18) NOT NULL, "fee" numeric(38,18) NOT NULL, "remaining_quantity" numeric(38,18) NOT NULL, "inputs_hash" character(64) NOT NULL, "allocated_at" TIMESTAMP WITH TIME ZONE NOT NULL, "booked_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "order_allocation_amounts" CHECK ("quantity" > 0 AND "notional" > 0 AND "fee" >= 0 AND "remaining_quantity" >= 0), CONSTRAINT "PK_323bf30400df89bf49bef5a2773" PRIMARY KEY ("allocation_id"))`);
    await runner.query(`CREATE INDEX "order_allocation_intent" ON "order_allocation"  ("intent_id") `);
    await runner.query(`CREATE TABLE "order_payout" ("payout_id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "account_ref" uuid NOT NULL, "instrument_id" uuid NOT NULL, "event_ref" uuid NOT NULL, "kind" text NOT NULL, "quantity" numeric(38,18) NOT NULL, "amount" numeric(38,18) NOT NULL, "paid_at" TIMESTAMP WITH TIME ZONE NOT NULL, "booked_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "order_payout_amounts" CHECK ("quantity" >= 0 AND "amount" >= 0), CONSTRAINT "order_payout_kind" CHECK ("kind" IN ('resolution', 'distribution')), CONSTRAINT "PK_d80cc65dba52d1c1f8411ae6b65" PRIMARY KEY ("payout_id"))`);
    await runner.query(`CREATE INDEX "order_payout_account" ON "order_payout"  ("account_ref", "instrument_id") `);
    await runner.query(`ALTER TABLE "order_intent" ADD "user_id" uuid`);
    await runner.query(`ALTER TABLE "order_intent" ADD "reservation_id" uuid`);
    await runner.query(`ALTER TABLE "order_intent" ADD "filled_quantity" numeric(38,18) NOT NULL DEFAULT '0'`);
    await runner.query(`ALTER TABLE "order_intent" ADD "notional" numeric(38,18) NOT NULL DEFAULT '0'`);
    await runner.query(`ALTER TABLE "order_intent" ADD "fee" numeric(38,18) NOT NULL DEFAULT '0'`);
    await runner.query(`ALTER TABLE "order_intent" ADD "expires_at" TIMESTAMP WITH TIME ZONE`);
    await runner.query(`ALTER TABLE "ledger_reservation" ADD "source_kind" text NOT NULL DEFAULT 'customer_cash'`);
    await runner.query(`CREATE INDEX "order_intent_open_expiry" ON "order_intent"  ("expires_at") WHERE "status" IN ('submitted', 'accepted') AND "expires_at" IS NOT NULL`);
    await runner.query(`ALTER TABLE "order_intent" ADD CONSTRAINT "order_intent_filled_status" CHECK (("status" = 'filled') = ("filled_quantity" = "quantity"))`);
    await runner.query(`ALTER TABLE "order_intent" ADD CONSTRAINT "order_intent_filled" CHECK ("filled_quantity" >= 0 AND "filled_quantity" <= "quantity" AND "notional" >= 0 AND "fee" >= 0)`);
    await runner.query(`ALTER TABLE "ledger_reservation" ADD CONSTRAINT "ledger_reservation_source" CHECK ("source_kind" IN ('customer_cash', 'customer_position'))`);
    await runner.query(`ALTER TABLE "order_intent" DROP CONSTRAINT "order_intent_status"`);
    await runner.query(`ALTER TABLE "order_intent" ADD CONSTRAINT "order_intent_status" CHECK ("status" IN ('submitted', 'accepted', 'rejected', 'filled', 'cancelled', 'expired'))`);
    for (const statement of BOOKING_TABLES.flatMap(tenantRlsSql)) await runner.query(statement);
    for (const table of BOOKING_TABLES) await runner.query(revokeFromGranteesSql(table, ['UPDATE', 'DELETE', 'TRUNCATE']));
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const statement of BOOKING_TABLES.flatMap(dropTenantRlsSql)) await runner.query(statement);
    await runner.query(`ALTER TABLE "order_intent" DROP CONSTRAINT "order_intent_status"`);
    await runner.query(`ALTER TABLE "order_intent" ADD CONSTRAINT "order_intent_status" CHECK ("status" IN ('submitted', 'accepted', 'rejected'))`);
    await runner.query(`ALTER TABLE "ledger_reservation" DROP CONSTRAINT "ledger_reservation_source"`);
    await runner.query(`ALTER TABLE "order_intent" DROP CONSTRAINT "order_intent_filled"`);
    await runner.query(`ALTER TABLE "order_intent" DROP CONSTRAINT "order_intent_filled_status"`);
    await runner.query(`DROP INDEX "public"."order_intent_open_expiry"`);
    await runner.query(`ALTER TABLE "ledger_reservation" DROP COLUMN "source_kind"`);
    await runner.query(`ALTER TABLE "order_intent" DROP COLUMN "expires_at"`);
    await runner.query(`ALTER TABLE "order_intent" DROP COLUMN "fee"`);
    await runner.query(`ALTER TABLE "order_intent" DROP COLUMN "notional"`);
    await runner.query(`ALTER TABLE "order_intent" DROP COLUMN "filled_quantity"`);
    await runner.query(`ALTER TABLE "order_intent" DROP COLUMN "reservation_id"`);
    await runner.query(`ALTER TABLE "order_intent" DROP COLUMN "user_id"`);
    await runner.query(`DROP INDEX "public"."order_payout_account"`);
    await runner.query(`DROP TABLE "order_payout"`);
    await runner.query(`DROP INDEX "public"."order_allocation_intent"`);
    await runner.query(`DROP TABLE "order_allocation"`);
  }
}
