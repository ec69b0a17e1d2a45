import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Auth's personal columns move under the PersonalDataVault (per-person keys, crypto-erasure):
 * the email stays findable by its lookup hash until the person is erased, and the session's
 * User-Agent is stored sealed. Values sealed before (the email under AUTH_TOTP_KEY, the
 * User-Agent in clear) cannot be re-sealed here, where no key is at hand: the old sealed emails
 * are cleared (sign-in by lookup hash keeps working; mail to those accounts is skipped until
 * they are sealed again) and open sessions end (every user signs in once more).
 */
export class AuthPersonalData1763860000000 implements MigrationInterface {
  name = 'AuthPersonalData1763860000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`TRUNCATE TABLE "refresh_token", "auth_session"`);
    await runner.query(`ALTER TABLE "auth_session" DROP COLUMN "user_agent"`);
    await runner.query(`ALTER TABLE "auth_session" ADD "user_agent_sealed" bytea NOT NULL`);
    await runner.query(`ALTER TABLE "user_account" ALTER COLUMN "email_lookup" DROP NOT NULL`);
    await runner.query(`ALTER TABLE "user_account" ALTER COLUMN "email_sealed" DROP NOT NULL`);
    // Row-level security binds the owner too (FORCE): lifted for this one statement.
    await runner.query(`ALTER TABLE "user_account" NO FORCE ROW LEVEL SECURITY`);
    await runner.query(`UPDATE "user_account" SET "email_sealed" = NULL`);
    await runner.query(`ALTER TABLE "user_account" FORCE ROW LEVEL SECURITY`);
    await runner.query(`ALTER TABLE "user_account" DROP CONSTRAINT "user_account_status"`);
    await runner.query(`ALTER TABLE "user_account" ADD CONSTRAINT "user_account_status" CHECK ("status" IN ('active', 'disabled', 'erased'))`);
    await runner.query(`ALTER TABLE "user_account" ADD CONSTRAINT "user_account_erased" CHECK (("status" = 'erased') = ("email_lookup" IS NULL))`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "user_account" DROP CONSTRAINT "user_account_erased"`);
    await runner.query(`ALTER TABLE "user_account" DROP CONSTRAINT "user_account_status"`);
    await runner.query(`ALTER TABLE "user_account" ADD CONSTRAINT "user_account_status" CHECK ("status" IN ('active', 'disabled'))`);
    await runner.query(`TRUNCATE TABLE "refresh_token", "auth_session"`);
    await runner.query(`ALTER TABLE "auth_session" DROP COLUMN "user_agent_sealed"`);
    await runner.query(`ALTER TABLE "auth_session" ADD "user_agent" text NOT NULL`);
  }
}
