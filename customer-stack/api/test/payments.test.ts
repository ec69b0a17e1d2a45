// Payments on the real stack (Postgres, the HTTP server, the sandbox provider calling back over
// HTTP with signed webhooks): deposits settle at exactly their locked quote or not at all;
// webhooks with a bad signature, outside the window or replayed change nothing; withdrawals need
// a fresh TOTP code, respect the tier limit, screen the beneficiary, wait for a finance_ops
// approval above the threshold (two different people above the dual threshold, never the
// requester), convert at a fresh quote, and a provider failure releases the reservation.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { canonicalDecimal, decimal } from '@bulwark/shared-contracts';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import type { SqlDatabase } from '@bulwark/shared-contracts/wall';
import { createTestDatabase, eventually, startTestNats, testStackEnv, type TestDatabase, type TestNats } from '@bulwark/testing';
import { createCustomerApp } from '../src/app.js';
import { AmlService } from '../src/aml/aml.service.js';
import { AuthService } from '../src/auth/auth.service.js';
import { totpCode } from '../src/auth/totp.js';
import { CUSTOMER_CONFIG, parseCustomerConfig, type CustomerConfig } from '../src/config/customer-config.js';
import { LedgerService } from '../src/ledger/ledger.service.js';
import type { AccountKind } from '../src/ledger/ledger.types.js';
import { ReservationExpiryScheduler } from '../src/ledger/reservation-expiry.scheduler.js';
import { SandboxPaymentProvider } from '../src/payments/sandbox-payment-provider.js';
import { signWebhook } from '../src/payments/webhook-signature.js';
import { REFERENCE_TENANT_ID } from '../src/tenancy/reference-tenant.js';
import { TenantScope } from '../src/tenancy/tenant-scope.js';
import { loginAs, type LoggedIn } from './support/auth.js';
import { SANCTIONS_FIXTURES } from './support/sanctions-fixtures.js';

const tenantId = REFERENCE_TENANT_ID;
let nats: TestNats;
let database: TestDatabase;
let app: INestApplication;
let sandbox: SandboxPaymentProvider;
const http = () => request(app.getHttpServer());

beforeAll(async () => {
  nats = await startTestNats();
  database = await createTestDatabase('customer');
  app = await createCustomerApp(parseCustomerConfig(testStackEnv('customer', database, nats, {
    PAYMENTS_APPROVAL_THRESHOLD_USD: '100.00', PAYMENTS_DUAL_APPROVAL_THRESHOLD_USD: '1000.00',
  })));
  await app.listen(0, '127.0.0.1');
  await app.get(AmlService).importListFiles({
    openSanctions: `${SANCTIONS_FIXTURES}targets.simple.csv`, ofacSdn: `${SANCTIONS_FIXTURES}sdn.csv`, ofacAlt: `${SANCTIONS_FIXTURES}alt.csv`,
  });
  sandbox = app.get(SandboxPaymentProvider);
}, 60_000);

afterAll(async () => {
  await app?.close();
  await database?.drop();
  await nats?.stop();
});

// ------------------------------------------------------------------ helpers

type Investor = LoggedIn & { secret?: string; nextStepOffset: number };

const sql = <T>(text: string, params: unknown[] = []): Promise<T[]> => app.get(TenantScope).run(tenantId, (tx) => tx.query<T>(text, params));
const key = () => randomUUID();
const ref = (investor: LoggedIn): string => investor.principal.accountRef as string;
const eq = (actual: string, expected: string) => expect(canonicalDecimal(actual)).toBe(canonicalDecimal(expected));

async function approvedInvestor(): Promise<Investor> {
  const investor = await loginAs(app, { role: 'investor', tenantId });
  const kyc = await http().post('/kyc/submissions').set(investor.headers).set('Idempotency-Key', key()).send({
    givenNames: 'Nimal', familyName: 'Perera', dateOfBirth: '1985-12-05', residenceCountry: 'LK',
    address: { line1: '12 Galle Road', city: 'Colombo', postalCode: '00300', country: 'LK' },
    document: { type: 'lk_nic', number: '853400937V', country: 'LK' }, livenessToken: 'selfie-ok', requestedTier: 2,
  }).expect(200);
  expect(kyc.body).toMatchObject({ status: 'approved', tier: 2 });
  return { ...investor, nextStepOffset: 0 };
}

/** Enrols TOTP with the code of the previous step, so the current and the next step are free for two withdrawals. */
async function withTotp(investor: Investor): Promise<Investor> {
  const setup = await http().post('/auth/2fa/setup').set(investor.headers).expect(200);
  const secret = setup.body.secret as string;
  // The previous step is accepted only within one step of the server's clock: not across a step boundary mid-request.
  const intoStepMs = Date.now() % 30_000;
  if (intoStepMs > 25_000) await new Promise((resolve) => setTimeout(resolve, 30_000 - intoStepMs + 100));
  await http().post('/auth/2fa/enable').set(investor.headers).set('Idempotency-Key', key()).send({ code: totpCode(secret, Date.now() - 30_000) }).expect(204);
  return { ...investor, secret, nextStepOffset: 0 };
}

