// The customer stack: everything that knows who a customer is. Its domain modules are listed
// here; the platform (logs, health, metrics, database, the wall) comes from StackModule.
import type { INestApplication } from '@nestjs/common';
import { createStackApp, type StackConfig } from '@bulwark/shared-contracts/platform';
import { CUSTOMER_ENTITIES, CUSTOMER_MIGRATIONS } from './database/schema.js';
import { OrdersModule } from './orders/orders.module.js';

export function createCustomerApp(config: StackConfig<'customer'>): Promise<INestApplication> {
  return createStackApp(
    { config, entities: CUSTOMER_ENTITIES, migrations: CUSTOMER_MIGRATIONS, domain: [OrdersModule] },
    {
      title: 'Bulwark customer stack',
      description: 'Investors, compliance and money: auth, KYC, AML, FX, the ledger, payments, order intents and the audit chain.',
      version: '0.1.0',
    },
  );
}
