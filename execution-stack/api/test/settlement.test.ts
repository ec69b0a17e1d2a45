// The settlement batcher over HTTP on real Postgres and a real chain node: a period's trades,
// fees and payouts net exactly into one instruction per counterparty and currency; the exports
// carry one content hash (in a header too) and a structurally valid pain.001; four eyes (two
// different authorised operators, each signing the batch hash with PS256 under their own operator
// key) is enforced; an approved batch hands exactly its net token movements to the chain
// module's queue; and nothing can re-net or edit a batch past draft — refused by the service and
// by the database itself. Every step is in the execution audit chain, which verifies.
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import request from 'supertest';
import { CompactSign, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { decimal } from '@bulwark/shared-contracts';
import { clobFillRef } from '../src/aggregation/clob-venue.js';
import { ExecutionAuditService } from '../src/audit/execution-audit.service.js';
import { MembersService } from '../src/members/members.service.js';
import { signRequest, type SigningKey } from '../src/members/request-signature.js';
import { PAIN001_NAMESPACE, contentJson } from '../src/settlement/settlement-exports.js';
import { CONTENT_HASH_HEADER } from '../src/settlement/settlement.controller.js';
import { SettlementService, approvalPayload } from '../src/settlement/settlement.service.js';
import type { BatchView } from '../src/settlement/settlement.views.js';
import { HOUSE_WALLET_REF, tokenLegId } from '../src/settlement/settlement-token-legs.js';
import { startChainTestServices, type ChainTestServices } from './support/anvil-node.js';

let services: ChainTestServices;
let app: INestApplication;
let settlement: SettlementService;
type Operator = SigningKey & { id: string };
const operators: Record<'alice' | 'bob' | 'carol', Operator> = {} as never;
const tenantA = randomUUID();
const tenantB = randomUUID();
const instrumentX = randomUUID();
const instrumentY = randomUUID();
let makerId: string;
const period = SettlementService.previousDay(Date.now());
const inPeriod = new Date(Date.parse(period.periodStart) + 3_600_000).toISOString();

beforeAll(async () => {
  services = await startChainTestServices();
  // A chain is configured so that approval queues into its real settlement queue; the worker is not driven here.
  app = await services.startApp();
  settlement = app.get(SettlementService);
  for (const name of ['alice', 'bob', 'carol'] as const) {
    const { privateKey, publicKey } = await generateKeyPair('PS256', { extractable: true });
    const created = await app.get(MembersService).createOperator(`op-settle-${name}`, await exportJWK(publicKey));
    operators[name] = { id: created.operatorId, keyId: created.keyId, privateKey };
  }
  await settlement.registerApprover(operators.alice.id, 'system:test');
  await settlement.registerApprover(operators.bob.id, 'system:test');
  // carol is an operator, but not an authorised approver.
}, 120_000);

afterAll(async () => {
  await services?.close(app);
});

const db = () => app.get(DataSource);

async function call(who: keyof typeof operators, method: 'GET' | 'POST', path: string, body?: unknown) {
  const text = body === undefined ? '' : JSON.stringify(body);
  const signed = await signRequest(operators[who], { method, path, body: text });
  const req = method === 'GET' ? request(app.getHttpServer()).get(path) : request(app.getHttpServer()).post(path);
  for (const [k, v] of Object.entries(signed)) req.set(k, v);
  if (text) req.set('content-type', 'application/json').send(text);
  return req;
}

async function fill(tenant: string, side: 'buy' | 'sell', price: string, quantity: string, venue = 'sandbox', at = inPeriod, instrument = instrumentX): Promise<void> {
  await db().query(
    `INSERT INTO omnibus_fill (fill_ref, order_ref, tenant_ref, instrument_id, side, venue, price, quantity, round_ref, traded_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [randomUUID(), randomUUID(), tenant, instrument, side, venue, price, quantity, randomUUID(), at],
  );
}

/** An omnibus sell on the internal CLOB that met a market maker's buy: the book trade, the venue order and the fill. */
async function internalSell(tenant: string, price: string, quantity: string, instrument: string): Promise<void> {
  const omnibus = await app.get(MembersService).omnibusMember(tenant, { orderQuantityMax: '1000000', orderNotionalMax: '1000000', openOrdersMax: 10, messagesPerSecond: 10 });
  const [maker] = await db().query(`SELECT owner_no FROM member WHERE id = $1`, [makerId]);
  const orderRef = randomUUID();
  const tradeSeq = '7';
  await db().query(`INSERT INTO clob_venue_order (order_ref, instrument_id, book_order_id, owner_no, reject_code, submitted_at) VALUES ($1, $2, 41, $3, null, $4)`, [
    orderRef, instrument, omnibus.ownerNo, inPeriod,
  ]);
  await db().query(
    `INSERT INTO market_trade (instrument_id, trade_seq, price, quantity, aggressor, buy_order_id, sell_order_id, buy_owner_no, sell_owner_no, traded_at)
     VALUES ($1, $2, $3, $4, 'sell', 40, 41, $5, $6, $7)`,
    [instrument, tradeSeq, price, quantity, maker.owner_no, omnibus.ownerNo, inPeriod],
  );
  await db().query(
    `INSERT INTO omnibus_fill (fill_ref, order_ref, tenant_ref, instrument_id, side, venue, price, quantity, round_ref, traded_at)
     VALUES ($1, $2, $3, $4, 'sell', 'internal', $5, $6, $7, $8)`,
    [clobFillRef(instrument, tradeSeq), orderRef, tenant, instrument, price, quantity, randomUUID(), inPeriod],
  );
}

async function fee(tenant: string, amount: string): Promise<void> {
  await db().query(
    `INSERT INTO allocation (allocation_id, round_ref, order_ref, intent_id, account_ref, tenant_ref, instrument_id, side, quantity, notional,
                             average_price, fee, remaining_quantity, fill_refs, inputs_hash, allocated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'buy', 1, 1, 1, $8, 0, ARRAY[$9::uuid], $10, $11)`,
    [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID(), tenant, randomUUID(), amount, randomUUID(), '0'.repeat(64), inPeriod],
  );
}

async function payout(tenant: string, amount: string): Promise<void> {
  await db().query(
    `INSERT INTO payout (payout_id, event_ref, tenant_ref, account_ref, instrument_id, kind, quantity, amount_per_unit, amount, paid_at)
     VALUES ($1, $2, $3, $4, $5, 'resolution', $6, 1, $6, $7)`,
    [randomUUID(), randomUUID(), tenant, randomUUID(), randomUUID(), amount, inPeriod],
  );
}

/** A compact JWS over the batch's approval payload, under `who`'s key, naming `kid` (their own key by default). */
const sign = (who: keyof typeof operators, batch: BatchView, payload = approvalPayload(batch.batchId, batch.contentHash), kid = operators[who].keyId): Promise<string> =>
  new CompactSign(new TextEncoder().encode(payload)).setProtectedHeader({ alg: 'PS256', kid }).sign(operators[who].privateKey as CryptoKey);

async function refusal(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

const approve = async (who: keyof typeof operators, signature: string) => call(who, 'POST', `/v1/operator/settlement/batches/${batch.batchId}/approvals`, { signature });
const problem = (response: { status: number; body: { code?: string } }) => [response.status, response.body.code];

let batch: BatchView;

describe('netting a period', () => {
  it('cuts a batch over HTTP: trades, fees and payouts net into one exact instruction per counterparty and currency', async () => {
    const maker = await app.get(MembersService).createMember('system:test', {
      kind: 'market_maker', orderQuantityMax: '1000', orderNotionalMax: '100000', openOrdersMax: 5, messagesPerSecond: 10,
      publicJwk: await exportJWK((await generateKeyPair('PS256', { extractable: true })).publicKey),
    });
    makerId = maker.member.id;
    await fill(tenantA, 'buy', '0.615', '1000');   // A pays 615
    await fill(tenantA, 'buy', '0.62', '333');     // A pays 206.46
    await fill(tenantA, 'sell', '0.7', '100');     // A receives 70
    await internalSell(tenantB, '0.333', '3', instrumentY); // B receives 0.999 from the book
    await fee(tenantA, '0.82146');
    await payout(tenantB, '125');
    await fill(tenantA, 'buy', '0.5', '10', 'sandbox', period.periodEnd); // the next period: excluded

    const cut = await call('alice', 'POST', '/v1/operator/settlement/batches', period);
    expect(cut.status).toBe(201);
    batch = cut.body;
    expect(batch).toMatchObject({ status: 'draft', tradeCount: 4, createdBy: operators.alice.id, approvals: [], tokenLegsQueued: 0 });
    const net = Object.fromEntries((cut.body.instructions as { counterparty: string; netAmount: string; currency: string }[]).map((i) => [i.counterparty, i.netAmount]));
    expect(net).toEqual({
      [tenantA]: decimal('70').minus(decimal('821.46')).minus(decimal('0.82146')).toString(), // -752.28146
      [tenantB]: '125.999',
      'venue:internal': '-0.999',
      'venue:sandbox': '751.46',
    });
    expect((cut.body.instructions as { currency: string }[]).every((i) => i.currency === 'USD')).toBe(true);
    expect((await call('bob', 'GET', `/v1/operator/settlement/batches/${batch.batchId}`)).body).toEqual(cut.body);
    const listed = await call('bob', 'GET', '/v1/operator/settlement/batches?status=draft');
    expect(listed.body.batches.map((b: BatchView) => b.batchId)).toEqual([batch.batchId]);
  }, 60_000);

  it('refuses a bad period and a bad query as problem+json with their codes', async () => {
    const future = await call('alice', 'POST', '/v1/operator/settlement/batches', { periodStart: new Date(Date.now() - 1_000).toISOString(), periodEnd: new Date(Date.now() + 3_600_000).toISOString() });
    expect(problem(future)).toEqual([422, 'settlement_period_invalid']);
    expect(future.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(problem(await call('alice', 'POST', '/v1/operator/settlement/batches', { periodStart: period.periodStart }))).toEqual([400, 'settlement_bad_request']);
    expect(problem(await call('alice', 'GET', '/v1/operator/settlement/batches?status=paid'))).toEqual([400, 'settlement_bad_request']);
    expect(problem(await call('alice', 'GET', `/v1/operator/settlement/batches/${randomUUID()}`))).toEqual([404, 'settlement_batch_not_found']);
  });

  it('serves the exports: JSON and CSV under one content hash (also in a header), and a structurally valid pain.001 paying the positive nets in cents', async () => {
    const path = (format: string) => `/v1/operator/settlement/batches/${batch.batchId}/exports/${format}`;
    const [json, csv, xml] = await Promise.all([call('bob', 'GET', path('json')), call('bob', 'GET', path('csv')), call('bob', 'GET', path('pain001'))]);
    for (const [response, type] of [[json, /application\/json/], [csv, /text\/csv/], [xml, /application\/xml/]] as const) {
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(type);
      expect(response.headers[CONTENT_HASH_HEADER]).toBe(batch.contentHash);
      expect(response.headers['repr-digest']).toBe(`sha-256=:${createHash('sha256').update(response.text).digest('base64')}:`);
    }
    expect(problem(await call('bob', 'GET', path('pdf')))).toEqual([400, 'settlement_bad_request']);
    const document = JSON.parse(json.text) as { contentHash: string; content: Parameters<typeof contentJson>[0] };
    expect(document.contentHash).toBe(batch.contentHash);
    expect(createHash('sha256').update(contentJson(document.content)).digest('hex')).toBe(batch.contentHash);
    expect(csv.text.split('\r\n')[0]).toBe('counterparty,currency,bought,sold,fees,payouts,netAmount,paymentAmount');
    expect(csv.text).toContain(`content-sha256 ${batch.contentHash}`);
    expect(csv.text.split('\r\n').filter((l) => l && !l.startsWith('#')).length).toBe(5);

    expect(XMLValidator.validate(xml.text)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, parseTagValue: false, isArray: (name) => name === 'CdtTrfTxInf' }).parse(xml.text);
    expect(parsed.Document['@_xmlns']).toBe(PAIN001_NAMESPACE);
    const initiation = parsed.Document.CstmrCdtTrfInitn;
    const header = initiation.GrpHdr;
    const payments = initiation.PmtInf;
    expect(Object.keys(header)).toEqual(['MsgId', 'CreDtTm', 'NbOfTxs', 'CtrlSum', 'InitgPty']);
    expect(Object.keys(payments)).toEqual(['PmtInfId', 'PmtMtd', 'NbOfTxs', 'CtrlSum', 'ReqdExctnDt', 'Dbtr', 'DbtrAcct', 'DbtrAgt', 'CdtTrfTxInf']);
    expect(header.MsgId).toMatch(/^[0-9a-f]{32}$/);
    expect(header.CreDtTm).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    expect(payments.PmtMtd).toBe('TRF');
    expect(payments.ReqdExctnDt.Dt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(payments.DbtrAgt.FinInstnId.BICFI).toMatch(/^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$/);
    const transfers = payments.CdtTrfTxInf as { PmtId: { EndToEndId: string }; Amt: { InstdAmt: { '#text': string; '@_Ccy': string } } }[];
    // Two positive nets: tenant B 125.999 → 126.00 and the sandbox venue 751.46.
    expect(transfers.map((t) => [t.Amt.InstdAmt['#text'], t.Amt.InstdAmt['@_Ccy']]).sort()).toEqual([['126.00', 'USD'], ['751.46', 'USD']]);
    expect(header.NbOfTxs).toBe('2');
    expect(payments.NbOfTxs).toBe('2');
    expect(header.CtrlSum).toBe('877.46');
    expect(payments.CtrlSum).toBe(header.CtrlSum);
    for (const t of transfers) expect(t.PmtId.EndToEndId.length).toBeLessThanOrEqual(35);
  });
});

describe('four eyes over HTTP', () => {
  it('refuses approvals and release before submission', async () => {
    expect(problem(await approve('alice', await sign('alice', batch)))).toEqual([409, 'settlement_batch_wrong_state']);
    expect(problem(await call('alice', 'POST', `/v1/operator/settlement/batches/${batch.batchId}/release`, { bankReference: 'BNK-1' }))).toEqual([409, 'settlement_batch_wrong_state']);
    const submitted = await call('alice', 'POST', `/v1/operator/settlement/batches/${batch.batchId}/submit`);
    expect(submitted.status).toBe(200);
    batch = submitted.body;
    expect(batch.status).toBe('pending_approval');
  });

  it('refuses a wrong signature: another key, another payload, a key that is not the approver\'s, not a JWS', async () => {
    const bad = [
      await sign('bob', batch, undefined, operators.alice.keyId), // bob's key, alice's kid
      await sign('alice', batch, approvalPayload(batch.batchId, '0'.repeat(64))), // another hash
      await sign('bob', batch), // a valid signature, but bob's, sent by alice
      'not.a.jws.at-all',
    ];
    for (const signature of bad) expect(problem(await approve('alice', signature))).toEqual([422, 'settlement_signature_invalid']);
    expect(problem(await approve('alice', ''))).toEqual([400, 'settlement_bad_request']);
    expect((await call('alice', 'GET', `/v1/operator/settlement/batches/${batch.batchId}`)).body.approvals).toEqual([]);
  });

  it('refuses an operator who is not an authorised approver', async () => {
    expect(problem(await approve('carol', await sign('carol', batch)))).toEqual([403, 'settlement_operator_not_authorised']);
  });

  it('counts one approval per operator: the same operator twice is refused, and one approval releases nothing', async () => {
    const first = await approve('alice', await sign('alice', batch));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'pending_approval', approvals: [{ operatorRef: operators.alice.id }] });
    expect(problem(await approve('alice', await sign('alice', batch)))).toEqual([409, 'settlement_same_operator_twice']);
    expect(problem(await call('bob', 'POST', `/v1/operator/settlement/batches/${batch.batchId}/release`, { bankReference: 'BNK-1' }))).toEqual([409, 'settlement_batch_wrong_state']);
    expect(await refusal(db().query(`UPDATE settlement_batch SET status = 'approved' WHERE batch_id = $1`, [batch.batchId]))).toMatch(/two different operators/);
    const [queued] = await db().query(`SELECT count(*)::int AS n FROM chain_settlement`);
    expect(queued.n).toBe(0);
  });

  it('approves with a second, different operator, and hands exactly the batch\'s net token movements to the chain queue', async () => {
    const second = await approve('bob', await sign('bob', batch));
    expect(second.status).toBe(200);
    batch = second.body;
    expect(batch).toMatchObject({ status: 'approved', approvals: [{ operatorRef: operators.alice.id }, { operatorRef: operators.bob.id }], tokenLegsQueued: 2 });
    const legs = await db().query(`SELECT settlement_id, instrument_id, from_ref, to_ref, quantity::text, batch_ref, status FROM chain_settlement ORDER BY instrument_id = $1 DESC`, [instrumentX]);
    // X: the house delivered 1000 + 333 to A's omnibus wallet, which delivered 100 back: one leg of 1233.
    // Y: B's omnibus sold 3 to the market maker on the book.
    expect(legs.map((l: Record<string, string>) => ({ ...l, quantity: decimal(l.quantity as string).toString() }))).toEqual([
      { settlement_id: tokenLegId(batch.batchId, instrumentX, HOUSE_WALLET_REF, tenantA), instrument_id: instrumentX, from_ref: HOUSE_WALLET_REF, to_ref: tenantA, quantity: '1233', batch_ref: batch.batchId, status: 'queued' },
      { settlement_id: tokenLegId(batch.batchId, instrumentY, tenantB, makerId), instrument_id: instrumentY, from_ref: tenantB, to_ref: makerId, quantity: '3', batch_ref: batch.batchId, status: 'queued' },
    ]);
  });
});

describe('nothing re-nets an approved batch', () => {
  it('the service refuses a new batch over the same period, and a rejection of an approved batch', async () => {
    expect(problem(await call('alice', 'POST', '/v1/operator/settlement/batches', period))).toEqual([409, 'settlement_period_already_netted']);
    expect(problem(await call('alice', 'POST', `/v1/operator/settlement/batches/${batch.batchId}/reject`, { reason: 'second thoughts' }))).toEqual([409, 'settlement_batch_wrong_state']);
  });

  it.each([
    ['rewriting the exports', `UPDATE settlement_batch SET export_json = '{}' WHERE batch_id = $1`, /immutable/],
    ['moving it back to draft', `UPDATE settlement_batch SET status = 'draft' WHERE batch_id = $1`, /cannot move/],
    ['deleting it', `DELETE FROM settlement_batch WHERE batch_id = $1`, /never deleted/],
    ['editing an instruction', `UPDATE settlement_instruction SET net_amount = 0 WHERE batch_id = $1`, /append-only/],
    ['adding an instruction', `INSERT INTO settlement_instruction VALUES ($1, 'x', 'USD', 0, 0, 0, 0, 0)`, /only into a draft/],
    ['removing an approval', `DELETE FROM settlement_approval WHERE batch_id = $1`, /append-only/],
    ['a second live batch for the period', `INSERT INTO settlement_batch SELECT gen_random_uuid(), period_start, period_end, 'draft', content_hash, export_json, export_csv,
      pain001_xml, trade_count, created_by, created_at FROM settlement_batch WHERE batch_id = $1`, /duplicate key/],
  ])('the database refuses %s', async (_name, sql, message) => {
    expect(await refusal(db().query(sql, [batch.batchId]))).toMatch(message);
  });

  it('the database refuses a trade, fee or payout changed inside the netted period', async () => {
    expect(await refusal(fill(tenantA, 'buy', '0.5', '1'))).toMatch(/frozen/);
    expect(await refusal(fee(tenantA, '1'))).toMatch(/frozen/);
    expect(await refusal(payout(tenantA, '1'))).toMatch(/frozen/);
    expect(await refusal(db().query(`DELETE FROM omnibus_fill WHERE traded_at = $1`, [inPeriod]))).toMatch(/frozen/);
  });

  it('releases with the bank reference an operator records, and audits every step in the execution chain, which verifies', async () => {
    const path = `/v1/operator/settlement/batches/${batch.batchId}/release`;
    expect(problem(await call('bob', 'POST', path, { bankReference: 'bad ref with spaces' }))).toEqual([422, 'settlement_bank_reference_invalid']);
    const released = await call('bob', 'POST', path, { bankReference: 'BNK-2026/000123' });
    expect(released.body).toMatchObject({ status: 'released', bankReference: 'BNK-2026/000123' });
    const entries: { action: string; actor: string }[] = await db().query(`SELECT action, actor FROM execution_audit WHERE resource = $1 ORDER BY seq`, [`settlement_batch:${batch.batchId}`]);
    expect(entries.map((a) => a.action)).toEqual([
      'settlement.batch.netted', 'settlement.batch.pending_approval', 'settlement.batch.signed', 'settlement.batch.signed', 'settlement.batch.approved', 'settlement.batch.released',
    ]);
    expect(entries.map((a) => a.actor)).toEqual([operators.alice.id, operators.alice.id, operators.alice.id, operators.bob.id, operators.bob.id, operators.bob.id].map((id) => `operator:${id}`));
    expect(await refusal(db().query(`UPDATE execution_audit SET action = 'x' WHERE resource = $1`, [`settlement_batch:${batch.batchId}`]))).toMatch(/append-only/);
    expect(await app.get(ExecutionAuditService).verify()).toBeNull();
    expect((await db().query(`SELECT to_regclass('posttrade_audit') AS t`))[0].t).toBeNull();
  });
});

describe('rejection', () => {
  it('rejects a draft with its reason (audited); the period may then be netted again', async () => {
    const earlier = { periodStart: new Date(Date.parse(period.periodStart) - 86_400_000).toISOString(), periodEnd: period.periodStart };
    const cut = await call('alice', 'POST', '/v1/operator/settlement/batches', earlier);
    expect(cut.body).toMatchObject({ status: 'draft', tradeCount: 0, instructions: [] });
    const path = `/v1/operator/settlement/batches/${cut.body.batchId}/reject`;
    expect(problem(await call('bob', 'POST', path, {}))).toEqual([400, 'settlement_bad_request']);
    expect(problem(await call('bob', 'POST', path, { reason: 'no\u0007' }))).toEqual([422, 'settlement_reason_invalid']);
    const rejected = await call('bob', 'POST', path, { reason: 'netted before the late fills were booked' });
    expect(rejected.body).toMatchObject({ status: 'rejected', rejectionReason: 'netted before the late fills were booked' });
    const [entry] = await db().query(`SELECT diff FROM execution_audit WHERE resource = $1 AND action = 'settlement.batch.rejected'`, [`settlement_batch:${cut.body.batchId}`]);
    expect(entry.diff).toMatchObject({ from: 'draft', to: 'rejected', reason: 'netted before the late fills were booked' });
    expect((await call('alice', 'POST', '/v1/operator/settlement/batches', earlier)).status).toBe(201);
  });
});
