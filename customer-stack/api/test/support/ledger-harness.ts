// A ledger on a fresh real database, outside Nest: the migrations of the customer stack, the
// TypeORM-backed SqlDatabase the stack uses, and an audit writer that keeps what it was given.
import { DataSource } from 'typeorm';
import { typeormDatabase, type SqlDatabase, type SqlTx } from '@bulwark/shared-contracts/wall';
import { createTestDatabase, type TestDatabase } from '@bulwark/testing';
import { CUSTOMER_ENTITIES, CUSTOMER_MIGRATIONS } from '../../src/database/schema.js';
import type { AuditInput, AuditWriter } from '../../src/ledger/audit.port.js';
import { LedgerService, enterTenant } from '../../src/ledger/ledger.service.js';
import type { GroupCommitLimits } from '../../src/ledger/group-commit.js';

export class RecordingAudit implements AuditWriter {
  readonly entries: AuditInput[] = [];
  async recordMany(_tx: SqlTx, entries: AuditInput[]): Promise<void> {
    this.entries.push(...entries);
  }
}

export interface LedgerHarness {
  readonly database: TestDatabase;
  readonly dataSource: DataSource;
  readonly db: SqlDatabase;
  readonly audit: RecordingAudit;
  readonly ledger: LedgerService;
  inTenant<T>(tenantId: string, work: (tx: SqlTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function startLedger(limits?: GroupCommitLimits): Promise<LedgerHarness> {
  const database = await createTestDatabase('customer');
  const dataSource = new DataSource({ type: 'postgres', url: database.url, entities: CUSTOMER_ENTITIES, migrations: CUSTOMER_MIGRATIONS, extra: { max: 10 } });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  const db = typeormDatabase(dataSource);
  const audit = new RecordingAudit();
  const ledger = new LedgerService(db, audit, limits ?? null);
  return {
    database,
    dataSource,
    db,
    audit,
    ledger,
    inTenant: (tenantId, work) =>
      db.transaction(async (tx) => {
        await enterTenant(tx, tenantId);
        return work(tx);
      }),
    close: async () => {
      await ledger.drained();
      await dataSource.destroy();
      await database.drop();
    },
  };
}
