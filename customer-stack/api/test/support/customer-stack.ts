// One customer stack for an integration suite: a private NATS, a fresh database, the app on an
// ephemeral port; stop() undoes all three in reverse order.
import type { INestApplication } from '@nestjs/common';
import { createTestDatabase, startTestNats, testStackEnv, type TestDatabase, type TestNats } from '@bulwark/testing';
import { createCustomerApp } from '../../src/app.js';
import { parseCustomerConfig } from '../../src/config/customer-config.js';

export interface CustomerStack {
  readonly app: INestApplication;
  readonly database: TestDatabase;
  readonly nats: TestNats;
  stop(): Promise<void>;
}

export async function startCustomerStack(): Promise<CustomerStack> {
  const nats = await startTestNats();
  const database = await createTestDatabase('customer');
  const app = await createCustomerApp(parseCustomerConfig(testStackEnv('customer', database, nats)));
  await app.listen(0, '127.0.0.1');
  return {
    app, database, nats,
    async stop() {
      await app.close();
      await database.drop();
      await nats.stop();
    },
  };
}
