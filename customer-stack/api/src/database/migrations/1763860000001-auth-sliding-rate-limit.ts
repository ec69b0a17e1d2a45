import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Auth's rate limits move from fixed-window counters to sliding-window logs (the timestamps of
 * the allowed attempts still inside the window). Counters cannot become logs: they are dropped,
 * which at worst gives a client a fresh budget once, at the upgrade.
 */
export class AuthSlidingRateLimit1763860000001 implements MigrationInterface {
  name = 'AuthSlidingRateLimit1763860000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`TRUNCATE TABLE "auth_rate_limit"`);
    await runner.query(`DROP INDEX "public"."auth_rate_limit_window"`);
    await runner.query(`ALTER TABLE "auth_rate_limit" DROP COLUMN "window_started_at"`);
    await runner.query(`ALTER TABLE "auth_rate_limit" DROP COLUMN "hits"`);
    await runner.query(`ALTER TABLE "auth_rate_limit" ADD "attempts_at" TIMESTAMP WITH TIME ZONE array NOT NULL`);
    await runner.query(`ALTER TABLE "auth_rate_limit" ADD "last_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL`);
    await runner.query(`CREATE INDEX "auth_rate_limit_last_attempt" ON "auth_rate_limit"  ("last_attempt_at") `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`TRUNCATE TABLE "auth_rate_limit"`);
    await runner.query(`DROP INDEX "public"."auth_rate_limit_last_attempt"`);
    await runner.query(`ALTER TABLE "auth_rate_limit" DROP COLUMN "last_attempt_at"`);
    await runner.query(`ALTER TABLE "auth_rate_limit" DROP COLUMN "attempts_at"`);
    await runner.query(`ALTER TABLE "auth_rate_limit" ADD "hits" integer NOT NULL`);
    await runner.query(`ALTER TABLE "auth_rate_limit" ADD "window_started_at" TIMESTAMP WITH TIME ZONE NOT NULL`);
    await runner.query(`CREATE INDEX "auth_rate_limit_window" ON "auth_rate_limit"  ("window_started_at") `);
  }
}
