// Every state change of auth and notifications leaves an audit entry written in its own
// transaction: who acted (and for whom), under which role, on what, with a diff that holds no
// secret and no personal data; and the whole chain still verifies afterwards.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createTestDatabase, startTestNats, testStackEnv, type TestDatabase, type TestNats } from '@bulwark/testing';
import { createCustomerApp } from '../src/app.js';
import { AuditService, type AuditEntry } from '../src/audit/audit.service.js';
import { AuthService } from '../src/auth/auth.service.js';
import { totpCode } from '../src/auth/totp.js';
import { parseCustomerConfig } from '../src/config/customer-config.js';
import { NotificationDispatcher } from '../src/notifications/notification.dispatcher.js';
import { NotificationService } from '../src/notifications/notification.service.js';
import { REFERENCE_TENANT } from '../src/tenancy/reference-tenant.js';
import { TenantScope } from '../src/tenancy/tenant-scope.js';
import { TenantsService } from '../src/tenancy/tenants.service.js';
import { loginAs, type LoggedIn } from './support/auth.js';
import { startWebhookReceiver, type WebhookReceiver } from './support/notifications.js';
import { TEST_ADMIN } from './support/tenancy.js';

let nats: TestNats;
let database: TestDatabase;
let receiver: WebhookReceiver;
let app: INestApplication;
let tenantId: string;
let admin: LoggedIn;
let auditor: LoggedIn;
/** Every secret and personal value the flows below handle: none may reach the chain. */
const forbidden = new Set<string>();
const http = () => request(app.getHttpServer());
const key = () => ({ 'Idempotency-Key': randomUUID() });

/** The tenant's entries about a resource, oldest first. */
async function entriesOf(resource: string): Promise<AuditEntry[]> {
  const entries = await app.get(TenantScope).run(tenantId, (tx) => app.get(AuditService).ofResource(tx, resource, 1_000));
  return entries.reverse();
}

const actionsOf = async (resource: string) => (await entriesOf(resource)).map((e) => e.action);

async function register() {
  const email = `investor-${randomUUID()}@example.lk`;
  const password = `pw-${randomUUID()}`;
  forbidden.add(email).add(password);
  const { body } = await http().post('/auth/register').set(key()).send({ tenantId, email, password }).expect(201);
  return { email, password, userId: body.userId as string, accountRef: body.accountRef as string };
}

async function login(email: string, password: string) {
  const { body } = await http().post('/auth/login').send({ tenantId, email, password, transport: 'token' }).expect(200);
  if (body.accessToken) forbidden.add(body.accessToken).add(body.refreshToken);
  return body as { accessToken: string; refreshToken: string; principal: { sessionId: string; userId: string }; mfaToken?: string };
}

beforeAll(async () => {
  nats = await startTestNats();
  database = await createTestDatabase('customer');
  receiver = await startWebhookReceiver();
  const env = testStackEnv('customer', database, nats, { NOTIFY_DISPATCH_INTERVAL_MS: '60000', NOTIFY_MAX_ATTEMPTS: '1', NOTIFY_WEBHOOK_PRIVATE_TARGETS: 'allow' });
  app = await createCustomerApp(parseCustomerConfig(env));
  await app.listen(0, '127.0.0.1');
  tenantId = (await app.get(TenantsService).create(TEST_ADMIN, {
    slug: 'audit-test', brand: { name: 'Audit Test', primaryColour: '#112233', accentColour: '#445566' }, minimumAge: 18,
    residencyCountries: ['LK'], currencies: ['LKR', 'USD'], tierLimits: REFERENCE_TENANT.tierLimits.map((l) => ({ ...l })),
  })).id;
  [admin, auditor] = await Promise.all([loginAs(app, { role: 'admin', tenantId }), loginAs(app, { role: 'auditor', tenantId })]);
});

afterAll(async () => {
  await app?.close();
  await receiver?.stop();
  await database?.drop();
  await nats?.stop();
});

