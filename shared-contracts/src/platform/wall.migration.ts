import type { MigrationInterface, QueryRunner } from 'typeorm';
import { WALL_OUTBOX_CURSOR_DDL, WALL_OUTBOX_CURSOR_DROP, WALL_TABLES_DDL, WALL_TABLES_DROP } from '../wall/sql.js';

/** The wall's tables (outbox, inbound nonces, rejections, dead letters): first in both stacks' histories. */
export class Wall1763700000000 implements MigrationInterface {
  name = 'Wall1763700000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(WALL_TABLES_DDL);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(WALL_TABLES_DROP);
  }
}

/**
 * The outbox relay's cursor replaces the per-row published_at mark (WALL_OUTBOX_CURSOR_DDL, which
 * also cuts the rows already in the table over): in both stacks' histories, after their own.
 */
export class WallOutboxCursor1764020000000 implements MigrationInterface {
  name = 'WallOutboxCursor1764020000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(WALL_OUTBOX_CURSOR_DDL);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(WALL_OUTBOX_CURSOR_DROP);
  }
}
