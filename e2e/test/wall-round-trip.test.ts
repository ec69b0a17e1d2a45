// The first real round trip across the wall, both stacks on real Postgres and JetStream, each
// connected as its own NATS user: the customer stack's outbox publishes intent.submitted.v1,
// the execution stack verifies it and answers intent.accepted.v1, and the customer stack books
// the answer. Also proves the NATS permissions keep each stack on its own side.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { WallService, parseStackConfig } from '@bulwark/shared-contracts/platform';
import { createTestDatabase, eventually, startTestNats, testStackEnv, type TestDatabase, type TestNats } from '@bulwark/testing';
import { createCustomerApp } from '../../customer-stack/api/src/app.js';
import { parseCustomerConfig } from '../../customer-stack/api/src/config/customer-config.js';
import { OrdersService } from '../../customer-stack/api/src/orders/orders.service.js';
import { REFERENCE_TENANT_ID } from '../../customer-stack/api/src/tenancy/reference-tenant.js';
import { registerTestAccount } from '../../customer-stack/api/test/support/tenancy.js';
import { createExecutionApp } from '../../execution-stack/api/src/app.js';
import { InstrumentsService } from '../../execution-stack/api/src/market/instruments.service.js';

let nats: TestNats;
let customerDb: TestDatabase;
let executionDb: TestDatabase;
let customer: INestApplication;
let execution: INestApplication;

beforeAll(async () => {
  nats = await startTestNats();
  customerDb = await createTestDatabase('customer');
  executionDb = await createTestDatabase('execution');
  customer = await createCustomerApp(parseCustomerConfig(testStackEnv('customer', customerDb, nats)));
  execution = await createExecutionApp(parseStackConfig('execution', testStackEnv('execution', executionDb, nats)));
  await Promise.all([customer.init(), execution.init()]);
});

afterAll(async () => {
  await customer?.close();
  await execution?.close();
  await customerDb?.drop();
  await executionDb?.drop();
  await nats?.stop();
});

describe('a round trip across the wall', () => {
  it('submits intents on the customer side and books the execution stack\'s answers', async () => {
    const listed = await execution.get(InstrumentsService).list({ symbol: 'LK-ELECTION-2027-YES', kind: 'event', tickSize: '0.01', lotSize: '1' });
    const base = { accountRef: await registerTestAccount(customer), tenantRef: REFERENCE_TENANT_ID, side: 'buy' as const, quantity: '25', timeInForce: 'GTC' as const };
    const [good, offTick, unknown] = await customer.get(OrdersService).submitIntents([
      { ...base, instrumentId: listed.id, limitPrice: '0.42' },
      { ...base, instrumentId: listed.id, limitPrice: '0.425' },
      { ...base, instrumentId: randomUUID(), limitPrice: '0.42' },
    ]);
    const settled = await eventually(async () => {
      const rows = await customer.get(OrdersService).findIntents(REFERENCE_TENANT_ID, [good!, offTick!, unknown!]);
      return rows.every((r) => r.status !== 'submitted') ? new Map(rows.map((r) => [r.id, r])) : undefined;
    }, 20_000, 'all three intents to be answered');
    expect(settled.get(good!)).toMatchObject({ status: 'accepted', reject_code: null });
    expect(settled.get(offTick!)).toMatchObject({ status: 'rejected', reject_code: 'bad_tick' });
    expect(settled.get(unknown!)).toMatchObject({ status: 'rejected', reject_code: 'unknown_instrument' });

    // The execution side stored opaque references and amounts only, once each.
    const stored = await execution.get(DataSource).query(`SELECT intent_id, account_ref, quantity, status FROM omnibus_intent ORDER BY intent_id`);
    expect(stored).toHaveLength(3);
    expect(stored.find((r: { intent_id: string }) => r.intent_id === good)).toMatchObject({ account_ref: base.accountRef, quantity: '25.000000000000000000', status: 'accepted' });
    // Both sides recorded no rejection and every outbound message was published.
    for (const app of [customer, execution]) {
      const [counts] = await app.get(DataSource).query(
        `SELECT (SELECT count(*) FROM wall_rejection)::int AS rejected,
                (SELECT count(*) FROM wall_outbox_status WHERE NOT published)::int AS unpublished`,
      );
      expect(counts).toEqual({ rejected: 0, unpublished: 0 });
    }
  });
});

