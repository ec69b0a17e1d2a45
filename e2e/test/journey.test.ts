// The journey of one order (ARCHITECTURE.md §3), end to end over real NATS, Postgres, an anvil
// chain and both stacks running as processes from their builds, asserting at each step.
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CompactSign } from 'jose';
import { decimal, sumDecimals } from '@bulwark/shared-contracts';
import { eventually } from '@bulwark/testing';
import { REFERENCE_TENANT_ID } from '../../customer-stack/api/dist/tenancy/reference-tenant.js';
import { Contract, JsonRpcProvider } from 'ethers';
import { artifact } from '@bulwark/solidity';
import { merkleLeafHash, merkleVerifyInclusion } from '@bulwark/shared-contracts';
import { HOUSE_WALLET_REF } from '../../execution-stack/api/dist/chain/chain.service.js';
import { contentJson } from '../../execution-stack/api/dist/settlement/settlement-exports.js';
import { chainListed, chainSettled, onChainBalance } from './support/chain-support.js';
import { HttpClient, signIn } from './support/http-client.js';
import { OperatorClient } from './support/operator-client.js';
import { TestSystem } from './support/system.js';

const tenantId = REFERENCE_TENANT_ID;
let system: TestSystem;
let customerHttp: HttpClient;
let instrumentId: string;
const investors: { email: string; password: string; userId: string; accountRef: string; token: string }[] = [];
let intentIds: string[] = [];
/** Before the first trade: the start of the period step 7 nets. */
const journeyStartedAt = new Date().toISOString();

function kycSubmission(nic: string) {
  return {
    givenNames: 'Nimal', familyName: 'Perera', dateOfBirth: '1985-12-05', residenceCountry: 'LK',
    address: { line1: '12 Galle Road', city: 'Colombo', postalCode: '00300', country: 'LK' },
    document: { type: 'lk_nic', number: nic, country: 'LK' }, livenessToken: 'selfie-ok', requestedTier: 2,
  };
}

async function customerAudit(resource: string): Promise<string[]> {
  const { rows } = await system.customerSql.query<{ action: string }>(`SELECT action FROM audit_entry WHERE resource = $1 ORDER BY seq`, [resource]);
  return rows.map((r) => r.action);
}

beforeAll(async () => {
  system = await TestSystem.start({
    chain: true,
    // The customer stack cuts an audit batch every second, so step 8 finds its entries anchored.
    customerEnv: { AUDIT_ANCHOR_INTERVAL_MS: '1000' },
    // The tenant's omnibus wallet on chain (Sri Lanka, ISO 3166-1 numeric 144), as npm start registers it.
    executionEnv: { CHAIN_OMNIBUS_WALLETS: `${tenantId}:144` },
  });
  customerHttp = new HttpClient(system.customer.baseUrl);
  await system.customer.call('importSanctionsLists', {});
  instrumentId = await system.execution.call('listInstrument', { symbol: 'LK-JOURNEY-2027-YES', kind: 'event', tickSize: '0.01', lotSize: '1' });
  // Listing queued the token suite: the instrument trades once it is deployed with the wallets in it.
  await chainListed(system, instrumentId, [tenantId, HOUSE_WALLET_REF]);
  // The outside (sandbox) venue offers 13 units below the intents' limit: 8 at 0.50 and 5 at 0.54.
  // Seeded before any intent: an order no venue quotes goes to the internal book, the default.
  await system.execution.call('seedVenue', { instrumentId, asks: [{ price: '0.50', quantity: '8' }, { price: '0.54', quantity: '5' }] });
}, 180_000);

afterAll(async () => {
  await system?.stop();
});

