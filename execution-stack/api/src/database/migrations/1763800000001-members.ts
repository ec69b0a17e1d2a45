import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Members, operators, their keys and request nonces; the execution audit chain (generated from the entities). */
export class Members1763800000001 implements MigrationInterface {
  name = 'Members1763800000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "execution_audit" ("seq" bigint NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL, "actor" text NOT NULL, "action" text NOT NULL, "resource" text NOT NULL, "diff" jsonb NOT NULL, "prev_hash" character(64) NOT NULL, "hash" character(64) NOT NULL, CONSTRAINT "execution_audit_hashes" CHECK ("prev_hash" ~ '^[0-9a-f]{64}$' AND "hash" ~ '^[0-9a-f]{64}$'), CONSTRAINT "PK_47d624b2f901f40e759f5f78ed9" PRIMARY KEY ("seq"))`);
    await runner.query(`CREATE TABLE "execution_audit_head" ("id" integer NOT NULL, "seq" bigint NOT NULL, "hash" character(64) NOT NULL, CONSTRAINT "execution_audit_head_single" CHECK ("id" = 1), CONSTRAINT "PK_c2e5dcd1cd90c9c70cfcd88ce95" PRIMARY KEY ("id"))`);
    await runner.query(`CREATE TABLE "member" ("id" uuid NOT NULL, "owner_no" SERIAL NOT NULL, "kind" text NOT NULL, "tenant_ref" uuid, "status" text NOT NULL, "order_quantity_max" numeric(38,18) NOT NULL, "order_notional_max" numeric(38,18) NOT NULL, "open_orders_max" integer NOT NULL, "messages_per_second" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "member_tenant_ref" UNIQUE ("tenant_ref"), CONSTRAINT "member_owner_no" UNIQUE ("owner_no"), CONSTRAINT "member_limits" CHECK ("order_quantity_max" > 0 AND "order_notional_max" > 0 AND "open_orders_max" > 0 AND "messages_per_second" > 0), CONSTRAINT "member_omnibus_tenant" CHECK (("kind" = 'omnibus') = ("tenant_ref" IS NOT NULL)), CONSTRAINT "member_status" CHECK ("status" IN ('active', 'suspended')), CONSTRAINT "member_kind" CHECK ("kind" IN ('market_maker', 'omnibus')), CONSTRAINT "PK_97cbbe986ce9d14ca5894fdc072" PRIMARY KEY ("id"))`);
    await runner.query(`CREATE TABLE "operator" ("id" uuid NOT NULL, "handle" text NOT NULL, "status" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "operator_handle" UNIQUE ("handle"), CONSTRAINT "operator_handle_opaque" CHECK ("handle" ~ '^op-[a-z0-9-]{2,40}$'), CONSTRAINT "operator_status" CHECK ("status" IN ('active', 'suspended')), CONSTRAINT "PK_8b950e1572745d9f69be7748ae8" PRIMARY KEY ("id"))`);
    await runner.query(`CREATE TABLE "api_key" ("key_id" text NOT NULL, "principal_kind" text NOT NULL, "principal_id" uuid NOT NULL, "public_jwk" jsonb NOT NULL, "status" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "api_key_status" CHECK ("status" IN ('active', 'revoked')), CONSTRAINT "api_key_principal_kind" CHECK ("principal_kind" IN ('member', 'operator')), CONSTRAINT "PK_25317defbd76045915caa07f8aa" PRIMARY KEY ("key_id"))`);
    await runner.query(`CREATE INDEX "api_key_principal" ON "api_key"  ("principal_kind", "principal_id") `);
    await runner.query(`CREATE TABLE "request_nonce" ("key_id" text NOT NULL, "nonce" text NOT NULL, "seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_ebe41035ea68f1a39d26860e485" PRIMARY KEY ("key_id", "nonce"))`);
    await runner.query(`CREATE INDEX "request_nonce_seen" ON "request_nonce"  ("seen_at") `);
    // Hand-written: the chain starts at the genesis, and its entries are never changed or removed.
    await runner.query(`INSERT INTO execution_audit_head (id, seq, hash) VALUES (1, 0, repeat('0', 64))`);
    await runner.query(`CREATE FUNCTION execution_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'execution_audit is append-only'; END $$`);
    await runner.query(`CREATE TRIGGER execution_audit_append_only BEFORE UPDATE OR DELETE ON execution_audit
      FOR EACH ROW EXECUTE FUNCTION execution_audit_append_only()`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TRIGGER execution_audit_append_only ON execution_audit`);
    await runner.query(`DROP FUNCTION execution_audit_append_only()`);
    await runner.query(`DROP INDEX "public"."request_nonce_seen"`);
    await runner.query(`DROP TABLE "request_nonce"`);
    await runner.query(`DROP INDEX "public"."api_key_principal"`);
    await runner.query(`DROP TABLE "api_key"`);
    await runner.query(`DROP TABLE "operator"`);
    await runner.query(`DROP TABLE "member"`);
    await runner.query(`DROP TABLE "execution_audit_head"`);
    await runner.query(`DROP TABLE "execution_audit"`);
  }
}