/** A code the server has not accepted before (each step is accepted once). */
function freshCode(investor: Investor): string {
  if (!investor.secret) throw new Error('enrol TOTP first');
  const code = totpCode(investor.secret, Date.now() + investor.nextStepOffset);
  investor.nextStepOffset += 30_000;
  return code;
}

async function balance(kind: AccountKind, ownerRef: string | null, unit: string): Promise<string> {
  return app.get(TenantScope).run(tenantId, (tx) => app.get(LedgerService).balance(tx, tenantId, { kind, ownerRef, unit }));
}

async function quote(investor: LoggedIn, sellAmount: string, sell = 'LKR', buy = 'USD') {
  const response = await http().post('/v1/fx/quotes').set(investor.headers).set('Idempotency-Key', key()).send({ sell, buy, sellAmount }).expect(201);
  return response.body as { quoteId: string; sellAmount: string; buyAmount: string; price: string; expiresAt: string };
}

const deposit = (investor: LoggedIn, quoteId: string, idempotencyKey = key()) =>
  http().post('/v1/payments/deposits').set(investor.headers).set('Idempotency-Key', idempotencyKey).send({ quoteId });

async function depositSettled(investor: LoggedIn, depositId: string, status = 'settled') {
  return eventually(async () => {
    const response = await http().get(`/v1/payments/deposits/${depositId}`).set(investor.headers).expect(200);
    return response.body.status === status ? response.body : undefined;
  }, 10_000, `deposit ${depositId} ${status}`);
}

/** Deposits LKR over HTTP and waits for the sandbox's webhook to settle it; returns the USD credited. */
async function fund(investor: LoggedIn, lkr: string): Promise<string> {
  const q = await quote(investor, lkr);
  const started = await deposit(investor, q.quoteId).expect(201);
  await depositSettled(investor, started.body.depositId);
  return q.buyAmount;
}

const beneficiary = (accountNumber = '0012345678', name = 'Nimal Perera', country = 'LK') => ({ name, accountNumber, bankCode: '7010', country });

function withdraw(investor: Investor, body: Record<string, unknown>, idempotencyKey = key()) {
  return http().post('/v1/payments/withdrawals').set(investor.headers).set('Idempotency-Key', idempotencyKey).send({ totpCode: freshCode(investor), ...body });
}

async function withdrawalStatus(withdrawalId: string): Promise<string> {
  const [row] = await sql<{ status: string }>(`SELECT status FROM payment_withdrawal WHERE id = $1`, [withdrawalId]);
  return row?.status ?? 'missing';
}

async function settledWithdrawal(withdrawalId: string, status = 'settled'): Promise<void> {
  await eventually(async () => ((await withdrawalStatus(withdrawalId)) === status ? true : undefined), 10_000, `withdrawal ${withdrawalId} ${status}`);
}

async function auditOf(resource: string): Promise<string[]> {
  const rows = await sql<{ action: string }>(`SELECT action FROM audit_entry WHERE resource = $1 ORDER BY seq`, [resource]);
  return rows.map((r) => r.action);
}

/** Moves a quote's expiry into the past: the five minutes have gone by. */
async function expireQuote(quoteId: string): Promise<void> {
  await sql(`UPDATE fx_quote SET expires_at = now() - interval '1 second' WHERE id = $1`, [quoteId]);
}

function webhookSecret(): Buffer {
  const [secret] = app.get<CustomerConfig>(CUSTOMER_CONFIG).money.payments.webhookSecrets.reveal();
  if (!secret) throw new Error('no webhook secret');
  return secret;
}

function postWebhook(body: string, headers: Record<string, string>) {
  return http().post('/v1/payments/webhooks/sandbox').set('Content-Type', 'application/json').set(headers).send(body);
}

// ------------------------------------------------------------------ deposits

