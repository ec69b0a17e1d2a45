// Fault: the chain goes away in the middle of settlement. Intents flow and fill at an outside
// venue; a first period is settled on chain; then the anvil node is stopped (its state kept, as
// npm start keeps it), more intents fill, and a second period is approved while the node is down:
// its token legs queue, the chain RPC breaker opens and the work waits. The node comes back on
// the same port with the same state; the queued legs settle, each exactly once, the indexer
// confirms them, the omnibus wallet holds on chain exactly what the allocations say, and
// reconciliation finds nothing to report.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decimal, sumDecimals } from '@bulwark/shared-contracts';
import { eventually } from '@bulwark/testing';
import { REFERENCE_TENANT_ID } from '../../../customer-stack/api/dist/tenancy/reference-tenant.js';
import { HOUSE_WALLET_REF } from '../../../execution-stack/api/dist/chain/chain.service.js';
import { runIntentFlow } from '../support/intent-flow.js';
import { openMarket, type Market } from '../support/market-setup.js';
import { chainListed, chainSettled, chainStatus, onChainBalance, settlePeriod } from '../support/chain-support.js';
import { OperatorClient } from '../support/operator-client.js';
import { TestSystem } from '../support/system.js';
import { expectExactlyOnce } from '../support/exactly-once.js';
import { settledAccounting } from '../support/wall-accounting.js';

const tenantRef = REFERENCE_TENANT_ID;
/** Units the listing mints to the house wallet (it delivers what the outside venue sells). */
const LISTING_SUPPLY = '1000000';
const FLOW = { batches: 4, perBatch: 20, intervalMs: 100 };

let system: TestSystem;
let market: Market;
let alice: OperatorClient;
let bob: OperatorClient;

/** Σ allocated quantity of the instrument, once every intent of the flow is allocated in full. */
async function allocatedInFull(intents: number): Promise<string> {
  return eventually(async () => {
    const { rows } = await system.executionSql.query<{ n: number; allocated: string | null; wanted: string | null }>(
      `SELECT (SELECT count(*)::int FROM allocation WHERE instrument_id = $1) AS n,
              (SELECT sum(quantity)::text FROM allocation WHERE instrument_id = $1) AS allocated,
              (SELECT sum(quantity)::text FROM omnibus_intent WHERE instrument_id = $1) AS wanted`,
      [market.instrumentId],
    );
    const row = rows[0];
    if (!row || row.n < intents || row.allocated === null || row.wanted === null) return undefined;
    return decimal(row.allocated).eq(decimal(row.wanted)) ? decimal(row.allocated).toString() : undefined;
  }, 60_000, `${intents} intents allocated in full`);
}

beforeAll(async () => {
  system = await TestSystem.start({
    chain: true,
    executionEnv: {
      CHAIN_OMNIBUS_WALLETS: `${tenantRef}:144`, CHAIN_LISTING_SUPPLY_UNITS: LISTING_SUPPLY,
      // Reconciliation runs when the test asks: between an allocation and its settlement on chain
      // the omnibus wallet lags the allocations, which a run at that moment would rightly report.
      POSTTRADE_RECONCILE_EVERY_MS: '86400000',
    },
  });
  market = await openMarket(system, 'FAULT-CHAIN-YES');
  // The investors' cash, so that the customer stack books every allocation against it.
  for (const accountRef of market.accounts) await system.customer.call('creditCash', { tenantId: tenantRef, accountRef, amount: '100.00' });
  await chainListed(system, market.instrumentId, [tenantRef, HOUSE_WALLET_REF]);
  // The outside venue sells far more than the flows buy, below their limit.
  await system.execution.call('seedVenue', { instrumentId: market.instrumentId, asks: [{ price: '0.50', quantity: '100000' }] });
  alice = await OperatorClient.create(system.execution, 'op-fault-chain-1', true);
  bob = await OperatorClient.create(system.execution, 'op-fault-chain-2', true);
}, 180_000);

afterAll(async () => {
  await system?.stop();
});

