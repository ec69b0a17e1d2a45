// KYC, AML and the compliance console against the real stack (Postgres under row-level
// security, NATS, the HTTP pipeline with real sign-ins): onboarding decisions and their
// fail-closed paths, screening at onboarding and of beneficiaries, the daily re-screen against
// list changes, each monitoring rule raising an alert, the review queue, the four-eyes freeze,
// the MLRO-only SAR register and the console's customer view and audit trail.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import pg from 'pg';
import request from 'supertest';
import type { SqlTx } from '@bulwark/shared-contracts/wall';
import { PG_ADMIN_URL, createTestDatabase, startTestNats, testStackEnv, type TestDatabase, type TestNats } from '@bulwark/testing';
import { createCustomerApp } from '../src/app.js';
import { AmlService } from '../src/aml/aml.service.js';
import { TransactionMonitor } from '../src/aml/transaction-monitor.js';
import { parseCustomerConfig } from '../src/config/customer-config.js';
import { PrivacyService } from '../src/privacy/privacy.service.js';
import { KycService } from '../src/kyc/kyc.service.js';
import { REFERENCE_TENANT_ID } from '../src/tenancy/reference-tenant.js';
import { TenantScope } from '../src/tenancy/tenant-scope.js';
import { loginAs, routeAccess, type LoggedIn } from './support/auth.js';
import { SANCTIONS_FIXTURES } from './support/sanctions-fixtures.js';

const tenantId = REFERENCE_TENANT_ID;
let nats: TestNats;
let database: TestDatabase;
let env: Record<string, string>;
let app: INestApplication;
const http = () => request(app.getHttpServer());
const inRef = <T>(work: (tx: SqlTx) => Promise<T>) => app.get(TenantScope).run(tenantId, work);

beforeAll(async () => {
  nats = await startTestNats();
  database = await createTestDatabase('customer');
  env = testStackEnv('customer', database, nats, {
    KYC_PROVIDER_TIMEOUT_MS: '300',
    KYC_BREAKER_RESET_MS: '600000',
    KYC_RETRY_INTERVAL_MS: '600000',
    KYC_RETRY_ATTEMPTS_MAX: '2',
  });
  app = await createCustomerApp(parseCustomerConfig(env));
  await app.listen(0, '127.0.0.1');
  await app.get(AmlService).importListFiles({
    openSanctions: `${SANCTIONS_FIXTURES}targets.simple.csv`,
    ofacSdn: `${SANCTIONS_FIXTURES}sdn.csv`,
    ofacAlt: `${SANCTIONS_FIXTURES}alt.csv`,
  });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await database?.drop();
  await nats?.stop();
});

interface Submission {
  givenNames?: string;
  familyName?: string;
  dateOfBirth?: string;
  residenceCountry?: string;
  nic?: string;
  requestedTier?: 1 | 2 | 3;
  livenessToken?: string;
}

function submission(s: Submission = {}) {
  return {
    givenNames: s.givenNames ?? 'Nimal',
    familyName: s.familyName ?? 'Perera',
    dateOfBirth: s.dateOfBirth ?? '1985-12-05',
    residenceCountry: s.residenceCountry ?? 'LK',
    address: { line1: '12 Galle Road', city: 'Colombo', postalCode: '00300', country: 'LK' },
    document: { type: 'lk_nic', number: s.nic ?? '853400937V', country: 'LK' },
    livenessToken: s.livenessToken ?? 'selfie-ok',
    requestedTier: s.requestedTier ?? 2,
  };
}

async function onboard(s: Submission = {}): Promise<{ investor: LoggedIn; body: Record<string, unknown> }> {
  const investor = await loginAs(app, { role: 'investor', tenantId });
  const response = await http().post('/kyc/submissions').set(investor.headers).set('Idempotency-Key', randomUUID()).send(submission(s)).expect(200);
  return { investor, body: response.body as Record<string, unknown> };
}

