// The global Idempotency-Key interceptor on the real stack: a mutation without a key is refused,
// a retry gets the original answer (success or refusal) without acting twice, the same key with
// another body is refused, a concurrent duplicate is told to wait, keys are per principal, and
// @NoIdempotencyKey opts a route out. And the crash window: when the outcome cannot be recorded
// after the handler's effects, or the claim was taken over meanwhile, the effects roll back with
// it, so a retry acts exactly once.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Body, Controller, Delete, HttpCode, Inject, Module, Post, UnprocessableEntityException, type INestApplication } from '@nestjs/common';
import type { SqlDatabase } from '@bulwark/shared-contracts/wall';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import request from 'supertest';
import { createTestDatabase, startTestNats, testStackEnv, type TestDatabase, type TestNats } from '@bulwark/testing';
import { createCustomerApp } from '../src/app.js';
import { AuditService } from '../src/audit/audit.service.js';
import { Permissions, Public } from '../src/auth/permissions.decorator.js';
import { parseCustomerConfig } from '../src/config/customer-config.js';
import { IdempotencyService } from '../src/idempotency/idempotency.service.js';
import { NoIdempotencyKey } from '../src/idempotency/no-idempotency-key.decorator.js';
import { REFERENCE_TENANT_ID } from '../src/tenancy/reference-tenant.js';
import { TenantScope } from '../src/tenancy/tenant-scope.js';
import { loginAs } from './support/auth.js';

let effects = 0;
let release: (() => void) | undefined;

@Controller('test-idempotency')
class CountingController {
  @Post('count')
  @Public()
  count(@Body() body: { label?: string }): { effects: number; label: string | null } {
    effects += 1;
    return { effects, label: body.label ?? null };
  }

  @Post('mine')
  @Permissions('session:self')
  mine(): { effects: number } {
    effects += 1;
    return { effects };
  }

  @Post('refuse')
  @Public()
  refuse(): never {
    effects += 1;
    throw new UnprocessableEntityException({ message: 'not today', code: 'test_refusal' });
  }

  @Post('slow')
  @Public()
  async slow(): Promise<{ effects: number }> {
    await new Promise<void>((resolve) => (release = resolve));
    effects += 1;
    return { effects };
  }

  @Delete('thing')
  @HttpCode(204)
  @Public()
  remove(): void {
    effects += 1;
  }

  @Post('exempt')
  @Public()
  @NoIdempotencyKey('a test route that is safe to repeat')
  exempt(): { effects: number } {
    effects += 1;
    return { effects };
  }
}

let actRelease: (() => void) | undefined;
let actHeld = false;

/** Acts in the customer database: one audit entry per request, in the tenant's scope. */
@Controller('test-idempotency')
class ActingController {
  constructor(
    @Inject(TenantScope) private readonly tenants: TenantScope,
    @Inject(AuditService) private readonly audit: AuditService,
  ) {}

  @Post('act')
  @Public()
  async act(@Body() body: { label: string }): Promise<{ label: string }> {
    await this.tenants.run(REFERENCE_TENANT_ID, (tx) =>
      this.audit.record(tx, { tenantId: REFERENCE_TENANT_ID, actor: 'system:idempotency-test', role: 'system', action: 'test.effect.recorded', resource: `test:${body.label}`, diff: {} }),
    );
    if (actHeld) await new Promise<void>((resolve) => (actRelease = resolve));
    return { label: body.label };
  }
}

@Module({ controllers: [CountingController, ActingController] })
class CountingModule {}

let nats: TestNats;
let database: TestDatabase;
let app: INestApplication;
const http = () => request(app.getHttpServer());

beforeAll(async () => {
  nats = await startTestNats();
  database = await createTestDatabase('customer');
  app = await createCustomerApp(parseCustomerConfig(testStackEnv('customer', database, nats)), [CountingModule]);
  await app.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
  await nats?.stop();
});

