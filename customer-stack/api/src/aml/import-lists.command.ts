// npm run aml:import -w @bulwark/customer-api -- --opensanctions FILE --ofac-sdn FILE --ofac-alt FILE
// Imports published list files as the next list version, in one transaction, against the
// customer database of the environment (DATABASE_URL). Running stacks pick the version up
// within a minute; the next daily re-screen screens every customer against what changed.
import { parseArgs } from 'node:util';
import pg from 'pg';
import { canonicalJson } from '@bulwark/shared-contracts';
import { poolDatabase } from '@bulwark/shared-contracts/wall';
import { AuditService } from '../audit/audit.service.js';
import { parseCustomerConfig } from '../config/customer-config.js';
import { ListRepository } from './list.repository.js';
import { readListFiles } from './screening/list-files.js';

const { values } = parseArgs({
  options: { opensanctions: { type: 'string' }, 'ofac-sdn': { type: 'string' }, 'ofac-alt': { type: 'string' } },
  strict: true,
});

const config = parseCustomerConfig(process.env);
const pool = new pg.Pool({ connectionString: config.database.url, max: 1 });
const db = poolDatabase(pool);

try {
  const read = await readListFiles({ openSanctions: values.opensanctions, ofacSdn: values['ofac-sdn'], ofacAlt: values['ofac-alt'] });
  const audit = new AuditService(db);
  const summary = await db.transaction(async (tx) => {
    const result = await new ListRepository().importVersion(tx, read.entries, read.sources, new Date());
    await audit.record(tx, { tenantId: null, actor: 'command:aml-import', role: 'system', action: 'aml.lists.imported', resource: `aml_list_version:${result.version}`,
      diff: { ...result } });
    return result;
  });
  process.stdout.write(`${canonicalJson({ ...summary, sources: read.sources })}\n`);
} catch (error) {
  process.stderr.write(`aml:import failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