describe('the list import command (npm run aml:import, built)', () => {
  it('stores the published files as the next version, recording what changed and the files\' hashes, and refuses a malformed file', async () => {
    const command = fileURLToPath(new URL('../dist/aml/import-lists.command.js', import.meta.url));
    const files = ['--opensanctions', `${SANCTIONS_FIXTURES}targets.simple.csv`, '--ofac-sdn', `${SANCTIONS_FIXTURES}sdn.csv`, '--ofac-alt', `${SANCTIONS_FIXTURES}alt.csv`];
    const { stdout } = await promisify(execFile)(process.execPath, [command, ...files], { env: { ...process.env, ...env } });
    const summary = JSON.parse(stdout) as { version: number; entries: number; added: number; changed: number; removed: number; sources: Record<string, { sha256: string }> };
    expect(summary).toMatchObject({ version: 2, entries: 24, added: 0, changed: 0, removed: 0 });
    expect(summary.sources.ofacSdn?.sha256).toMatch(/^[0-9a-f]{64}$/);
    // Platform-level audit entries (no tenant) are outside every tenant's view: read them as the superuser.
    const superuser = new pg.Client({ connectionString: PG_ADMIN_URL.replace(/\/[^/]*$/, `/${database.name}`) });
    await superuser.connect();
    try {
      const { rows } = await superuser.query<{ actor: string; tenant_id: string | null }>(`SELECT actor, tenant_id FROM audit_entry WHERE action = 'aml.lists.imported' ORDER BY seq`);
      expect(rows).toEqual([{ actor: 'system:aml', tenant_id: null }, { actor: 'command:aml-import', tenant_id: null }]);
    } finally {
      await superuser.end();
    }
    const failed = promisify(execFile)(process.execPath, [command, '--ofac-sdn', `${SANCTIONS_FIXTURES}targets.simple.csv`, '--ofac-alt', `${SANCTIONS_FIXTURES}alt.csv`], { env: { ...process.env, ...env } });
    await expect(failed).rejects.toMatchObject({ stderr: expect.stringMatching(/sdn\.csv line 1: expected 12 fields/) });
    // Two runs of the built command, each a Node process loading the stack's modules: 30 s was
    // not enough on this 2-core machine at a load average of 15.
  }, 120_000);
});

describe('KYC onboarding', () => {
  it('approves a valid Sri Lankan adult at the tier asked for, with that tier\'s limits, audited and notified', async () => {
    const { investor, body } = await onboard();
    expect(body).toMatchObject({ status: 'approved', tier: 2, reasons: [] });
    const standing = await inRef((tx) => app.get(KycService).standing(tx, investor.principal.userId));
    expect(standing).toEqual({ status: 'approved', tier: 2, dailyTradeLimitUsd: '10000.00', dailyWithdrawalLimitUsd: '5000.00' });
    const audit = await inRef((tx) => tx.query<{ action: string }>(`SELECT action FROM audit_entry WHERE resource = $1 ORDER BY seq`, [`customer:${investor.principal.userId}`]));
    expect(audit.map((a) => a.action)).toEqual(['kyc.submission.received', 'aml.screening.completed', 'kyc.decision.recorded']);
    const notified = await inRef((tx) => tx.query<{ data: Record<string, string> }>(`SELECT data FROM notification_outbox WHERE user_id = $1 AND event = 'kyc.decided'`, [investor.principal.userId]));
    expect(notified).toEqual([{ data: { status: 'approved', tier: '2' } }]);
  });

  it('stores personal data only sealed', async () => {
    const { investor } = await onboard({ givenNames: 'Kasun', familyName: 'Jayawardena' });
    const [row] = await inRef((tx) => tx.query<{ personal_data: Buffer; row: string }>(`SELECT personal_data, kyc_profile::text AS row FROM kyc_profile WHERE user_id = $1`, [investor.principal.userId]));
    expect(row?.row).not.toMatch(/Kasun|Jayawardena|853400937V|Galle/);
    expect(row?.personal_data.toString('latin1')).not.toMatch(/Kasun|853400937V/);
  });

  it.each([
    ['a 16-year-old (tenant minimum 18)', { dateOfBirth: '2010-05-01', nic: '201012200123' }, 'rejected', ['underage']],
    ['a resident of India', { residenceCountry: 'IN' }, 'rejected', ['residency_not_allowed']],
    ['a NIC that encodes another birthday', { nic: '853410937V' }, 'rejected', ['document_date_of_birth_mismatch']],
    ['a malformed NIC', { nic: '85340093V' }, 'rejected', ['document_number_invalid']],
    ['a document the provider finds forged', { nic: '853400991V' }, 'rejected', ['document_not_authentic']],
    ['a document the provider cannot read', { nic: '853400992V' }, 'manual_review', ['document_unclear']],
    ['a failed liveness check for tier 2', { livenessToken: 'spoof-mask' }, 'rejected', ['liveness_failed']],
    ['tier 3 (always reviewed)', { requestedTier: 3 as const }, 'manual_review', ['enhanced_due_diligence']],
  ])('%s -> %s %j', async (_what, s, status, reasons) => {
    const { investor, body } = await onboard(s);
    expect(body).toMatchObject({ status, reasons, tier: 0 });
    const standing = await inRef((tx) => app.get(KycService).standing(tx, investor.principal.userId));
    expect(standing).toMatchObject({ tier: 0, dailyTradeLimitUsd: '0.00', dailyWithdrawalLimitUsd: '0.00' });
  });

  it('refuses a bad submission with a coded problem and stores nothing', async () => {
    const investor = await loginAs(app, { role: 'investor', tenantId });
    const response = await http().post('/kyc/submissions').set(investor.headers).set('Idempotency-Key', randomUUID()).send({ ...submission(), dateOfBirth: '1985-02-30' }).expect(400);
    expect(response.body).toMatchObject({ status: 400, code: 'invalid_submission' });
    expect(await inRef((tx) => tx.query(`SELECT 1 FROM kyc_profile WHERE user_id = $1`, [investor.principal.userId]))).toEqual([]);
    await http().get('/kyc/me').set(investor.headers).expect(200, { status: 'not_started', tier: 0, requestedTier: null, reasons: [], submittedAt: null, decidedAt: null });
  });

  it('an investor cannot decide their own KYC, and staff cannot submit one', async () => {
    const { investor } = await onboard({ nic: '853400992V' });
    await http().post(`/console/kyc/${investor.principal.userId}/decision`).set(investor.headers).set('Idempotency-Key', randomUUID()).send({ decision: 'approve', reason: 'mine' }).expect(403);
    const officer = await loginAs(app, { role: 'compliance_officer', tenantId });
    await http().post('/kyc/submissions').set(officer.headers).set('Idempotency-Key', randomUUID()).send(submission()).expect(403);
  });

  it('an officer approves a profile in manual review at its requested tier', async () => {
    const { investor } = await onboard({ nic: '853400992V' });
    const officer = await loginAs(app, { role: 'compliance_officer', tenantId });
    const queue = await http().get('/console/kyc/reviews').set(officer.headers).expect(200);
    expect(queue.body.map((p: { userId: string }) => p.userId)).toContain(investor.principal.userId);
    const decided = await http().post(`/console/kyc/${investor.principal.userId}/decision`).set(officer.headers).set('Idempotency-Key', randomUUID()).send({ decision: 'approve', reason: 'document legible on re-check' }).expect(200);
    expect(decided.body).toMatchObject({ status: 'approved', tier: 2 });
    await http().post(`/console/kyc/${investor.principal.userId}/decision`).set(officer.headers).set('Idempotency-Key', randomUUID()).send({ decision: 'reject', reason: 'again' }).expect(409);
  });
});

