// What a flow of intents needs: an instrument listed on the execution stack and investors
// registered under the reference tenant on the customer stack, both through the stacks' services.
import { REFERENCE_TENANT_ID } from '../../../customer-stack/api/dist/tenancy/reference-tenant.js';
import type { IntentInput } from './stack.child.js';
import type { TestSystem } from './system.js';

export interface Market {
  readonly instrumentId: string;
  readonly accounts: readonly string[];
  /** A valid buy intent of a random investor (accepted unless the fault says otherwise). */
  intent(): IntentInput;
}

export async function openMarket(system: TestSystem, symbol: string, investors = 50): Promise<Market> {
  const instrumentId = await system.execution.call('listInstrument', { symbol, kind: 'event', tickSize: '0.01', lotSize: '1' });
  const accounts = await system.customer.call('registerAccounts', { tenantId: REFERENCE_TENANT_ID, count: investors });
  let next = 0;
  return {
    instrumentId,
    accounts,
    intent: () => ({
      accountRef: accounts[next++ % accounts.length] as string,
      tenantRef: REFERENCE_TENANT_ID,
      instrumentId,
      side: 'buy',
      quantity: String(1 + (next % 9)),
      limitPrice: '0.55',
      timeInForce: 'GTC',
    }),
  };
}