describe('deposits at a locked quote', () => {
  it('settles at exactly the locked rate through the signed webhook: one posting keyed by the quote, exact balances, audited and notified', async () => {
    const investor = await approvedInvestor();
    const clearingBefore = await balance('bank_clearing', null, 'LKR');
    const q = await quote(investor, '3019.03');
    const started = await deposit(investor, q.quoteId).expect(201);
    expect(started.body).toMatchObject({
      status: 'pending', amount: '3019.03', currency: 'LKR', creditAmount: q.buyAmount, creditCurrency: 'USD', price: canonicalDecimal(q.price), quoteId: q.quoteId,
      rail: 'CEFTS', provider: 'sandbox', instructions: { payInReference: expect.stringMatching(/^BW-/) },
    });
    const settled = await depositSettled(investor, started.body.depositId);
    expect(settled.transactionId).toEqual(expect.any(String));
    // Exactly the quote's amounts: LKR in at the bank, USD out of FX conversion to the customer.
    eq(await balance('customer_cash', ref(investor), 'USD'), q.buyAmount);
    eq(decimal(await balance('bank_clearing', null, 'LKR')).minus(decimal(clearingBefore)).toString(), '3019.03');
    const [posting] = await sql<{ id: string; kind: string }>(`SELECT id, kind FROM ledger_transaction WHERE idempotency_key = $1`, [q.quoteId]);
    expect(posting).toEqual({ id: settled.transactionId, kind: 'deposit' });
    const [usedQuote] = await sql<{ status: string }>(`SELECT status FROM fx_quote WHERE id = $1`, [q.quoteId]);
    expect(usedQuote?.status).toBe('used');
    expect(await auditOf(`payment_deposit:${started.body.depositId}`)).toEqual(['payments.deposit.initiated', 'payments.deposit.pending', 'payments.deposit.settled']);
    const notices = await sql<{ event: string; data: Record<string, string> }>(`SELECT event, data FROM notification_outbox WHERE user_id = $1`, [investor.principal.userId]);
    expect(notices).toEqual(expect.arrayContaining([{ event: 'deposit.settled', data: expect.objectContaining({ depositId: started.body.depositId, credited: q.buyAmount }) }]));
    // The sandbox called the real route and was answered 200.
    expect(sandbox.deliveries().filter((d) => d.event.data.paymentId === started.body.depositId).map((d) => [d.event.type, d.status])).toEqual([['deposit.settled', 200]]);
    // The investor's lists.
    const listed = await http().get('/v1/payments/deposits').set(investor.headers).expect(200);
    expect(listed.body.deposits.map((d: { depositId: string }) => d.depositId)).toEqual([started.body.depositId]);
  });

  it('refuses an expired quote, a used quote and another customer\'s quote with clear codes, and records nothing', async () => {
    const investor = await approvedInvestor();
    const other = await approvedInvestor();
    const expired = await quote(investor, '1000.00');
    await expireQuote(expired.quoteId);
    expect((await deposit(investor, expired.quoteId).expect(410)).body).toMatchObject({ code: 'quote_expired' });
    const foreign = await quote(other, '1000.00');
    expect((await deposit(investor, foreign.quoteId).expect(403)).body).toMatchObject({ code: 'quote_foreign' });
    const once = await quote(investor, '1000.00');
    await deposit(investor, once.quoteId).expect(201);
    expect((await deposit(investor, once.quoteId).expect(409)).body).toMatchObject({ code: 'quote_used' });
    expect((await deposit(investor, randomUUID()).expect(404)).body).toMatchObject({ code: 'quote_not_found' });
    const usdToLkr = await quote(investor, '10.00', 'USD', 'LKR');
    expect((await deposit(investor, usdToLkr.quoteId).expect(422)).body).toMatchObject({ code: 'quote_not_a_deposit' });
    const rows = await sql<{ quote_id: string }>(`SELECT quote_id FROM payment_deposit WHERE account_ref = $1`, [ref(investor)]);
    expect(rows.map((r) => r.quote_id)).toEqual([once.quoteId]);
  });

  it('refuses money movements to an investor whose KYC is not approved, and a mutation without an Idempotency-Key', async () => {
    const unverified = await loginAs(app, { role: 'investor', tenantId });
    const q = await quote(unverified, '1000.00');
    expect((await deposit(unverified, q.quoteId).expect(403)).body).toMatchObject({ code: 'kyc_not_approved' });
    expect((await http().post('/v1/payments/deposits').set(unverified.headers).send({ quoteId: q.quoteId }).expect(400)).body).toMatchObject({ code: 'idempotency_key_missing' });
    await http().post('/v1/payments/deposits').send({ quoteId: q.quoteId }).set('Idempotency-Key', key()).expect(401);
    expect(await sql(`SELECT id FROM payment_deposit WHERE account_ref = $1`, [ref(unverified)])).toEqual([]);
  });

  it('documents its routes and their zod bodies in the OpenAPI document', async () => {
    const docs = await http().get('/docs-json').expect(200);
    const paths = docs.body.paths as Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> } }>>;
    for (const path of ['/v1/payments/deposits', '/v1/payments/deposits/{depositId}', '/v1/payments/withdrawals', '/v1/payments/withdrawals/{withdrawalId}',
      '/v1/payments/approvals', '/v1/payments/withdrawals/{withdrawalId}/approve', '/v1/payments/withdrawals/{withdrawalId}/reject', '/v1/payments/webhooks/{provider}']) {
      expect(Object.keys(paths)).toContain(path);
    }
    expect(Object.keys(paths['/v1/payments/deposits']?.post?.requestBody?.content['application/json']?.schema.properties ?? {})).toEqual(['quoteId', 'urgency']);
    expect(Object.keys(paths['/v1/payments/withdrawals']?.post?.requestBody?.content['application/json']?.schema.properties ?? {}))
      .toEqual(['amount', 'totpCode', 'beneficiary', 'urgency']);
  });

  it('replays the same Idempotency-Key with the original answer and makes one deposit', async () => {
    const investor = await approvedInvestor();
    const q = await quote(investor, '2000.00');
    const idempotencyKey = key();
    const first = await deposit(investor, q.quoteId, idempotencyKey).expect(201);
    const again = await deposit(investor, q.quoteId, idempotencyKey).expect(201);
    expect(again.body).toEqual(first.body);
    await depositSettled(investor, first.body.depositId);
    eq(await balance('customer_cash', ref(investor), 'USD'), q.buyAmount);
    expect(await sql(`SELECT id FROM payment_deposit WHERE account_ref = $1`, [ref(investor)])).toHaveLength(1);
  });

  it('does not convert at a stale rate: a settlement arriving after the quote expired fails the deposit, returns the money and credits nothing', async () => {
    const investor = await approvedInvestor();
    const q = await quote(investor, '5000.42'); // .42: the sandbox reports pending now and settles later
    const started = await deposit(investor, q.quoteId).expect(201);
    await eventually(async () => (sandbox.deliveries().some((d) => d.event.data.paymentId === started.body.depositId && d.status === 200) ? true : undefined), 10_000, 'the pending webhook');
    await expireQuote(q.quoteId);
    expect(await sandbox.releaseDelayed()).toBeGreaterThanOrEqual(1);
    const failed = await depositSettled(investor, started.body.depositId, 'failed');
    expect(failed).toMatchObject({ failureCode: 'quote_expired', transactionId: null });
    eq(await balance('customer_cash', ref(investor), 'USD'), '0');
    expect(await sql(`SELECT id FROM ledger_transaction WHERE idempotency_key = $1`, [q.quoteId])).toEqual([]);
    const [row] = await eventually(async () => {
      const rows = await sql<{ return_ref: string | null }>(`SELECT return_ref FROM payment_deposit WHERE id = $1`, [started.body.depositId]);
      return rows[0]?.return_ref ? rows : undefined;
    }, 10_000, 'the return of funds');
    expect(row?.return_ref).toMatch(/^sbx_ret_/);
    expect(await auditOf(`payment_deposit:${started.body.depositId}`)).toEqual([
      'payments.deposit.initiated', 'payments.deposit.pending', 'payments.deposit.failed', 'payments.deposit.returned',
    ]);
  });

  it('fails a deposit the provider reports failed (.13), crediting nothing', async () => {
    const investor = await approvedInvestor();
    const q = await quote(investor, '1500.13');
    const started = await deposit(investor, q.quoteId).expect(201);
    expect(await depositSettled(investor, started.body.depositId, 'failed')).toMatchObject({ failureCode: 'payer_account_closed' });
    eq(await balance('customer_cash', ref(investor), 'USD'), '0');
  });
});

