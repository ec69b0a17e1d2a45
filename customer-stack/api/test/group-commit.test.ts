// Group commit on the real stack: concurrent requests of one tenant on a @GroupCommit route share
// one transaction (the same txid), each in a savepoint of its own. A refused member rolls back only
// itself and answers its own refusal; a key sent twice at once acts once; a failed shared commit
// fails every member and leaves nothing, and each retry then acts once; tenants never share a
// transaction; a member kept waiting for a row lock leaves its group for a transaction of its own;
// while a group is busy, another opens beside it, up to the lanes allowed. The app runs with one
// lane per tenant, so that the requests a test sends while a group is held all join that group.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Body, Controller, Global, Inject, Module, Post, UnprocessableEntityException, type INestApplication } from '@nestjs/common';
import type { SqlDatabase } from '@bulwark/shared-contracts/wall';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import request from 'supertest';
import { createTestDatabase, startTestNats, testStackEnv, type TestDatabase, type TestNats } from '@bulwark/testing';
import { createCustomerApp } from '../src/app.js';
import { AuditService } from '../src/audit/audit.service.js';
import { CurrentPrincipal, Permissions, type Principal } from '../src/auth/permissions.decorator.js';
import { parseCustomerConfig } from '../src/config/customer-config.js';
import { REFERENCE_TENANT_ID } from '../src/tenancy/reference-tenant.js';
import { GroupCommit } from '../src/tenancy/group-commit.decorator.js';
import { DEFAULT_REQUEST_GROUP_LIMITS, REQUEST_GROUP_LIMITS, RequestTransaction } from '../src/tenancy/request-transaction.js';
import { TenantScope } from '../src/tenancy/tenant-scope.js';
import { loginAs, type LoggedIn } from './support/auth.js';
import { createTestTenant } from './support/tenancy.js';

interface ActBody {
  readonly label: string;
  /** Waits in its run until the test lets it go, so that the requests sent meanwhile join its group. */
  readonly hold?: boolean;
  readonly refuse?: boolean;
  /** Locks this idempotency key's record in its run (a row the test may hold locked). */
  readonly lockKey?: string;
}

const holds = new Map<string, () => void>();
let failNextCommit = false;

@Controller('test-group-commit')
class GroupedController {
  constructor(
    @Inject(TenantScope) private readonly tenants: TenantScope,
    @Inject(AuditService) private readonly audit: AuditService,
  ) {}

  @Post('act')
  @Permissions('session:self')
  @GroupCommit('a test route whose work is one run in this database')
  async act(@CurrentPrincipal() principal: Principal, @Body() body: ActBody): Promise<{ label: string; txid: string; tenants: string[] }> {
    return this.tenants.run(principal.tenantId, async (tx) => {
      if (body.lockKey !== undefined) await tx.query(`SELECT key FROM idempotency_record WHERE key = $1 FOR UPDATE`, [body.lockKey]);
      await this.audit.record(tx, { tenantId: principal.tenantId, actor: `user:${principal.userId}`, role: 'investor', action: 'test.effect.recorded', resource: `test:${body.label}`, diff: {} });
      if (failNextCommit) {
        failNextCommit = false;
        tx.beforeCommit?.(async () => {
          throw new Error('the test fails this commit');
        });
      }
      if (body.hold) await new Promise<void>((resolve) => holds.set(body.label, resolve));
      if (body.refuse) throw new UnprocessableEntityException({ message: 'not this one', code: 'test_refusal' });
      const [row] = await tx.query<{ txid: string }>('SELECT txid_current()::text AS txid');
      // What row-level security lets this run see of the test's entries: its own tenant's only.
      const seen = await tx.query<{ tenant_id: string }>(`SELECT DISTINCT tenant_id FROM audit_entry WHERE action = 'test.effect.recorded'`);
      return { label: body.label, txid: row?.txid ?? '', tenants: seen.map((r) => r.tenant_id) };
    });
  }
}

@Global()
@Module({
  controllers: [GroupedController],
  providers: [{ provide: REQUEST_GROUP_LIMITS, useValue: { ...DEFAULT_REQUEST_GROUP_LIMITS, lanesMax: 1 } }],
  exports: [REQUEST_GROUP_LIMITS],
})
class GroupedModule {}

let nats: TestNats;
let database: TestDatabase;
let app: INestApplication;
let alice: LoggedIn;
const http = () => request(app.getHttpServer());

