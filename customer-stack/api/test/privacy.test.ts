// Data protection on the running stack: the vault seals per person and erasure makes their data
// unreadable while the audit chain still verifies; consents, subject-access export, the breach
// register and retention over HTTP with the real guard; tenants and the audit verifier routes.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import pg from 'pg';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import type { SqlDatabase } from '@bulwark/shared-contracts/wall';
import { createTestDatabase, startTestNats, testStackEnv, testSuperuserUrl, type TestDatabase, type TestNats } from '@bulwark/testing';
import { createCustomerApp } from '../src/app.js';
import { AuditService } from '../src/audit/audit.service.js';
import { parseCustomerConfig } from '../src/config/customer-config.js';
import { PersonalDataVault } from '../src/privacy/personal-data-vault.js';
import { RetentionService } from '../src/privacy/retention.service.js';
import { SubjectDataRegistry } from '../src/privacy/subject-data.registry.js';
import { REFERENCE_TENANT, REFERENCE_TENANT_ID } from '../src/tenancy/reference-tenant.js';
import { TenantScope } from '../src/tenancy/tenant-scope.js';
import { TenantsService } from '../src/tenancy/tenants.service.js';
import { loginAs, type LoggedIn } from './support/auth.js';
import { TEST_ADMIN } from './support/tenancy.js';

let nats: TestNats;
let database: TestDatabase;
let app: INestApplication;
let investor: LoggedIn;
let privacyAdmin: LoggedIn;
let auditor: LoggedIn;
let otherTenantId: string;
/** A sealed profile column per subject, as a module holding personal data would keep it. */
const sealedProfiles = new Map<string, Buffer>();

const http = () => request(app.getHttpServer());
const scope = () => app.get(TenantScope);
const vault = () => app.get(PersonalDataVault);

beforeAll(async () => {
  nats = await startTestNats();
  database = await createTestDatabase('customer');
  app = await createCustomerApp(parseCustomerConfig(testStackEnv('customer', database, nats)));
  await app.init();
  // What another module does: register its part of the subject-access export.
  app.get(SubjectDataRegistry).register('test.profile', async (tx, subjectId) => {
    const sealed = sealedProfiles.get(subjectId);
    return sealed ? { fullName: await vault().open(tx, subjectId, sealed) } : null;
  });
  [investor, privacyAdmin, auditor] = await Promise.all([
    loginAs(app, { role: 'investor', tenantId: REFERENCE_TENANT_ID }),
    loginAs(app, { role: 'admin', tenantId: REFERENCE_TENANT_ID }),
    loginAs(app, { role: 'auditor', tenantId: REFERENCE_TENANT_ID }),
  ]);
  otherTenantId = (await app.get(TenantsService).create(TEST_ADMIN, {
    slug: 'bd', brand: { name: 'Bulwark Bangladesh', primaryColour: '#006a4e', accentColour: '#f42a41' }, minimumAge: 18,
    residencyCountries: ['BD'], currencies: ['BDT', 'USD'], tierLimits: REFERENCE_TENANT.tierLimits.map((l) => ({ ...l })),
  })).id;
  await scope().run(REFERENCE_TENANT_ID, async (tx) => {
    sealedProfiles.set(investor.principal.userId, await vault().seal(tx, investor.principal.userId, 'Nimali Jayasuriya'));
  });
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
  await nats?.stop();
});

