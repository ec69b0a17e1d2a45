// Test helpers for tenancy: databases migrated as the owner role, and registered accounts.
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SQL_DATABASE, createDataSource, migrateAsOwner, type DatabaseOptions } from '@bulwark/shared-contracts/platform';
import { typeormDatabase, type SqlDatabase } from '@bulwark/shared-contracts/wall';
import { createTestDatabase, type TestDatabase } from '@bulwark/testing';
import { CUSTOMER_ENTITIES, CUSTOMER_MIGRATIONS } from '../../src/database/schema.js';
import { REFERENCE_TENANT, REFERENCE_TENANT_ID } from '../../src/tenancy/reference-tenant.js';
import { TenantsService } from '../../src/tenancy/tenants.service.js';

export const TEST_ADMIN = { actor: 'user:00000000-0000-4000-8000-000000000001', role: 'admin' } as const;

/** Registers a fresh account reference under a tenant (the reference tenant by default) through the app. */
export async function registerTestAccount(app: INestApplication, tenantId: string = REFERENCE_TENANT_ID): Promise<string> {
  const accountRef = randomUUID();
  await app.get<SqlDatabase>(SQL_DATABASE).transaction((tx) => app.get(TenantsService).registerAccount(tx, TEST_ADMIN, tenantId, accountRef));
  return accountRef;
}

/**
 * A tenant of the test's own, created like any tenant (work done tenant by tenant, such as the
 * notification dispatcher's, only reaches tenants that exist).
 */
export async function createTestTenant(app: INestApplication): Promise<string> {
  const created = await app.get(TenantsService).create(TEST_ADMIN, {
    slug: `t-${randomUUID().slice(0, 8)}`, brand: { name: 'Bulwark Test', primaryColour: '#123456', accentColour: '#654321' }, minimumAge: 18,
    residencyCountries: ['LK'], currencies: ['LKR', 'USD'], tierLimits: REFERENCE_TENANT.tierLimits.map((l) => ({ ...l })),
  });
  return created.id;
}

export interface MigratedCustomerDatabase {
  readonly database: TestDatabase;
  /** The application role's DataSource (what the stack serves with). */
  readonly dataSource: DataSource;
  readonly db: SqlDatabase;
  close(): Promise<void>;
}

/** A fresh customer database migrated by the owner role, served by the application role; no NATS, no HTTP. */
export async function migratedCustomerDatabase(poolMax = 10): Promise<MigratedCustomerDatabase> {
  const database = await createTestDatabase('customer');
  const options: DatabaseOptions = {
    url: database.url,
    ownerUrl: database.ownerUrl,
    poolMax,
    applicationName: 'bulwark-customer-test',
    entities: CUSTOMER_ENTITIES,
    migrations: CUSTOMER_MIGRATIONS,
  };
  await migrateAsOwner(options);
  const dataSource = createDataSource(options);
  await dataSource.initialize();
  return {
    database,
    dataSource,
    db: typeormDatabase(dataSource),
    close: async () => {
      await dataSource.destroy();
      await database.drop();
    },
  };
}
