import type { MigrationInterface, QueryRunner } from 'typeorm';

/** resolution (generated from the entities by TypeORM's schema builder). */
export class Resolution1763826000000 implements MigrationInterface {
  name = 'Resolution1763826000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE "instrument_event" ADD "burn_tx_ids" bigint array NOT NULL DEFAULT '{}'`);
    await runner.query(`CREATE UNIQUE INDEX "instrument_event_distribution_once" ON "instrument_event"  ("instrument_id", "record_at") WHERE "kind" = 'distribution'`);
    await runner.query(`CREATE UNIQUE INDEX "instrument_event_resolved_once" ON "instrument_event"  ("instrument_id") WHERE "kind" = 'resolution'`);
    // An event and its payouts are written once, in one transaction, and never changed: a payout is paid exactly once.
    for (const table of ['instrument_event', 'payout']) {
      await runner.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION settlement_append_only()`);
      await runner.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION settlement_append_only()`);
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['payout', 'instrument_event']) {
      await runner.query(`DROP TRIGGER ${table}_no_truncate ON ${table}`);
      await runner.query(`DROP TRIGGER ${table}_append_only ON ${table}`);
    }
    await runner.query(`DROP INDEX "public"."instrument_event_resolved_once"`);
    await runner.query(`DROP INDEX "public"."instrument_event_distribution_once"`);
    await runner.query(`ALTER TABLE "instrument_event" DROP COLUMN "burn_tx_ids"`);
  }
}