describe('configuration', () => {
  it('takes a previous webhook secret during a rotation, and refuses a dual-approval threshold below the single one or a short secret', () => {
    const env = testStackEnv('customer', database, nats);
    const previous = Buffer.alloc(32, 3).toString('base64url');
    const rotated = parseCustomerConfig({ ...env, PAYMENTS_WEBHOOK_PREVIOUS_SECRET: previous }).money.payments.webhookSecrets.reveal();
    expect(rotated.map((secret) => secret.toString('base64url'))).toEqual([env.PAYMENTS_WEBHOOK_SECRET, previous]);
    expect(() => parseCustomerConfig({ ...env, PAYMENTS_APPROVAL_THRESHOLD_USD: '500.00', PAYMENTS_DUAL_APPROVAL_THRESHOLD_USD: '499.99' })).toThrow(/PAYMENTS_DUAL_APPROVAL_THRESHOLD_USD/);
    expect(() => parseCustomerConfig({ ...env, PAYMENTS_WEBHOOK_SECRET: 'c2hvcnQ' })).toThrow(/PAYMENTS_WEBHOOK_SECRET/);
    expect(() => parseCustomerConfig({ ...env, PAYMENTS_WEBHOOK_SECRET: undefined })).toThrow(/PAYMENTS_WEBHOOK_SECRET/);
  });
});

