// Webhooks cannot be turned against the stack's own network: with the production policy an
// endpoint on loopback, a private network or the link-local metadata address is refused at
// registration, and an endpoint whose name resolves there at send time (DNS rebinding, or a row
// that predates the rule) is never connected to: the delivery fails and dies, visibly and audited.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createTestDatabase, startTestNats, testStackEnv, type TestDatabase, type TestNats } from '@bulwark/testing';
import { createCustomerApp } from '../src/app.js';
import { AuditService } from '../src/audit/audit.service.js';
import { seal } from '../src/auth/secret-box.js';
import { parseCustomerConfig, type CustomerConfig } from '../src/config/customer-config.js';
import { NotificationDispatcher } from '../src/notifications/notification.dispatcher.js';
import { NotificationService, webhookSecretContext } from '../src/notifications/notification.service.js';
import { TenantScope } from '../src/tenancy/tenant-scope.js';
import { createTestTenant } from './support/tenancy.js';
import { loginAs, type LoggedIn } from './support/auth.js';
import { startWebhookReceiver, type WebhookReceiver } from './support/notifications.js';

let tenantId: string;
let nats: TestNats;
let database: TestDatabase;
let receiver: WebhookReceiver;
let config: CustomerConfig;
let app: INestApplication;
let admin: LoggedIn;
const http = () => request(app.getHttpServer());
const scope = () => app.get(TenantScope);

beforeAll(async () => {
  nats = await startTestNats();
  database = await createTestDatabase('customer');
  receiver = await startWebhookReceiver();
  // The default policy, as in production: private targets refused.
  config = parseCustomerConfig(testStackEnv('customer', database, nats, { NOTIFY_DISPATCH_INTERVAL_MS: '60000', NOTIFY_MAX_ATTEMPTS: '1' }));
  app = await createCustomerApp(config);
  await app.listen(0, '127.0.0.1');
  tenantId = await createTestTenant(app);
  admin = await loginAs(app, { role: 'admin', tenantId });
});

afterAll(async () => {
  await app?.close();
  await receiver?.stop();
  await database?.drop();
  await nats?.stop();
});

describe('registering a webhook endpoint', () => {
  it.each([
    ['loopback', 'http://127.0.0.1:9/hook'],
    ['loopback by name', 'http://localhost:9/hook'],
    ['loopback written as a number', 'http://2130706433/hook'],
    ['IPv6 loopback', 'http://[::1]:9/hook'],
    ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]/hook'],
    ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data'],
    ['a private network', 'https://10.20.30.40/hook'],
    ['a private network (192.168/16)', 'https://192.168.0.10/hook'],
    ['a name that does not resolve', 'https://no-such-host.invalid/hook'],
  ])('refuses %s with 422 and stores nothing', async (_name, url) => {
    const refused = await http().post('/notifications/webhooks').set(admin.headers).send({ url, events: ['deposit.settled'] }).expect(422);
    expect(refused.body.code).toBe('endpoint_target_refused');
    expect((await http().get('/notifications/webhooks').set(admin.headers).expect(200)).body.filter((e: { url: string }) => e.url === url)).toEqual([]);
  });

  it('accepts an endpoint on the public internet', async () => {
    const created = await http().post('/notifications/webhooks').set(admin.headers).send({ url: 'https://93.184.215.14/hooks/bulwark', events: ['kyc.decided'] }).expect(201);
    await http().delete(`/notifications/webhooks/${created.body.id}`).set(admin.headers).set('Idempotency-Key', randomUUID()).expect(204);
  });

  it('refuses a production configuration that allows private targets', () => {
    const env = testStackEnv('customer', database, nats, { NODE_ENV: 'production', SMTP_URL: 'smtp://mail.example:25', NOTIFY_WEBHOOK_PRIVATE_TARGETS: 'allow' });
    expect(() => parseCustomerConfig(env)).toThrow(/NOTIFY_WEBHOOK_PRIVATE_TARGETS/);
  });
});

describe('sending', () => {
  it.each([
    ['a name resolving to loopback', () => receiver.url.replace('127.0.0.1', 'localhost')],
    ['a loopback address', () => receiver.url],
  ])('never connects to %s: the delivery fails, dies and is audited', async (_name, urlOf) => {
    // An endpoint row that passed registration earlier (the name then resolved elsewhere).
    const endpointId = randomUUID();
    await scope().run(tenantId, (tx) =>
      tx.query(
        `INSERT INTO webhook_endpoint (id, tenant_id, url, secret_sealed, events, active, created_by, created_at) VALUES ($1, $2, $3, $4, $5::text[], true, $6, now())`,
        [endpointId, tenantId, urlOf(), seal(config.notifications.webhookKey.reveal(), 'whsec_dGVzdA==', webhookSecretContext(endpointId)), ['deposit.settled'], admin.principal.userId],
      ),
    );
    const before = receiver.received.length;
    const outboxId = await scope().run(tenantId, (tx) => app.get(NotificationService).enqueue(tx, { tenantId, event: 'deposit.settled', data: { amount: '1.00', currency: 'LKR' } }));
    await app.get(NotificationDispatcher).dispatchDue();
    await scope().run(tenantId, (tx) => tx.query('UPDATE webhook_endpoint SET active = false WHERE id = $1', [endpointId]));
    expect(receiver.received.length).toBe(before);
    const [delivery] = await scope().run(tenantId, (tx) =>
      tx.query<{ id: string; status: string; last_error: string }>(`SELECT id, status, last_error FROM notification_delivery WHERE outbox_id = $1 AND target = $2`, [outboxId, endpointId]),
    );
    expect(delivery).toMatchObject({ status: 'dead', last_error: expect.stringMatching(/^WebhookTargetRefused: /) });
    const [dead] = await scope().run(tenantId, (tx) => app.get(AuditService).ofResource(tx, `notification_delivery:${delivery!.id}`));
    expect(dead).toMatchObject({ action: 'notifications.delivery.dead', diff: { failure: 'WebhookTargetRefused' } });
  });
});
