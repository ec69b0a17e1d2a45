// The stack stopping between the aggregation's claim of an omnibus order (committed as working)
// and the internal book's durable acceptance of it, on real Postgres and a real JetStream: the
// first app dies at that point (its venue call fails as a killed process would), a second app
// starts on the same database and must place the order then, once, and fill it — never close its
// intents as ended by the venue. The stack stopping just after the book took the order is the
// other side of the same window: the restart reports its fills once, never places it again.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { decimal, subjectOf } from '@bulwark/shared-contracts';
import { eventually } from '@bulwark/testing';
import { ClobVenue } from '../src/aggregation/clob-venue.js';
import type { VenueExecution } from '../src/aggregation/venue.js';
import { MarketService } from '../src/market/market.service.js';
import type { Instrument } from '../src/market/instruments.service.js';
import { MembersService, type MemberView } from '../src/members/members.service.js';
import { buyIntent, createMarketMaker, startExecutionStack, type ExecutionStack } from './support/execution-stack.js';

let stack: ExecutionStack;
let instrument: Instrument;
let maker: MemberView;
const tenantRef = randomUUID();

beforeAll(async () => {
  stack = await startExecutionStack({ POSTTRADE_WINDOW_MS: '100', POSTTRADE_TICK_MS: '50', POSTTRADE_FEE_BPS: '10' });
  instrument = await stack.app.get(MarketService).list({ symbol: 'CRASH-EVENT-YES', kind: 'event', tickSize: '0.01', lotSize: '1' });
  maker = await createMarketMaker(stack.app);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

async function submitIntent(quantity: string): Promise<string> {
  const body = buyIntent(tenantRef, instrument.id, quantity);
  await stack.submitIntent(body);
  return body.intentId;
}

/**
 * Kills the stack at its venue call (`after`: once the book has durably taken the order): the call
 * never returns, so this app does nothing more with the order, and the app is shut down under it;
 * then another app starts on the same database.
 */
async function crashAtVenueCall(after: boolean, intentId: string): Promise<string> {
  const venue = stack.app.get(ClobVenue);
  const submit = venue.submit.bind(venue);
  const hung: { kill?: (error: Error) => void } = {};
  jest.spyOn(venue, 'submit').mockImplementation(async (order): Promise<VenueExecution> => {
    if (after) await submit(order);
    return new Promise((_resolve, reject) => {
      hung.kill = reject;
    });
  });
  const orderRef = await eventually(async () => {
    const [row] = await stack.db().query(
      `SELECT o.order_ref FROM omnibus_order o JOIN pooled_intent p ON p.order_ref = o.order_ref WHERE p.intent_id = $1 AND o.status = 'working'`,
      [intentId],
    );
    return hung.kill ? (row?.order_ref as string | undefined) : undefined;
  }, 20_000, 'the order claimed and its venue call killed');
  const { kill } = hung;
  if (!kill) throw new Error('the venue call hangs once the order is claimed');
  const closing = stack.app.close();
  kill(new Error('the stack was killed here'));
  await closing;
  stack.app = await stack.startApp();
  return orderRef;
}

async function settled(orderRef: string): Promise<{ status: string; filled: string; closed: { reason: string }[] }> {
  return eventually(async () => {
    const [order] = await stack.db().query(`SELECT status, filled_quantity FROM omnibus_order WHERE order_ref = $1`, [orderRef]);
    const closed: { body: string }[] = await stack.db().query(`SELECT body FROM wall_outbox WHERE subject = $1`, [subjectOf('intent.closed.v1')]);
    const [allocated] = await stack.db().query(`SELECT coalesce(sum(quantity), 0)::text AS q FROM allocation WHERE order_ref = $1`, [orderRef]);
    if (order.status !== 'done' || !decimal(allocated.q).eq(decimal(order.filled_quantity))) return undefined;
    return { status: order.status, filled: decimal(order.filled_quantity).toString(), closed: closed.map((c) => JSON.parse(c.body) as { reason: string }) };
  }, 30_000, 'the order done and its fills allocated after the restart');
}

async function placements(orderRef: string): Promise<number> {
  const [row] = await stack.db().query(`SELECT count(*)::int AS n FROM clob_venue_order WHERE order_ref = $1`, [orderRef]);
  return row.n as number;
}

describe('an omnibus order whose placement a crash left in doubt', () => {
  it('is placed after the restart when the book never took it, and filled, not closed as ended by the venue', async () => {
    await stack.app.get(MembersService).placeOrder(maker, { instrumentId: instrument.id, side: 'sell', price: '0.55', quantity: '30', timeInForce: 'GTC' });
    const orderRef = await crashAtVenueCall(false, await submitIntent('30'));
    expect(await placements(orderRef)).toBe(0); // the book never took it: the state a kill leaves

    const outcome = await settled(orderRef);
    expect(outcome).toMatchObject({ status: 'done', filled: '30' });
    expect(outcome.closed).toEqual([]);
    expect(await placements(orderRef)).toBe(1);
    const trades: { quantity: string }[] = await stack.db().query(`SELECT quantity FROM market_trade WHERE instrument_id = $1`, [instrument.id]);
    expect(trades.map((t) => decimal(t.quantity).toString())).toEqual(['30']);
  }, 120_000);

  it('is reported after the restart when the book took it, never placed twice nor filled twice', async () => {
    await stack.app.get(MembersService).placeOrder(maker, { instrumentId: instrument.id, side: 'sell', price: '0.58', quantity: '40', timeInForce: 'GTC' });
    const orderRef = await crashAtVenueCall(true, await submitIntent('40'));
    expect(await placements(orderRef)).toBe(1); // the book took it, the aggregation never heard

    const outcome = await settled(orderRef);
    expect(outcome).toMatchObject({ status: 'done', filled: '40' });
    expect(outcome.closed).toEqual([]);
    expect(await placements(orderRef)).toBe(1);
    const trades: { quantity: string }[] = await stack.db().query(`SELECT quantity FROM market_trade WHERE instrument_id = $1 ORDER BY trade_seq`, [instrument.id]);
    expect(trades.map((t) => decimal(t.quantity).toString())).toEqual(['30', '40']);
    const [fills] = await stack.db().query(`SELECT count(*)::int AS n, sum(quantity)::text AS q FROM omnibus_fill WHERE order_ref = $1`, [orderRef]);
    expect([fills.n, decimal(fills.q).toString()]).toEqual([1, '40']);
  }, 120_000);
});
