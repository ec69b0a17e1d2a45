// One DataSource per stack, on its own database and role. Migrations run at start, each in its
// own transaction; the stack does not serve until they have.
import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource, type MixedList, type EntitySchema } from 'typeorm';
import { typeormDatabase, type SqlDatabase } from '../wall/sql.js';

export interface DatabaseOptions {
  readonly url: string;
  readonly poolMax: number;
  readonly applicationName: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type for entity classes
  readonly entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type for migration classes
  readonly migrations: MixedList<Function | string>;
}

export const SQL_DATABASE = Symbol('SQL_DATABASE');

export function createDataSource(options: DatabaseOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTransactionMode: 'each',
    synchronize: false,
    applicationName: options.applicationName,
    extra: { max: options.poolMax, connectionTimeoutMillis: 5_000, statement_timeout: 30_000 },
  });
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
            const dataSource = createDataSource(options);
            await dataSource.initialize();
            await dataSource.runMigrations({ transaction: 'each' });
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
