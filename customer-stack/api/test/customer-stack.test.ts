// The customer stack on real Postgres and a real JetStream behind the project's NATS
// permissions: it boots, reports health, has no pending migrations, refuses bad configuration,
// and an intent and its wall message commit together and are published with Nats-Msg-Id.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamManager, type StoredMsg } from '@nats-io/jetstream';
import { decodeWire } from '@bulwark/shared-contracts';
import { parseStackConfig } from '@bulwark/shared-contracts/platform';
import { parseCustomerConfig } from '../src/config/customer-config.js';
import { WALL_STREAMS } from '@bulwark/shared-contracts/wall';
import { createTestDatabase, eventually, startTestNats, testStackEnv, type TestDatabase, type TestNats } from '@bulwark/testing';
import { createCustomerApp } from '../src/app.js';
import { OrdersService } from '../src/orders/orders.service.js';
import { routeAccess } from './support/auth.js';
import { REFERENCE_TENANT_ID } from '../src/tenancy/reference-tenant.js';
import { registerTestAccount } from './support/tenancy.js';

let nats: TestNats;
let database: TestDatabase;
let app: INestApplication;

beforeAll(async () => {
  nats = await startTestNats();
  database = await createTestDatabase('customer');
  app = await createCustomerApp(parseCustomerConfig(testStackEnv('customer', database, nats)));
  await app.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
  await nats?.stop();
});

describe('customer stack platform', () => {
  it('reports database and NATS up on /health', async () => {
    const response = await request(app.getHttpServer()).get('/health').expect(200);
    expect(response.body.info).toMatchObject({ database: { status: 'up' }, nats: { status: 'up', connected: true } });
  });

  it('serves metrics and its OpenAPI document', async () => {
    expect((await request(app.getHttpServer()).get('/metrics').expect(200)).text).toContain('wall_published_total');
    const docs = await request(app.getHttpServer()).get('/docs-json').expect(200);
    expect(docs.body.info.title).toBe('Bulwark customer stack');
    await request(app.getHttpServer()).get('/docs').expect(200);
  });

  it('puts every route behind @Public() or @Permissions(...): the guard refuses any other', async () => {
    const routes = routeAccess(app);
    expect(routes.filter((route) => route.rule.kind !== 'public' && route.rule.kind !== 'permissions')).toEqual([]);
    // The scan sees the platform's routes and the domain's, not an empty list.
    const named = routes.map((route) => `${route.controller}.${route.handler}:${route.rule.kind}`);
    expect(named).toEqual(expect.arrayContaining(['HealthController.check:public', 'MetricsController.scrape:public', 'AuthController.login:public', 'AuthController.sessions:permissions']));
    // A provider's webhook route is public only as a signed webhook: its handler verifies the signature.
    const webhooks = routes.filter((route) => route.signedWebhook !== undefined);
    expect(webhooks.map((route) => `${route.controller}.${route.handler}:${route.rule.kind}`)).toEqual(['PaymentsWebhookController.receive:public']);
    expect(webhooks[0]?.signedWebhook).toMatch(/HMAC-SHA256/);
    // The OpenAPI document is middleware, outside Nest's routes: public by construction.
    await request(app.getHttpServer()).get('/docs-json').expect(200);
  });

  it('has no pending migrations: entities and the migrated schema agree', async () => {
    const dataSource = app.get(DataSource);
    expect(await dataSource.showMigrations()).toBe(false);
    expect((await dataSource.driver.createSchemaBuilder().log()).upQueries.map((q) => q.query)).toEqual([]);
  });

  it.each([
    ['a missing database URL', { DATABASE_URL: undefined }, /DATABASE_URL/],
    ['a short envelope secret', { WALL_C2E_SECRET: 'c2VjcmV0' }, /WALL_C2E_SECRET/],
    ['a previous key id without its secret', { WALL_E2C_PREVIOUS_KID: 'e2c-old' }, /PREVIOUS/],
    ['a NATS user without a password', { NATS_PASSWORD: undefined }, /NATS_USER and NATS_PASSWORD/],
    ['a port out of range', { HTTP_PORT: '70000' }, /HTTP_PORT/],
  ])('refuses to start with %s', (_name, overrides, message) => {
    const env: Record<string, string | undefined> = { ...testStackEnv('customer', database, nats), ...overrides };
    expect(() => parseStackConfig('customer', env)).toThrow(message);
  });

  it('freezes its configuration', () => {
    const config = parseStackConfig('customer', testStackEnv('customer', database, nats));
    expect(Object.isFrozen(config) && Object.isFrozen(config.database) && Object.isFrozen(config.wall.keys)).toBe(true);
  });
});