describe('the personal-data vault', () => {
  it('seals per person and opens only in the person\'s tenant', async () => {
    const subject = randomUUID();
    const sealed = await scope().run(REFERENCE_TENANT_ID, (tx) => vault().seal(tx, subject, '199012345678'));
    expect(sealed.toString('latin1')).not.toContain('199012345678');
    expect(await scope().run(REFERENCE_TENANT_ID, (tx) => vault().open(tx, subject, sealed))).toBe('199012345678');
    // Another tenant sees no key for this person, so nothing opens and nothing can be sealed for them there.
    expect(await scope().run(otherTenantId, (tx) => vault().open(tx, subject, sealed))).toBeNull();
    await expect(scope().run(otherTenantId, (tx) => vault().seal(tx, subject, 'x'))).rejects.toThrow(/does not belong to the current tenant/);
    // Without a tenant there is no key at all (row-level security): sealing fails closed.
    await expect(app.get<SqlDatabase>(SQL_DATABASE).transaction((tx) => vault().seal(tx, randomUUID(), 'x'))).rejects.toThrow();
  });

  it('makes an erased person\'s data unreadable for good while the audit chain still verifies', async () => {
    const subject = randomUUID();
    const sealed = await scope().run(REFERENCE_TENANT_ID, async (tx) => {
      const value = await vault().seal(tx, subject, 'Kamal Perera, 42 Galle Road, Colombo 03');
      await app.get(AuditService).record(tx, { tenantId: REFERENCE_TENANT_ID, ...TEST_ADMIN, action: 'test.profile.created', resource: `person:${subject}` });
      return value;
    });
    await http().post(`/privacy/subjects/${subject}/erasure`).set(privacyAdmin.headers).set('Idempotency-Key', randomUUID())
      .send({ reason: 'erasure request under PDPA s.16' }).expect(201, { erased: true, keyDestroyed: true });
    expect(await scope().run(REFERENCE_TENANT_ID, (tx) => vault().open(tx, subject, sealed))).toBeNull();
    await expect(scope().run(REFERENCE_TENANT_ID, (tx) => vault().seal(tx, subject, 'again'))).rejects.toThrow(/erased/);
    // The key is gone from the row itself, and the application cannot bring one back.
    const superuser = new pg.Client({ connectionString: testSuperuserUrl(database) });
    await superuser.connect();
    try {
      expect((await superuser.query('SELECT wrapped_key, erased_at IS NOT NULL AS erased FROM person_key WHERE subject_id = $1', [subject])).rows)
        .toEqual([{ wrapped_key: null, erased: true }]);
      await expect(superuser.query(`UPDATE person_key SET wrapped_key = '\\x01', erased_at = NULL WHERE subject_id = $1`, [subject])).rejects.toThrow(/cannot be restored/);
    } finally {
      await superuser.end();
    }
    const verification = await http().get('/audit/verify').set(auditor.headers).expect(200);
    expect(verification.body).toMatchObject({ ok: true, firstBreak: null });
    const trail = await scope().run(REFERENCE_TENANT_ID, (tx) => app.get(AuditService).ofResource(tx, `person:${subject}`));
    expect(trail.map((e) => e.action)).toEqual(['privacy.subject.erased', 'test.profile.created']);
  });

  it('refuses an erasure reason carrying personal data, and erasure to an investor', async () => {
    await http().post(`/privacy/subjects/${randomUUID()}/erasure`).set(privacyAdmin.headers).set('Idempotency-Key', randomUUID())
      .send({ reason: 'asked by kamal.perera@example.lk' }).expect(422);
    await http().post(`/privacy/subjects/${randomUUID()}/erasure`).set(investor.headers).set('Idempotency-Key', randomUUID())
      .send({ reason: 'please' }).expect(403);
  });
});