describe('pausing a stack\'s inbound for maintenance', () => {
  it('keeps answers waiting in JetStream while paused and books them all on resume', async () => {
    const listed = await execution.get(InstrumentsService).list({ symbol: 'LK-PAUSE-2027-YES', kind: 'event', tickSize: '0.01', lotSize: '1' });
    const wall = customer.get(WallService);
    await wall.pauseInbound();
    const base = {
      accountRef: await registerTestAccount(customer), tenantRef: REFERENCE_TENANT_ID, instrumentId: listed.id,
      side: 'buy' as const, quantity: '5', limitPrice: '0.5', timeInForce: 'GTC' as const,
    };
    const ids = await customer.get(OrdersService).submitIntents([base, base, base]);
    // The execution stack accepted and answered all three ...
    await eventually(async () => {
      const [row] = await execution.get(DataSource).query(
        `SELECT count(*)::int AS answered FROM wall_outbox_status WHERE subject = 'bulwark.e2c.intent.accepted.v1' AND published AND body LIKE ANY($1)`,
        [ids.map((id) => `%${id}%`)],
      );
      return row.answered === 3 ? true : undefined;
    }, 20_000, 'the three answers to be published');
    // ... and the paused customer stack has not taken them.
    expect((await customer.get(OrdersService).findIntents(REFERENCE_TENANT_ID, ids)).map((r) => r.status)).toEqual(['submitted', 'submitted', 'submitted']);
    await wall.resumeInbound();
    await eventually(async () => {
      const rows = await customer.get(OrdersService).findIntents(REFERENCE_TENANT_ID, ids);
      return rows.every((r) => r.status === 'accepted') ? true : undefined;
    }, 20_000, 'the answers to be booked after resuming');
  });
});

describe('NATS permissions keep each stack on its side', () => {
  it.each([
    ['customer', 'bulwark.e2c.intent.accepted.v1'],
    ['execution', 'bulwark.c2e.intent.submitted.v1'],
  ] as const)('the %s user cannot publish on %s', async (user, subject) => {
    const nc = await connect({ servers: nats.url, ...nats.credentials(user), inboxPrefix: `_INBOX_${user}` });
    try {
      await expect(jetstream(nc).publish(subject, '{}', { timeout: 2_000 })).rejects.toThrow(/permission|timeout|no responders/i);
      const errors: string[] = [];
      (async () => {
        for await (const status of nc.status()) if (status.type === 'error') errors.push(String(status.error));
      })().catch(() => undefined);
      nc.publish(subject, '{}');
      await nc.flush();
      await eventually(async () => (errors.some((e) => /permissions violation/i.test(e)) ? true : undefined), 5_000, 'a permissions violation');
    } finally {
      await nc.close().catch(() => undefined);
    }
  });

  it('the customer user cannot read the execution stack\'s inbound consumer', async () => {
    const nc = await connect({ servers: nats.url, ...nats.credentials('customer'), inboxPrefix: '_INBOX_customer' });
    try {
      await expect(nc.request('$JS.API.CONSUMER.INFO.BULWARK_C2E.execution-inbound', '', { timeout: 2_000 })).rejects.toThrow();
    } finally {
      await nc.close().catch(() => undefined);
    }
  });

  it('the customer user may publish on its own outbound subjects', async () => {
    const nc = await connect({ servers: nats.url, ...nats.credentials('customer'), inboxPrefix: '_INBOX_customer' });
    try {
      const ack = await jetstream(nc).publish('bulwark.c2e.intent.cancel.v1', '{}', { timeout: 2_000 });
      expect(ack.stream).toBe('BULWARK_C2E');
    } finally {
      await nc.close().catch(() => undefined);
    }
  });
});
