// Writes the next migration of a stack from its entities: applies the committed migrations to a
// scratch database, asks TypeORM's schema builder what is still missing and writes exactly that.
//   npm run build && npx tsx infra/scripts/generate-migration.ts <customer|execution> <kebab-name> [timestamp]
// Review the file it writes: hand-written SQL (RLS policies, triggers, grants) goes after the
// generated statements, and `down` must undo them in reverse.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DataSource } from 'typeorm';
import { ROOT } from './services.mjs';
import { createTestDatabase } from '../testing/harness.js';

const [stack, name, timestampArg] = process.argv.slice(2);
if ((stack !== 'customer' && stack !== 'execution') || !name || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name)) {
  console.error('usage: generate-migration.ts <customer|execution> <kebab-name> [timestamp]');
  process.exit(2);
}
const timestamp = timestampArg ?? String(Date.now());
const className = name.split('-').map((part) => part[0]!.toUpperCase() + part.slice(1)).join('') + timestamp;
// The built schema (run `npm run build` first): tsx would compile the entities without the legacy
// decorator metadata TypeORM reads.
const schemaPath = path.join(ROOT, `${stack}-stack/api/dist/database/schema.js`);
const schema = (await import(pathToFileURL(schemaPath).href)) as Record<string, unknown[]>;
const prefix = stack.toUpperCase();

const database = await createTestDatabase(stack);
const dataSource = new DataSource({
  type: 'postgres',
  url: process.env.BULWARK_MIGRATION_URL ?? database.ownerUrl,
  entities: schema[`${prefix}_ENTITIES`] as never,
  migrations: schema[`${prefix}_MIGRATIONS`] as never,
});
try {
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  const sql = await dataSource.driver.createSchemaBuilder().log();
  if (sql.upQueries.length === 0) {
    console.log('entities and migrations agree: nothing to write');
  } else {
    const quote = (text: string) => '`' + text.replaceAll('\\', '\\\\').replaceAll('`', '\\`').replaceAll('${', '\\${') + '`';
    const lines = (queries: { query: string }[]) => queries.map((q) => `    await runner.query(${quote(q.query)});`).join('\n');
    const file = path.join(ROOT, `${stack}-stack/api/src/database/migrations/${timestamp}-${name}.ts`);
    writeFileSync(
      file,
      `import type { MigrationInterface, QueryRunner } from 'typeorm';

/** ${name.replaceAll('-', ' ')} (generated from the entities by TypeORM's schema builder). */
export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(runner: QueryRunner): Promise<void> {
${lines(sql.upQueries)}
  }

  async down(runner: QueryRunner): Promise<void> {
${lines([...sql.downQueries].reverse())}
  }
}
`,
    );
    console.log(`wrote ${path.relative(ROOT, file)}; add ${className} to ${prefix}_MIGRATIONS in schema.ts`);
  }
} finally {
  if (dataSource.isInitialized) await dataSource.destroy();
  await database.drop();
}