describe('consents and the subject-access export', () => {
  it('keeps the consent history and reports the latest decision per purpose', async () => {
    for (const granted of [true, false]) {
      await http().post('/privacy/consents').set(investor.headers).set('Idempotency-Key', randomUUID()).send({ purpose: 'marketing', granted }).expect(201);
    }
    await http().post('/privacy/consents').set(investor.headers).set('Idempotency-Key', randomUUID()).send({ purpose: 'analytics', granted: true, source: 'web:settings' }).expect(201);
    await http().post('/privacy/consents').set(investor.headers).set('Idempotency-Key', randomUUID()).send({ purpose: 'mind_reading', granted: true }).expect(400);
    const current = await http().get('/privacy/consents').set(investor.headers).expect(200);
    expect(current.body.map((c: { purpose: string; granted: boolean }) => [c.purpose, c.granted])).toEqual([['analytics', true], ['marketing', false]]);
  });

  it('exports everything held on the person, including what other modules registered, and audits the export', async () => {
    const mine = await http().get('/privacy/export').set(investor.headers).expect(200);
    expect(mine.body).toMatchObject({ subjectId: investor.principal.userId, tenantId: REFERENCE_TENANT_ID, erased: false });
    expect(Object.keys(mine.body.sections)).toEqual(expect.arrayContaining(['privacy.consents', 'privacy.key', 'audit.entries', 'test.profile']));
    expect(mine.body.sections['test.profile']).toEqual({ fullName: 'Nimali Jayasuriya' });
    expect(mine.body.sections['privacy.consents']).toHaveLength(3);
    const byAdmin = await http().get(`/privacy/subjects/${investor.principal.userId}/export`).set(privacyAdmin.headers).expect(200);
    expect(byAdmin.body.sections['test.profile']).toEqual({ fullName: 'Nimali Jayasuriya' });
    await http().get(`/privacy/subjects/${investor.principal.userId}/export`).set(investor.headers).expect(403);
    const trail = await scope().run(REFERENCE_TENANT_ID, (tx) => app.get(AuditService).ofResource(tx, `person:${investor.principal.userId}`));
    expect(trail.filter((e) => e.action === 'privacy.subject_access.exported')).toHaveLength(2);
    expect(trail.filter((e) => e.action.startsWith('privacy.consent.'))).toHaveLength(3);
  });
});

describe('the breach register', () => {
  it('records an incident with its 72-hour regulator deadline, flags it overdue, and audits changes', async () => {
    const detectedAt = new Date(Date.now() - 80 * 3_600_000).toISOString();
    const created = await http().post('/privacy/breaches').set(privacyAdmin.headers).set('Idempotency-Key', randomUUID()).send({
      title: 'Misdirected statement batch', description: 'A statement export was sent to the wrong partner bucket.',
      category: 'confidentiality', severity: 'high', affectedSubjects: 120, detectedAt,
    }).expect(201);
    expect(created.body).toMatchObject({ status: 'open', regulatorOverdue: true, regulatorDeadlineAt: new Date(Date.parse(detectedAt) + 72 * 3_600_000).toISOString() });
    const updated = await http().patch(`/privacy/breaches/${created.body.id}`).set(privacyAdmin.headers).set('Idempotency-Key', randomUUID())
      .send({ status: 'contained', regulatorNotifiedAt: new Date().toISOString() }).expect(200);
    expect(updated.body).toMatchObject({ status: 'contained', regulatorOverdue: false });
    expect((await http().get('/privacy/breaches').set(privacyAdmin.headers).expect(200)).body.map((b: { id: string }) => b.id)).toContain(created.body.id);
    const trail = await scope().run(REFERENCE_TENANT_ID, (tx) => app.get(AuditService).ofResource(tx, `breach_incident:${created.body.id}`));
    expect(trail.map((e) => e.action)).toEqual(['privacy.breach.updated', 'privacy.breach.reported']);
  });

  it('refuses personal data in the register', async () => {
    await http().post('/privacy/breaches').set(privacyAdmin.headers).set('Idempotency-Key', randomUUID()).send({
      title: 'Laptop lost', description: 'Held a file on customer 0771234567 and jane@example.lk', category: 'confidentiality',
      severity: 'medium', affectedSubjects: 1, detectedAt: new Date().toISOString(),
    }).expect(422);
  });
});

