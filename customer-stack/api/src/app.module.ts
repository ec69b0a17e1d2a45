import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DatabaseModule, HealthController, MetricsController, WallModule, loggingModule } from '@bulwark/shared-contracts/platform';
import { APP_CONFIG, type AppConfig } from './config/app-config.js';
import { CUSTOMER_ENTITIES, CUSTOMER_MIGRATIONS } from './database/schema.js';
import { OrdersModule } from './orders/orders.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        loggingModule(config.stack, config.logLevel),
        TerminusModule.forRoot({ logger: false }),
        DatabaseModule.forRoot({ ...config.database, applicationName: 'bulwark-customer', entities: CUSTOMER_ENTITIES, migrations: CUSTOMER_MIGRATIONS }),
        WallModule.forRoot({ stack: config.stack, config: config.wall }),
        OrdersModule,
      ],
      controllers: [HealthController, MetricsController],
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
