// The execution stack: no personal data at all. Its domain modules are listed here; the
// platform (logs, health, metrics, database, the wall) comes from StackModule.
import type { INestApplication } from '@nestjs/common';
import { createStackApp, type StackConfig } from '@bulwark/shared-contracts/platform';
import { EXECUTION_ENTITIES, EXECUTION_MIGRATIONS } from './database/schema.js';
import { IntakeModule } from './intake/intake.service.js';
import { MarketModule } from './market/instruments.service.js';

export function createExecutionApp(config: StackConfig<'execution'>): Promise<INestApplication> {
  return createStackApp(
    { config, entities: EXECUTION_ENTITIES, migrations: EXECUTION_MIGRATIONS, domain: [MarketModule, IntakeModule] },
    {
      title: 'Bulwark execution stack',
      description: 'No personal data: the CLOB, market data, omnibus aggregation, allocation, settlement and the chain.',
      version: '0.1.0',
    },
  );
}