describe('auth writes the audit chain', () => {
  it('records a registration as the new investor, with the account reference and no email', async () => {
    const { userId, accountRef } = await register();
    const [entry] = await entriesOf(`user:${userId}`);
    expect(entry).toMatchObject({ tenantId, actor: `user:${userId}`, role: 'investor', onBehalfOf: null, action: 'auth.account.registered' });
    expect(entry!.diff).toEqual({ roles: ['investor'], accountRef });
  });

  it('records refused and accepted sign-ins (an unknown email against the tenant, never the email itself)', async () => {
    const { email, password, userId } = await register();
    await http().post('/auth/login').send({ tenantId, email, password: 'wrong password!!' }).expect(401);
    const stranger = `nobody-${randomUUID()}@example.lk`;
    forbidden.add(stranger);
    await http().post('/auth/login').send({ tenantId, email: stranger, password: 'wrong password!!' }).expect(401);
    const session = await login(email, password);
    const entries = await entriesOf(`user:${userId}`);
    expect(entries.slice(1).map((e) => [e.action, e.actor, e.diff])).toEqual([
      ['auth.login.failed', 'anonymous', { reason: 'password_wrong' }],
      ['auth.login.succeeded', `user:${userId}`, { sessionId: session.principal.sessionId, secondFactor: false, newDevice: true }],
    ]);
    const unknown = (await entriesOf(`tenant:${tenantId}`)).filter((e) => e.action === 'auth.login.failed');
    expect(unknown.at(-1)).toMatchObject({ actor: 'anonymous', role: 'anonymous', diff: { reason: 'unknown_account' } });
  });

  it('records refresh rotation, then reuse detection and the revoked family as auth itself', async () => {
    const { email, password, userId } = await register();
    const first = await login(email, password);
    const second = (await http().post('/auth/refresh').send({ refreshToken: first.refreshToken }).expect(200)).body;
    forbidden.add(second.accessToken).add(second.refreshToken);
    await http().post('/auth/refresh').send({ refreshToken: first.refreshToken }).expect(401);
    const sessionId = first.principal.sessionId;
    const tail = (await entriesOf(`user:${userId}`)).slice(-3);
    expect(tail.map((e) => [e.action, e.actor, e.diff])).toEqual([
      ['auth.refresh.rotated', `user:${userId}`, { sessionId }],
      ['auth.refresh.reused', 'system:auth', { sessionId }],
      ['auth.session.revoked', 'system:auth', { sessionId, reason: 'refresh_reused' }],
    ]);
    // The revocation and its detection are one transaction: consecutive in the chain.
    expect(BigInt(tail[2]!.seq) - BigInt(tail[1]!.seq)).toBe(1n);
  });

  it('records a session ended by its user and a logout', async () => {
    const { email, password, userId } = await register();
    const laptop = await login(email, password);
    const phone = await login(email, password);
    await http().delete(`/auth/sessions/${phone.principal.sessionId}`).set('Authorization', `Bearer ${laptop.accessToken}`).set(key()).expect(204);
    await http().post('/auth/logout').set('Authorization', `Bearer ${laptop.accessToken}`).expect(204);
    const tail = (await entriesOf(`user:${userId}`)).slice(-2);
    expect(tail.map((e) => [e.action, e.actor, e.diff])).toEqual([
      ['auth.session.revoked', `user:${userId}`, { sessionId: phone.principal.sessionId, reason: 'revoked_by_user' }],
      ['auth.session.logged_out', `user:${userId}`, { sessionId: laptop.principal.sessionId }],
    ]);
  });

  async function withTotp() {
    const user = await loginAs(app, { role: 'investor', tenantId });
    forbidden.add(user.email).add(user.password);
    const { secret } = (await http().post('/auth/2fa/setup').set(user.headers).expect(200)).body;
    forbidden.add(secret);
    return { ...user, secret: secret as string };
  }

  it('records 2FA set-up, refused and accepted codes at enable and sign-in, a refused step-up and disable, never a code or secret', async () => {
    const base = Date.now();
    const user = await withTotp();
    await http().post('/auth/2fa/enable').set(user.headers).set(key()).send({ code: totpCode(user.secret, base + 5 * 30_000) }).expect(401);
    await http().post('/auth/2fa/enable').set(user.headers).set(key()).send({ code: totpCode(user.secret, base) }).expect(204);
    const ticket = await login(user.email, user.password);
    await http().post('/auth/2fa/verify').send({ mfaToken: ticket.mfaToken, code: totpCode(user.secret, base), transport: 'token' }).expect(401);
    const verified = await http().post('/auth/2fa/verify').send({ mfaToken: ticket.mfaToken, code: totpCode(user.secret, base + 30_000), transport: 'token' }).expect(200);
    forbidden.add(verified.body.accessToken).add(verified.body.refreshToken);
    expect(await app.get(AuthService).verifyStepUp(user.principal, totpCode(user.secret, base + 30_000))).toBe(false);
    await http().post('/auth/2fa/disable').set(user.headers).set(key()).send({ code: totpCode(user.secret, base + 30_000) }).expect(401);
    const entries = await entriesOf(`user:${user.principal.userId}`);
    expect(entries.map((e) => e.action)).toEqual([
      'auth.account.registered',
      'auth.login.succeeded',
      'auth.mfa.setup_started',
      'auth.mfa.failed',
      'auth.mfa.enabled',
      'auth.mfa.failed',
      'auth.login.succeeded',
      'auth.step_up.failed',
      'auth.mfa.failed',
    ]);
    expect(entries.filter((e) => e.action === 'auth.mfa.failed').map((e) => e.diff)).toEqual([{ purpose: 'enable' }, { purpose: 'login' }, { purpose: 'disable' }]);
    expect(entries[6]!.diff).toMatchObject({ secondFactor: true });
    expect(entries[7]!.diff).toEqual({ reason: 'code_refused' });
  });

  it('records an accepted step-up and 2FA turned off', async () => {
    const base = Date.now();
    const [stepping, disabling] = await Promise.all([withTotp(), withTotp()]);
    for (const user of [stepping, disabling]) {
      await http().post('/auth/2fa/enable').set(user.headers).set(key()).send({ code: totpCode(user.secret, base) }).expect(204);
    }
    expect(await app.get(AuthService).verifyStepUp(stepping.principal, totpCode(stepping.secret, base + 30_000))).toBe(true);
    await http().post('/auth/2fa/disable').set(disabling.headers).set(key()).send({ code: totpCode(disabling.secret, base + 30_000) }).expect(204);
    expect((await entriesOf(`user:${stepping.principal.userId}`)).at(-1)).toMatchObject({ action: 'auth.step_up.verified', actor: `user:${stepping.principal.userId}`, diff: {} });
    expect((await entriesOf(`user:${disabling.principal.userId}`)).at(-1)).toMatchObject({ action: 'auth.mfa.disabled', actor: `user:${disabling.principal.userId}`, role: 'investor' });
  });

  it('records staff creation and a change of roles by the admin, and an admin ending a user’s sessions on their behalf', async () => {
    const staff = { email: `officer-${randomUUID()}@bank.lk`, password: `pw-${randomUUID()}`, roles: ['compliance_officer'] };
    forbidden.add(staff.email).add(staff.password);
    const { userId } = (await http().post('/auth/staff').set(admin.headers).set(key()).send(staff).expect(201)).body;
    const staffSession = await login(staff.email, staff.password);
    const changed = await http().put(`/auth/users/${userId}/roles`).set(admin.headers).set(key()).send({ roles: ['mlro', 'compliance_officer'] }).expect(200);
    expect(changed.body).toEqual({ roles: ['compliance_officer', 'mlro'] });
    // The old token carried the old roles: its session ended with the change.
    await http().get('/auth/me').set('Authorization', `Bearer ${staffSession.accessToken}`).expect(401);
    const investor = await register();
    const session = await login(investor.email, investor.password);
    expect((await http().delete(`/auth/users/${investor.userId}/sessions`).set(admin.headers).set(key()).expect(200)).body).toEqual({ revoked: 1 });
    await http().get('/auth/me').set('Authorization', `Bearer ${session.accessToken}`).expect(401);

    const adminActor = `user:${admin.principal.userId}`;
    const staffEntries = await entriesOf(`user:${userId}`);
    expect(staffEntries.map((e) => [e.action, e.actor, e.role, e.diff])).toEqual([
      ['auth.staff.created', adminActor, 'admin', { roles: ['compliance_officer'], accountRef: null }],
      ['auth.login.succeeded', `user:${userId}`, 'compliance_officer', expect.objectContaining({ secondFactor: false })],
      ['auth.roles.changed', adminActor, 'admin', { before: ['compliance_officer'], after: ['compliance_officer', 'mlro'], sessionsRevoked: [staffSession.principal.sessionId] }],
    ]);
    const revoked = (await entriesOf(`user:${investor.userId}`)).at(-1);
    expect(revoked).toMatchObject({
      action: 'auth.session.revoked', actor: adminActor, role: 'admin', onBehalfOf: `user:${investor.userId}`,
      diff: { sessionIds: [session.principal.sessionId], reason: 'revoked_by_admin' },
    });
  });

  it('refuses role changes that would lock an admin out or turn an investor into staff, and writes nothing for them', async () => {
    const investor = await register();
    const before = await actionsOf(`user:${admin.principal.userId}`);
    expect((await http().put(`/auth/users/${admin.principal.userId}/roles`).set(admin.headers).set(key()).send({ roles: ['auditor'] }).expect(409)).body.code).toBe('role_change_refused');
    expect((await http().put(`/auth/users/${investor.userId}/roles`).set(admin.headers).set(key()).send({ roles: ['mlro'] }).expect(409)).body.code).toBe('role_change_refused');
    expect((await http().put(`/auth/users/${randomUUID()}/roles`).set(admin.headers).set(key()).send({ roles: ['mlro'] }).expect(404)).body.code).toBe('user_not_found');
    expect(await actionsOf(`user:${admin.principal.userId}`)).toEqual(before);
    expect(await actionsOf(`user:${investor.userId}`)).toEqual(['auth.account.registered']);
  });
});

