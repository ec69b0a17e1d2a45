// Notifications end to end: an outbox row enqueued in the caller's transaction is sent once as
// a real SMTP email (to a local sink) and as Standard Webhooks to a real local receiver that
// verifies the signature; failures retry with backoff and die after the attempt limit, visibly.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import pg from 'pg';
import request from 'supertest';
import { createTestDatabase, eventually, startTestNats, testStackEnv, testSuperuserUrl, type TestDatabase, type TestNats } from '@bulwark/testing';
import { createCustomerApp } from '../src/app.js';
import { totpCode } from '../src/auth/totp.js';
import { parseCustomerConfig } from '../src/config/customer-config.js';
import { NotificationDispatcher } from '../src/notifications/notification.dispatcher.js';
import { NotificationService } from '../src/notifications/notification.service.js';
import { PersonalDataVault } from '../src/privacy/personal-data-vault.js';
import { TenantScope } from '../src/tenancy/tenant-scope.js';
import { createTestTenant } from './support/tenancy.js';
import { loginAs, type LoggedIn } from './support/auth.js';
import { startSmtpSink, startWebhookReceiver, type SmtpSink, type WebhookReceiver } from './support/notifications.js';

const MAX_ATTEMPTS = 3;
let tenantId: string;

let nats: TestNats;
let database: TestDatabase;
let smtp: SmtpSink;
let receiver: WebhookReceiver;
let app: INestApplication;
let admin: LoggedIn;
let webhookId: string;
const http = () => request(app.getHttpServer());
const dispatch = () => app.get(NotificationDispatcher).dispatchDue();
const mailsTo = (email: string) => smtp.received.filter((mail) => mail.to.includes(email));

async function deliveryRows(outboxId: string) {
  return app.get(TenantScope).run(tenantId, (tx) =>
    tx.query<{ id: string; channel: string; status: string; attempts: number; last_error: string | null }>(
      `SELECT id, channel, status, attempts, last_error FROM notification_delivery WHERE outbox_id = $1 ORDER BY channel`,
      [outboxId],
    ),
  );
}

async function enqueue(input: { userId?: string; event: 'deposit.settled' | 'kyc.decided'; data: Record<string, string> }) {
  return app.get(TenantScope).run(tenantId, (tx) => app.get(NotificationService).enqueue(tx, { tenantId, ...input }));
}

beforeAll(async () => {
  nats = await startTestNats();
  database = await createTestDatabase('customer');
  smtp = await startSmtpSink();
  receiver = await startWebhookReceiver();
  const env = testStackEnv('customer', database, nats, {
    SMTP_URL: smtp.url,
    // The tests drive the dispatcher themselves; a long interval keeps the timer out of the way.
    NOTIFY_DISPATCH_INTERVAL_MS: '60000',
    NOTIFY_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
    NOTIFY_BACKOFF_BASE_MS: '10',
    // The receiver listens on loopback; webhook-ssrf.test.ts covers the production refusal.
    NOTIFY_WEBHOOK_PRIVATE_TARGETS: 'allow',
  });
  app = await createCustomerApp(parseCustomerConfig(env));
  await app.listen(0, '127.0.0.1');
  tenantId = await createTestTenant(app);
  admin = await loginAs(app, { role: 'admin', tenantId });
  const created = await http().post('/notifications/webhooks').set(admin.headers).send({ url: receiver.url, events: ['deposit.settled'] }).expect(201);
  webhookId = created.body.id;
  expect(created.body.secret).toMatch(/^whsec_/);
  receiver.useSecret(created.body.secret);
  await dispatch();
});

afterAll(async () => {
  await app?.close();
  await receiver?.stop();
  await smtp?.stop();
  await database?.drop();
  await nats?.stop();
});

