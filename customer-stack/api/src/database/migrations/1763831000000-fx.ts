import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dropTenantRlsSql, tenantRlsSql } from '../../tenancy/rls.js';

const FX_TABLES = ['fx_quote', 'fx_spread'] as const;

/** FX quotes and spreads (generated from the entities by TypeORM's schema builder), tenant-isolated. */
export class Fx1763831000000 implements MigrationInterface {
  name = 'Fx1763831000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "fx_quote" ("id" uuid NOT NULL, "tenant_id" uuid NOT NULL, "owner_ref" uuid NOT NULL, "sell_currency" text NOT NULL, "buy_currency" text NOT NULL, "sell_amount" numeric(38,18) NOT NULL, "buy_amount" numeric(38,18) NOT NULL, "price" numeric(38,18) NOT NULL, "provider" text NOT NULL, "spread_bps" integer NOT NULL, "status" text NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "fx_quote_currencies" CHECK ("sell_currency" <> "buy_currency"), CONSTRAINT "fx_quote_amounts" CHECK ("sell_amount" > 0 AND "buy_amount" > 0 AND "price" > 0), CONSTRAINT "fx_quote_used" CHECK (("status" = 'used') = ("used_at" IS NOT NULL)), CONSTRAINT "fx_quote_status" CHECK ("status" IN ('open', 'used')), CONSTRAINT "PK_06ed81cf7606110b9eead069d52" PRIMARY KEY ("id"))`);
    await runner.query(`CREATE INDEX "fx_quote_owner_created" ON "fx_quote"  ("owner_ref", "created_at") `);
    await runner.query(`CREATE TABLE "fx_spread" ("tenant_id" uuid NOT NULL, "spread_bps" integer NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "fx_spread_range" CHECK ("spread_bps" >= 0 AND "spread_bps" <= 1000), CONSTRAINT "PK_94945c0736c524f28eb5c5905e2" PRIMARY KEY ("tenant_id"))`);
    for (const statement of FX_TABLES.flatMap(tenantRlsSql)) await runner.query(statement);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const statement of FX_TABLES.flatMap(dropTenantRlsSql)) await runner.query(statement);
    await runner.query(`DROP TABLE "fx_spread"`);
    await runner.query(`DROP INDEX "public"."fx_quote_owner_created"`);
    await runner.query(`DROP TABLE "fx_quote"`);
  }
}
