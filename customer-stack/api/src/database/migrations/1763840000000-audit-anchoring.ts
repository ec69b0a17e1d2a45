import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Audit anchoring: the Merkle batches of the audit chain and where each root is anchored (generated from the entity). */
export class AuditAnchoring1763840000000 implements MigrationInterface {
  name = 'AuditAnchoring1763840000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "audit_anchor_batch" ("batch_id" bigint NOT NULL, "first_seq" bigint NOT NULL, "last_seq" bigint NOT NULL, "entry_count" bigint NOT NULL, "merkle_root" character(64) NOT NULL, "frontier" jsonb NOT NULL, "status" text NOT NULL, "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL, "chain_id" integer, "contract_address" text, "tx_hash" text, "block_number" bigint, "anchored_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "audit_anchor_batch_status" CHECK ("status" IN ('requested', 'anchored')), CONSTRAINT "audit_anchor_batch_range" CHECK ("first_seq" >= 1 AND "last_seq" >= "first_seq" AND "entry_count" = "last_seq" - "first_seq" + 1), CONSTRAINT "PK_f0a797cf23a19d4d2d5f519dfb4" PRIMARY KEY ("batch_id"))`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "audit_anchor_batch"`);
  }
}
