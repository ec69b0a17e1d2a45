import type { MigrationInterface, QueryRunner } from 'typeorm';

/** execution audit anchoring (generated from the entities by TypeORM's schema builder), then a batch made immutable once cut. */
export class ExecutionAuditAnchoring1763815000000 implements MigrationInterface {
  name = 'ExecutionAuditAnchoring1763815000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "execution_audit_batch" ("batch_id" bigint NOT NULL, "first_seq" bigint NOT NULL, "last_seq" bigint NOT NULL, "entry_count" bigint NOT NULL, "merkle_root" character(64) NOT NULL, "frontier" jsonb NOT NULL, "status" text NOT NULL, "cut_at" TIMESTAMP WITH TIME ZONE NOT NULL, "chain_id" integer, "contract_address" text, "tx_hash" text, "block_number" bigint, "anchored_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "execution_audit_batch_status" CHECK ("status" IN ('requested', 'anchored')), CONSTRAINT "execution_audit_batch_range" CHECK ("first_seq" >= 1 AND "last_seq" >= "first_seq" AND "entry_count" = "last_seq" - "first_seq" + 1), CONSTRAINT "PK_322d64facafb642a4a4cbb8ca16" PRIMARY KEY ("batch_id"))`);
    // A batch's range and root never change and it is never deleted; its anchoring is recorded once.
    await runner.query(`CREATE FUNCTION execution_audit_batch_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' OR NEW.batch_id <> OLD.batch_id OR NEW.first_seq <> OLD.first_seq OR NEW.last_seq <> OLD.last_seq
           OR NEW.merkle_root <> OLD.merkle_root OR NEW.frontier <> OLD.frontier OR OLD.status = 'anchored' THEN
          RAISE EXCEPTION 'execution_audit_batch rows are immutable once cut; only their anchoring is recorded, once';
        END IF;
        RETURN NEW;
      END $$`);
    await runner.query(`CREATE TRIGGER execution_audit_batch_immutable BEFORE UPDATE OR DELETE ON execution_audit_batch
      FOR EACH ROW EXECUTE FUNCTION execution_audit_batch_immutable()`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TRIGGER execution_audit_batch_immutable ON execution_audit_batch`);
    await runner.query(`DROP FUNCTION execution_audit_batch_immutable()`);
    await runner.query(`DROP TABLE "execution_audit_batch"`);
  }
}