describe('KYC fails closed when the provider is slow or down', () => {
  it('a provider that does not answer in time leaves the customer pending, never approved, and retries end in manual review', async () => {
    const started = Date.now();
    const { investor, body } = await onboard({ nic: '853400993V' });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(body).toMatchObject({ status: 'pending', tier: 0, reasons: ['provider_unavailable'] });
    const userId = investor.principal.userId;
    expect(await inRef((tx) => app.get(KycService).standing(tx, userId))).toMatchObject({ status: 'pending', tier: 0 });
    await inRef((tx) => tx.query(`UPDATE kyc_profile SET next_attempt_at = now() - interval '1 second' WHERE user_id = $1`, [userId]));
    expect(await app.get(KycService).retryDue()).toBeGreaterThanOrEqual(1);
    const after = await http().get('/kyc/me').set(investor.headers).expect(200);
    expect(after.body).toMatchObject({ status: 'manual_review', tier: 0, reasons: ['provider_unavailable'] });
    const checks = await inRef((tx) => tx.query<{ outcome: string }>(`SELECT outcome FROM kyc_check WHERE user_id = $1 ORDER BY created_at`, [userId]));
    expect(checks.map((c) => c.outcome)).toEqual(['timeout', expect.stringMatching(/^(timeout|breaker_open)$/)]);
  });

});

