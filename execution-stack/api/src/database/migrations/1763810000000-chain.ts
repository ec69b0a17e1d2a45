import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The chain module: contracts, wallets, the transaction pipeline, settlement queue, anchors and indexed events (generated from the entities). */
export class Chain1763810000000 implements MigrationInterface {
  name = 'Chain1763810000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "chain_contract" ("purpose" text NOT NULL, "chain_id" bigint NOT NULL, "contract_address" text NOT NULL, "deployed_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_688fce8f1766853c26f474f5d56" PRIMARY KEY ("purpose"))`);
    await runner.query(`CREATE TABLE "chain_instrument" ("instrument_id" uuid NOT NULL, "chain_id" bigint NOT NULL, "token_address" text NOT NULL, "contracts" jsonb NOT NULL, "decimals" smallint NOT NULL, "deployed_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "chain_instrument_token" UNIQUE ("token_address"), CONSTRAINT "PK_6b22a20002884c41bd0a41aa25d" PRIMARY KEY ("instrument_id"))`);
    await runner.query(`CREATE TABLE "chain_wallet" ("wallet_ref" uuid NOT NULL, "kind" text NOT NULL, "key_index" integer NOT NULL, "wallet_address" text NOT NULL, "identity_contract" text, "country" smallint NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "chain_wallet_address" UNIQUE ("wallet_address"), CONSTRAINT "chain_wallet_key_index" UNIQUE ("key_index"), CONSTRAINT "chain_wallet_kind" CHECK ("kind" IN ('omnibus', 'member', 'house')), CONSTRAINT "PK_c47a5a5e4668c6bad0a67841618" PRIMARY KEY ("wallet_ref"))`);
    await runner.query(`CREATE TABLE "chain_registration" ("wallet_ref" uuid NOT NULL, "instrument_id" uuid NOT NULL, "registered_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_98690ec95f2b04bc082dd65fcb7" PRIMARY KEY ("wallet_ref", "instrument_id"))`);
    await runner.query(`CREATE TABLE "chain_tx" ("id" BIGSERIAL NOT NULL, "operation" text NOT NULL, "ref" text NOT NULL, "signer_key_index" integer, "signer_address" text NOT NULL, "contract_address" text NOT NULL, "call_data" text NOT NULL, "value_wei" numeric(78,0) NOT NULL DEFAULT '0', "status" text NOT NULL, "nonce" bigint, "raw_tx" text, "tx_hash" text, "block_number" bigint, "gas_used" numeric(78,0), "effective_gas_price" numeric(78,0), "attempts" integer NOT NULL DEFAULT '0', "last_error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "mined_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "chain_tx_status" CHECK ("status" IN ('pending', 'signed', 'mined', 'failed')), CONSTRAINT "PK_63ce8e5f3422057a6ec6f7f10bb" PRIMARY KEY ("id"))`);
    await runner.query(`CREATE INDEX "chain_tx_open" ON "chain_tx"  ("status", "id") `);
    await runner.query(`CREATE TABLE "chain_settlement" ("settlement_id" uuid NOT NULL, "instrument_id" uuid NOT NULL, "from_ref" uuid NOT NULL, "to_ref" uuid NOT NULL, "quantity" numeric(38,18) NOT NULL, "status" text NOT NULL, "chain_tx_id" bigint, "queued_at" TIMESTAMP WITH TIME ZONE NOT NULL, "settled_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "chain_settlement_positive" CHECK ("quantity" > 0), CONSTRAINT "chain_settlement_status" CHECK ("status" IN ('queued', 'batched', 'settled', 'failed')), CONSTRAINT "PK_2264ca85989daeb86e9a0b2a355" PRIMARY KEY ("settlement_id"))`);
    await runner.query(`CREATE INDEX "chain_settlement_queue" ON "chain_settlement"  ("status", "instrument_id", "from_ref") `);
    await runner.query(`CREATE TABLE "chain_anchor" ("log" text NOT NULL, "batch_id" bigint NOT NULL, "merkle_root" character(64) NOT NULL, "entry_count" integer NOT NULL, "first_seq" bigint NOT NULL, "last_seq" bigint NOT NULL, "status" text NOT NULL, "chain_tx_id" bigint, "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "chain_anchor_status" CHECK ("status" IN ('queued', 'anchored')), CONSTRAINT "chain_anchor_log" CHECK ("log" IN ('customer', 'execution')), CONSTRAINT "PK_d5d888fc3738fc5a97e5b11f587" PRIMARY KEY ("log", "batch_id"))`);
    await runner.query(`CREATE TABLE "chain_block" ("block_number" bigint NOT NULL, "block_hash" text NOT NULL, CONSTRAINT "PK_75cbc819b62142f7836da43600d" PRIMARY KEY ("block_number"))`);
    await runner.query(`CREATE TABLE "chain_event" ("block_number" bigint NOT NULL, "log_index" integer NOT NULL, "block_hash" text NOT NULL, "tx_hash" text NOT NULL, "contract_address" text NOT NULL, "kind" text NOT NULL, "args" jsonb NOT NULL, CONSTRAINT "PK_398c49259f3039f12bdc4ae2e7a" PRIMARY KEY ("block_number", "log_index"))`);
    await runner.query(`CREATE INDEX "chain_event_kind" ON "chain_event"  ("kind", "block_number") `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX "public"."chain_event_kind"`);
    await runner.query(`DROP TABLE "chain_event"`);
    await runner.query(`DROP TABLE "chain_block"`);
    await runner.query(`DROP TABLE "chain_anchor"`);
    await runner.query(`DROP INDEX "public"."chain_settlement_queue"`);
    await runner.query(`DROP TABLE "chain_settlement"`);
    await runner.query(`DROP INDEX "public"."chain_tx_open"`);
    await runner.query(`DROP TABLE "chain_tx"`);
    await runner.query(`DROP TABLE "chain_registration"`);
    await runner.query(`DROP TABLE "chain_wallet"`);
    await runner.query(`DROP TABLE "chain_instrument"`);
    await runner.query(`DROP TABLE "chain_contract"`);
  }
}
