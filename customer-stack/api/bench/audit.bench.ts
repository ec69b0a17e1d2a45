// npm run bench:audit — audit-chain appends per second on the real Postgres, and verification speed.
//
// Workers append entries through AuditService.recordMany in tenant-scoped transactions (as the
// ledger does: postings batched per transaction, one audit entry each), so the head row lock is
// taken once per transaction. Each run uses a fresh database migrated by the owner role and served
// by the application role, exactly as the stack runs. Build first (the root script does).
//   options: --entries N (200000)  --batch N (1000)  --workers N (4)
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createDataSource, migrateAsOwner } from '@bulwark/shared-contracts/platform';
import { typeormDatabase } from '@bulwark/shared-contracts/wall';
import { createTestDatabase } from '@bulwark/testing';
import { AuditService } from '../dist/audit/audit.service.js';
import { CUSTOMER_ENTITIES, CUSTOMER_MIGRATIONS } from '../dist/database/schema.js';
import { REFERENCE_TENANT_ID } from '../dist/tenancy/reference-tenant.js';
import { RequestTransaction } from '../dist/tenancy/request-transaction.js';
import { TenantScope } from '../dist/tenancy/tenant-scope.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const ENTRIES = option('entries', 200_000);
const BATCH = option('batch', 1_000);
const WORKERS = option('workers', 4);

const database = await createTestDatabase('customer');
const options = {
  url: database.url, ownerUrl: database.ownerUrl, poolMax: WORKERS + 1, applicationName: 'bench-audit',
  entities: CUSTOMER_ENTITIES, migrations: CUSTOMER_MIGRATIONS,
};
await migrateAsOwner(options);
const dataSource = createDataSource(options);
await dataSource.initialize();
const db = typeormDatabase(dataSource);
const audit = new AuditService(db);
const scope = new TenantScope(db, audit, new RequestTransaction(db));

const posting = (i: number) => ({
  tenantId: REFERENCE_TENANT_ID, actor: 'system:ledger', role: 'system', action: 'ledger.posting.created', resource: `ledger_posting:${randomUUID()}`,
  diff: { account: randomUUID(), amount: `${(i % 100_000) + 1}.25`, currency: 'USD', side: i % 2 === 0 ? 'debit' : 'credit' },
});

try {
  // Warm-up.
  await scope.run(REFERENCE_TENANT_ID, (tx) => audit.recordMany(tx, Array.from({ length: Math.min(BATCH, 1_000) }, (_, i) => posting(i))));
  let next = 0;
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  await Promise.all(Array.from({ length: WORKERS }, async () => {
    for (;;) {
      const from = next;
      if (from >= ENTRIES) return;
      next += BATCH;
      const size = Math.min(BATCH, ENTRIES - from);
      await scope.run(REFERENCE_TENANT_ID, (tx) => audit.recordMany(tx, Array.from({ length: size }, (_, i) => posting(from + i))));
    }
  }));
  const seconds = (performance.now() - started) / 1_000;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const verifyStarted = performance.now();
  const verification = await audit.verify();
  const verifySeconds = (performance.now() - verifyStarted) / 1_000;
  if (!verification.ok) throw new Error(`chain broken after the bench: ${JSON.stringify(verification.firstBreak)}`);
  console.log(JSON.stringify({
    entries: ENTRIES, batch: BATCH, workers: WORKERS,
    appendsPerSecond: Math.round(ENTRIES / seconds),
    appendsPerNodeCpuSecond: Math.round(ENTRIES / cpuSeconds),
    verifiedEntries: verification.checkedEntries,
    verifyPerSecond: Math.round(Number(verification.checkedEntries) / verifySeconds),
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  }, null, 2));
} finally {
  await dataSource.destroy();
  await database.drop();
}
