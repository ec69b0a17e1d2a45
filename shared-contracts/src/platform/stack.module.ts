// What every stack's root module imports: logs, health, database with migrations, the wall,
// metrics. A stack's AppModule adds only its own domain modules.
import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DatabaseModule, type DatabaseOptions } from './database.module.js';
import { HealthController } from './health.controller.js';
import { HealthRegistryModule } from './health-registry.js';
import { loggingModule } from './logging.js';
import { MetricsController } from './metrics.js';
import { STACK_CONFIG, type StackConfig } from './stack-config.js';
import { WallModule } from './wall.module.js';

export interface StackModuleOptions {
  readonly config: StackConfig;
  readonly entities: DatabaseOptions['entities'];
  readonly migrations: DatabaseOptions['migrations'];
  readonly domain: NonNullable<ModuleMetadata['imports']>;
}

@Module({})
export class StackModule {
  static forRoot({ config, entities, migrations, domain }: StackModuleOptions): DynamicModule {
    return {
      module: StackModule,
      imports: [
        loggingModule(config.stack, config.logLevel),
        TerminusModule.forRoot({ logger: false }),
        HealthRegistryModule,
        DatabaseModule.forRoot({ ...config.database, applicationName: `bulwark-${config.stack}`, entities, migrations }),
        WallModule.forRoot({ stack: config.stack, config: config.wall }),
        ...domain,
      ],
      controllers: [HealthController, MetricsController],
      providers: [{ provide: STACK_CONFIG, useValue: config }],
    };
  }
}
