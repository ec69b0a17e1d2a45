// The settlement batcher on real Postgres: a period's trades, fees and payouts net exactly into
// one instruction per counterparty and currency; the exports carry one content hash and a
// structurally valid pain.001; four eyes (two different authorised operators, PS256 over the
// content hash) is enforced; and nothing can re-net or edit a batch past draft — refused by the
// service and by the database itself.
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CompactSign, exportJWK, generateKeyPair, type JWK } from 'jose';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { decimal } from '@bulwark/shared-contracts';
import { parseStackConfig } from '@bulwark/shared-contracts/platform';
import { createTestDatabase, startTestNats, testStackEnv, type TestDatabase, type TestNats } from '@bulwark/testing';
import { createExecutionApp } from '../src/app.js';
import { PAIN001_NAMESPACE, contentJson } from '../src/settlement/settlement-exports.js';
import { SettlementError, SettlementErrorCode, SettlementService, approvalPayload, type BatchView } from '../src/settlement/settlement.service.js';

let nats: TestNats;
let database: TestDatabase;
let app: INestApplication;
let settlement: SettlementService;
type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
const operators: Record<'alice' | 'bob' | 'carol', { ref: string; privateKey: PrivateKey; publicJwk: JWK }> = {} as never;
const tenantA = randomUUID();
const tenantB = randomUUID();
const period = SettlementService.previousDay(Date.now());
const inPeriod = new Date(Date.parse(period.periodStart) + 3_600_000).toISOString();

beforeAll(async () => {
  nats = await startTestNats();
  database = await createTestDatabase('execution');
  app = await createExecutionApp(parseStackConfig('execution', testStackEnv('execution', database, nats)));
  await app.init();
  settlement = app.get(SettlementService);
  for (const name of ['alice', 'bob', 'carol'] as const) {
    const { privateKey, publicKey } = await generateKeyPair('PS256', { extractable: true });
    operators[name] = { ref: randomUUID(), privateKey, publicJwk: await exportJWK(publicKey) };
  }
  await settlement.registerApprover(operators.alice.ref, operators.alice.publicJwk, 'system:test');
  await settlement.registerApprover(operators.bob.ref, operators.bob.publicJwk, 'system:test');
  // carol holds a key but is not an authorised approver.
}, 60_000);

afterAll(async () => {
  await app?.close();
  await database?.drop();
  await nats?.stop();
});

const db = () => app.get(DataSource);