describe('screening', () => {
  it('blocks a customer matching a sanctions entry and raises an alert whose hits explain themselves', async () => {
    // Fixture entry: Thiruchelvam Pirapakaran, born 14 March 1961 (NIC day 074).
    const investor = await loginAs(app, { role: 'investor', tenantId });
    const screening = await inRef((tx) =>
      app.get(AmlService).screenCustomer(tx, tenantId, { userId: investor.principal.userId, name: 'Thiruchelvam Prabhakaran', dateOfBirth: '1961-03-14', country: 'LK', tier: 0 }, 'onboarding'),
    );
    expect(screening.decision).toBe('blocked'); // exact name, same birth date and country
    expect(screening.hits[0]).toMatchObject({ entryId: 'ofac-sdn:90101', matchedName: 'PRABHAKARAN, Thiruchelvam', dateOfBirth: 'match', country: 'match', kind: 'sanction' });
    const officer = await loginAs(app, { role: 'compliance_officer', tenantId });
    const alerts = await http().get('/console/alerts').query({ userId: investor.principal.userId, kind: 'screening' }).set(officer.headers).expect(200);
    expect(alerts.body).toHaveLength(1);
    expect(alerts.body[0]).toMatchObject({ rule: 'sanctions_screening_hit', severity: 'high', status: 'open' });
    const caseView = await http().get(`/console/alerts/${alerts.body[0].id}`).set(officer.headers).expect(200);
    expect(caseView.body.hits[0]).toMatchObject({
      entryId: 'ofac-sdn:90101',
      tokens: [
        { query: 'thiruchelvam', listed: 'thiruchelvam', how: 'exact' },
        { query: 'prabhakaran', listed: 'prabhakaran', how: 'exact' },
      ],
    });
    const row = await inRef((tx) => tx.query<{ hits_sealed: Buffer; hit_summary: unknown }>(`SELECT hits_sealed, hit_summary FROM aml_screening WHERE id = $1`, [screening.screeningId]));
    expect(JSON.stringify(row[0]?.hit_summary)).not.toMatch(/Thiruchelvam|PRABHAKARAN/i);
  });

  it('onboarding: a listed customer goes to manual review, and no officer can approve before the screening alert is decided', async () => {
    const { investor, body } = await onboard({ givenNames: 'Thiruchelvam', familyName: 'Pirapakaran', dateOfBirth: '1961-03-14', nic: '610740123V' });
    expect(body).toMatchObject({ status: 'manual_review', tier: 0, reasons: ['sanctions_screening_hit'] });
    const userId = investor.principal.userId;
    const officer = await loginAs(app, { role: 'compliance_officer', tenantId });
    const refused = await http().post(`/console/kyc/${userId}/decision`).set(officer.headers).set('Idempotency-Key', randomUUID()).send({ decision: 'approve', reason: 'looks fine' }).expect(400);
    expect(refused.body.code).toBe('invalid_decision');
    const [alert] = (await http().get('/console/alerts').query({ userId }).set(officer.headers).expect(200)).body as { id: string }[];
    await http().post(`/console/alerts/${alert?.id}/decision`).set(officer.headers).set('Idempotency-Key', randomUUID()).send({ decision: 'clear', reason: 'different person: passport photo and place of birth differ' }).expect(200);
    await http().post(`/console/kyc/${userId}/decision`).set(officer.headers).set('Idempotency-Key', randomUUID()).send({ decision: 'approve', reason: 'alert cleared' }).expect(200);
    expect(await inRef((tx) => app.get(KycService).standing(tx, userId))).toMatchObject({ status: 'approved', tier: 2 });
  });

  it.each([
    [{ name: 'Abdalla Yousef Alnaqbi', country: 'AE' }, 'blocked'],
    [{ name: 'Dmitry Volkov', country: 'RU' }, 'review'],
    [{ name: 'Kanakaratnam Shivakumar', country: 'LK' }, 'review'],
    [{ name: 'Nimal Perera', country: 'LK' }, 'clear'],
    [{ name: 'Mohamed Ali', country: 'EG', dateOfBirth: '1990-01-01' }, 'clear'],
  ])('screens the beneficiary %j: %s', async (beneficiary, decision) => {
    const investor = await loginAs(app, { role: 'investor', tenantId });
    const result = await inRef((tx) => app.get(AmlService).screenBeneficiary(tx, tenantId, investor.principal.userId, beneficiary));
    expect(result.decision).toBe(decision);
    const alerts = await inRef((tx) => tx.query<{ rule: string }>(`SELECT rule FROM aml_alert WHERE user_id = $1`, [investor.principal.userId]));
    expect(alerts.map((a) => a.rule)).toEqual(decision === 'clear' ? [] : ['beneficiary_screening_hit']);
  });

  it('the daily re-screen finds existing customers affected by a list change, and only them', async () => {
    const aml = app.get(AmlService);
    await aml.rescreen(); // up to date with the current version
    const { investor } = await onboard({ givenNames: 'Sunil', familyName: 'Gunawardhana', dateOfBirth: '1970-08-19', nic: '702320456V' });
    const userId = investor.principal.userId;
    expect(await aml.rescreen()).toEqual([expect.objectContaining({ changedEntries: 0, screened: 0, hits: 0 })]);
    await aml.importEntries(
      [{ id: 'opensanctions:NK-test-new', source: 'opensanctions', kind: 'sanction', schema: 'person', name: 'Sunil Gunawardena', aliases: [], birthDates: ['1970-08-19'], countries: ['lk'], programs: ['TEST'] }],
      { test: 'a new designation' },
    );
    const [summary] = await aml.rescreen();
    expect(summary).toMatchObject({ changedEntries: 1, hits: 1 });
    const alerts = await inRef((tx) => tx.query<{ rule: string; details: { context: string } }>(`SELECT rule, details FROM aml_alert WHERE user_id = $1`, [userId]));
    expect(alerts).toEqual([{ rule: 'sanctions_screening_hit', details: expect.objectContaining({ context: 'rescreen', entryIds: ['opensanctions:NK-test-new'] }) }]);
  });
});