describe('Idempotency-Key', () => {
  it('refuses a mutation without a key, or with a malformed one, before it acts', async () => {
    const before = effects;
    expect((await http().post('/test-idempotency/count').send({}).expect(400)).body.code).toBe('idempotency_key_missing');
    expect((await http().post('/test-idempotency/count').set('Idempotency-Key', 'short').send({}).expect(400)).body.code).toBe('idempotency_key_invalid');
    expect(effects).toBe(before);
  });

  it('replays the original response to a retry without acting again', async () => {
    const key = randomUUID();
    const first = await http().post('/test-idempotency/count').set('Idempotency-Key', key).send({ label: 'a', n: 1 }).expect(201);
    const again = await http().post('/test-idempotency/count').set('Idempotency-Key', key).send({ n: 1, label: 'a' }).expect(201);
    expect(again.body).toEqual(first.body);
    expect(effects).toBe(first.body.effects);
  });

  it('refuses the same key with a different body (422) and acts not at all', async () => {
    const key = randomUUID();
    await http().post('/test-idempotency/count').set('Idempotency-Key', key).send({ label: 'a' }).expect(201);
    const before = effects;
    expect((await http().post('/test-idempotency/count').set('Idempotency-Key', key).send({ label: 'b' }).expect(422)).body.code).toBe('idempotency_key_reused');
    expect(effects).toBe(before);
  });

  it('tells a concurrent duplicate to wait (409), then replays once the first is done', async () => {
    const key = randomUUID();
    const first = http().post('/test-idempotency/slow').set('Idempotency-Key', key).send({}).then((r) => r);
    for (let i = 0; release === undefined && i < 200; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await http().post('/test-idempotency/slow').set('Idempotency-Key', key).send({}).expect(409)).body.code).toBe('idempotency_request_in_progress');
    release?.();
    const done = await first;
    expect(done.status).toBe(201);
    expect((await http().post('/test-idempotency/slow').set('Idempotency-Key', key).send({}).expect(201)).body).toEqual(done.body);
  });

  it('replays a refusal as the same refusal, and keeps a 204 a 204', async () => {
    const key = randomUUID();
    const first = await http().post('/test-idempotency/refuse').set('Idempotency-Key', key).send({}).expect(422);
    const before = effects;
    const again = await http().post('/test-idempotency/refuse').set('Idempotency-Key', key).send({}).expect(422);
    expect({ code: again.body.code, detail: again.body.detail }).toEqual({ code: first.body.code, detail: first.body.detail });
    expect(effects).toBe(before);
    const deleteKey = randomUUID();
    await http().delete('/test-idempotency/thing').set('Idempotency-Key', deleteKey).expect(204);
    await http().delete('/test-idempotency/thing').set('Idempotency-Key', deleteKey).expect(204);
    expect(effects).toBe(before + 1);
  });

  it('scopes keys per principal: the same key from two users is two requests', async () => {
    const alice = await loginAs(app, { role: 'investor', tenantId: REFERENCE_TENANT_ID });
    const bob = await loginAs(app, { role: 'investor', tenantId: REFERENCE_TENANT_ID });
    const key = randomUUID();
    const a = await http().post('/test-idempotency/mine').set(alice.headers).set('Idempotency-Key', key).send({}).expect(201);
    const b = await http().post('/test-idempotency/mine').set(bob.headers).set('Idempotency-Key', key).send({}).expect(201);
    expect(b.body.effects).toBe(a.body.effects + 1);
    expect((await http().post('/test-idempotency/mine').set(alice.headers).set('Idempotency-Key', key).send({}).expect(201)).body).toEqual(a.body);
  });

  it('lets @NoIdempotencyKey routes through without a key, acting each time', async () => {
    const first = await http().post('/test-idempotency/exempt').send({}).expect(201);
    const second = await http().post('/test-idempotency/exempt').send({}).expect(201);
    expect(second.body.effects).toBe(first.body.effects + 1);
  });
});

