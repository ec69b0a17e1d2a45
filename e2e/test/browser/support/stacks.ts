// Both real stacks for a browser test: a private NATS, a fresh database each, the apps listening
// on ephemeral loopback ports and serving their built UIs. Cookies are not Secure here because
// the test serves plain http on 127.0.0.1. The investor app reads the execution stack's public
// market data as http://localhost:<port> — another host name than the customer stack's, as in
// production — and every request that reaches the execution stack with a cookie is recorded, so a
// test can prove that no customer session ever travels there.
import type { IncomingMessage, Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { parseStackConfig } from '@bulwark/shared-contracts/platform';
import { createTestDatabase, startTestNats, testStackEnv, type TestDatabase, type TestNats } from '@bulwark/testing';
import { AmlService } from '../../../../customer-stack/api/src/aml/aml.service.js';
import { createCustomerApp } from '../../../../customer-stack/api/src/app.js';
import { parseCustomerConfig } from '../../../../customer-stack/api/src/config/customer-config.js';
import { SANCTIONS_FIXTURES } from '../../../../customer-stack/api/test/support/sanctions-fixtures.js';
import { createExecutionApp } from '../../../../execution-stack/api/src/app.js';

export interface RunningStacks {
  readonly customer: INestApplication;
  readonly execution: INestApplication;
  readonly customerUrl: string;
  readonly executionUrl: string;
  /** Requests (method and path) that reached the execution stack carrying a Cookie header. */
  readonly executionRequestsWithCookies: readonly string[];
  stop(): Promise<void>;
}

async function listen(app: INestApplication): Promise<string> {
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return `http://127.0.0.1:${address.port}`;
}

export async function startStacks(): Promise<RunningStacks> {
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const nats: TestNats = await startTestNats();
    cleanups.push(() => nats.stop());
    const customerDb: TestDatabase = await createTestDatabase('customer');
    cleanups.push(() => customerDb.drop());
    const executionDb: TestDatabase = await createTestDatabase('execution');
    cleanups.push(() => executionDb.drop());
    const execution = await createExecutionApp(parseStackConfig('execution', testStackEnv('execution', executionDb, nats)));
    cleanups.push(() => execution.close());
    const executionUrl = await listen(execution);
    const executionRequestsWithCookies: string[] = [];
    const server = execution.getHttpServer() as Server;
    const record = (request: IncomingMessage) => {
      if (request.headers.cookie) executionRequestsWithCookies.push(`${request.method ?? '?'} ${request.url ?? '?'}`);
    };
    server.prependListener('request', record);
    server.prependListener('upgrade', record);
    const customer = await createCustomerApp(parseCustomerConfig(testStackEnv('customer', customerDb, nats, {
      AUTH_COOKIE_SECURE: 'false', MARKET_DATA_URL: executionUrl.replace('127.0.0.1', 'localhost'),
    })));
    cleanups.push(() => customer.close());
    const customerUrl = await listen(customer);
    // Screening fails closed without a list: load the published-format fixtures, as an operator would.
    await customer.get(AmlService).importListFiles({
      openSanctions: `${SANCTIONS_FIXTURES}targets.simple.csv`,
      ofacSdn: `${SANCTIONS_FIXTURES}sdn.csv`,
      ofacAlt: `${SANCTIONS_FIXTURES}alt.csv`,
    });
    return { customer, execution, customerUrl, executionUrl, executionRequestsWithCookies, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
