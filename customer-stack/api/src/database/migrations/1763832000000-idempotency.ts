import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Idempotency records of HTTP mutations (generated from the entity by TypeORM's schema builder). */
export class Idempotency1763832000000 implements MigrationInterface {
  name = 'Idempotency1763832000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE "idempotency_record" ("scope" text NOT NULL, "key" text NOT NULL, "request_hash" character(64) NOT NULL, "state" text NOT NULL, "response_status" integer, "response_body" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "completed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "idempotency_record_done" CHECK (("state" = 'done') = ("response_status" IS NOT NULL)), CONSTRAINT "idempotency_record_state" CHECK ("state" IN ('pending', 'done')), CONSTRAINT "PK_43ea3d50a854b79e2f59aaad8a8" PRIMARY KEY ("scope", "key"))`);
    await runner.query(`CREATE INDEX "idempotency_record_created" ON "idempotency_record"  ("created_at") `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX "public"."idempotency_record_created"`);
    await runner.query(`DROP TABLE "idempotency_record"`);
  }
}
