// Fault: the wall's transport goes away mid-flow. The harness's private nats-server is killed
// (SIGKILL: nothing flushed) while intents flow in both directions, stays down while the
// customer stack keeps committing intents to its outbox, then starts again on the same port
// with the same JetStream store. Both stacks reconnect by themselves; every intent committed is
// answered exactly once and every message is stored and handled once.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runIntentFlow } from '../support/intent-flow.js';
import { openMarket, type Market } from '../support/market-setup.js';
import { TestSystem } from '../support/system.js';
import { expectExactlyOnce } from '../support/exactly-once.js';
import { settledAccounting, wallAccounting } from '../support/wall-accounting.js';

let system: TestSystem;
let market: Market;

beforeAll(async () => {
  system = await TestSystem.start();
  market = await openMarket(system, 'FAULT-NATS-YES');
}, 120_000);

afterAll(async () => {
  await system?.stop();
});

describe('NATS restarted while intents flow', () => {
  it('answers every committed intent exactly once after the transport comes back', async () => {
    let duringOutage: Awaited<ReturnType<typeof wallAccounting>> | undefined;
    const flow = await runIntentFlow(system.customer, market.intent, {
      batches: 40,
      perBatch: 25,
      intervalMs: 100,
      before: async (batch) => {
        if (batch === 10) await system.nats.down('SIGKILL');
        if (batch === 25) {
          duringOutage = await wallAccounting(system);
          await system.nats.up();
        }
      },
    });
    expect(flow.interrupted).toBe(0);
    // The outage was real: intents committed while it lasted waited in the outbox.
    expect(duringOutage?.unpublished.customer).toBeGreaterThan(0);
    expect(duringOutage?.unanswered).toBeGreaterThan(0);

    const accounting = await settledAccounting(system);
    expect(accounting.intents).toBe(flow.confirmed.length);
    expect(accounting.byStatus).toEqual({ accepted: 40 * 25 });
    expectExactlyOnce(accounting, { intentsMin: 40 * 25 });
  }, 240_000);
});