describe('the webhook route', () => {
  it('is public but signature-checked: a bad signature, a changed body, a timestamp outside the window and a replay are refused and change nothing', async () => {
    const investor = await approvedInvestor();
    // A deposit held pending by the sandbox (.42): its settlement we forge, sign and replay ourselves.
    const q = await quote(investor, '2500.42');
    const started = await deposit(investor, q.quoteId).expect(201);
    const depositId = started.body.depositId as string;
    const pending = await eventually(async () => sandbox.deliveries().find((d) => d.event.data.paymentId === depositId && d.status === 200), 10_000, 'the pending webhook');
    const event = { ...pending.event, id: `evt_${randomUUID()}`, type: 'deposit.settled' as const };
    const body = JSON.stringify(event);
    const now = Date.now();
    const refused: [string, string, Record<string, string>, number, string][] = [
      ['no signature', body, {}, 401, 'webhook_signature_missing'],
      ['another secret', body, signWebhook(Buffer.alloc(32, 1), Buffer.from(body), now), 401, 'webhook_signature_invalid'],
      ['a changed body', body.replace(q.sellAmount, '9999999.00'), signWebhook(webhookSecret(), Buffer.from(body), now), 401, 'webhook_signature_invalid'],
      ['six minutes old', body, signWebhook(webhookSecret(), Buffer.from(body), now - 6 * 60_000), 401, 'webhook_timestamp_outside_window'],
      ['six minutes ahead', body, signWebhook(webhookSecret(), Buffer.from(body), now + 6 * 60_000), 401, 'webhook_timestamp_outside_window'],
      ['a malformed signature', body, { 'webhook-timestamp': String(Math.floor(now / 1000)), 'webhook-signature': 'v1=zz' }, 401, 'webhook_signature_malformed'],
    ];
    for (const [, sent, headers, status, code] of refused) {
      const response = await postWebhook(sent, headers);
      expect([response.status, response.body.code]).toEqual([status, code]);
    }
    expect((await http().get(`/v1/payments/deposits/${depositId}`).set(investor.headers).expect(200)).body.status).toBe('pending');
    eq(await balance('customer_cash', ref(investor), 'USD'), '0');
    // Signed right, it settles; the very same delivery again is a replay; so is the same event re-signed later.
    const headers = signWebhook(webhookSecret(), Buffer.from(body), Date.now());
    expect((await postWebhook(body, headers).expect(200)).body).toEqual({ received: true, eventId: event.id });
    eq(await balance('customer_cash', ref(investor), 'USD'), q.buyAmount);
    expect((await postWebhook(body, headers).expect(409)).body).toMatchObject({ code: 'webhook_replayed' });
    expect((await postWebhook(body, signWebhook(webhookSecret(), Buffer.from(body), Date.now() + 1_000)).expect(409)).body).toMatchObject({ code: 'webhook_replayed' });
    eq(await balance('customer_cash', ref(investor), 'USD'), q.buyAmount);
    // The sandbox's held settlement, when it comes, finds the deposit settled and changes nothing.
    await sandbox.releaseDelayed();
    eq(await balance('customer_cash', ref(investor), 'USD'), q.buyAmount);
    // An unknown provider, and an event that is not one.
    expect((await postWebhook(body, headers).set('x', 'y').expect(409)).body.code).toBe('webhook_replayed');
    expect((await http().post('/v1/payments/webhooks/nobody').set('Content-Type', 'application/json').send(body).expect(404)).body.code).toBe('provider_unknown');
    const junk = JSON.stringify({ hello: 'world' });
    expect((await postWebhook(junk, signWebhook(webhookSecret(), Buffer.from(junk), Date.now())).expect(400)).body.code).toBe('webhook_malformed');
  });
});

// ------------------------------------------------------------------ withdrawals

