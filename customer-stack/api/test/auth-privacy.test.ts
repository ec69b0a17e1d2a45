// Auth's personal data under the PersonalDataVault: the email and the session's User-Agent are
// sealed under the person's own key (not AUTH_TOTP_KEY), the subject-access export shows what
// auth and notifications hold on them, and erasure makes that unreadable, ends their sessions
// and stops sign-in by their email, while the audit chain still verifies.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { SqlTx } from '@bulwark/shared-contracts/wall';
import { createTestDatabase, startTestNats, testStackEnv, type TestDatabase, type TestNats } from '@bulwark/testing';
import { createCustomerApp } from '../src/app.js';
import { AuditService } from '../src/audit/audit.service.js';
import { AuthService } from '../src/auth/auth.service.js';
import { open } from '../src/auth/secret-box.js';
import { parseCustomerConfig, type CustomerConfig } from '../src/config/customer-config.js';
import { PersonalDataVault } from '../src/privacy/personal-data-vault.js';
import { REFERENCE_TENANT_ID } from '../src/tenancy/reference-tenant.js';
import { TenantScope } from '../src/tenancy/tenant-scope.js';
import { loginAs, type LoggedIn } from './support/auth.js';

const tenantId = REFERENCE_TENANT_ID;
const PHONE = 'Safari on the phone of a test investor';
const LAPTOP = 'Firefox on the laptop of a test investor';

let nats: TestNats;
let database: TestDatabase;
let app: INestApplication;
let config: CustomerConfig;
let admin: LoggedIn;
let auditor: LoggedIn;
const http = () => request(app.getHttpServer());
const key = () => ({ 'Idempotency-Key': randomUUID() });
const inTenant = <T>(work: (tx: SqlTx) => Promise<T>): Promise<T> => app.get(TenantScope).run(tenantId, work);

interface Investor {
  readonly email: string;
  readonly password: string;
  readonly userId: string;
  readonly accessToken: string;
}

/** Registers and signs in twice from two devices (the second sign-in raises a new-device notice). */
async function investorWithTwoDevices(): Promise<Investor> {
  const email = `Investor-${randomUUID()}@Example.lk`;
  const password = `pw-${randomUUID()}`;
  const { userId } = (await http().post('/auth/register').set(key()).send({ tenantId, email, password }).expect(201)).body;
  await http().post('/auth/login').set('User-Agent', PHONE).send({ tenantId, email, password, transport: 'token' }).expect(200);
  const laptop = await http().post('/auth/login').set('User-Agent', LAPTOP).send({ tenantId, email, password, transport: 'token' }).expect(200);
  return { email, password, userId, accessToken: laptop.body.accessToken };
}

beforeAll(async () => {
  nats = await startTestNats();
  database = await createTestDatabase('customer');
  config = parseCustomerConfig(testStackEnv('customer', database, nats, { NOTIFY_DISPATCH_INTERVAL_MS: '60000' }));
  app = await createCustomerApp(config);
  await app.listen(0, '127.0.0.1');
  [admin, auditor] = await Promise.all([loginAs(app, { role: 'admin', tenantId }), loginAs(app, { role: 'auditor', tenantId })]);
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
  await nats?.stop();
});

describe('sealing', () => {
  it('seals the email and the User-Agent under the person’s vault key, not under AUTH_TOTP_KEY', async () => {
    const investor = await investorWithTwoDevices();
    const [row] = await inTenant((tx) => tx.query<{ email_sealed: Buffer }>('SELECT email_sealed FROM user_account WHERE id = $1', [investor.userId]));
    const sessions = await inTenant((tx) => tx.query<{ user_agent_sealed: Buffer }>('SELECT user_agent_sealed FROM auth_session WHERE user_id = $1', [investor.userId]));
    expect(row!.email_sealed.toString('latin1')).not.toContain(investor.email.toLowerCase());
    expect(sessions.map((s) => s.user_agent_sealed.toString('latin1')).join()).not.toMatch(/Safari|Firefox/);
    expect(await inTenant((tx) => app.get(PersonalDataVault).open(tx, investor.userId, row!.email_sealed))).toBe(investor.email.toLowerCase());
    expect(() => open(config.auth.totpKey.reveal(), row!.email_sealed, `email:${investor.userId}`)).toThrow();
    const listed = await http().get('/auth/sessions').set('Authorization', `Bearer ${investor.accessToken}`).expect(200);
    expect(listed.body.map((s: { userAgent: string }) => s.userAgent).sort()).toEqual([LAPTOP, PHONE].sort());
  });
});