describe('email', () => {
  it('sends one email over SMTP per outbox row, with the delivery id as Message-ID, and never twice', async () => {
    const investor = await loginAs(app, { role: 'investor', tenantId });
    const outboxId = await enqueue({ userId: investor.principal.userId, event: 'kyc.decided', data: { status: 'approved', tier: '2' } });
    await dispatch();
    await dispatch();
    const mails = mailsTo(investor.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.headers.subject).toBe('Your identity check is complete');
    expect(mails[0]!.raw).toContain('Status: approved');
    const [delivery] = await deliveryRows(outboxId);
    expect(delivery).toMatchObject({ channel: 'email', status: 'sent', attempts: 1 });
    expect(mails[0]!.headers['message-id']).toBe(`<${delivery!.id}@notifications.bulwark>`);
  });

  it('sends nothing for a transaction that rolled back', async () => {
    const investor = await loginAs(app, { role: 'investor', tenantId });
    await expect(
      app.get(TenantScope).run(tenantId, async (tx) => {
        await app.get(NotificationService).enqueue(tx, { tenantId, userId: investor.principal.userId, event: 'kyc.decided', data: { status: 'rejected' } });
        throw new Error('the business change failed');
      }),
    ).rejects.toThrow('the business change failed');
    await dispatch();
    expect(mailsTo(investor.email)).toHaveLength(0);
  });

  it('sends one drain’s deliveries to many people in the order raised, skipping only those whose address does not open', async () => {
    const [first, corrupted, erased, last] = await Promise.all([0, 1, 2, 3].map(() => loginAs(app, { role: 'investor', tenantId })));
    // One address no longer opens (its sealed bytes are damaged); one person is erased (their key destroyed).
    const superuser = new pg.Client({ connectionString: testSuperuserUrl(database) });
    await superuser.connect();
    await superuser.query(`UPDATE user_account SET email_sealed = '\\x00'::bytea WHERE id = $1`, [corrupted!.principal.userId]);
    await superuser.end();
    await app.get(TenantScope).run(tenantId, (tx) => app.get(PersonalDataVault).destroyKey(tx, erased!.principal.userId));
    const people = [first!, corrupted!, erased!, last!];
    const outboxIds: string[] = [];
    for (const person of people) outboxIds.push(await enqueue({ userId: person.principal.userId, event: 'kyc.decided', data: { status: 'approved' } }));
    await dispatch();
    const rows = await Promise.all(outboxIds.map(async (id) => (await deliveryRows(id))[0]));
    expect(rows.map((row) => [row?.status, row?.last_error])).toEqual([
      ['sent', null], ['skipped', 'no address (erased or unknown user)'], ['skipped', 'no address (erased or unknown user)'], ['sent', null],
    ]);
    expect([first!, last!].map((person) => mailsTo(person.email).length)).toEqual([1, 1]);
    const order = smtp.received.map((mail) => mail.to.join()).filter((to) => to.includes(first!.email) || to.includes(last!.email));
    expect(order).toEqual([first!.email, last!.email].map((email) => expect.stringContaining(email)));
  });

  it('refuses to enqueue outside a transaction of the notification’s tenant, or with bad data', async () => {
    await expect(app.get(TenantScope).run(randomUUID(), (tx) => app.get(NotificationService).enqueue(tx, { tenantId, event: 'kyc.decided', data: {} }))).rejects.toThrow(/own tenant/);
    await expect(enqueue({ event: 'kyc.decided', data: { 'bad key': 'x' } })).rejects.toThrow();
  });
});