beforeAll(async () => {
  nats = await startTestNats();
  database = await createTestDatabase('customer');
  app = await createCustomerApp(parseCustomerConfig(testStackEnv('customer', database, nats)), [GroupedModule]);
  await app.listen(0, '127.0.0.1');
  alice = await loginAs(app, { role: 'investor', tenantId: REFERENCE_TENANT_ID });
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
  await nats?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, ready: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1_000; i += 1) {
    if (await ready()) return;
    await sleep(10);
  }
  throw new Error(`timed out waiting until ${what}`);
}

function act(user: LoggedIn, key: string, body: ActBody) {
  return http().post('/test-group-commit/act').set(user.headers).set('Idempotency-Key', key).send(body).then((r) => r);
}

/** Starts a request that holds its group open, and waits until it is in its run. */
async function holder(user: LoggedIn, label = randomUUID()): Promise<{ label: string; answer: ReturnType<typeof act> }> {
  const answer = act(user, randomUUID(), { label, hold: true });
  await until(`${label} holds its group`, () => holds.has(label));
  return { label, answer };
}

/** Lets the holder go once the given keys have been claimed and had time to queue behind it in its group. */
async function release(label: string, keys: readonly string[]): Promise<void> {
  const db = app.get<SqlDatabase>(SQL_DATABASE);
  await until('every request claimed its key', async () => {
    const [row] = await db.transaction((tx) => tx.query<{ n: number }>('SELECT count(*)::int AS n FROM idempotency_record WHERE key = ANY($1)', [keys]));
    return row?.n === new Set(keys).size;
  });
  await sleep(200);
  holds.get(label)?.();
  holds.delete(label);
}