describe('withdrawals', () => {
  it('needs a fresh TOTP code: none, or a wrong one, is refused and nothing is held', async () => {
    const investor = await withTotp(await approvedInvestor());
    const usd = await fund(investor, '6000.00');
    const none = await http().post('/v1/payments/withdrawals').set(investor.headers).set('Idempotency-Key', key()).send({ amount: '5.00', beneficiary: beneficiary() });
    expect([none.status, none.body.code]).toEqual([403, 'step_up_required']);
    const wrong = await http().post('/v1/payments/withdrawals').set(investor.headers).set('Idempotency-Key', key())
      .send({ amount: '5.00', beneficiary: beneficiary(), totpCode: totpCode(investor.secret as string, Date.now() + 10 * 30_000) });
    expect([wrong.status, wrong.body.code]).toEqual([403, 'step_up_failed']);
    eq(await balance('customer_cash', ref(investor), 'USD'), usd);
    eq(await balance('customer_reserved', ref(investor), 'USD'), '0');
    expect(await sql(`SELECT id FROM payment_withdrawal WHERE account_ref = $1`, [ref(investor)])).toEqual([]);
  });

  it('sends a small withdrawal at once at a fresh USD→LKR quote; the provider\'s settlement posts the reservation; exact balances', async () => {
    const investor = await withTotp(await approvedInvestor());
    const usd = await fund(investor, '9000.00');
    const clearingBefore = await balance('bank_clearing', null, 'LKR');
    const body = { amount: '12.34', beneficiary: beneficiary(), totpCode: freshCode(investor) };
    const idempotencyKey = key();
    const sent = await http().post('/v1/payments/withdrawals').set(investor.headers).set('Idempotency-Key', idempotencyKey).send(body).expect(201);
    expect(sent.body).toMatchObject({ amount: '12.34', currency: 'USD', payoutCurrency: 'LKR', rail: 'CEFTS', approvalsRequired: 0 });
    expect(['sent', 'settled']).toContain(sent.body.status);
    const id = sent.body.withdrawalId as string;
    await settledWithdrawal(id);
    // A client retrying the same request (same key, same body) gets the first answer; nothing is sent twice.
    const retried = await http().post('/v1/payments/withdrawals').set(investor.headers).set('Idempotency-Key', idempotencyKey).send(body).expect(201);
    expect(retried.body).toEqual(sent.body);
    expect(await sql(`SELECT id FROM payment_withdrawal WHERE account_ref = $1`, [ref(investor)])).toHaveLength(1);
    // Had its outcome been lost and its claim been taken over past the pending timeout, the retry
    // (named by the same request) finds the withdrawal it made instead of requesting a second one.
    await app.get<SqlDatabase>(SQL_DATABASE).transaction((tx) => tx.query(
      `UPDATE idempotency_record SET state = 'pending', response_status = NULL, response_body = NULL, created_at = created_at - interval '2 minutes' WHERE key = $1`,
      [idempotencyKey]));
    const takenOver = await http().post('/v1/payments/withdrawals').set(investor.headers).set('Idempotency-Key', idempotencyKey).send(body).expect(201);
    expect(takenOver.body.withdrawalId).toBe(id);
    expect(await sql(`SELECT id FROM payment_withdrawal WHERE account_ref = $1`, [ref(investor)])).toHaveLength(1);
    const [row] = await sql<{ quote_id: string; payout_amount: string; settle_transaction_id: string }>(
      `SELECT quote_id, payout_amount::text, settle_transaction_id FROM payment_withdrawal WHERE id = $1`, [id]);
    const [used] = await sql<{ buy_amount: string; status: string }>(`SELECT buy_amount::text, status FROM fx_quote WHERE id = $1`, [row?.quote_id]);
    expect(used?.status).toBe('used');
    eq(row?.payout_amount ?? '', used?.buy_amount ?? 'x');
    expect(await sql(`SELECT id FROM ledger_transaction WHERE idempotency_key = $1`, [row?.quote_id])).toHaveLength(1);
    eq(await balance('customer_cash', ref(investor), 'USD'), decimal(usd).minus(decimal('12.34')).toString());
    eq(await balance('customer_reserved', ref(investor), 'USD'), '0');
    eq(decimal(clearingBefore).minus(decimal(await balance('bank_clearing', null, 'LKR'))).toString(), row?.payout_amount ?? 'x');
    expect(await auditOf(`payment_withdrawal:${id}`)).toEqual([
      'payments.withdrawal.requested', 'payments.withdrawal.sending', expect.stringMatching(/^payments\.withdrawal\.(sent|settled)$/), expect.stringMatching(/^payments\.withdrawal\.(sent|settled)$/),
    ]);
    const notices = await sql<{ event: string }>(`SELECT event FROM notification_outbox WHERE user_id = $1 ORDER BY created_at`, [investor.principal.userId]);
    expect(notices.map((n) => n.event)).toEqual(expect.arrayContaining(['withdrawal.requested', 'withdrawal.settled']));
    // The person's subject-access export has their payments, the beneficiary opened from the vault.
    const exported = await http().get('/privacy/export').set(investor.headers).expect(200);
    expect(exported.body.sections.payments).toMatchObject({
      deposits: [expect.objectContaining({ status: 'settled', currency: 'LKR' })],
      withdrawals: [expect.objectContaining({ withdrawalId: id, status: 'settled', beneficiary: beneficiary() })],
    });
  });

  it('refuses a withdrawal over the tier\'s daily limit, and one beyond the available balance', async () => {
    const investor = await withTotp(await approvedInvestor());
    const usd = await fund(investor, '1600000.00'); // about 5,300 USD; tier 2 withdraws at most 5,000 a day
    const over = await withdraw(investor, { amount: '5000.01', beneficiary: beneficiary() });
    expect([over.status, over.body.code]).toEqual([422, 'daily_withdrawal_limit_exceeded']);
    const poor = await withTotp(await approvedInvestor());
    await fund(poor, '3000.00');
    const broke = await withdraw(poor, { amount: '50.00', beneficiary: beneficiary() });
    expect([broke.status, broke.body.code]).toEqual([422, 'insufficient_funds']);
    eq(await balance('customer_cash', ref(investor), 'USD'), usd);
    eq(await balance('customer_reserved', ref(poor), 'USD'), '0');
  });

  it('holds a withdrawal to a sanctioned beneficiary for AML review (the investor sees it pending); it cannot be approved, only rejected, which releases it', async () => {
    const investor = await withTotp(await approvedInvestor());
    const usd = await fund(investor, '9000.00');
    const held = await withdraw(investor, { amount: '20.00', beneficiary: beneficiary('0055550000', 'Abdalla Yousef Alnaqbi', 'AE') }).expect(201);
    expect(held.body).toMatchObject({ status: 'pending_approval', rail: 'SWIFT' });
    const id = held.body.withdrawalId as string;
    expect(await withdrawalStatus(id)).toBe('held');
    eq(await balance('customer_reserved', ref(investor), 'USD'), '20');
    const alerts = await sql<{ rule: string }>(`SELECT rule FROM aml_alert WHERE user_id = $1`, [investor.principal.userId]);
    expect(alerts.map((a) => a.rule)).toContain('beneficiary_screening_hit');
    const ops = await loginAs(app, { role: 'finance_ops', tenantId });
    const queue = await http().get('/v1/payments/approvals').set(ops.headers).expect(200);
    expect(queue.body.withdrawals.find((w: { withdrawalId: string }) => w.withdrawalId === id)).toMatchObject({ status: 'held', screeningDecision: 'blocked', beneficiaryAccountLast4: '0000' });
    expect((await http().post(`/v1/payments/withdrawals/${id}/approve`).set(ops.headers).set('Idempotency-Key', key()).expect(409)).body.code).toBe('withdrawal_held');
    const rejected = await http().post(`/v1/payments/withdrawals/${id}/reject`).set(ops.headers).set('Idempotency-Key', key()).send({ reason: 'beneficiary on a sanctions list' }).expect(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', failureCode: 'rejected_by_finance_ops' });
    eq(await balance('customer_cash', ref(investor), 'USD'), usd);
    eq(await balance('customer_reserved', ref(investor), 'USD'), '0');
    expect(await auditOf(`payment_withdrawal:${id}`)).toEqual(['payments.withdrawal.requested', 'payments.withdrawal.held', 'payments.withdrawal.rejected']);
  });

  it('waits above the threshold for finance_ops; the investor cannot approve; above the dual threshold two different people approve; then it is sent and settles', async () => {
    const investor = await withTotp(await approvedInvestor());
    const usd = await fund(investor, '483040.00'); // about 1,600 USD
    const opsA = await loginAs(app, { role: 'finance_ops', tenantId });
    const opsB = await loginAs(app, { role: 'finance_ops', tenantId });
    const big = await withdraw(investor, { amount: '1500.00', beneficiary: beneficiary() }).expect(201);
    const id = big.body.withdrawalId as string;
    expect(big.body).toMatchObject({ status: 'pending_approval', approvalsRequired: 2, approvals: 0 });
    eq(await balance('customer_reserved', ref(investor), 'USD'), '1500');
    // A rapid deposit → withdrawal raised a monitoring alert.
    const alerts = await sql<{ rule: string }>(`SELECT rule FROM aml_alert WHERE user_id = $1`, [investor.principal.userId]);
    expect(alerts.map((a) => a.rule)).toContain('rapid_deposit_withdrawal');
    expect((await http().post(`/v1/payments/withdrawals/${id}/approve`).set(investor.headers).set('Idempotency-Key', key()).expect(403)).body.code).toBe('forbidden');
    const first = await http().post(`/v1/payments/withdrawals/${id}/approve`).set(opsA.headers).set('Idempotency-Key', key()).expect(200);
    expect(first.body).toMatchObject({ status: 'pending_approval', approvals: 1, approvedBy: [opsA.principal.userId] });
    expect((await http().post(`/v1/payments/withdrawals/${id}/approve`).set(opsA.headers).set('Idempotency-Key', key()).expect(409)).body.code).toBe('approver_already_approved');
    const second = await http().post(`/v1/payments/withdrawals/${id}/approve`).set(opsB.headers).set('Idempotency-Key', key()).expect(200);
    expect(['sent', 'settled']).toContain(second.body.status);
    await settledWithdrawal(id);
    eq(await balance('customer_cash', ref(investor), 'USD'), decimal(usd).minus(decimal('1500')).toString());
    eq(await balance('customer_reserved', ref(investor), 'USD'), '0');
    const actions = await auditOf(`payment_withdrawal:${id}`);
    expect(actions.slice(0, 4)).toEqual(['payments.withdrawal.requested', 'payments.withdrawal.approved', 'payments.withdrawal.approved', 'payments.withdrawal.sending']);
    const mine = await http().get('/v1/payments/withdrawals').set(investor.headers).expect(200);
    expect(mine.body.withdrawals).toEqual([expect.objectContaining({ withdrawalId: id, status: 'settled', approvals: 2 })]);
  });

  it('never lets the requester approve their own withdrawal', async () => {
    // A person who is both an investor and finance_ops (a staff member who invests).
    const auth = app.get(AuthService);
    const email = `both-${randomUUID()}@test.bulwark.local`;
    const password = `pw-${randomUUID()}`;
    await app.get(TenantScope).run(tenantId, (tx) => auth.createAccount(tx, tenantId, { email, password, roles: ['investor', 'finance_ops'], createdBy: null }, randomUUID()));
    const login = await auth.login(tenantId, email, password, { ip: `test-${randomUUID()}`, userAgent: 'bulwark-tests', deviceId: undefined });
    if (login.kind !== 'session') throw new Error('no second factor yet');
    const both: Investor = { principal: login.session.principal, email, password, accessToken: login.session.accessToken, refreshToken: login.session.refreshToken,
      headers: { Authorization: `Bearer ${login.session.accessToken}` }, cookies: [], nextStepOffset: 0 };
    await http().post('/kyc/submissions').set(both.headers).set('Idempotency-Key', key()).send({
      givenNames: 'Nimal', familyName: 'Perera', dateOfBirth: '1985-12-05', residenceCountry: 'LK',
      address: { line1: '12 Galle Road', city: 'Colombo', postalCode: '00300', country: 'LK' },
      document: { type: 'lk_nic', number: '853400937V', country: 'LK' }, livenessToken: 'selfie-ok', requestedTier: 2,
    }).expect(200);
    const enrolled = await withTotp(both);
    await fund(enrolled, '60000.00');
    const mine = await withdraw(enrolled, { amount: '150.00', beneficiary: beneficiary() }).expect(201);
    expect(mine.body).toMatchObject({ status: 'pending_approval', approvalsRequired: 1 });
    const self = await http().post(`/v1/payments/withdrawals/${mine.body.withdrawalId}/approve`).set(enrolled.headers).set('Idempotency-Key', key()).expect(403);
    expect(self.body.code).toBe('approver_is_requester');
    expect(await withdrawalStatus(mine.body.withdrawalId)).toBe('pending_approval');
  });

  it.each([
    ['refused by the provider at once (…0099)', '0011110099', 'beneficiary_account_invalid'],
    ['failed by the provider\'s webhook (…0013)', '0011110013', 'beneficiary_account_closed'],
  ])('releases the reservation and reverses the LKR commitment when the payout is %s', async (_name, accountNumber, failureCode) => {
    const investor = await withTotp(await approvedInvestor());
    const usd = await fund(investor, '9000.00');
    const clearingBefore = await balance('bank_clearing', null, 'LKR');
    const sent = await withdraw(investor, { amount: '25.00', beneficiary: beneficiary(accountNumber) }).expect(201);
    const id = sent.body.withdrawalId as string;
    await settledWithdrawal(id, 'failed');
    const [row] = await sql<{ failure_code: string; conversion_transaction_id: string }>(`SELECT failure_code, conversion_transaction_id FROM payment_withdrawal WHERE id = $1`, [id]);
    expect(row?.failure_code).toBe(failureCode);
    eq(await balance('customer_cash', ref(investor), 'USD'), usd);
    eq(await balance('customer_reserved', ref(investor), 'USD'), '0');
    eq(await balance('bank_clearing', null, 'LKR'), clearingBefore);
    expect(await sql(`SELECT id FROM ledger_transaction WHERE reverses = $1`, [row?.conversion_transaction_id])).toHaveLength(1);
    const notices = await sql<{ event: string }>(`SELECT event FROM notification_outbox WHERE user_id = $1`, [investor.principal.userId]);
    expect(notices.map((n) => n.event)).toContain('withdrawal.failed');
  });

  it('never overdraws under concurrent withdrawals: each request reserves under the account lock, at most what is there', async () => {
    const investor = await withTotp(await approvedInvestor());
    const usd = await fund(investor, '60000.00'); // about 198 USD
    const amount = canonicalDecimal(decimal(usd).times(decimal('0.6')).round(2, 0));
    // Two codes are free (the current step and the next): both requests may pass 2FA; the ledger lets one through.
    const answers = await Promise.all([0, 1].map(() => withdraw(investor, { amount, beneficiary: beneficiary() })));
    const statuses = answers.map((a) => (a.status === 201 ? 'ok' : a.body.code as string)).sort();
    expect(statuses.filter((s) => s === 'ok')).toHaveLength(1);
    expect(statuses.every((s) => ['ok', 'insufficient_funds', 'step_up_failed'].includes(s))).toBe(true);
    eq(await balance('customer_reserved', ref(investor), 'USD'), amount);
    eq(await balance('customer_cash', ref(investor), 'USD'), decimal(usd).minus(decimal(amount)).toString());
    expect(decimal(await balance('customer_cash', ref(investor), 'USD')).gte(decimal('0'))).toBe(true);
  });

  it('fails a withdrawal still waiting when its hold expires (money released) and renews the hold of one with the provider until it settles', async () => {
    const investor = await withTotp(await approvedInvestor());
    const usd = await fund(investor, '60000.00');
    const waiting = await withdraw(investor, { amount: '150.00', beneficiary: beneficiary() }).expect(201);
    const inflight = await withdraw(investor, { amount: '20.00', beneficiary: beneficiary('0022220042') }).expect(201); // …0042: the provider settles it later
    expect([waiting.body.status, inflight.body.status]).toEqual(['pending_approval', 'sent']);
    eq(await balance('customer_reserved', ref(investor), 'USD'), '170');
    const [before] = await sql<{ reservation_id: string }>(`SELECT reservation_id FROM payment_withdrawal WHERE id = $1`, [inflight.body.withdrawalId]);
    const holdMs = app.get<CustomerConfig>(CUSTOMER_CONFIG).money.payments.withdrawalHoldMs;
    await app.get(ReservationExpiryScheduler).sweep(new Date(Date.now() + holdMs + 60_000));
    expect(await withdrawalStatus(waiting.body.withdrawalId)).toBe('failed');
    expect((await http().get(`/v1/payments/withdrawals/${waiting.body.withdrawalId}`).set(investor.headers).expect(200)).body.failureCode).toBe('approval_expired');
    expect(await withdrawalStatus(inflight.body.withdrawalId)).toBe('sent');
    const [after] = await sql<{ reservation_id: string }>(`SELECT reservation_id FROM payment_withdrawal WHERE id = $1`, [inflight.body.withdrawalId]);
    expect(after?.reservation_id).not.toBe(before?.reservation_id);
    eq(await balance('customer_reserved', ref(investor), 'USD'), '20');
    eq(await balance('customer_cash', ref(investor), 'USD'), decimal(usd).minus(decimal('20')).toString());
    await sandbox.releaseDelayed();
    await settledWithdrawal(inflight.body.withdrawalId);
    eq(await balance('customer_reserved', ref(investor), 'USD'), '0');
    eq(await balance('customer_cash', ref(investor), 'USD'), decimal(usd).minus(decimal('20')).toString());
    expect(await auditOf(`payment_withdrawal:${waiting.body.withdrawalId}`)).toEqual(['payments.withdrawal.requested', 'payments.withdrawal.expired']);
    expect(await auditOf(`payment_withdrawal:${inflight.body.withdrawalId}`)).toContain('payments.withdrawal.hold_renewed');
  });
});
