// Fault: the execution stack dies (SIGKILL) in the middle of its work — inbound batches half
// handled, answers committed but not yet published, acknowledgements not yet sent — while the
// customer stack keeps sending. It is started again from the same database and NATS consumer;
// every committed intent is then answered exactly once: no intent lost, none handled twice,
// none answered twice.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runIntentFlow } from '../support/intent-flow.js';
import { openMarket, type Market } from '../support/market-setup.js';
import { TestSystem } from '../support/system.js';
import { expectExactlyOnce } from '../support/exactly-once.js';
import { settledAccounting } from '../support/wall-accounting.js';

let system: TestSystem;
let market: Market;

/** Intents sent in one go just before the kill, so the stack is certainly still working when it dies. */
const BACKLOG_CALLS = 2;
const BACKLOG_PER_CALL = 1_000;

beforeAll(async () => {
  system = await TestSystem.start();
  market = await openMarket(system, 'FAULT-EXEC-YES');
}, 120_000);

afterAll(async () => {
  await system?.stop();
});

describe('the execution stack killed mid-batch', () => {
  it('answers every committed intent exactly once after it restarts', async () => {
    const handled = async () => Number((await system.executionSql.query(`SELECT count(*) AS n FROM omnibus_intent`)).rows[0].n);
    let atKill = { handled: 0, committed: 0 };
    let restarted: Promise<void> | undefined;
    const backlog: string[] = [];
    const flow = await runIntentFlow(system.customer, market.intent, {
      batches: 30,
      perBatch: 100,
      intervalMs: 50,
      before: async (batch) => {
        if (batch !== 12) return;
        // Kill it while it is busy. The flow alone it handles as fast as it comes, so it is given a
        // backlog first and killed once it has started on it and before it has caught up.
        const handledBefore = await handled();
        for (let call = 0; call < BACKLOG_CALLS; call += 1) {
          backlog.push(...(await system.customer.call('submitIntents', { inputs: Array.from({ length: BACKLOG_PER_CALL }, market.intent) })));
        }
        const committed = Number((await system.customerSql.query(`SELECT count(*) AS n FROM order_intent`)).rows[0].n);
        // Stops waiting once it has caught up too, so a stack faster than the backlog fails the assertion below instead of hanging.
        for (let n = await handled(); n <= handledBefore; n = await handled()) {
          if (n >= committed) break;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        await system.execution.kill('SIGKILL');
        atKill = { handled: await handled(), committed };
        restarted = new Promise((resolve) => setTimeout(resolve, 1_000)).then(() => system.execution.start());
      },
    });
    await restarted;
    expect(system.execution.starts).toBe(2);
    // The kill landed mid-flow: some intents were handled, others were still to come.
    expect(atKill.handled).toBeGreaterThan(0);
    expect(atKill.handled).toBeLessThan(atKill.committed);

    const accounting = await settledAccounting(system);
    expect(backlog).toHaveLength(BACKLOG_CALLS * BACKLOG_PER_CALL);
    expect(accounting.intents).toBe(flow.confirmed.length + backlog.length);
    expectExactlyOnce(accounting, { intentsMin: 30 * 100 + backlog.length });
    expect(accounting.byStatus).toEqual({ accepted: 30 * 100 + backlog.length });
  }, 240_000);
});