describe('the chain taken away in the middle of settlement', () => {
  it('queues the settlement through the outage with the breaker open, then settles every leg exactly once and reconciles', async () => {
    const periodStart = new Date(Date.now() - 60_000).toISOString();
    const first = await runIntentFlow(system.customer, market.intent, FLOW);
    const firstUnits = await allocatedInFull(first.confirmed.length);
    const midPeriod = new Date().toISOString();
    const settledFirst = await settlePeriod(alice, bob, periodStart, midPeriod);
    expect(settledFirst.status).toBe('approved');
    await chainSettled(alice);
    expect(await onChainBalance(system, market.instrumentId, tenantRef)).toBe(firstUnits);

    // The second period trades, then the node stops (its state saved) before its batch is approved.
    const second = await runIntentFlow(system.customer, market.intent, FLOW);
    const allUnits = await allocatedInFull(first.confirmed.length + second.confirmed.length);
    await system.anvil!.stop();
    const settledSecond = await settlePeriod(alice, bob, midPeriod, new Date().toISOString());
    expect(settledSecond.status).toBe('approved');
    // While it is down: the breaker opens, the legs wait in Postgres, nothing is lost.
    const during = await eventually(async () => {
      const status = await chainStatus(alice);
      return status.queues.breaker.openedCount > 0 ? status : undefined;
    }, 60_000, 'the chain RPC breaker to open');
    expect(during.headBlock).toBeNull();
    expect(during.queues.settlements.queued + during.queues.settlements.batched).toBe(1);
    expect(during.queues.settlements.failed).toBe(0);
    expect(during.queues.settlements.oldestWaitingAt).not.toBeNull();
    const { rows: waiting } = await system.executionSql.query<{ status: string }>(
      `SELECT status FROM chain_settlement WHERE instrument_id = $1 AND status IN ('queued', 'batched')`, [market.instrumentId],
    );
    expect(waiting).toHaveLength(1);

    // The node comes back with its state; the queue drains by itself.
    await system.anvil!.start();
    const after = await chainSettled(alice);
    expect(after.queues.breaker.state).toBe('closed');
    expect(after.queues.settlements).toMatchObject({ queued: 0, batched: 0, failed: 0, settledUnconfirmed: 0 });
    expect(after.transactions.failed).toBe(0);

    // Each period's net movement settled once: one leg, one transfer, in one mined transaction each.
    const { rows: legs } = await system.executionSql.query<{ quantity: string; status: string; tx_hash: string; tx_status: string }>(
      `SELECT s.quantity::text, s.status, t.tx_hash, t.status AS tx_status FROM chain_settlement s JOIN chain_tx t ON t.id = s.chain_tx_id
        WHERE s.instrument_id = $1 AND s.from_ref = $2 AND s.to_ref = $3 ORDER BY s.queued_at`,
      [market.instrumentId, HOUSE_WALLET_REF, tenantRef],
    );
    const secondUnits = decimal(allUnits).minus(decimal(firstUnits)).toString();
    expect(legs.map((l) => [decimal(l.quantity).toString(), l.status, l.tx_status])).toEqual([[firstUnits, 'settled', 'mined'], [secondUnits, 'settled', 'mined']]);
    const { rows: transfers } = await system.executionSql.query<{ tx_hash: string; value: string }>(
      `SELECT e.tx_hash, e.args ->> 'value' AS value FROM chain_event e JOIN chain_instrument i ON lower(i.token_address) = lower(e.contract_address)
        WHERE i.instrument_id = $1 AND e.kind = 'Transfer' AND lower(e.args ->> 'to') = (SELECT lower(wallet_address) FROM chain_wallet WHERE wallet_ref = $2)`,
      [market.instrumentId, tenantRef],
    );
    expect(transfers.map((t) => t.tx_hash).sort()).toEqual(legs.map((l) => l.tx_hash).sort());

    // On chain, the omnibus holds exactly what was allocated, and the house delivered exactly that.
    expect(await onChainBalance(system, market.instrumentId, tenantRef)).toBe(allUnits);
    expect(sumDecimals([await onChainBalance(system, market.instrumentId, HOUSE_WALLET_REF), allUnits])).toBe(LISTING_SUPPLY);
    // Reconciliation (run here only: its timer is off in this test) finds nothing, so nothing is open.
    expect((await alice.post('/v1/operator/reconciliation/runs', {})).body).toEqual({ found: 0, opened: 0 });
    expect((await alice.get<{ breaks: unknown[] }>('/v1/operator/reconciliation/breaks?status=open')).body.breaks).toEqual([]);

    // And every intent of both flows crossed the wall and was answered exactly once.
    const accounting = await settledAccounting(system);
    expect(accounting.intents).toBe(first.confirmed.length + second.confirmed.length);
    // Every intent filled at the venue and its allocation booked against the investor's cash.
    expect(accounting.byStatus).toEqual({ filled: 2 * FLOW.batches * FLOW.perBatch });
    expectExactlyOnce(accounting, { intentsMin: 2 * FLOW.batches * FLOW.perBatch });
  }, 300_000);
});