describe('retention', () => {
  it('purges superseded consent decisions past the tenant\'s retention, keeps the current ones, and audits the purge', async () => {
    const subject = randomUUID();
    const day = 86_400_000;
    await scope().run(REFERENCE_TENANT_ID, async (tx) => {
      for (const [age, granted] of [[400, true], [300, false], [10, true]] as const) {
        await tx.query(`INSERT INTO consent_record (id, tenant_id, subject_id, purpose, granted, source, recorded_at) VALUES ($1, $2, $3, 'research', $4, 'api', $5)`,
          [randomUUID(), REFERENCE_TENANT_ID, subject, granted, new Date(Date.now() - age * day)]);
      }
      await tx.query(`INSERT INTO consent_record (id, tenant_id, subject_id, purpose, granted, source, recorded_at) VALUES ($1, $2, $3, 'marketing', true, 'api', $4)`,
        [randomUUID(), REFERENCE_TENANT_ID, subject, new Date(Date.now() - 500 * day)]);
    });
    await http().put('/privacy/retention').set(privacyAdmin.headers).set('Idempotency-Key', randomUUID()).send({ category: 'privacy.consent_history', retainDays: 180 }).expect(200);
    await http().put('/privacy/retention').set(privacyAdmin.headers).set('Idempotency-Key', randomUUID()).send({ category: 'nothing.registered', retainDays: 180 }).expect(400);
    const reports = await app.get(RetentionService).purgeAll();
    expect(reports).toContainEqual(expect.objectContaining({ tenantId: REFERENCE_TENANT_ID, category: 'privacy.consent_history', purged: 2 }));
    const left = await scope().run(REFERENCE_TENANT_ID, (tx) => tx.query<{ purpose: string; granted: boolean }>(
      'SELECT purpose, granted FROM consent_record WHERE subject_id = $1 ORDER BY purpose', [subject]));
    expect(left).toEqual([{ purpose: 'marketing', granted: true }, { purpose: 'research', granted: true }]);
    const trail = await scope().run(REFERENCE_TENANT_ID, (tx) => app.get(AuditService).ofResource(tx, 'retention_policy:privacy.consent_history'));
    expect(trail.map((e) => e.action)).toEqual(['privacy.retention.purged', 'privacy.retention.set']);
  });
});

describe('tenants and the audit verifier over HTTP', () => {
  it('gives staff their tenant\'s settings and lets only a tenant admin change them', async () => {
    const current = await http().get('/tenants/current').set(auditor.headers).expect(200);
    expect(current.body).toMatchObject({ id: REFERENCE_TENANT_ID, residencyCountries: ['LK'], minimumAge: 18, currencies: ['LKR', 'USD'] });
    expect(current.body.tierLimits).toHaveLength(4);
    await http().put('/tenants/current').set(auditor.headers).set('Idempotency-Key', randomUUID()).send({}).expect(403);
    await http().put('/tenants/current').set(privacyAdmin.headers).set('Idempotency-Key', randomUUID()).send({ slug: 'lk' }).expect(400);
    const { id: _id, ...settings } = current.body;
    const changed = await http().put('/tenants/current').set(privacyAdmin.headers).set('Idempotency-Key', randomUUID())
      .send({ ...settings, brand: { ...settings.brand, accentColour: '#ffbe29' } }).expect(200);
    expect(changed.body.brand.accentColour).toBe('#ffbe29');
    const trail = await scope().run(REFERENCE_TENANT_ID, (tx) => app.get(AuditService).ofResource(tx, `tenant:${REFERENCE_TENANT_ID}`));
    expect(trail[0]).toMatchObject({ action: 'tenancy.tenant.updated', role: 'admin', actor: `user:${privacyAdmin.principal.userId}` });
  });

  it('verifies the chain for auditors only', async () => {
    expect((await http().get('/audit/verify').set(auditor.headers).expect(200)).body).toMatchObject({ ok: true, firstBreak: null });
    await http().get('/audit/verify').set(investor.headers).expect(403);
    await http().get('/audit/verify').expect(401);
  });
});
