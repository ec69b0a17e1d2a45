import type { MigrationInterface, QueryRunner } from 'typeorm';
import { WALL_TABLES_DDL, WALL_TABLES_DROP } from '../wall/sql.js';

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
