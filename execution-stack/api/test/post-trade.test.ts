// Post-trade over real Postgres and a real JetStream: signed intents cross the wall, are
// accepted, wait in their pool, leave as one omnibus order routed to the best venue, and the
// fills come back as allocation.v1 messages — exact, conserved, with an inputs hash the
// customer stack can recompute — published through the outbox; the intents of an order that ends
// part filled are closed with intent.closed.v1.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { allocationInputsHash, decimal, signEnvelope, subjectOf, sumDecimals, type MessageBody } from '@bulwark/shared-contracts';
import { eventually } from '@bulwark/testing';
import { SandboxVenue } from '../src/aggregation/sandbox-venue.js';
import { InstrumentsService, type Instrument } from '../src/market/instruments.service.js';
import { MembersService } from '../src/members/members.service.js';
import { signRequest, type SigningKey } from '../src/members/request-signature.js';
import { exportJWK, generateKeyPair } from 'jose';
import request from 'supertest';
import { buyIntent, startExecutionStack, type ExecutionStack } from './support/execution-stack.js';

let stack: ExecutionStack;
let instrument: Instrument;
let operator: SigningKey;
const tenantRef = randomUUID();

beforeAll(async () => {
  stack = await startExecutionStack({ POSTTRADE_WINDOW_MS: '300', POSTTRADE_TICK_MS: '50', POSTTRADE_FEE_BPS: '10' });
  instrument = await stack.app.get(InstrumentsService).list({ symbol: 'PT-EVENT-YES', kind: 'event', tickSize: '0.01', lotSize: '5' });
  const operatorKeys = await generateKeyPair('PS256', { extractable: true });
  const created = await stack.app.get(MembersService).createOperator('op-post-trade-1', await exportJWK(operatorKeys.publicKey));
  operator = { keyId: created.keyId, privateKey: operatorKeys.privateKey };
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

const intent = (quantity: string, limitPrice?: string) => buyIntent(tenantRef, instrument.id, quantity, limitPrice);

async function operatorGet(path: string) {
  const req = request(stack.app.getHttpServer()).get(path);
  for (const [k, v] of Object.entries(await signRequest(operator, { method: 'GET', path, body: '' }))) req.set(k, v);
  return req;
}

describe('from accepted intents through fills to allocation.v1', () => {
  it('pools a window into one omnibus order, fills it at the best venue and allocates pro rata, exactly', async () => {
    // The sandbox venue offers 50 units at 0.55 and 40 at 0.58 (within the 0.60 limit).
    stack.app.get(SandboxVenue).seed(instrument.id, { asks: [{ price: '0.55', quantity: '50' }, { price: '0.58', quantity: '40' }] });
    const pool = [intent('70'), intent('50'), intent('30')]; // Σ 150 > 90 available: a partial fill
    for (const body of pool) await stack.submitIntent(body);

    const ids = pool.map((p) => p.intentId);
    const allocations = await eventually(async () => {
      const found = await stack.publishedAllocations(ids);
      return found.length === 3 ? found : undefined;
    }, 20_000, 'three published allocations');

    const [order] = await stack.db().query(`SELECT order_ref, quantity, filled_quantity, venue, status FROM omnibus_order`);
    expect(order).toMatchObject({ venue: 'sandbox', status: 'working' });
    expect(decimal(order.quantity).eq(decimal('150'))).toBe(true);
    expect(decimal(order.filled_quantity).eq(decimal('90'))).toBe(true);
    // 90 units in lots of 5 = 18 lots over 70/50/30 (14/10/6 lots): shares 8.4/6/3.6 → 8, 6, 3 + the one lot left over to the largest remainder (0.6) → 8, 6, 4 lots.
    const byIntent = new Map(allocations.map((a) => [a.intentId, a]));
    expect(ids.map((id) => byIntent.get(id)?.quantity)).toEqual(['40', '30', '20']);
    expect(sumDecimals(allocations.map((a) => a.quantity))).toBe('90');
    // The notional is conserved to the last digit: 50 × 0.55 + 40 × 0.58 = 50.7.
    expect(sumDecimals(allocations.map((a) => a.notional))).toBe('50.7');
    for (const a of allocations) {
      const own = pool.find((p) => p.intentId === a.intentId) as MessageBody<'intent.submitted.v1'>;
      expect(a.omnibusOrderRef).toBe(order.order_ref);
      expect(decimal(a.fee).eq(decimal(a.notional).times(decimal('0.001')))).toBe(true);
      // What the customer stack does: recompute the inputs hash from its own intent and the message.
      expect(allocationInputsHash({
        intentId: own.intentId, accountRef: own.accountRef, instrumentId: own.instrumentId, side: own.side, limitPrice: own.limitPrice,
        openQuantity: own.quantity, omnibusOrderRef: a.omnibusOrderRef, fillRefs: a.fillRefs, quantity: a.quantity, notional: a.notional,
        fee: a.fee, remainingQuantity: a.remainingQuantity,
      })).toBe(a.inputsHash);
    }
  });

  it('fills the resting remainder later and allocates only the new fills', async () => {
    const [order] = await stack.db().query(`SELECT order_ref FROM omnibus_order`);
    stack.app.get(SandboxVenue).seed(instrument.id, { asks: [{ price: '0.60', quantity: '60' }] });
    await eventually(async () => {
      const [row] = await stack.db().query(`SELECT status FROM omnibus_order WHERE order_ref = $1`, [order.order_ref]);
      return row.status === 'done' ? true : undefined;
    }, 20_000, 'the order to complete');
    const [totals] = await stack.db().query(
      `SELECT sum(quantity)::text AS quantity, sum(notional)::text AS notional, count(*)::int AS n FROM allocation WHERE order_ref = $1`, [order.order_ref],
    );
    expect(decimal(totals.quantity).eq(decimal('150'))).toBe(true);
    expect(decimal(totals.notional).eq(decimal('86.7'))).toBe(true); // 50.7 + 60 × 0.60
    const open: { open_quantity: string }[] = await stack.db().query(`SELECT open_quantity FROM pooled_intent WHERE order_ref = $1`, [order.order_ref]);
    expect(open.every((o) => decimal(o.open_quantity).eq(decimal('0')))).toBe(true);
  });

  it('shows operators the omnibus order with its intents, fills and allocations, which add up to the fill', async () => {
    const listed = await operatorGet('/v1/operator/pools?status=done');
    expect(listed.status).toBe(200);
    expect(listed.body.waiting).toEqual([]);
    const [order] = listed.body.orders;
    expect(order).toMatchObject({ tenantRef, instrumentId: instrument.id, side: 'buy', limitPrice: '0.6', quantity: '150', filledQuantity: '150', status: 'done', intents: 3, allocatedQuantity: '150' });
    const detail = await operatorGet(`/v1/operator/pools/orders/${order.orderRef}`);
    expect(detail.status).toBe(200);
    expect(detail.body.intents.map((i: { quantity: string; openQuantity: string }) => [i.quantity, i.openQuantity])).toEqual([['70', '0'], ['50', '0'], ['30', '0']]);
    expect(sumDecimals(detail.body.fills.map((f: { quantity: string }) => f.quantity))).toBe('150');
    expect(sumDecimals(detail.body.allocations.map((a: { quantity: string }) => a.quantity))).toBe('150');
    expect(sumDecimals(detail.body.allocations.map((a: { notional: string }) => a.notional))).toBe('86.7');
    const missing = await operatorGet(`/v1/operator/pools/orders/${randomUUID()}`);
    expect([missing.status, missing.body.code]).toEqual([404, 'unknown_order']);
    expect((await operatorGet('/v1/operator/pools?status=lost')).status).toBe(400);
    expect((await request(stack.app.getHttpServer()).get('/v1/operator/pools')).status).toBe(401);
  });

  it('closes the intents of an IOC order that ended part filled: one intent.closed.v1 each, with all it was allocated, in the same transaction', async () => {
    stack.app.get(SandboxVenue).seed(instrument.id, { asks: [{ price: '0.55', quantity: '15' }] });
    const pool = [{ ...intent('20'), timeInForce: 'IOC' as const }, { ...intent('10'), timeInForce: 'IOC' as const }];
    for (const body of pool) await stack.submitIntent(body);
    const ids = pool.map((p) => p.intentId);
    const closed = await eventually(async () => {
      const rows: { body: string }[] = await stack.db().query(`SELECT body FROM wall_outbox WHERE subject = $1 ORDER BY seq`, [subjectOf('intent.closed.v1')]);
      const mine = rows.map((r) => JSON.parse(r.body) as MessageBody<'intent.closed.v1'>).filter((b) => ids.includes(b.intentId));
      return mine.length === 2 ? mine : undefined;
    }, 20_000, 'two intent.closed.v1');
    // 15 units (3 lots) over 20 and 10 (4 and 2 lots): 2 lots and 1 lot; the rest of each is never filled.
    expect(closed.map((c) => [c.intentId, c.accountRef, c.filledQuantity, c.reason])).toEqual([
      [pool[0]!.intentId, pool[0]!.accountRef, '10', 'unfilled_remainder'],
      [pool[1]!.intentId, pool[1]!.accountRef, '5', 'unfilled_remainder'],
    ]);
    // In the outbox with their allocations, written by the same transaction.
    const allocations: { body: string }[] = await stack.db().query(`SELECT body FROM wall_outbox WHERE subject = $1`, [subjectOf('allocation.v1')]);
    const mine = allocations.map((r) => JSON.parse(r.body) as MessageBody<'allocation.v1'>);
    expect(ids.map((id) => mine.find((a) => a.intentId === id)?.quantity)).toEqual(['10', '5']);
    const [order] = await stack.db().query(`SELECT o.status, o.order_ref FROM omnibus_order o JOIN pooled_intent p ON p.order_ref = o.order_ref WHERE p.intent_id = $1`, [ids[0]]);
    expect(order.status).toBe('done');
    const [audit] = await stack.db().query(`SELECT diff FROM execution_audit WHERE resource = $1 AND action = 'omnibus_order.done'`, [`omnibus_order:${order.order_ref}`]);
    expect(audit.diff).toMatchObject({ closedIntents: 2 });
    // The GTC order of the first test filled completely: nothing of it was closed.
    const all: { body: string }[] = await stack.db().query(`SELECT body FROM wall_outbox WHERE subject = $1`, [subjectOf('intent.closed.v1')]);
    expect(all).toHaveLength(2);
  });

  it('skips an unreachable venue behind its breaker: the order goes to the internal book, the default venue', async () => {
    const venue = stack.app.get(SandboxVenue);
    venue.simulate({ reachable: false });
    const body = intent('10');
    await stack.submitIntent(body);
    await eventually(async () => {
      const [row] = await stack.db().query(`SELECT o.status, o.venue FROM omnibus_order o JOIN pooled_intent p ON p.order_ref = o.order_ref WHERE p.intent_id = $1`, [body.intentId]);
      return row?.status === 'working' && row.venue === 'internal' ? true : undefined;
    }, 20_000, 'the order to rest on the internal book');
    venue.simulate({ reachable: true });
  });
});

describe('intent.cancel.v1', () => {
  async function cancel(intentId: string, accountRef: string, reason: MessageBody<'intent.cancel.v1'>['reason'] = 'customer_request'): Promise<void> {
    const body: MessageBody<'intent.cancel.v1'> = { intentId, accountRef, reason, requestedAt: new Date().toISOString() };
    const { wire } = signEnvelope({ key: stack.keyring.signingKey('c2e'), subject: subjectOf('intent.cancel.v1'), id: randomUUID(), body, nowMs: Date.now() });
    await stack.js.publish(subjectOf('intent.cancel.v1'), wire);
  }
  const pooled = async (intentId: string) =>
    ((await stack.db().query(`SELECT p.status, o.cancelled_at FROM pooled_intent p JOIN omnibus_intent o USING (intent_id) WHERE intent_id = $1`, [intentId])) as {
      status: string; cancelled_at: Date | null;
    }[])[0];

  const closedOf = async (intentId: string) =>
    ((await stack.db().query(`SELECT body FROM wall_outbox WHERE subject = $1 ORDER BY seq`, [subjectOf('intent.closed.v1')])) as { body: string }[])
      .map((r) => JSON.parse(r.body) as MessageBody<'intent.closed.v1'>).filter((b) => b.intentId === intentId);

  it('withdraws an intent still waiting in its pool and answers intent.closed.v1 (cancelled, nothing filled) at once; a pooled one is taken off the book', async () => {
    // A price no venue offers: the pool's order would rest, so nothing here is filled.
    const waiting = intent('10', '0.10');
    await stack.submitIntent(waiting);
    await cancel(waiting.intentId, waiting.accountRef);
    await eventually(async () => ((await pooled(waiting.intentId))?.status === 'cancelled' ? true : undefined), 10_000, 'the waiting intent cancelled');
    expect((await pooled(waiting.intentId))?.cancelled_at).not.toBeNull();
    // The answer that lets the customer stack release the hold it kept, from the same transaction.
    expect((await closedOf(waiting.intentId)).map((c) => [c.accountRef, c.filledQuantity, c.reason])).toEqual([[waiting.accountRef, '0', 'cancelled']]);
    const late = intent('10', '0.10');
    await stack.submitIntent(late);
    await eventually(async () => ((await pooled(late.intentId))?.status === 'pooled' ? true : undefined), 10_000, 'the intent pooled');
    const [resting] = await stack.db().query(`SELECT order_ref FROM pooled_intent WHERE intent_id = $1`, [late.intentId]);
    await eventually(async () => ((await stack.db().query(`SELECT 1 FROM clob_venue_order WHERE order_ref = $1`, [resting.order_ref])).length === 1 ? true : undefined), 10_000, 'on the book');
    await cancel(late.intentId, late.accountRef);
    // Its order rested on the internal book (no venue quotes 0.10): the book order is reduced by all it had, so it ends; the answer follows.
    await eventually(async () => ((await closedOf(late.intentId)).length === 1 ? true : undefined), 10_000, 'the pooled intent closed');
    expect((await closedOf(late.intentId)).map((c) => [c.accountRef, c.filledQuantity, c.reason])).toEqual([[late.accountRef, '0', 'cancelled']]);
    expect(await pooled(late.intentId)).toMatchObject({ status: 'withdrawn', cancelled_at: null });
    const [order] = await stack.db().query(`SELECT quantity::text, filled_quantity::text, status, venue, reduction_ref FROM omnibus_order WHERE order_ref = $1`, [resting.order_ref]);
    expect([decimal(order.quantity).toString(), decimal(order.filled_quantity).toString(), order.status, order.venue, order.reduction_ref]).toEqual(['0', '0', 'done', 'internal', null]);
    const reductions: { lots: string; reject_code: string | null }[] = await stack.db().query(`SELECT lots, reject_code FROM clob_venue_reduction WHERE order_ref = $1`, [resting.order_ref]);
    expect(reductions).toEqual([{ lots: '2', reject_code: null }]); // 10 units in lots of 5
    const audit: { resource: string }[] = await stack.db().query(`SELECT resource FROM execution_audit WHERE action = 'omnibus_intent.cancelled'`);
    expect(audit.map((a) => a.resource)).toEqual([`omnibus_intent:${waiting.intentId}`]);
  }, 60_000);

  it('reduces a part-filled omnibus order by a cancelled intent\'s open quantity at the venue: it is answered with exactly its fills, later fills all go to the intents that stay', async () => {
    const venue = stack.app.get(SandboxVenue);
    venue.seed(instrument.id, { asks: [{ price: '0.55', quantity: '10' }] });
    const leaving = intent('30');
    const staying = intent('20');
    await stack.submitIntent(leaving);
    await stack.submitIntent(staying);
    const firstRound = await eventually(async () => {
      const found = await stack.publishedAllocations([leaving.intentId, staying.intentId]);
      return found.length === 2 ? found : undefined;
    }, 20_000, 'the first round allocated');
    // 10 units = 2 lots over 6 and 4 lots: shares 1.2 and 0.8 → 1 and 0, the lot left over to the larger remainder (0.8).
    expect(firstRound.map((a) => [a.intentId, a.quantity, a.remainingQuantity])).toEqual([[leaving.intentId, '5', '25'], [staying.intentId, '5', '15']]);
    const [{ order_ref: orderRef }] = await stack.db().query(`SELECT order_ref FROM pooled_intent WHERE intent_id = $1`, [leaving.intentId]);
    await cancel(leaving.intentId, leaving.accountRef);
    await eventually(async () => ((await closedOf(leaving.intentId)).length === 1 ? true : undefined), 20_000, 'the cancelled intent answered');
    expect((await closedOf(leaving.intentId)).map((c) => [c.filledQuantity, c.reason])).toEqual([['5', 'cancelled']]);
    expect((await pooled(leaving.intentId))?.status).toBe('withdrawn');
    // 25 came off the order at the venue: what rests there is exactly what the staying intent has open.
    const [reduced] = await stack.db().query(`SELECT quantity, filled_quantity, status FROM omnibus_order WHERE order_ref = $1`, [orderRef]);
    expect([decimal(reduced.quantity).toString(), decimal(reduced.filled_quantity).toString(), reduced.status]).toEqual(['25', '10', 'working']);
    venue.seed(instrument.id, { asks: [{ price: '0.60', quantity: '30' }] });
    await eventually(async () => {
      const [row] = await stack.db().query(`SELECT status FROM omnibus_order WHERE order_ref = $1`, [orderRef]);
      return row.status === 'done' ? true : undefined;
    }, 20_000, 'the order to complete');
    const allocated: { intent_id: string; quantity: string }[] = await stack.db().query(
      `SELECT intent_id, sum(quantity)::text AS quantity FROM allocation WHERE order_ref = $1 GROUP BY intent_id ORDER BY sum(quantity)`, [orderRef],
    );
    expect(allocated.map((a) => [a.intent_id, decimal(a.quantity).toString()])).toEqual([[leaving.intentId, '5'], [staying.intentId, '20']]);
    const [fills] = await stack.db().query(`SELECT sum(quantity)::text AS quantity FROM omnibus_fill WHERE order_ref = $1`, [orderRef]);
    expect(decimal(fills.quantity).toString()).toBe('25'); // Σ allocations = Σ fills = the reduced order
    expect(await closedOf(staying.intentId)).toEqual([]); // filled completely: its last allocation says so
    const [audit] = await stack.db().query(`SELECT diff FROM execution_audit WHERE resource = $1 AND action = 'omnibus_order.reduced'`, [`omnibus_order:${orderRef}`]);
    expect(audit.diff).toEqual({ quantity: '25', intents: [leaving.intentId] });
  }, 60_000);

  it('a reduction claimed before a crash is asked again under its ref and applied once: the order loses the leaving intent\'s quantity once', async () => {
    const venue = stack.app.get(SandboxVenue);
    venue.seed(instrument.id, { asks: [{ price: '0.57', quantity: '10' }] });
    const leaving = intent('20', '0.57');
    const staying = intent('30', '0.57');
    await stack.submitIntent(leaving);
    await stack.submitIntent(staying);
    await eventually(async () => ((await stack.publishedAllocations([leaving.intentId, staying.intentId])).length === 2 ? true : undefined), 20_000, 'the first round');
    const [{ order_ref: orderRef }] = await stack.db().query(`SELECT order_ref FROM pooled_intent WHERE intent_id = $1`, [leaving.intentId]);
    const [{ open_quantity: open }] = await stack.db().query(`SELECT open_quantity::text FROM pooled_intent WHERE intent_id = $1`, [leaving.intentId]);
    // As a process that crashed after the venue applied its reduction but before recording it left things.
    const ref = randomUUID();
    await stack.db().transaction(async (manager) => {
      await manager.query(`UPDATE pooled_intent SET close_reason = 'cancelled', withdrawal_ref = $2 WHERE intent_id = $1`, [leaving.intentId, ref]);
      await manager.query(`UPDATE omnibus_order SET reduction_ref = $2, reduction_quantity = $3 WHERE order_ref = $1`, [orderRef, ref, open]);
    });
    await venue.reduce(orderRef, ref, decimal(open).toString());
    await eventually(async () => ((await closedOf(leaving.intentId)).length === 1 ? true : undefined), 20_000, 'the withdrawal recorded');
    const [order] = await stack.db().query(`SELECT quantity, filled_quantity, reduction_ref FROM omnibus_order WHERE order_ref = $1`, [orderRef]);
    // 50 less the leaving intent's open quantity, once; the venue rests exactly what the staying intent has open.
    expect([decimal(order.quantity).toString(), order.reduction_ref]).toEqual([decimal('50').minus(decimal(open)).toString(), null]);
    venue.seed(instrument.id, { asks: [{ price: '0.57', quantity: '100' }] });
    await eventually(async () => {
      const [row] = await stack.db().query(`SELECT status, quantity, filled_quantity FROM omnibus_order WHERE order_ref = $1`, [orderRef]);
      return row.status === 'done' ? row : undefined;
    }, 20_000, 'the order to complete');
    const [done] = await stack.db().query(`SELECT quantity, filled_quantity FROM omnibus_order WHERE order_ref = $1`, [orderRef]);
    expect(decimal(done.filled_quantity).eq(decimal(done.quantity))).toBe(true);
    const [staid] = await stack.db().query(`SELECT sum(quantity)::text AS quantity FROM allocation WHERE intent_id = $1`, [staying.intentId]);
    expect(decimal(staid.quantity).toString()).toBe('30');
  }, 60_000);

  it('takes an expired GTD intent out of its resting order the same way, answered with reason expired', async () => {
    const gtd = { ...intent('10', '0.10'), timeInForce: 'GTD' as const, expiresAt: new Date(Date.now() + 4_000).toISOString() };
    await stack.submitIntent(gtd);
    await eventually(async () => ((await pooled(gtd.intentId))?.status === 'pooled' ? true : undefined), 10_000, 'the GTD intent pooled');
    await eventually(async () => ((await closedOf(gtd.intentId)).length === 1 ? true : undefined), 20_000, 'the expired intent answered');
    expect((await closedOf(gtd.intentId)).map((c) => [c.filledQuantity, c.reason])).toEqual([['0', 'expired']]);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(gtd.expiresAt));
    expect((await pooled(gtd.intentId))?.status).toBe('withdrawn');
    // The customer stack's own expiry arrives after: nothing more happens.
    await cancel(gtd.intentId, gtd.accountRef, 'expired');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await closedOf(gtd.intentId)).toHaveLength(1);
  }, 60_000);

  it('keeps a GTD intent\'s expiry and expires it by its own clock: one past its time is never pooled, and is answered intent.closed.v1 (expired, nothing filled)', async () => {
    const submittedAt = new Date(Date.now() - 10_000).toISOString();
    const due = { ...intent('10', '0.10'), timeInForce: 'GTD' as const, submittedAt, expiresAt: new Date(Date.now() - 1_000).toISOString() };
    const later = { ...intent('10', '0.10'), timeInForce: 'GTD' as const, expiresAt: new Date(Date.now() + 3_600_000).toISOString() };
    await stack.submitIntent(due);
    await stack.submitIntent(later);
    await eventually(async () => ((await closedOf(due.intentId)).length === 1 ? true : undefined), 10_000, 'the expired intent closed');
    expect((await closedOf(due.intentId)).map((c) => [c.accountRef, c.filledQuantity, c.reason])).toEqual([[due.accountRef, '0', 'expired']]);
    const rows: { intent_id: string; time_in_force: string; status: string; close_reason: string | null; expires_at: Date; order_ref: string | null }[] = await stack.db().query(
      `SELECT p.intent_id, p.time_in_force, p.status, p.close_reason, o.expires_at, p.order_ref FROM pooled_intent p JOIN omnibus_intent o USING (intent_id)
        WHERE intent_id = ANY($1::uuid[])`,
      [[due.intentId, later.intentId]],
    );
    const byId = new Map(rows.map((r) => [r.intent_id, r]));
    expect(byId.get(due.intentId)).toMatchObject({ time_in_force: 'GTD', status: 'cancelled', close_reason: 'expired', order_ref: null });
    expect(byId.get(due.intentId)?.expires_at.toISOString()).toBe(due.expiresAt);
    // The other one trades on (its pool's order rests at 0.10) until its own time.
    expect(byId.get(later.intentId)).toMatchObject({ time_in_force: 'GTD', close_reason: null });
    expect(['waiting', 'pooled']).toContain(byId.get(later.intentId)?.status);
    expect(byId.get(later.intentId)?.expires_at.toISOString()).toBe(later.expiresAt);
    const [audit] = await stack.db().query(`SELECT actor, diff FROM execution_audit WHERE resource = $1 AND action = 'omnibus_intent.cancelled'`, [`omnibus_intent:${due.intentId}`]);
    expect(audit).toMatchObject({ actor: 'system:aggregation-expiry', diff: { reason: 'expired' } });
  }, 60_000);
});