describe('Idempotency-Key across a failure between the effects and the outcome', () => {
  const effectsOf = async (label: string): Promise<number> => {
    const [row] = await app.get(TenantScope).run(REFERENCE_TENANT_ID, (tx) => tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_entry WHERE resource = $1`, [`test:${label}`]));
    return row?.n ?? -1;
  };

  it('rolls the effects back when the outcome cannot be recorded, so the retry acts exactly once', async () => {
    const key = randomUUID();
    const label = randomUUID();
    const complete = jest.spyOn(app.get(IdempotencyService), 'complete').mockRejectedValueOnce(new Error('Connection terminated unexpectedly'));
    try {
      await http().post('/test-idempotency/act').set('Idempotency-Key', key).send({ label }).expect(500);
      expect(await effectsOf(label)).toBe(0);
      const retry = await http().post('/test-idempotency/act').set('Idempotency-Key', key).send({ label }).expect(201);
      expect(await effectsOf(label)).toBe(1);
      expect((await http().post('/test-idempotency/act').set('Idempotency-Key', key).send({ label }).expect(201)).body).toEqual(retry.body);
      expect(await effectsOf(label)).toBe(1);
    } finally {
      complete.mockRestore();
    }
  });

  it('rolls back a request whose claim was taken over past the pending timeout: the key acts once', async () => {
    const key = randomUUID();
    const label = randomUUID();
    actHeld = true;
    const first = http().post('/test-idempotency/act').set('Idempotency-Key', key).send({ label }).then((r) => r);
    for (let i = 0; actRelease === undefined && i < 500; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    actHeld = false;
    const releaseFirst = actRelease;
    expect(releaseFirst).toBeDefined();
    // The first request has acted and is still running when its claim passes the pending timeout.
    await app.get<SqlDatabase>(SQL_DATABASE).transaction((tx) => tx.query(`UPDATE idempotency_record SET created_at = created_at - interval '2 minutes' WHERE key = $1`, [key]));
    const retry = await http().post('/test-idempotency/act').set('Idempotency-Key', key).send({ label }).expect(201);
    releaseFirst?.();
    expect((await first).status).toBe(500);
    expect(await effectsOf(label)).toBe(1);
    expect((await http().post('/test-idempotency/act').set('Idempotency-Key', key).send({ label }).expect(201)).body).toEqual(retry.body);
    expect(await effectsOf(label)).toBe(1);
  });
});

describe('claims that arrive together', () => {
  it('are committed together, each answered as if alone: new keys claimed, a key sent twice claimed once, a done key replayed, a reused key refused', async () => {
    const records = app.get(IdempotencyService);
    const scope = `test:${randomUUID()}`;
    const now = new Date();
    const done = randomUUID();
    const first = await records.claim(scope, done, 'a'.repeat(64), now);
    expect(first.kind).toBe('claimed');
    if (first.kind !== 'claimed') return;
    await app.get<SqlDatabase>(SQL_DATABASE).transaction((tx) => records.complete(tx, scope, done, first.claimedAt, 201, '{"ok":true}', now));
    const fresh = [randomUUID(), randomUUID(), randomUUID()];
    const twice = randomUUID();
    const claims = await Promise.all([
      ...fresh.map((key) => records.claim(scope, key, 'b'.repeat(64), now)),
      records.claim(scope, twice, 'c'.repeat(64), now),
      records.claim(scope, twice, 'c'.repeat(64), now),
      records.claim(scope, done, 'a'.repeat(64), now),
      records.claim(scope, done, 'd'.repeat(64), now),
    ]);
    expect(claims.map((c) => c.kind)).toEqual(['claimed', 'claimed', 'claimed', 'claimed', 'in_progress', 'replay', 'mismatch']);
    expect(claims[5]).toEqual({ kind: 'replay', status: 201, body: '{"ok":true}' });
    const [row] = await app.get<SqlDatabase>(SQL_DATABASE).transaction((tx) =>
      tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM idempotency_record WHERE scope = $1 AND state = 'pending'`, [scope]),
    );
    expect(row?.n).toBe(fresh.length + 1);
  });
});