describe('webhooks', () => {
  it('POSTs a Standard Webhooks signed event the receiver verifies, once per outbox row', async () => {
    const before = receiver.received.length;
    const outboxId = await enqueue({ event: 'deposit.settled', data: { amount: '125000.00', currency: 'LKR' } });
    await dispatch();
    await dispatch();
    const got = receiver.received.slice(before);
    expect(got).toHaveLength(1);
    expect(got[0]!.verified).toBe(true);
    const [delivery] = await deliveryRows(outboxId);
    expect(got[0]!.headers['webhook-id']).toBe(delivery!.id);
    expect(JSON.parse(got[0]!.body)).toMatchObject({ type: 'deposit.settled', data: { amount: '125000.00', currency: 'LKR', notificationId: outboxId } });
  });

  it('does not send events the endpoint did not subscribe to', async () => {
    const before = receiver.received.length;
    const outboxId = await enqueue({ event: 'kyc.decided', data: { status: 'approved' } });
    await dispatch();
    expect(receiver.received.length).toBe(before);
    expect(await deliveryRows(outboxId)).toEqual([]);
  });

  it('retries a failing receiver with backoff and the same webhook-id until it answers', async () => {
    const before = receiver.received.length;
    receiver.failNext(500, 503);
    const outboxId = await enqueue({ event: 'deposit.settled', data: { amount: '1.00', currency: 'LKR' } });
    await dispatch();
    expect(await deliveryRows(outboxId)).toEqual([expect.objectContaining({ status: 'pending', attempts: 1, last_error: 'HTTP 500' })]);
    await eventually(async () => {
      await dispatch();
      const [row] = await deliveryRows(outboxId);
      return row?.status === 'sent' ? row : undefined;
    }, 5_000, 'the delivery to succeed');
    const attempts = receiver.received.slice(before);
    expect(attempts.map((a) => a.headers['webhook-id'])).toEqual(Array(3).fill(attempts[0]!.headers['webhook-id']));
    expect(attempts.every((a) => a.verified)).toBe(true);
  });

  it('gives up after the attempt limit, shows the dead delivery to the admin, and retries it on request', async () => {
    receiver.failNext(...Array(MAX_ATTEMPTS).fill(500));
    const outboxId = await enqueue({ event: 'deposit.settled', data: { amount: '2.00', currency: 'LKR' } });
    const [dead] = await eventually(async () => {
      await dispatch();
      const rows = await deliveryRows(outboxId);
      return rows[0]?.status === 'dead' ? rows : undefined;
    }, 5_000, 'the delivery to die');
    expect(dead).toMatchObject({ attempts: MAX_ATTEMPTS, last_error: 'HTTP 500' });
    const listed = await http().get('/notifications/deliveries?status=dead').set(admin.headers).expect(200);
    expect(listed.body.map((d: { id: string }) => d.id)).toContain(dead!.id);
    await http().post(`/notifications/deliveries/${dead!.id}/retry`).set(admin.headers).set('Idempotency-Key', randomUUID()).expect(204);
    await dispatch();
    expect((await deliveryRows(outboxId))[0]).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('lets only a tenant admin manage endpoints, and stops sending to a removed one', async () => {
    const investor = await loginAs(app, { role: 'investor', tenantId });
    await http().post('/notifications/webhooks').set(investor.headers).send({ url: receiver.url, events: ['deposit.settled'] }).expect(403);
    await http().post('/notifications/webhooks').set(admin.headers).send({ url: 'ftp://example.lk/x', events: ['deposit.settled'] }).expect(400);
    const other = await http().post('/notifications/webhooks').set(admin.headers).send({ url: `${receiver.url}/second`, events: ['deposit.settled'] }).expect(201);
    const listed = await http().get('/notifications/webhooks').set(admin.headers).expect(200);
    expect(listed.body.map((e: { id: string }) => e.id)).toEqual(expect.arrayContaining([webhookId, other.body.id]));
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');
    await http().delete(`/notifications/webhooks/${other.body.id}`).set(admin.headers).set('Idempotency-Key', randomUUID()).expect(204);
    const outboxId = await enqueue({ event: 'deposit.settled', data: { amount: '3.00', currency: 'LKR' } });
    await dispatch();
    expect((await deliveryRows(outboxId)).map((d) => d.status)).toEqual(['sent']);
  });
});

describe('security notices', () => {
  it('emails on a sign-in from a new device (not the first one), on 2FA changes and on a revoked session', async () => {
    const user = await loginAs(app, { role: 'investor', tenantId });
    await dispatch();
    expect(mailsTo(user.email)).toHaveLength(0);
    const second = await http().post('/auth/login').set('User-Agent', 'Firefox on a new laptop').send({ tenantId, email: user.email, password: user.password, transport: 'token' }).expect(200);
    const { secret } = (await http().post('/auth/2fa/setup').set(user.headers).expect(200)).body;
    await http().post('/auth/2fa/enable').set(user.headers).set('Idempotency-Key', randomUUID()).send({ code: totpCode(secret, Date.now()) }).expect(204);
    await http().delete(`/auth/sessions/${second.body.principal.sessionId}`).set(user.headers).set('Idempotency-Key', randomUUID()).expect(204);
    await dispatch();
    const subjects = mailsTo(user.email).map((mail) => mail.headers.subject);
    expect(subjects.sort()).toEqual(['A session was ended', 'New sign-in to your account', 'Two-factor authentication is on']);
    expect(mailsTo(user.email).find((mail) => mail.headers.subject === 'New sign-in to your account')!.raw).toContain('Firefox on a new laptop');
  });
});