describe('transaction monitoring raises an alert per rule', () => {
  const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000);
  const event = (userId: string, kind: 'deposit' | 'withdrawal', amountUsd: string, minutesAgo: number, extra: { sourceRef?: string; country?: string } = {}) => ({
    tenantId, userId, kind, amountUsd, currency: 'USD', amount: amountUsd, at: at(minutesAgo), ...extra,
  });

  it.each([
    ['large single transaction', [['deposit', '25000', 10]], 'large_single_transaction'],
    ['rapid deposit -> withdrawal', [['deposit', '4000', 60], ['withdrawal', '3900', 5]], 'rapid_deposit_withdrawal'],
    ['structuring just under the threshold', [['deposit', '9500', 300], ['deposit', '9800', 200], ['deposit', '9900', 100]], 'structuring'],
    ['many deposit sources', [['deposit', '100', 40, 's1'], ['deposit', '100', 30, 's2'], ['deposit', '100', 20, 's3'], ['deposit', '100', 10, 's4']], 'many_deposit_sources'],
    ['high-risk country', [['withdrawal', '200', 5, undefined, 'IR']], 'high_risk_country'],
  ] as const)('%s', async (_what, events, rule) => {
    const userId = randomUUID();
    const raised: string[] = [];
    for (const [kind, amount, minutesAgo, sourceRef, country] of events) {
      raised.push(...(await inRef((tx) => app.get(TransactionMonitor).observe(tx, event(userId, kind, amount, minutesAgo, { ...(sourceRef ? { sourceRef } : {}), ...(country ? { country } : {}) })))));
    }
    expect(raised).toEqual([rule]);
    const alerts = await inRef((tx) => tx.query<{ rule: string; kind: string }>(`SELECT rule, kind FROM aml_alert WHERE user_id = $1`, [userId]));
    expect(alerts).toEqual([{ rule, kind: 'monitoring' }]);
  });

  it('judges the events of one observeMany as observe judges them one at a time (each after the ones before it, other customers apart)', async () => {
    const [alone, together, other] = [randomUUID(), randomUUID(), randomUUID()];
    const sequence = (userId: string) => [
      event(userId, 'deposit', '9500', 300), event(userId, 'deposit', '4000', 60, { sourceRef: 's1' }), event(userId, 'deposit', '100', 40, { sourceRef: 's2' }),
      event(userId, 'deposit', '9800', 200), event(userId, 'deposit', '100', 30, { sourceRef: 's3' }), event(userId, 'deposit', '9900', 100),
      event(userId, 'deposit', '100', 20, { sourceRef: 's4' }), event(userId, 'withdrawal', '3900', 5, { country: 'IR' }),
    ];
    const oneByOne: string[][] = [];
    for (const e of sequence(alone)) oneByOne.push(await inRef((tx) => app.get(TransactionMonitor).observe(tx, e)));
    const interleaved = sequence(together).flatMap((e, i) => [e, event(other, 'deposit', '9700', 250 - i)]);
    const batched = await inRef((tx) => app.get(TransactionMonitor).observeMany(tx, interleaved));
    expect(batched.filter((_, i) => i % 2 === 0)).toEqual(oneByOne);
    expect(oneByOne.flat().sort()).toEqual(['high_risk_country', 'many_deposit_sources', 'rapid_deposit_withdrawal', 'structuring']);
    const stored = await inRef((tx) => tx.query<{ user_id: string; n: number }>(
      `SELECT user_id, count(*)::int AS n FROM aml_monitored_event WHERE user_id = ANY($1::uuid[]) GROUP BY user_id ORDER BY n`, [[together, other]]));
    expect(stored.map((r) => r.n)).toEqual([8, 8]);
    const alerts = async (userId: string) => (await inRef((tx) => tx.query<{ rule: string }>(`SELECT rule FROM aml_alert WHERE user_id = $1 ORDER BY rule`, [userId]))).map((a) => a.rule);
    expect(await alerts(together)).toEqual(await alerts(alone));
  });
});