describe('subject access', () => {
  it('exports what auth and notifications hold on the person', async () => {
    const investor = await investorWithTwoDevices();
    const { body } = await http().get('/privacy/export').set('Authorization', `Bearer ${investor.accessToken}`).expect(200);
    expect(body.sections['auth.account']).toMatchObject({
      userId: investor.userId,
      email: investor.email.toLowerCase(),
      roles: ['investor'],
      accountRef: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: 'active',
      secondFactor: null,
      knownDevices: [expect.any(Object), expect.any(Object)],
    });
    expect(body.sections['auth.account'].sessions.map((s: { userAgent: string }) => s.userAgent).sort()).toEqual([LAPTOP, PHONE].sort());
    expect(body.sections['notifications.messages']).toEqual([
      expect.objectContaining({ event: 'security.new-device', data: expect.objectContaining({ device: LAPTOP }), email: { status: 'pending', sentAt: null } }),
    ]);
  });
});

describe('erasure', () => {
  it('makes the person unreadable and unfindable by email, ends their sessions, and the chain still verifies', async () => {
    const investor = await investorWithTwoDevices();
    await http()
      .post(`/privacy/subjects/${investor.userId}/erasure`)
      .set(admin.headers)
      .set(key())
      .send({ reason: 'the customer asked to be forgotten' })
      .expect(201);

    // Sign-in by that email finds nobody (refused like any unknown account), and the session is over.
    const refused = await http().post('/auth/login').send({ tenantId, email: investor.email, password: investor.password }).expect(401);
    expect(refused.body.code).toBe('credentials_invalid');
    expect((await http().get('/auth/me').set('Authorization', `Bearer ${investor.accessToken}`).expect(401)).body.code).toBe('session_revoked');
    expect(await inTenant((tx) => app.get(AuthService).emailOf(tx, investor.userId))).toBeNull();
    const [row] = await inTenant((tx) => tx.query('SELECT status, email_lookup, email_sealed FROM user_account WHERE id = $1', [investor.userId]));
    expect(row).toEqual({ status: 'erased', email_lookup: null, email_sealed: null });

    // What is left is unreadable: the export shows the account's shape, no email, no device, no notice data.
    const exported = (await http().get(`/privacy/subjects/${investor.userId}/export`).set(admin.headers).expect(200)).body;
    expect(exported.erased).toBe(true);
    expect(exported.sections['auth.account']).toMatchObject({ email: null, status: 'erased', secondFactor: null, knownDevices: [] });
    expect(exported.sections['auth.account'].sessions.every((s: { userAgent: string | null; revokedAt: string | null }) => s.userAgent === null && s.revokedAt !== null)).toBe(true);
    expect(exported.sections['notifications.messages']).toEqual([expect.objectContaining({ data: {}, email: { status: 'skipped', sentAt: null } })]);
    expect(JSON.stringify(exported)).not.toMatch(new RegExp(`${investor.email}|Safari|Firefox`, 'i'));

    // The address is free again, the erasure is on the chain, and the chain verifies.
    await http().post('/auth/register').set(key()).send({ tenantId, email: investor.email, password: investor.password }).expect(201);
    const entries = await inTenant((tx) => app.get(AuditService).ofResource(tx, `user:${investor.userId}`));
    expect(entries[0]).toMatchObject({ action: 'auth.account.erased', actor: 'system:auth', diff: { sessionsRevoked: expect.any(Array) } });
    expect((entries[0]!.diff.sessionsRevoked as string[]).length).toBe(2);
    const verified = await http().get('/audit/verify').set(auditor.headers).expect(200);
    expect(verified.body).toMatchObject({ ok: true, firstBreak: null });
  });
});
