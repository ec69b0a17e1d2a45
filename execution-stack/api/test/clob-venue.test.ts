// The internal CLOB as the default venue, on real Postgres and a real JetStream: a market maker
// rests orders on the journaled book, customer intents cross the wall and aggregate into one
// omnibus order of the tenant's omnibus member, which trades against the maker on the book; the
// book's trades come back through the allocation path as allocation.v1 messages, exact to the
// last digit, with fill ids derived from the book's trades. A resting remainder fills later.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { allocationInputsHash, decimal, sumDecimals, type MessageBody } from '@bulwark/shared-contracts';
import { eventually } from '@bulwark/testing';
import { ClobVenue, INTERNAL_VENUE_ID, clobFillRef } from '../src/aggregation/clob-venue.js';
import { MarketService } from '../src/market/market.service.js';
import type { Instrument } from '../src/market/instruments.service.js';
import { MembersService, type MemberView } from '../src/members/members.service.js';
import { buyIntent, createMarketMaker, startExecutionStack, type ExecutionStack } from './support/execution-stack.js';

let stack: ExecutionStack;
let instrument: Instrument;
let maker: MemberView;
const tenantRef = randomUUID();

beforeAll(async () => {
  stack = await startExecutionStack({ POSTTRADE_WINDOW_MS: '300', POSTTRADE_TICK_MS: '50', POSTTRADE_FEE_BPS: '10' });
  instrument = await stack.app.get(MarketService).list({ symbol: 'CLOB-EVENT-YES', kind: 'event', tickSize: '0.01', lotSize: '1' });
  maker = await createMarketMaker(stack.app);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

const intent = (quantity: string, limitPrice?: string, timeInForce?: 'GTC' | 'IOC') => buyIntent(tenantRef, instrument.id, quantity, limitPrice, timeInForce);

const rest = (side: 'buy' | 'sell', price: string, quantity: string) =>
  stack.app.get(MembersService).placeOrder(maker, { instrumentId: instrument.id, side, price, quantity, timeInForce: 'GTC' });

let pool: MessageBody<'intent.submitted.v1'>[];
let ids: string[];

describe('the internal CLOB is the default venue', () => {
  it('trades an omnibus order against the resting market maker and allocates the book trades exactly', async () => {
    await rest('sell', '0.55', '60');
    await rest('sell', '0.57', '40');
    await rest('sell', '0.65', '500'); // above the limit: never touched
    pool = [intent('30'), intent('50'), intent('40')]; // Σ 120 against 100 resting: a partial fill
    ids = pool.map((p) => p.intentId);
    for (const body of pool) await stack.submitIntent(body);

    const allocations = await eventually(async () => {
      const found = await stack.publishedAllocations(ids);
      return found.length === 3 ? found : undefined;
    }, 20_000, 'three published allocations');

    const [order] = await stack.db().query(`SELECT order_ref, tenant_ref, quantity, filled_quantity, venue, status FROM omnibus_order`);
    expect(order).toMatchObject({ venue: INTERNAL_VENUE_ID, status: 'working', tenant_ref: tenantRef });
    expect(decimal(order.quantity).eq(decimal('120'))).toBe(true);
    expect(decimal(order.filled_quantity).eq(decimal('100'))).toBe(true);

    // 100 units over 30/50/40: shares 25, 41.67, 33.33 → 25, 41, 33 and the last unit to the largest remainder (0.67) → 25, 42, 33.
    const byIntent = new Map(allocations.map((a) => [a.intentId, a]));
    expect(ids.map((id) => byIntent.get(id)?.quantity)).toEqual(['25', '42', '33']);
    // Price slices in fill order to intents in acceptance order: 25 @ 0.55 | 35 @ 0.55 + 7 @ 0.57 | 33 @ 0.57.
    expect(ids.map((id) => byIntent.get(id)?.notional)).toEqual(['13.75', '23.24', '18.81']);
    expect(ids.map((id) => byIntent.get(id)?.fee)).toEqual(['0.01375', '0.02324', '0.01881']);
    expect(sumDecimals(allocations.map((a) => a.notional))).toBe('55.8'); // 60 × 0.55 + 40 × 0.57

    // The fills are the book's trades: the omnibus member bought, the maker sold, at the maker's prices.
    const omnibus = await stack.app.get(MembersService).omnibusMember(tenantRef, { orderQuantityMax: '1', orderNotionalMax: '1', openOrdersMax: 1, messagesPerSecond: 1 });
    const trades: { trade_seq: string; price: string; quantity: string; buy_owner_no: number; sell_owner_no: number }[] = await stack.db().query(
      `SELECT trade_seq, price, quantity, buy_owner_no, sell_owner_no FROM market_trade WHERE instrument_id = $1 ORDER BY trade_seq`, [instrument.id],
    );
    expect(trades.map((t) => [decimal(t.price).toString(), decimal(t.quantity).toString(), t.buy_owner_no, t.sell_owner_no])).toEqual([
      ['0.55', '60', omnibus.ownerNo, maker.ownerNo],
      ['0.57', '40', omnibus.ownerNo, maker.ownerNo],
    ]);
    const fills: { fill_ref: string; price: string; quantity: string }[] = await stack.db().query(
      `SELECT fill_ref, price, quantity FROM omnibus_fill WHERE order_ref = $1 ORDER BY price`, [order.order_ref],
    );
    expect(fills.map((f) => f.fill_ref)).toEqual(trades.map((t) => clobFillRef(instrument.id, String(t.trade_seq))));
    const allocatedFillRefs = new Set(allocations.flatMap((a) => a.fillRefs));
    expect([...allocatedFillRefs].sort()).toEqual(fills.map((f) => f.fill_ref).sort());

    for (const a of allocations) {
      const own = pool.find((p) => p.intentId === a.intentId) as MessageBody<'intent.submitted.v1'>;
      expect(a.omnibusOrderRef).toBe(order.order_ref);
      expect(allocationInputsHash({
        intentId: own.intentId, accountRef: own.accountRef, instrumentId: own.instrumentId, side: own.side, limitPrice: own.limitPrice,
        openQuantity: own.quantity, omnibusOrderRef: a.omnibusOrderRef, fillRefs: a.fillRefs, quantity: a.quantity, notional: a.notional,
        fee: a.fee, remainingQuantity: a.remainingQuantity,
      })).toBe(a.inputsHash);
    }

    // The remainder (20 at 0.60) rests on the book as the omnibus member's bid.
    const book = await stack.app.get(MarketService).book(instrument.id, 5);
    expect(book?.bids).toEqual([['0.6', '20']]);
  });

  it('allocates the resting remainder when the maker later sells into it, and completes the order', async () => {
    await rest('sell', '0.6', '20');
    const [order] = await stack.db().query(`SELECT order_ref FROM omnibus_order`);
    await eventually(async () => {
      const [row] = await stack.db().query(`SELECT status FROM omnibus_order WHERE order_ref = $1`, [order.order_ref]);
      return row.status === 'done' ? true : undefined;
    }, 20_000, 'the order to complete');
    const all = await eventually(async () => {
      const found = await stack.publishedAllocations(ids);
      return found.length === 6 ? found : undefined;
    }, 20_000, 'the second round published');
    const second = all.slice(3);
    // 20 units over what is open (5, 8, 7): everyone is filled in full at 0.60.
    expect(ids.map((id) => second.find((a) => a.intentId === id)?.quantity)).toEqual(['5', '8', '7']);
    expect(second.map((a) => a.remainingQuantity)).toEqual(['0', '0', '0']);
    expect(sumDecimals(second.map((a) => a.notional))).toBe('12');
    const [totals] = await stack.db().query(`SELECT sum(quantity)::text AS q, sum(notional)::text AS n FROM allocation WHERE order_ref = $1`, [order.order_ref]);
    expect([decimal(totals.q).toString(), decimal(totals.n).toString()]).toEqual(['120', '67.8']);
  });

  it('sends an IOC pool that finds nothing to the book, where it expires unfilled', async () => {
    const lone = intent('10', '0.50', 'IOC'); // the maker asks 0.65: nothing within 0.50
    await stack.submitIntent(lone);
    const row = await eventually(async () => {
      const [found] = await stack.db().query(
        `SELECT o.status, o.venue, o.filled_quantity, p.status AS intent_status FROM omnibus_order o JOIN pooled_intent p ON p.order_ref = o.order_ref WHERE p.intent_id = $1`,
        [lone.intentId],
      );
      return found?.status === 'done' ? found : undefined;
    }, 20_000, 'the IOC order to finish');
    expect(row).toMatchObject({ venue: INTERNAL_VENUE_ID, intent_status: 'done' });
    expect(decimal(row.filled_quantity).eq(decimal('0'))).toBe(true);
    expect(await stack.publishedAllocations([lone.intentId])).toEqual([]);
  });

  it('reduces a resting omnibus order on the book relatively, once per reduction ref, and cancels it when no more rests', async () => {
    const resting = intent('10', '0.40'); // the maker asks 0.65: it rests
    await stack.submitIntent(resting);
    const mapped = await eventually(async () => {
      const [found] = await stack.db().query(
        `SELECT c.order_ref, c.book_order_id FROM clob_venue_order c JOIN pooled_intent p ON p.order_ref = c.order_ref WHERE p.intent_id = $1`, [resting.intentId],
      );
      return found as { order_ref: string; book_order_id: string } | undefined;
    }, 20_000, 'the order on the book');
    const venue = stack.app.get(ClobVenue);
    const lotsOnBook = async () => (await stack.app.get(MarketService).desk(instrument.id))?.book.engine.orderLotsOf(Number(mapped.book_order_id));
    const once = randomUUID();
    await venue.reduce(mapped.order_ref, once, '4');
    await venue.reduce(mapped.order_ref, once, '4'); // asked again after a crash: applied once
    expect(await lotsOnBook()).toBe(6);
    expect((await venue.poll(mapped.order_ref))?.working).toBe(true);
    await venue.reduce(mapped.order_ref, randomUUID(), '7'); // more than rests: the order ends
    expect(await lotsOnBook()).toBeNull();
    expect((await venue.poll(mapped.order_ref))?.working).toBe(false);
    const reductions: { lots: string; reject_code: string | null }[] = await stack.db().query(
      `SELECT lots, reject_code FROM clob_venue_reduction WHERE order_ref = $1 ORDER BY reduced_at`, [mapped.order_ref],
    );
    expect(reductions).toEqual([{ lots: '4', reject_code: null }, { lots: '7', reject_code: null }]);
    // Nothing rests to reduce any more: the book refuses, and the refusal is recorded once too.
    await venue.reduce(mapped.order_ref, randomUUID(), '1');
    expect((await stack.db().query(`SELECT reject_code FROM clob_venue_reduction WHERE order_ref = $1 AND reject_code IS NOT NULL`, [mapped.order_ref]))).toEqual([
      { reject_code: 'unknown_order' },
    ]);
  });
});