describe('notifications write the audit chain', () => {
  it('records webhook endpoints added and removed (origin only), a dead delivery and its retry', async () => {
    const url = `${receiver.url}?token=${randomUUID()}`;
    forbidden.add(url);
    const created = await http().post('/notifications/webhooks').set(admin.headers).send({ url, events: ['deposit.settled'] }).expect(201);
    forbidden.add(created.body.secret);
    receiver.failNext(500);
    const outboxId = await app.get(TenantScope).run(tenantId, (tx) =>
      app.get(NotificationService).enqueue(tx, { tenantId, event: 'deposit.settled', data: { amount: '10.00', currency: 'LKR' } }),
    );
    await app.get(NotificationDispatcher).dispatchDue();
    const dead = (await http().get('/notifications/deliveries?status=dead').set(admin.headers).expect(200)).body.find((d: { outboxId: string }) => d.outboxId === outboxId);
    expect(dead).toBeDefined();
    await http().post(`/notifications/deliveries/${dead.id}/retry`).set(admin.headers).set(key()).expect(204);
    await http().delete(`/notifications/webhooks/${created.body.id}`).set(admin.headers).set(key()).expect(204);

    const adminActor = `user:${admin.principal.userId}`;
    expect((await entriesOf(`webhook_endpoint:${created.body.id}`)).map((e) => [e.action, e.actor, e.diff])).toEqual([
      ['notifications.webhook.added', adminActor, { origin: new URL(receiver.url).origin, events: ['deposit.settled'] }],
      ['notifications.webhook.removed', adminActor, {}],
    ]);
    expect((await entriesOf(`notification_delivery:${dead.id}`)).map((e) => [e.action, e.actor, e.diff])).toEqual([
      ['notifications.delivery.dead', 'system:notifications', { outboxId, channel: 'webhook', attempts: 1, failure: 'HTTP 500' }],
      ['notifications.delivery.requeued', adminActor, {}],
    ]);
  });
});

describe('the chain afterwards', () => {
  it('holds none of the emails, passwords, codes, tokens or secrets used above', async () => {
    const chain = JSON.stringify(await app.get(AuditService).range(1n, (await app.get(AuditService).head()).seq), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    expect(forbidden.size).toBeGreaterThan(20);
    for (const value of forbidden) expect(chain.includes(value)).toBe(false);
  });

  it('verifies through GET /audit/verify', async () => {
    const { body } = await http().get('/audit/verify').set(auditor.headers).expect(200);
    expect(body).toMatchObject({ ok: true, firstBreak: null });
    expect(Number(body.checkedEntries)).toBeGreaterThan(40);
  });
});
