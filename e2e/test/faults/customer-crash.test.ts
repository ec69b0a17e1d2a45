// Fault: the customer stack dies between committing intents (with their outbox rows) and
// publishing them. Its link to NATS is cut first (a partition of this one stack), so intents it
// commits stay in its outbox, and publishes in flight may have reached JetStream without their
// acknowledgement coming back; then it is killed with SIGKILL while still taking intents. On
// restart its relay publishes what the outbox holds — JetStream drops the copies it already
// stored (Nats-Msg-Id = message id) — and every committed intent is answered exactly once.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runIntentFlow } from '../support/intent-flow.js';
import { openMarket, type Market } from '../support/market-setup.js';
import { TestSystem } from '../support/system.js';
import { expectExactlyOnce } from '../support/exactly-once.js';
import { settledAccounting } from '../support/wall-accounting.js';

let system: TestSystem;
let market: Market;

beforeAll(async () => {
  system = await TestSystem.start({ customerLink: true });
  market = await openMarket(system, 'FAULT-CUST-YES');
}, 120_000);

afterAll(async () => {
  await system?.stop();
});

describe('the customer stack killed between commit and publish', () => {
  it('publishes the outbox after it restarts and every intent is answered exactly once', async () => {
    const unpublished = async () => Number((await system.customerSql.query(`SELECT count(*) AS n FROM wall_outbox_status WHERE NOT published`)).rows[0].n);
    const link = system.customerLink;
    if (!link) throw new Error('the customer stack runs through a link');
    let heldAtKill = 0;
    let restarted: Promise<void> | undefined;
    const flow = await runIntentFlow(system.customer, market.intent, {
      batches: 30,
      perBatch: 50,
      intervalMs: 50,
      before: async (batch) => {
        if (batch === 8) await link.cut();
        if (batch !== 15) return;
        heldAtKill = await unpublished();
        // Killed while a submission may be in flight: its transaction commits whole or not at all.
        const inFlight = system.customer.call('submitIntents', { inputs: Array.from({ length: 50 }, market.intent) }).catch(() => []);
        await new Promise((resolve) => setTimeout(resolve, 5));
        await system.customer.kill('SIGKILL');
        await inFlight;
        await link.restore();
        restarted = system.customer.start();
        await restarted;
      },
    });
    await restarted;
    expect(system.customer.starts).toBe(2);
    // The kill found committed intents whose messages had not been published.
    expect(heldAtKill).toBeGreaterThanOrEqual(6 * 50);

    const accounting = await settledAccounting(system);
    expect(accounting.intents).toBeGreaterThanOrEqual(flow.confirmed.length);
    expect(accounting.byStatus).toEqual({ accepted: accounting.intents });
    expectExactlyOnce(accounting, { intentsMin: 30 * 50 });
  }, 240_000);
});