async function effectsOf(tenantId: string, label: string): Promise<number> {
  const [row] = await app.get(TenantScope).run(tenantId, (tx) => tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_entry WHERE resource = $1`, [`test:${label}`]));
  return row?.n ?? -1;
}

describe('group commit of concurrent requests', () => {
  it('commits a group in one transaction; a refused member rolls back only itself and answers its refusal', async () => {
    const held = await holder(alice);
    const members = ['a', 'b', 'c', 'd'].map((name) => ({ key: randomUUID(), label: `${name}-${randomUUID()}`, refuse: name === 'c' }));
    const answers = members.map((m) => act(alice, m.key, { label: m.label, refuse: m.refuse }));
    await release(held.label, members.map((m) => m.key));
    const first = await held.answer;
    expect(first.status).toBe(201);
    for (const [i, m] of members.entries()) {
      const answer = await (answers[i] as ReturnType<typeof act>);
      if (m.refuse) {
        expect(answer.status).toBe(422);
        expect(answer.body.code).toBe('test_refusal');
        expect(await effectsOf(REFERENCE_TENANT_ID, m.label)).toBe(0);
      } else {
        expect(answer.status).toBe(201);
        expect(answer.body.txid).toBe(first.body.txid);
        expect(await effectsOf(REFERENCE_TENANT_ID, m.label)).toBe(1);
      }
      // Each outcome committed with its own member: a retry replays it without acting again.
      const again = await act(alice, m.key, { label: m.label, refuse: m.refuse });
      expect(again.status).toBe(answer.status);
      if (!m.refuse) expect(again.body).toEqual(answer.body);
      expect(await effectsOf(REFERENCE_TENANT_ID, m.label)).toBe(m.refuse ? 0 : 1);
    }
  });

  it('acts once for a key sent twice at once: the second is told to wait (409), then replays', async () => {
    const held = await holder(alice);
    const key = randomUUID();
    const label = randomUUID();
    const twice = [act(alice, key, { label }), act(alice, key, { label })];
    await release(held.label, [key]);
    expect((await held.answer).status).toBe(201);
    const statuses = (await Promise.all(twice)).map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409]);
    expect(await effectsOf(REFERENCE_TENANT_ID, label)).toBe(1);
    expect((await act(alice, key, { label })).status).toBe(201);
    expect(await effectsOf(REFERENCE_TENANT_ID, label)).toBe(1);
  });

  it('fails every member when the shared commit fails, leaving nothing; each retry with its key then acts once', async () => {
    const held = await holder(alice);
    const members = [0, 1, 2].map(() => ({ key: randomUUID(), label: randomUUID() }));
    failNextCommit = true;
    const answers = members.map((m) => act(alice, m.key, { label: m.label }));
    await release(held.label, members.map((m) => m.key));
    expect((await held.answer).status).toBe(500);
    for (const answer of await Promise.all(answers)) expect(answer.status).toBe(500);
    for (const m of [...members, { label: held.label }]) expect(await effectsOf(REFERENCE_TENANT_ID, m.label)).toBe(0);
    expect(failNextCommit).toBe(false);
    for (const m of members) {
      expect((await act(alice, m.key, { label: m.label })).status).toBe(201);
      expect(await effectsOf(REFERENCE_TENANT_ID, m.label)).toBe(1);
    }
  });

  it('never puts two tenants in one transaction: each group sees only its own tenant', async () => {
    const otherTenant = await createTestTenant(app);
    const bob = await loginAs(app, { role: 'investor', tenantId: otherTenant });
    const heldA = await holder(alice);
    const heldB = await holder(bob);
    const mine = [alice, alice, bob, bob].map((user) => ({ user, key: randomUUID(), label: randomUUID() }));
    const answers = mine.map((m) => act(m.user, m.key, { label: m.label }));
    await release(heldA.label, mine.map((m) => m.key));
    await release(heldB.label, []);
    const [a, b] = [await heldA.answer, await heldB.answer];
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.txid).not.toBe(b.body.txid);
    for (const [i, m] of mine.entries()) {
      const answer = await (answers[i] as ReturnType<typeof act>);
      expect(answer.status).toBe(201);
      const tenantId = m.user.principal.tenantId;
      expect(answer.body.txid).toBe(tenantId === REFERENCE_TENANT_ID ? a.body.txid : b.body.txid);
      expect(answer.body.tenants.filter((t: string) => t !== tenantId)).toEqual([]);
      expect(await effectsOf(tenantId, m.label)).toBe(1);
      expect(await effectsOf(tenantId === REFERENCE_TENANT_ID ? otherTenant : REFERENCE_TENANT_ID, m.label)).toBe(0);
    }
  });

  it('lets a member kept waiting for a row lock leave its group: the group commits, the member acts once in a transaction of its own', async () => {
    const lockedKey = randomUUID();
    expect((await act(alice, lockedKey, { label: randomUUID() })).status).toBe(201);
    const db = app.get<SqlDatabase>(SQL_DATABASE);
    let unlock!: () => void;
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    const lockHeld = db.transaction(async (tx) => {
      await tx.query(`SELECT key FROM idempotency_record WHERE key = $1 FOR UPDATE`, [lockedKey]);
      locked();
      await new Promise<void>((resolve) => (unlock = resolve));
    });
    await lockTaken;
    const held = await holder(alice);
    const waiter = { key: randomUUID(), label: randomUUID() };
    const other = { key: randomUUID(), label: randomUUID() };
    const waiting = act(alice, waiter.key, { label: waiter.label, lockKey: lockedKey });
    const otherAnswer = act(alice, other.key, { label: other.label });
    await release(held.label, [waiter.key, other.key]);
    // The group commits without the waiter, which now waits in its own transaction.
    const [first, second] = [await held.answer, await otherAnswer];
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body.txid).toBe(first.body.txid);
    await sleep(DEFAULT_REQUEST_GROUP_LIMITS.lockWaitMs * 2);
    expect(await effectsOf(REFERENCE_TENANT_ID, waiter.label)).toBe(0);
    unlock();
    await lockHeld;
    const answer = await waiting;
    expect(answer.status).toBe(201);
    expect(answer.body.txid).not.toBe(first.body.txid);
    expect(await effectsOf(REFERENCE_TENANT_ID, waiter.label)).toBe(1);
  });

  it('opens another group beside a busy one, up to the lanes allowed, and lets later requests join the one with the fewest still to finish', async () => {
    const requests = new RequestTransaction(app.get<SqlDatabase>(SQL_DATABASE), { ...DEFAULT_REQUEST_GROUP_LIMITS, lanesMax: 2 });
    const gates: (() => void)[] = [];
    const inRun: string[] = [];
    const place = (name: string, hold: boolean) =>
      requests.run({
        requestId: name, groupTenant: REFERENCE_TENANT_ID, isRefusal: () => false, settle: async () => undefined, failed: async () => undefined,
        handler: async () => {
          const rows = await requests.join(async (tx) => {
            inRun.push(name);
            if (hold) await new Promise<void>((resolve) => gates.push(resolve));
            return tx.query<{ txid: string }>('SELECT txid_current()::text AS txid');
          });
          return rows?.[0]?.txid ?? '';
        },
      });
    const first = place('first', true);
    await until('the first group is busy', () => inRun.includes('first'));
    const second = place('second', true);
    await until('a second group opened beside it', () => inRun.includes('second'));
    const later = [place('third', false), place('fourth', false), place('fifth', false)];
    await sleep(100);
    expect(inRun).toEqual(['first', 'second']);
    for (const go of gates) go();
    const txids = [await first, await second, ...(await Promise.all(later))];
    expect(txids[0]).not.toBe(txids[1]);
    expect(new Set(txids).size).toBe(2);
  });
});