describe('the review queue, the four-eyes freeze and the SAR register', () => {
  async function alertFor(userId: string): Promise<string> {
    await inRef((tx) => app.get(TransactionMonitor).observe(tx, { tenantId, userId, kind: 'deposit', amountUsd: '50000', currency: 'USD', amount: '50000', at: new Date() }));
    const [row] = await inRef((tx) => tx.query<{ id: string }>(`SELECT id FROM aml_alert WHERE user_id = $1`, [userId]));
    if (!row) throw new Error('no alert');
    return row.id;
  }
  const post = (who: LoggedIn, path: string, body: unknown) => http().post(path).set(who.headers).set('Idempotency-Key', randomUUID()).send(body as object);

  it('assigns, notes, escalates, and only the MLRO files a SAR, kept under a subject hash with a deadline', async () => {
    const officer = await loginAs(app, { role: 'compliance_officer', tenantId });
    const mlro = await loginAs(app, { role: 'mlro', tenantId });
    const customerId = randomUUID();
    const alertId = await alertFor(customerId);
    await post(officer, `/console/alerts/${alertId}/assign`, { assigneeId: officer.principal.userId }).expect(200);
    const mine = await http().get('/console/alerts').query({ assignedTo: officer.principal.userId, status: 'assigned' }).set(officer.headers).expect(200);
    expect(mine.body.map((a: { id: string }) => a.id)).toEqual([alertId]);
    await post(officer, `/console/alerts/${alertId}/notes`, { text: 'Deposit from a new bank account; asked for source of funds.' }).expect(201);
    const sarByOfficer = await post(officer, `/console/alerts/${alertId}/decision`, { decision: 'file_sar', reason: 'suspicious', narrative: 'Large deposit, no plausible source.' }).expect(403);
    expect(sarByOfficer.body.code).toBe('mlro_only');
    await post(officer, `/console/alerts/${alertId}/decision`, { decision: 'escalate', reason: 'source of funds unclear' }).expect(200);
    await post(officer, `/console/alerts/${alertId}/decision`, { decision: 'clear', reason: 'changed my mind' }).expect(403);
    const filed = await post(mlro, `/console/alerts/${alertId}/decision`, { decision: 'file_sar', reason: 'confirmed suspicious', narrative: 'Large deposit of 50,000 USD with no plausible source of funds.' }).expect(200);
    expect(filed.body.alert).toMatchObject({ status: 'sar_filed', decision: 'file_sar', decided_by: mlro.principal.userId });
    const sarId = filed.body.sarId as string;

    await http().get('/console/sars').set(officer.headers).expect(403);
    const register = await http().get('/console/sars').set(mlro.headers).expect(200);
    const sar = register.body.find((s: { id: string }) => s.id === sarId);
    expect(sar).toMatchObject({ status: 'draft', overdue: false, narrative: 'Large deposit of 50,000 USD with no plausible source of funds.', subject_hash: app.get(AmlService).subjectHash(tenantId, customerId) });
    expect(JSON.stringify(register.body)).not.toContain(customerId);
    const due = new Date(sar.due_at).getTime() - new Date(sar.created_at).getTime();
    expect(due).toBe(30 * 86_400_000);
    const [stored] = await inRef((tx) => tx.query<{ row: string }>(`SELECT aml_sar::text AS row FROM aml_sar WHERE id = $1`, [sarId]));
    expect(stored?.row).not.toContain(customerId);

    await post(officer, `/console/sars/${sarId}/filed`, { reference: 'FIU-LK-2026-0042' }).expect(403);
    await post(mlro, `/console/sars/${sarId}/filed`, { reference: 'FIU-LK-2026-0042' }).expect(200);
    await post(mlro, `/console/sars/${sarId}/filed`, { reference: 'FIU-LK-2026-0042' }).expect(409);
    const caseView = await http().get(`/console/alerts/${alertId}`).set(officer.headers).expect(200);
    expect(caseView.body.notes.map((n: { text: string }) => n.text)).toEqual([
      'Deposit from a new bank account; asked for source of funds.',
      '[escalate] source of funds unclear',
      '[file_sar] confirmed suspicious',
    ]);
  });

  it('a freeze takes two different officers: the requester cannot approve it, and the database refuses it too', async () => {
    const first = await loginAs(app, { role: 'compliance_officer', tenantId });
    const second = await loginAs(app, { role: 'compliance_officer', tenantId });
    const customerId = randomUUID();
    const alertId = await alertFor(customerId);
    const requested = await post(first, `/console/alerts/${alertId}/decision`, { decision: 'freeze', reason: 'funds must not leave' }).expect(200);
    expect(requested.body.alert.status).toBe('freeze_requested');
    expect(await inRef((tx) => app.get(AmlService).isFrozen(tx, customerId))).toBe(false);

    const self = await post(first, `/console/customers/${customerId}/freeze/approve`, {}).expect(403);
    expect(self.body.code).toBe('four_eyes_required');
    await expect(inRef((tx) => tx.query(`UPDATE aml_freeze SET status = 'active', approved_by = requested_by, approved_at = now() WHERE user_id = $1`, [customerId]))).rejects.toThrow(/aml_freeze_four_eyes/);
    await expect(inRef((tx) => tx.query(`UPDATE aml_freeze SET status = 'active' WHERE user_id = $1`, [customerId]))).rejects.toThrow(/aml_freeze_active_approved/);
    expect(await inRef((tx) => app.get(AmlService).isFrozen(tx, customerId))).toBe(false);

    await post(second, `/console/customers/${customerId}/freeze/approve`, {}).expect(200);
    expect(await inRef((tx) => app.get(AmlService).isFrozen(tx, customerId))).toBe(true);
    const [alert] = await inRef((tx) => tx.query<{ status: string }>(`SELECT status FROM aml_alert WHERE id = $1`, [alertId]));
    expect(alert?.status).toBe('frozen');
    await post(second, `/console/customers/${customerId}/freeze/approve`, {}).expect(404);
  });
});