describe('the journey of one order', () => {
  it('1. onboards: registration and sign-in over HTTP, KYC with sanctions screening sets the tier, every step audited', async () => {
    for (let i = 0; i < 2; i += 1) {
      const email = `journey-${randomUUID()}@example.test`;
      const password = `pw-${randomUUID()}`;
      const registered = await customerHttp.post<{ userId: string; accountRef: string }>('/auth/register', { tenantId, email, password });
      expect(registered.status).toBe(201);
      const { accessToken, principal } = await signIn(customerHttp, tenantId, email, password);
      expect(principal).toMatchObject({ userId: registered.body.userId, accountRef: registered.body.accountRef, roles: ['investor'] });
      const kyc = await customerHttp.as(accessToken).post<{ status: string; tier: number }>('/kyc/submissions', kycSubmission('853400937V'));
      expect(kyc).toMatchObject({ status: 200, body: { status: 'approved', tier: 2, reasons: [] } });
      expect((await customerHttp.as(accessToken).get('/kyc/me')).body).toMatchObject({ status: 'approved', tier: 2 });
      expect(await customerAudit(`customer:${registered.body.userId}`)).toEqual(
        expect.arrayContaining(['kyc.submission.received', 'aml.screening.completed', 'kyc.decision.recorded']),
      );
      investors.push({ email, password, token: accessToken, ...registered.body });
    }
    // The registration, the sign-in and the decision are in the audit chain.
    const { rows } = await system.customerSql.query<{ action: string }>(
      `SELECT DISTINCT action FROM audit_entry WHERE action LIKE 'auth.%' OR action LIKE 'kyc.%' OR action LIKE 'aml.%'`,
    );
    expect(rows.map((r) => r.action)).toEqual(expect.arrayContaining(['auth.account.registered', 'auth.login.succeeded', 'kyc.decision.recorded']));
  }, 60_000);

  it('1. fails closed: a KYC provider outage leaves the customer pending, never approved', async () => {
    const email = `journey-down-${randomUUID()}@example.test`;
    const password = `pw-${randomUUID()}`;
    expect((await customerHttp.post('/auth/register', { tenantId, email, password })).status).toBe(201);
    const { accessToken } = await signIn(customerHttp, tenantId, email, password);
    // The sandbox provider is unreachable for a document number ending in 994.
    const kyc = await customerHttp.as(accessToken).post<{ status: string; tier: number }>('/kyc/submissions', kycSubmission('198534000994'));
    expect(kyc.body.status).not.toBe('approved');
    expect(kyc.body.tier).toBe(0);
    expect((await customerHttp.as(accessToken).get<{ status: string }>('/kyc/me')).body.status).toBe(kyc.body.status);
  }, 60_000);

  it('2. deposits LKR over HTTP at a single-use FX quote locked for 5 minutes; the sandbox provider\'s signed webhook settles it at exactly that rate', async () => {
    for (const investor of investors) {
      const as = customerHttp.as(investor.token);
      // The sandbox rates (USD/LKR best ask 300.4001) plus the tenant's 50 bps: 3,019.03 LKR buys exactly 10.00 USD.
      const quote = await as.post<{ quoteId: string; sellAmount: string; buyAmount: string; price: string; expiresAt: string }>('/v1/fx/quotes', {
        sell: 'LKR', buy: 'USD', sellAmount: '3019.03',
      });
      expect(quote).toMatchObject({ status: 201, body: { sellAmount: '3019.03', buyAmount: '10.00', price: '301.90210050' } });
      expect(Date.parse(quote.body.expiresAt) - Date.now()).toBeLessThanOrEqual(5 * 60_000);
      const started = await as.post<{ depositId: string; status: string; rail: string }>('/v1/payments/deposits', { quoteId: quote.body.quoteId });
      expect(started).toMatchObject({ status: 201, body: { status: 'pending', rail: 'CEFTS', amount: '3019.03', creditAmount: '10.00' } });
      // The sandbox provider calls the stack's webhook route over HTTP, signed; the deposit settles.
      const settled = await eventually(async () => {
        const { body } = await as.get<{ status: string; transactionId: string | null }>(`/v1/payments/deposits/${started.body.depositId}`);
        return body.status === 'settled' ? body : undefined;
      }, 30_000, 'the deposit to settle');
      const { rows } = await system.customerSql.query<{ id: string }>(`SELECT id FROM ledger_transaction WHERE idempotency_key = $1`, [quote.body.quoteId]);
      expect(rows.map((r) => r.id)).toEqual([settled.transactionId]);
      // A quote is single-use: a second deposit with it is refused.
      expect(await as.post('/v1/payments/deposits', { quoteId: quote.body.quoteId })).toMatchObject({ status: 409, body: { code: 'quote_used' } });
      const balances = await as.get<{ accounts: { kind: string; unit: string; balance: string }[] }>('/v1/ledger/balances');
      expect(balances.body.accounts.filter((a) => a.unit === 'USD').map((a) => [a.kind, a.balance])).toEqual([['customer_cash', '10']]);
      expect(await customerAudit(`payment_deposit:${started.body.depositId}`)).toEqual(['payments.deposit.initiated', 'payments.deposit.pending', 'payments.deposit.settled']);
    }
  }, 60_000);

  it('3. places intents over HTTP (KYC, tier, velocity and balance checks, a ledger reservation) that cross the wall signed and are answered once', async () => {
    const [first, second] = investors;
    if (!first || !second) throw new Error('step 1 onboarded two investors');
    // Each investor spends from the 10.00 USD deposited in step 2.
    const place = async (investor: (typeof investors)[number], quantity: string) => {
      const placed = await customerHttp.as(investor.token).post<{ intentId: string; status: string }>('/v1/orders/intents', {
        instrumentId, side: 'buy', quantity, limitPrice: '0.55', timeInForce: 'GTC',
      });
      expect(placed).toMatchObject({ status: 201, body: { status: 'submitted' } });
      return placed.body.intentId;
    };
    // At once, so that all three land in one aggregation window (500 ms) and pool into one order.
    intentIds = await Promise.all([place(first, '10'), place(second, '7'), place(first, '3')]);
    // Held: quantity × 0.55 plus 10 bps of it; the rest stays available.
    const balances = await customerHttp.as(first.token).get<{ accounts: { kind: string; unit: string; balance: string }[] }>('/v1/ledger/balances');
    expect(balances.body.accounts.filter((a) => a.unit === 'USD').map((a) => [a.kind, a.balance])).toEqual([['customer_cash', '2.84285'], ['customer_reserved', '7.15715']]);
    // An investor without the money is refused and nothing is held.
    const tooMuch = await customerHttp.as(second.token).post<{ code: string }>('/v1/orders/intents', { instrumentId, side: 'buy', quantity: '100', limitPrice: '0.55' });
    expect(tooMuch).toMatchObject({ status: 422, body: { code: 'insufficient_funds' } });
    const answered = await eventually(async () => {
      const { rows } = await system.customerSql.query<{ id: string; status: string }>(`SELECT id, status FROM order_intent WHERE id = ANY($1)`, [intentIds]);
      return rows.every((r) => r.status !== 'submitted') && rows.length === 3 ? rows : undefined;
    }, 30_000, 'the intents to be answered');
    expect(answered.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
    // What crossed: opaque references and amounts; the execution side holds each intent once.
    const { rows: held } = await system.executionSql.query(`SELECT intent_id, account_ref, quantity FROM omnibus_intent WHERE intent_id = ANY($1)`, [intentIds]);
    expect(held).toHaveLength(3);
    for (const id of intentIds) expect(await customerAudit(`order_intent:${id}`)).toEqual(['orders.intent.submitted', 'orders.intent.accepted']);
  }, 60_000);

  it('4-5. pools the intents into one omnibus order and allocates its fills exactly (largest remainder), Σ allocations = Σ fills', async () => {
    // The sandbox venue's 13 units (seeded before the intents) fill the pool's order; the rest waits there.
    const allocations = await eventually(async () => {
      const { rows } = await system.executionSql.query<{ intent_id: string; quantity: string; notional: string; fee: string; order_ref: string }>(
        `SELECT intent_id, quantity, notional, fee, order_ref FROM allocation WHERE intent_id = ANY($1)`, [intentIds],
      );
      return rows.length === 3 ? rows : undefined;
    }, 30_000, 'three allocations');
    // One omnibus order for the pool (same tenant, instrument, side, limit, time in force).
    const { rows: orders } = await system.executionSql.query<{ order_ref: string; quantity: string; filled_quantity: string }>(
      `SELECT order_ref, quantity, filled_quantity FROM omnibus_order WHERE instrument_id = $1`, [instrumentId],
    );
    expect(orders).toHaveLength(1);
    expect(decimal(orders[0]!.quantity).eq(decimal('20'))).toBe(true);
    expect(new Set(allocations.map((a) => a.order_ref))).toEqual(new Set([orders[0]!.order_ref]));
    const { rows: fills } = await system.executionSql.query<{ price: string; quantity: string }>(
      `SELECT price, quantity FROM omnibus_fill WHERE order_ref = $1`, [orders[0]!.order_ref],
    );
    const filled = sumDecimals(fills.map((f) => decimal(f.quantity).toString()));
    expect(filled).toBe('13');
    expect(decimal(orders[0]!.filled_quantity).eq(decimal(filled))).toBe(true);
    // 13 over 10, 7 and 3: 6.5, 4.55, 1.95 -> floors 6, 4, 1 and the two largest remainders get a lot.
    const byIntent = new Map(allocations.map((a) => [a.intent_id, a]));
    expect(intentIds.map((id) => decimal(byIntent.get(id)!.quantity).toString())).toEqual(['6', '5', '2']);
    expect(sumDecimals(allocations.map((a) => decimal(a.quantity).toString()))).toBe(filled);
    // Notionals add up to the fills' exactly (8 × 0.50 + 5 × 0.54), fees are 10 bps of each.
    const fillNotional = sumDecimals(fills.map((f) => decimal(f.price).times(decimal(f.quantity)).toString()));
    expect(fillNotional).toBe('6.7');
    expect(sumDecimals(allocations.map((a) => decimal(a.notional).toString()))).toBe(fillNotional);
    for (const a of allocations) expect(decimal(a.fee).eq(decimal(a.notional).times(decimal('0.001')))).toBe(true);
    // Each allocation crossed back signed, once: one allocation.v1 per allocation, published (the relay runs apart from the allocation's commit).
    const sent = await eventually(async () => {
      const { rows } = await system.executionSql.query<{ n: number; published: number }>(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE published)::int AS published FROM wall_outbox_status WHERE subject = 'bulwark.e2c.allocation.v1'`,
      );
      return rows[0] && rows[0].published === rows[0].n && rows[0].n >= 3 ? rows[0] : undefined;
    }, 30_000, 'the allocations published');
    expect(sent).toEqual({ n: 3, published: 3 });
  }, 60_000);

  it('5. books each allocation in the ledger: the reservation pays notional and fee, the position is booked, balances exact', async () => {
    const { rows: allocations } = await system.executionSql.query<{ intent_id: string; account_ref: string; quantity: string; notional: string; fee: string }>(
      `SELECT intent_id, account_ref, quantity::text, notional::text, fee::text FROM allocation WHERE intent_id = ANY($1)`, [intentIds],
    );
    expect(allocations).toHaveLength(3);
    await eventually(async () => {
      const { rows } = await system.customerSql.query<{ n: number }>(`SELECT count(*)::int AS n FROM order_allocation WHERE intent_id = ANY($1)`, [intentIds]);
      return rows[0]?.n === 3 ? true : undefined;
    }, 30_000, 'the three allocations booked');
    for (const investor of investors) {
      const mine = allocations.filter((a) => a.account_ref === investor.accountRef);
      const spent = sumDecimals(mine.map((a) => decimal(a.notional).plus(decimal(a.fee)).toString()));
      const units = sumDecimals(mine.map((a) => decimal(a.quantity).toString()));
      const { body } = await customerHttp.as(investor.token).get<{ accounts: { kind: string; unit: string; balance: string }[] }>('/v1/ledger/balances');
      const of = (kind: string, unit: string) => body.accounts.find((a) => a.kind === kind && a.unit === unit)?.balance ?? '0';
      // Cash and what is still held for the open remainder add up to the deposit less what was paid, to the last digit.
      expect(decimal(of('customer_cash', 'USD')).plus(decimal(of('customer_reserved', 'USD'))).eq(decimal('10').minus(decimal(spent)))).toBe(true);
      expect(decimal(of('customer_position', instrumentId)).eq(decimal(units))).toBe(true);
    }
    for (const a of allocations) {
      const { rows } = await system.customerSql.query<{ filled_quantity: string; notional: string; fee: string }>(
        `SELECT filled_quantity::text, notional::text, fee::text FROM order_intent WHERE id = $1`, [a.intent_id],
      );
      const booked = rows[0]!;
      expect([booked.filled_quantity, booked.notional, booked.fee].map((v) => decimal(v).toString())).toEqual([a.quantity, a.notional, a.fee].map((v) => decimal(v).toString()));
      expect(await customerAudit(`order_intent:${a.intent_id}`)).toEqual(['orders.intent.submitted', 'orders.intent.accepted', 'orders.allocation.booked']);
    }
  }, 60_000);

  it('6. resolves the event YES: 1 USD per winning unit per accountRef, the ledger credits it, payouts reconcile to positions', async () => {
    const [first, second] = investors;
    if (!first || !second) throw new Error('step 1 onboarded two investors');
    // The omnibus order's resting remainder (7 of 20) fills at the venue at 0.55 first: 4, 2 and 1 to the three intents, so every intent completes.
    await system.execution.call('seedVenue', { instrumentId, asks: [{ price: '0.55', quantity: '7' }] });
    await eventually(async () => {
      const { rows } = await system.customerSql.query<{ status: string }>(`SELECT status FROM order_intent WHERE id = ANY($1)`, [intentIds]);
      return rows.length === 3 && rows.every((r) => r.status === 'filled') ? true : undefined;
    }, 30_000, 'all three intents filled');
    const balances = async (investor: (typeof investors)[number]) => {
      const { body } = await customerHttp.as(investor.token).get<{ accounts: { kind: string; unit: string; balance: string }[] }>('/v1/ledger/balances');
      const of = (kind: string, unit: string) => body.accounts.find((a) => a.kind === kind && a.unit === unit)?.balance ?? '0';
      return { cash: of('customer_cash', 'USD'), reserved: of('customer_reserved', 'USD'), units: of('customer_position', instrumentId) };
    };
    const before = [await balances(first), await balances(second)];
    expect(before.map((b) => [b.units, b.reserved])).toEqual([['13', '0'], ['7', '0']]); // 10 + 3 and 7: nothing left held

    const operator = await OperatorClient.create(system.execution, 'op-journey-resolver', false);
    expect((await operator.post(`/v1/operator/instruments/${instrumentId}/close`)).status).toBe(204);
    const resolved = await operator.post<{ eventRef: string; outcome: string; amountPerUnit: string }>('/v1/operator/resolutions', { instrumentId, outcome: 'yes' });
    expect(resolved.status).toBe(201);
    expect(resolved.body).toMatchObject({ outcome: 'yes', amountPerUnit: '1' });
    // On the execution side: one payout per accountRef, its quantity the position allocated there.
    const { rows: payouts } = await system.executionSql.query<{ account_ref: string; quantity: string; amount: string }>(
      `SELECT account_ref, quantity::text, amount::text FROM payout WHERE event_ref = $1`, [resolved.body.eventRef],
    );
    const paid = new Map(payouts.map((p) => [p.account_ref, [decimal(p.quantity).toString(), decimal(p.amount).toString()]]));
    expect(paid).toEqual(new Map([[first.accountRef, ['13', '13']], [second.accountRef, ['7', '7']]]));
    // Payouts reconcile to positions: Σ paid = Σ allocated = the omnibus order's fill.
    const { rows: allocated } = await system.executionSql.query<{ total: string }>(`SELECT sum(quantity)::text AS total FROM allocation WHERE instrument_id = $1`, [instrumentId]);
    expect(decimal(allocated[0]!.total).toString()).toBe(sumDecimals(payouts.map((p) => decimal(p.amount).toString())));
    await eventually(async () => {
      const { rows } = await system.customerSql.query<{ n: number }>(`SELECT count(*)::int AS n FROM order_payout WHERE event_ref = $1`, [resolved.body.eventRef]);
      return rows[0]?.n === 2 ? true : undefined;
    }, 30_000, 'both payouts booked');
    // The ledger credits exactly 1 USD per winning unit and closes the position.
    const after = [await balances(first), await balances(second)];
    for (const [i, units] of [[0, '13'], [1, '7']] as const) {
      expect(decimal(after[i]!.cash).minus(decimal(before[i]!.cash)).toString()).toBe(units);
      expect(decimal(after[i]!.units).toString()).toBe('0');
    }
    const { rows: booked } = await system.customerSql.query<{ payout_id: string }>(`SELECT payout_id FROM order_payout WHERE event_ref = $1`, [resolved.body.eventRef]);
    for (const { payout_id } of booked) expect(await customerAudit(`order_payout:${payout_id}`)).toEqual(['orders.payout.booked']);
  }, 90_000);

  it('7. nets the period into one instruction per counterparty and currency, exports CSV/JSON with a content hash and needs two approvers', async () => {
    const alice = await OperatorClient.create(system.execution, 'op-journey-alice', true);
    const bob = await OperatorClient.create(system.execution, 'op-journey-bob', true);
    const cut = await alice.post<{ batchId: string; contentHash: string; tradeCount: number; status: string; instructions: Record<string, string>[] }>(
      '/v1/operator/settlement/batches', { periodStart: journeyStartedAt, periodEnd: new Date().toISOString() },
    );
    expect(cut.status).toBe(201);
    const batch = cut.body;
    // Three fills (8 × 0.50, 5 × 0.54, 7 × 0.55 = 10.55) bought by the tenant's omnibus from the sandbox venue,
    // fees of 10 bps on each allocation (0.01055) and 20 USD of payouts to the tenant's investors.
    expect(batch).toMatchObject({ status: 'draft', tradeCount: 3 });
    expect(batch.instructions).toEqual([
      { counterparty: tenantId, currency: 'USD', bought: '10.55', sold: '0', fees: '0.01055', payouts: '20', netAmount: '9.43945',
        paymentAmount: '9.44' },
      { counterparty: 'venue:sandbox', currency: 'USD', bought: '0', sold: '10.55', fees: '0', payouts: '0', netAmount: '10.55',
        paymentAmount: '10.55' },
    ].sort((a, b) => (a.counterparty < b.counterparty ? -1 : 1)));
    // The exports carry the content hash, in the file and in a header.
    const exportOf = (format: string) => alice.get(`/v1/operator/settlement/batches/${batch.batchId}/exports/${format}`);
    const json = await exportOf('json');
    expect(json.headers.get('x-bulwark-content-sha256')).toBe(batch.contentHash);
    const document = JSON.parse(json.text) as { contentHash: string; content: Parameters<typeof contentJson>[0] };
    expect(document.contentHash).toBe(batch.contentHash);
    expect(createHash('sha256').update(contentJson(document.content)).digest('hex')).toBe(batch.contentHash);
    const csv = await exportOf('csv');
    expect(csv.headers.get('x-bulwark-content-sha256')).toBe(batch.contentHash);
    expect(csv.text).toContain(`content-sha256 ${batch.contentHash}`);
    const xml = await exportOf('pain001');
    expect(xml.text).toContain('<CtrlSum>19.99</CtrlSum>'); // 9.44 + 10.55 paid out in cents
    // Four eyes: submitted, then two different approvers each sign the batch hash with their own key.
    const sign = (who: OperatorClient) => new CompactSign(new TextEncoder().encode(`bulwark-settlement-batch:${batch.batchId}:${batch.contentHash}`))
      .setProtectedHeader({ alg: 'PS256', kid: who.keyId }).sign(who.privateKey);
    const path = `/v1/operator/settlement/batches/${batch.batchId}`;
    expect((await alice.post(`${path}/submit`)).body).toMatchObject({ status: 'pending_approval' });
    expect((await alice.post(`${path}/approvals`, { signature: await sign(alice) })).body).toMatchObject({ status: 'pending_approval' });
    const twice = await alice.post<{ code: string }>(`${path}/approvals`, { signature: await sign(alice) });
    expect([twice.status, twice.body.code]).toEqual([409, 'settlement_same_operator_twice']);
    const early = await alice.post<{ code: string }>(`${path}/release`, { bankReference: 'JOURNEY-0001' });
    expect([early.status, early.body.code]).toEqual([409, 'settlement_batch_wrong_state']);
    expect((await bob.post(`${path}/approvals`, { signature: await sign(bob) })).body).toMatchObject({ status: 'approved' });
    // It never pays by itself: an operator records the bank's reference of the payments made.
    expect((await bob.post(`${path}/release`, { bankReference: 'JOURNEY-0001' })).body).toMatchObject({ status: 'released', bankReference: 'JOURNEY-0001' });
    const { rows } = await system.executionSql.query<{ action: string }>(
      `SELECT action FROM execution_audit WHERE resource = $1 ORDER BY seq`, [`settlement_batch:${batch.batchId}`],
    );
    expect(rows.map((r) => r.action)).toEqual([
      'settlement.batch.netted', 'settlement.batch.pending_approval', 'settlement.batch.signed', 'settlement.batch.signed',
      'settlement.batch.approved', 'settlement.batch.released',
    ]);
  }, 60_000);

  it('7. settles the token movements on chain: the approved batch\'s leg settles atomically, the indexer confirms it, on-chain balances match positions', async () => {
    const operator = await OperatorClient.create(system.execution, 'op-journey-chain', false);
    // Step 7's approval queued the batch's net token movement: the venue's 20 units, from the house
    // wallet (which delivers for outside venues) to the tenant's omnibus wallet.
    const status = await chainSettled(operator);
    expect(status.queues.settlements.failed).toBe(0);
    expect(status.transactions.failed).toBe(0);
    type Leg = { from_ref: string; to_ref: string; quantity: string; status: string; tx_hash: string; confirmed_block: string };
    const { rows: legs } = await system.executionSql.query<Leg>(
      `SELECT s.from_ref, s.to_ref, s.quantity::text, s.status, t.tx_hash, s.confirmed_block::text FROM chain_settlement s JOIN chain_tx t ON t.id = s.chain_tx_id
        WHERE s.instrument_id = $1`, [instrumentId],
    );
    expect(legs.map((l) => [l.from_ref, l.to_ref, decimal(l.quantity).toString(), l.status])).toEqual([[HOUSE_WALLET_REF, tenantId, '20', 'settled']]);
    // The event was resolved (step 6) before the batch settled: the positions were paid out, so the
    // units the house owed the omnibus are burned from the house rather than delivered to be burned.
    // Confirmed from the chain's own record: the indexed Transfer of that transaction, in the block it names.
    const { rows: transfers } = await system.executionSql.query<{ block_number: string; from: string; to: string; value: string }>(
      `SELECT block_number::text, lower(args ->> 'from') AS from, args ->> 'to' AS to, args ->> 'value' AS value FROM chain_event WHERE kind = 'Transfer' AND tx_hash = $1`,
      [legs[0]!.tx_hash],
    );
    const { rows: [house] } = await system.executionSql.query<{ address: string }>(
      `SELECT lower(wallet_address) AS address FROM chain_wallet WHERE wallet_ref = $1`, [HOUSE_WALLET_REF],
    );
    expect(transfers).toEqual([{ block_number: legs[0]!.confirmed_block, from: house!.address, to: '0x0000000000000000000000000000000000000000', value: '20000000' }]);
    // The omnibus wallet holds on chain exactly what the tenant's investors hold in the ledger: nothing, once paid out.
    const positions = [];
    for (const investor of investors) {
      const { body } = await customerHttp.as(investor.token).get<{ accounts: { kind: string; unit: string; balance: string }[] }>('/v1/ledger/balances');
      positions.push(body.accounts.find((a) => a.kind === 'customer_position' && a.unit === instrumentId)?.balance ?? '0');
    }
    expect(sumDecimals(positions.map((p) => decimal(p).toString()))).toBe('0');
    expect(await onChainBalance(system, instrumentId, tenantId)).toBe('0');
    expect(await onChainBalance(system, instrumentId, HOUSE_WALLET_REF)).toBe('999980'); // the listing supply less the 20 units sold
    // Reconciliation now finds the chain and the allocations in agreement (a run between the allocation
    // and its settlement would rightly have seen the omnibus wallet lag: only this run counts).
    const runAt = new Date().toISOString();
    expect((await operator.post('/v1/operator/reconciliation/runs', {})).status).toBe(200);
    const { body } = await operator.get<{ breaks: { kind: string; lastSeenAt: string }[] }>('/v1/operator/reconciliation/breaks?status=open');
    expect(body.breaks.filter((b) => b.kind === 'chain_balance_mismatch' && b.lastSeenAt >= runAt)).toEqual([]);
  }, 120_000);

  it('8. an auditor verifies the whole customer audit chain over HTTP', async () => {
    const email = `auditor-${randomUUID()}@example.test`;
    const password = `pw-${randomUUID()}`;
    await system.customer.call('createUser', { tenantId, role: 'auditor', email, password });
    const { accessToken } = await signIn(customerHttp, tenantId, email, password);
    const verified = await customerHttp.as(accessToken).get<{ ok: boolean; checkedEntries: string; firstBreak: unknown }>('/audit/verify');
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ ok: true, firstBreak: null });
    const { rows } = await system.customerSql.query<{ n: string }>(`SELECT count(*) AS n FROM audit_entry`);
    expect(Number(verified.body.checkedEntries)).toBeGreaterThan(0);
    expect(Number(verified.body.checkedEntries)).toBeLessThanOrEqual(Number(rows[0]!.n));
    // An investor may not.
    expect((await customerHttp.as(investors[0]!.token).get('/audit/verify')).status).toBe(403);
  }, 60_000);

  it('8. every audit entry has a Merkle inclusion proof against a root anchored on chain, checked against the AuditAnchor contract', async () => {
    const email = `auditor-proofs-${randomUUID()}@example.test`;
    const password = `pw-${randomUUID()}`;
    await system.customer.call('createUser', { tenantId, role: 'auditor', email, password });
    const { accessToken } = await signIn(customerHttp, tenantId, email, password);
    const auditor = customerHttp.as(accessToken);
    type Proof = {
      seq: string; entryHash: string; leafIndex: number; treeSize: string; proof: string[]; root: string;
      batch: { batchId: string; merkleRoot: string; status: string; chainId: number; contractAddress: string; txHash: string; blockNumber: string };
    };
    const { rows: [head] } = await system.customerSql.query<{ seq: string }>(`SELECT max(seq)::text AS seq FROM audit_entry`);
    const last = Number(head!.seq);
    // Every entry written so far is in a batch the chain has anchored (batches are cut every second).
    await eventually(async () => {
      const answer = await auditor.get<Proof>(`/audit/entries/${last}/proof`);
      return answer.status === 200 && answer.body.batch.status === 'anchored' ? true : undefined;
    }, 60_000, `entry ${last} anchored`);
    const provider = new JsonRpcProvider(system.anvil!.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    try {
      const rootsOnChain = new Map<string, string>();
      for (let seq = 1; seq <= last; seq += 1) {
        const { status, body: p } = await auditor.get<Proof>(`/audit/entries/${seq}/proof`);
        expect(status).toBe(200);
        const { rows: [entry] } = await system.customerSql.query<{ hash: string }>(`SELECT hash FROM audit_entry WHERE seq = $1`, [seq]);
        expect(p.entryHash).toBe(entry!.hash);
        const proof = p.proof.map((h) => Buffer.from(h, 'hex'));
        expect(merkleVerifyInclusion(p.leafIndex, Number(p.treeSize), merkleLeafHash(Buffer.from(p.entryHash, 'hex')), proof, Buffer.from(p.root, 'hex'))).toBe(true);
        // The root the proof leads to is the one the AuditAnchor contract holds for the batch: read from the chain, not the stack.
        expect(p.batch).toMatchObject({ status: 'anchored', merkleRoot: p.root });
        if (!rootsOnChain.has(p.batch.batchId)) {
          const anchor = new Contract(p.batch.contractAddress, artifact('AuditAnchor').abi, provider);
          rootsOnChain.set(p.batch.batchId, (await anchor.getFunction('rootOf')(BigInt(p.batch.batchId))) as string);
          expect((await provider.getTransactionReceipt(p.batch.txHash))?.blockNumber).toBe(Number(p.batch.blockNumber));
        }
        expect(rootsOnChain.get(p.batch.batchId)).toBe(`0x${p.root}`);
      }
      expect(rootsOnChain.size).toBeGreaterThan(0);
    } finally {
      provider.destroy();
    }
  }, 180_000);
});
