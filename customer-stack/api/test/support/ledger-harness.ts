// A ledger on a fresh real database, outside Nest: the customer stack's migrations run as the
// owner role, the ledger serves as the application role (owns nothing, cannot bypass RLS), with
// the real audit chain and tenant scope.
import { DataSource } from 'typeorm';
import { typeormDatabase, type SqlDatabase, type SqlTx } from '@bulwark/shared-contracts/wall';
import { createTestDatabase, type TestDatabase } from '@bulwark/testing';
import { AuditService } from '../../src/audit/audit.service.js';
import { CUSTOMER_ENTITIES, CUSTOMER_MIGRATIONS } from '../../src/database/schema.js';
import { LedgerService } from '../../src/ledger/ledger.service.js';
import type { GroupCommitLimits } from '../../src/ledger/group-commit.js';
import { RequestTransaction } from '../../src/tenancy/request-transaction.js';
import { TenantScope } from '../../src/tenancy/tenant-scope.js';

export interface LedgerHarness {
  readonly database: TestDatabase;
  readonly dataSource: DataSource;
  /** The owner role's connection (it may do what the application role may not). */
  readonly owner: DataSource;
  readonly db: SqlDatabase;
  readonly audit: AuditService;
  readonly tenants: TenantScope;
  readonly ledger: LedgerService;
  inTenant<T>(tenantId: string, work: (tx: SqlTx) => Promise<T>): Promise<T>;
  asOwnerInTenant<T>(tenantId: string, work: (tx: SqlTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function migratedDatabase(): Promise<{ database: TestDatabase; owner: DataSource; dataSource: DataSource }> {
  const database = await createTestDatabase('customer');
  const owner = new DataSource({ type: 'postgres', url: database.ownerUrl, entities: CUSTOMER_ENTITIES, migrations: CUSTOMER_MIGRATIONS, extra: { max: 2 } });
  await owner.initialize();
  await owner.runMigrations({ transaction: 'each' });
  const dataSource = new DataSource({ type: 'postgres', url: database.url, entities: CUSTOMER_ENTITIES, extra: { max: 10 } });
  await dataSource.initialize();
  return { database, owner, dataSource };
}

export async function startLedger(limits?: GroupCommitLimits): Promise<LedgerHarness> {
  const { database, owner, dataSource } = await migratedDatabase();
  const db = typeormDatabase(dataSource);
  const audit = new AuditService(db);
  const tenants = new TenantScope(db, audit, new RequestTransaction(db));
  const ledger = new LedgerService(audit, tenants, limits ?? null);
  return {
    database,
    dataSource,
    owner,
    db,
    audit,
    tenants,
    ledger,
    inTenant: (tenantId, work) => tenants.run(tenantId, work),
    asOwnerInTenant: (tenantId, work) => {
      const ownerDb = typeormDatabase(owner);
      return ownerDb.transaction(async (tx) => {
        await tenants.enter(tx, tenantId);
        return work(tx);
      });
    },
    close: async () => {
      await ledger.drained();
      await dataSource.destroy();
      await owner.destroy();
      await database.drop();
    },
  };
}
