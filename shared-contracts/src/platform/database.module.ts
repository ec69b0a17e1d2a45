// One DataSource per stack, on its own database. Two roles: a short-lived DataSource as the
// owner role runs the migrations (each in its own transaction) and is closed; the stack then
// serves through the application role, which owns nothing and cannot bypass row-level security.
// The stack refuses to serve when the application role could (fail closed).
import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource, type MixedList, type EntitySchema } from 'typeorm';
import { typeormDatabase, type SqlDatabase } from '../wall/sql.js';

export interface DatabaseOptions {
  /** The application role's URL. */
  readonly url: string;
  /** The owner role's URL: migrations only. */
  readonly ownerUrl: string;
  readonly poolMax: number;
  readonly applicationName: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type for entity classes
  readonly entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type for migration classes
  readonly migrations: MixedList<Function | string>;
}

export const SQL_DATABASE = Symbol('SQL_DATABASE');

export function createDataSource(options: DatabaseOptions, as: 'application' | 'owner' = 'application'): DataSource {
  return new DataSource({
    type: 'postgres',
    url: as === 'owner' ? options.ownerUrl : options.url,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTransactionMode: 'each',
    synchronize: false,
    applicationName: options.applicationName,
    extra: { max: as === 'owner' ? 1 : options.poolMax, connectionTimeoutMillis: 5_000, statement_timeout: 30_000 },
  });
}

/** Runs the pending migrations as the owner role, then closes that connection. */
export async function migrateAsOwner(options: DatabaseOptions): Promise<void> {
  const owner = createDataSource(options, 'owner');
  await owner.initialize();
  try {
    await owner.runMigrations({ transaction: 'each' });
    // TypeORM's bookkeeping table is the owner's business: the application may only read it.
    const appRole = decodeURIComponent(new URL(options.url).username);
    if (appRole !== '') await owner.query(`REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON TABLE "migrations" FROM "${appRole.replaceAll('"', '""')}"`);
  } finally {
    await owner.destroy();
  }
}

export class DatabaseRoleError extends Error {
  override readonly name = 'DatabaseRoleError';
}

/**
 * Fails unless the connected role is a plain application role: not a superuser, no BYPASSRLS,
 * not the database's owner and owner of no relation (an owner could disable row-level security).
 */
export async function assertApplicationRole(dataSource: DataSource): Promise<void> {
  const [role] = (await dataSource.query(
    `SELECT r.rolname AS name, r.rolsuper AS superuser, r.rolbypassrls AS bypassrls,
            (SELECT d.datdba = r.oid FROM pg_database d WHERE d.datname = current_database()) AS owns_database,
            (SELECT count(*)::int FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE c.relowner = r.oid AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%') AS owned_relations
       FROM pg_roles r WHERE r.rolname = current_user`,
  )) as { name: string; superuser: boolean; bypassrls: boolean; owns_database: boolean; owned_relations: number }[];
  if (!role) throw new DatabaseRoleError('the application role is not visible in pg_roles');
  const problems = [
    role.superuser && 'is a superuser',
    role.bypassrls && 'has BYPASSRLS',
    role.owns_database && 'owns the database',
    role.owned_relations > 0 && `owns ${role.owned_relations} relation(s)`,
  ].filter((problem): problem is string => typeof problem === 'string');
  if (problems.length > 0) {
    throw new DatabaseRoleError(
      `refusing to serve: the application role ${role.name} ${problems.join(', ')}; use DATABASE_OWNER_URL for the owner and DATABASE_URL for a plain role`,
    );
  }
}

class DatabaseLifecycle implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

@Global()
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseOptions): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        {
          provide: DataSource,
          useFactory: async () => {
            await migrateAsOwner(options);
            const dataSource = createDataSource(options);
            await dataSource.initialize();
            try {
              await assertApplicationRole(dataSource);
            } catch (error) {
              await dataSource.destroy();
              throw error;
            }
            return dataSource;
          },
        },
        { provide: SQL_DATABASE, inject: [DataSource], useFactory: (dataSource: DataSource): SqlDatabase => typeormDatabase(dataSource) },
        DatabaseLifecycle,
      ],
      exports: [DataSource, SQL_DATABASE],
    };
  }
}