/** The stream's message published with this Nats-Msg-Id, looked for from the newest back (the outbox keeps no stream sequence). */
async function storedWithMsgId(jsm: JetStreamManager, stream: string, msgId: string): Promise<StoredMsg | undefined> {
  const { state } = await jsm.streams.info(stream);
  for (let seq = state.last_seq; seq >= state.first_seq && seq > 0; seq -= 1) {
    const message = await jsm.streams.getMessage(stream, { seq });
    if (message?.header.get('Nats-Msg-Id') === msgId) return message;
  }
  return undefined;
}

describe('order intents and the outbox', () => {
  let accountRef: string;
  beforeAll(async () => {
    accountRef = await registerTestAccount(app);
  });
  const input = () => ({
    accountRef, tenantRef: REFERENCE_TENANT_ID, instrumentId: randomUUID(),
    side: 'buy' as const, quantity: '10', limitPrice: '0.55', timeInForce: 'GTC' as const,
  });

  it('records an intent and its intent.submitted.v1 in one transaction and publishes it with Nats-Msg-Id', async () => {
    const [intentId] = await app.get(OrdersService).submitIntents([input()]);
    const dataSource = app.get(DataSource);
    const outbox = await eventually(async () => {
      const [row] = await dataSource.query(`SELECT message_id, subject, published FROM wall_outbox_status WHERE body LIKE '%' || $1 || '%'`, [intentId]);
      return row?.published ? row : undefined;
    }, 10_000, 'the outbox row to be published');
    expect(outbox.subject).toBe('bulwark.c2e.intent.submitted.v1');
    const provisioner = await connect({ servers: nats.url, ...nats.credentials('provisioner') });
    try {
      const stored = await storedWithMsgId(await jetstreamManager(provisioner), WALL_STREAMS.c2e, outbox.message_id);
      expect(stored?.header.get('Nats-Msg-Id')).toBe(outbox.message_id);
      expect(stored?.subject).toBe('bulwark.c2e.intent.submitted.v1');
      const wire = decodeWire(stored?.string() ?? '');
      expect(wire).toMatchObject({ id: outbox.message_id, v: 1 });
      expect(typeof wire === 'string' ? wire : JSON.parse(wire.body)).toMatchObject({ intentId });
    } finally {
      await provisioner.close();
    }
    const [intent] = await app.get(OrdersService).findIntents(REFERENCE_TENANT_ID, [intentId!]);
    expect(intent).toMatchObject({ status: 'submitted', quantity: '10.000000000000000000' });
  });

  it('refuses a malformed intent and loses nothing: neither the intent nor a message is written', async () => {
    const before = await app.get(DataSource).query('SELECT count(*)::int AS n FROM wall_outbox');
    await expect(app.get(OrdersService).submitIntents([{ ...input(), quantity: '-1' }])).rejects.toThrow();
    await expect(app.get(OrdersService).submitIntents([{ ...input(), quantity: '1e3' }])).rejects.toThrow();
    // An account of another tenant, or one never registered, cannot place an intent here.
    await expect(app.get(OrdersService).submitIntents([{ ...input(), tenantRef: randomUUID() }])).rejects.toThrow(/does not belong to this tenant/);
    await expect(app.get(OrdersService).submitIntents([{ ...input(), accountRef: randomUUID() }])).rejects.toThrow(/does not belong to this tenant/);
    const after = await app.get(DataSource).query('SELECT count(*)::int AS n FROM wall_outbox');
    expect(after[0].n).toBe(before[0].n);
  });
});