describe('the console', () => {
  it('shows a customer\'s 360 view composed from KYC and AML, and their audit trail', async () => {
    const { investor } = await onboard({ givenNames: 'Chaminda', familyName: 'Ekanayake' });
    const userId = investor.principal.userId;
    await inRef((tx) => app.get(TransactionMonitor).observe(tx, { tenantId, userId, kind: 'withdrawal', amountUsd: '300', currency: 'USD', amount: '300', country: 'KP', at: new Date() }));
    const officer = await loginAs(app, { role: 'compliance_officer', tenantId });
    const view = await http().get(`/console/customers/${userId}`).set(officer.headers).expect(200);
    expect(view.body).toMatchObject({
      userId,
      standing: { status: 'approved', tier: 2 },
      kyc: { status: 'approved', residenceCountry: 'LK', personalData: { givenNames: 'Chaminda', familyName: 'Ekanayake', documentNumber: '853400937V' } },
      aml: { frozen: false, openAlerts: 1, risk: { version: 'risk.v1' }, alerts: [expect.objectContaining({ rule: 'high_risk_country' })] },
    });
    const trail = await http().get(`/console/customers/${userId}/audit`).set(officer.headers).expect(200);
    expect(trail.body.map((e: { action: string }) => e.action)).toEqual([
      'auth.account.registered', 'auth.login.succeeded', 'kyc.submission.received', 'aml.screening.completed', 'kyc.decision.recorded', 'console.customer.viewed',
    ]);
    await http().get(`/console/customers/${userId}`).set(investor.headers).expect(403);
  });

  it('pages through the tenant\'s whole audit trail, newest first, filtered by action, for staff who may read the audit only', async () => {
    const officer = await loginAs(app, { role: 'compliance_officer', tenantId });
    const first = await http().get('/console/audit?limit=3').set(officer.headers).expect(200);
    const seqs = first.body.entries.map((e: { seq: string }) => BigInt(e.seq));
    expect(seqs).toHaveLength(3);
    expect(seqs[0] > seqs[1] && seqs[1] > seqs[2]).toBe(true);
    expect(first.body.entries.every((e: { tenantId: string }) => e.tenantId === tenantId)).toBe(true);
    expect(first.body.nextBefore).toBe(String(seqs[2]));
    const next = await http().get(`/console/audit?limit=3&before=${first.body.nextBefore}`).set(officer.headers).expect(200);
    expect(BigInt(next.body.entries[0].seq)).toBeLessThan(seqs[2]);

    const kyc = await http().get('/console/audit?action=kyc.decision&limit=200').set(officer.headers).expect(200);
    expect(kyc.body.entries.length).toBeGreaterThan(0);
    expect(kyc.body.entries.every((e: { action: string }) => e.action.startsWith('kyc.decision'))).toBe(true);
    expect(kyc.body.nextBefore).toBeNull();

    const auditor = await loginAs(app, { role: 'auditor', tenantId });
    await http().get('/console/audit').set(auditor.headers).expect(200);
    const { investor } = await onboard({ givenNames: 'Nimal', familyName: 'Perera' });
    await http().get('/console/audit').set(investor.headers).expect(403);
    for (const bad of ['action=DROP%20TABLE', 'before=0', 'limit=0', 'limit=201', 'tenant=x']) {
      const refused = await http().get(`/console/audit?${bad}`).set(officer.headers);
      expect([bad, refused.status]).toEqual([bad, 400]);
    }
  });

  it('after erasure, KYC data is unreadable, the re-screen skips the person, and the export never shows alerts or SARs', async () => {
    const { investor } = await onboard({ givenNames: 'Ruwan', familyName: 'Senanayake' });
    const userId = investor.principal.userId;
    await inRef((tx) => app.get(TransactionMonitor).observe(tx, { tenantId, userId, kind: 'deposit', amountUsd: '12000', currency: 'USD', amount: '12000', at: new Date() }));
    const privacy = app.get(PrivacyService);
    const exported = await privacy.exportSubject({ actor: 'system:test', role: 'system' }, tenantId, userId);
    expect(exported.sections).toMatchObject({ kyc: { status: 'approved', personalData: { givenNames: 'Ruwan' } }, aml: { screenings: [expect.objectContaining({ decision: 'clear' })] } });
    expect(Object.keys(exported.sections.aml as object).sort()).toEqual(['risk', 'screenings']);
    await privacy.erase({ actor: 'system:test', role: 'system' }, tenantId, userId, { reason: 'customer asked to be forgotten' });
    const officer = await loginAs(app, { role: 'compliance_officer', tenantId });
    const view = await http().get(`/console/customers/${userId}`).set(officer.headers).expect(200);
    expect(view.body.kyc).toMatchObject({ status: 'approved', personalData: null });
    const identities = await inRef((tx) => app.get(KycService).screenableIdentities(tx, null, 10_000));
    expect(identities.map((i) => i.userId)).not.toContain(userId);
    const trail = await http().get(`/console/customers/${userId}/audit`).set(officer.headers).expect(200);
    expect(trail.body.map((e: { action: string }) => e.action)).toContain('privacy.subject.erased');
  });

  it('keeps every tenant\'s alerts to itself', async () => {
    const otherTenant = randomUUID();
    const count = await app.get(TenantScope).run(otherTenant, (tx) => tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM aml_alert`));
    expect(count).toEqual([{ n: 0 }]);
    const mine = await inRef((tx) => tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM aml_alert`));
    expect(mine[0]?.n).toBeGreaterThan(0);
    await expect(app.get(TenantScope).run(otherTenant, (tx) => tx.query(`INSERT INTO aml_alert (id, tenant_id, user_id, kind, rule, severity, status, details, created_at, updated_at)
      VALUES ($1, $2, $3, 'monitoring', 'x', 'low', 'open', '{}', now(), now())`, [randomUUID(), tenantId, randomUUID()]))).rejects.toThrow(/row-level security/);
  });

  it('guards every compliance route with permissions', () => {
    const routes = routeAccess(app).filter((r) => ['ConsoleController', 'KycController'].includes(r.controller));
    expect(routes.length).toBeGreaterThanOrEqual(12);
    for (const route of routes) expect(route.rule).toMatchObject({ kind: 'permissions' });
  });
});

describe('the breaker (last: it stays open for the rest of the suite)', () => {
  it('repeated failures open the breaker, /health shows it (degraded, not down), and nobody is approved meanwhile', async () => {
    for (let i = 0; i < 20 && app.get(KycService).providerState !== 'open'; i++) await onboard({ nic: '853400994V' });
    expect(app.get(KycService).providerState).toBe('open');
    const health = await http().get('/health').expect(200);
    expect(health.body.info['kyc-provider']).toMatchObject({ status: 'up', breaker: 'open', degraded: true, provider: 'sandbox' });
    const { body } = await onboard();
    expect(body).toMatchObject({ status: 'pending', reasons: ['provider_unavailable'] });
  });
});