async function fill(tenant: string, side: 'buy' | 'sell', price: string, quantity: string, venue = 'sandbox', at = inPeriod): Promise<void> {
  await db().query(
    `INSERT INTO omnibus_fill (fill_ref, order_ref, tenant_ref, instrument_id, side, venue, price, quantity, round_ref, traded_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [randomUUID(), randomUUID(), tenant, randomUUID(), side, venue, price, quantity, randomUUID(), at],
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

const sign = (who: keyof typeof operators, batch: BatchView, payload = approvalPayload(batch.batchId, batch.contentHash)): Promise<string> =>
  new CompactSign(new TextEncoder().encode(payload)).setProtectedHeader({ alg: 'PS256' }).sign(operators[who].privateKey);

async function refusal(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    // A refusal of the service carries its code; one of the database, its message.
    return error instanceof SettlementError ? error.code : (error as Error).message;
  }
  throw new Error('expected a refusal');
}

let batch: BatchView;

describe('netting a period', () => {
  it('nets trades, fees and payouts into one exact instruction per counterparty and currency', async () => {
    await fill(tenantA, 'buy', '0.615', '1000');   // A pays 615
    await fill(tenantA, 'buy', '0.62', '333');     // A pays 206.46
    await fill(tenantA, 'sell', '0.7', '100');     // A receives 70
    await fill(tenantB, 'sell', '0.333', '3', 'internal'); // B receives 0.999
    await fee(tenantA, '0.82146');
    await payout(tenantB, '125');
    await fill(tenantA, 'buy', '0.5', '10', 'sandbox', period.periodEnd); // the next period: excluded

    batch = await settlement.createBatch(period.periodStart, period.periodEnd, operators.alice.ref);
    expect(batch).toMatchObject({ status: 'draft', tradeCount: 4 });
    const rows: Record<string, string>[] = await db().query(
      `SELECT counterparty, currency, bought::text, sold::text, fees::text, payouts::text, net_amount::text FROM settlement_instruction WHERE batch_id = $1 ORDER BY counterparty`,
      [batch.batchId],
    );
    const net = Object.fromEntries(rows.map((r) => [r.counterparty, decimal(r.net_amount as string).toString()]));
    expect(net).toEqual({
      [tenantA]: decimal('70').minus(decimal('821.46')).minus(decimal('0.82146')).toString(), // -752.28146
      [tenantB]: '125.999',
      'venue:internal': '-0.999',
      'venue:sandbox': '751.46',
    });
    expect(rows.every((r) => r.currency === 'USD')).toBe(true);
  });

  it('exports JSON and CSV under one content hash, and a structurally valid pain.001 paying the positive nets in cents', async () => {
    const exports = await settlement.exports(batch.batchId);
    const json = JSON.parse(exports.json) as { contentHash: string; content: Parameters<typeof contentJson>[0] };
    expect(json.contentHash).toBe(batch.contentHash);
    expect(createHash('sha256').update(contentJson(json.content)).digest('hex')).toBe(batch.contentHash);
    expect(exports.csv.split('\r\n')[0]).toBe('counterparty,currency,bought,sold,fees,payouts,netAmount,paymentAmount');
    expect(exports.csv).toContain(`content-sha256 ${batch.contentHash}`);
    expect(exports.csv.split('\r\n').filter((l) => l && !l.startsWith('#')).length).toBe(5);

    expect(XMLValidator.validate(exports.pain001)).toBe(true);
    const document = new XMLParser({ ignoreAttributes: false, parseTagValue: false, isArray: (name) => name === 'CdtTrfTxInf' }).parse(exports.pain001);
    expect(document.Document['@_xmlns']).toBe(PAIN001_NAMESPACE);
    const initiation = document.Document.CstmrCdtTrfInitn;
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

describe('four eyes', () => {
  it('refuses approvals before submission', async () => {
    expect(await refusal(settlement.approve(batch.batchId, operators.alice.ref, await sign('alice', batch)))).toBe(SettlementErrorCode.WrongState);
    batch = await settlement.submit(batch.batchId, operators.alice.ref);
    expect(batch.status).toBe('pending_approval');
  });

  it('refuses a bad signature: another key, another payload, another algorithm', async () => {
    expect(await refusal(settlement.approve(batch.batchId, operators.alice.ref, await sign('bob', batch)))).toBe(SettlementErrorCode.BadSignature);
    expect(await refusal(settlement.approve(batch.batchId, operators.alice.ref, await sign('alice', batch, approvalPayload(batch.batchId, '0'.repeat(64))))))
      .toBe(SettlementErrorCode.BadSignature);
    expect(await refusal(settlement.approve(batch.batchId, operators.alice.ref, 'not.a.jws'))).toBe(SettlementErrorCode.BadSignature);
  });

  it('refuses an operator who is not an authorised approver', async () => {
    expect(await refusal(settlement.approve(batch.batchId, operators.carol.ref, await sign('carol', batch)))).toBe(SettlementErrorCode.NotAuthorised);
  });

  it('counts one approval per operator: the same operator twice is refused', async () => {
    batch = await settlement.approve(batch.batchId, operators.alice.ref, await sign('alice', batch));
    expect(batch).toMatchObject({ status: 'pending_approval', approvals: [operators.alice.ref] });
    expect(await refusal(settlement.approve(batch.batchId, operators.alice.ref, await sign('alice', batch)))).toBe(SettlementErrorCode.SameOperatorTwice);
    expect(await refusal(db().query(`UPDATE settlement_batch SET status = 'approved' WHERE batch_id = $1`, [batch.batchId]))).toMatch(/two different operators/);
  });

  it('approves with a second, different operator', async () => {
    batch = await settlement.approve(batch.batchId, operators.bob.ref, await sign('bob', batch));
    expect(batch).toMatchObject({ status: 'approved', approvals: [operators.alice.ref, operators.bob.ref] });
  });
});

describe('nothing re-nets an approved batch', () => {
  it('the service refuses a new batch over the same period', async () => {
    expect(await refusal(settlement.createBatch(period.periodStart, period.periodEnd, operators.alice.ref))).toBe(SettlementErrorCode.PeriodAlreadyNetted);
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

  it('releases with the bank reference an operator records, and audits every step in one unbroken chain', async () => {
    expect(await refusal(settlement.release(batch.batchId, operators.bob.ref, 'bad ref with spaces'))).toBe(SettlementErrorCode.BankReferenceInvalid);
    batch = await settlement.release(batch.batchId, operators.bob.ref, 'BNK-2026/000123');
    expect(batch).toMatchObject({ status: 'released', bankReference: 'BNK-2026/000123' });
    const actions: { action: string }[] = await db().query(`SELECT action FROM posttrade_audit WHERE resource = $1 ORDER BY seq`, [`settlement_batch:${batch.batchId}`]);
    expect(actions.map((a) => a.action)).toEqual([
      'settlement.batch.netted', 'settlement.batch.pending_approval', 'settlement.batch.signed', 'settlement.batch.signed', 'settlement.batch.approved', 'settlement.batch.released',
    ]);
    expect(await refusal(db().query(`UPDATE posttrade_audit SET action = 'x'`))).toMatch(/append-only/);
  });
});
