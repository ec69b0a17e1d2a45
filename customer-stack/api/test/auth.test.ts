// Auth against the real stack (Postgres, NATS, the HTTP pipeline): registration and sign-in,
// table-driven attacks on access tokens, refresh-token rotation and reuse, TOTP (reuse, drift,
// step-up), brute force limits, sessions, cookies, headers, CORS and the guard on every route.
import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { SignJWT, calculateJwkThumbprint, exportJWK } from 'jose';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import type { SqlDatabase } from '@bulwark/shared-contracts/wall';
import { createTestDatabase, eventually, startTestNats, testStackEnv, type TestDatabase, type TestNats } from '@bulwark/testing';
import { createCustomerApp } from '../src/app.js';
import { AuthService } from '../src/auth/auth.service.js';
import { DEMO_PASSWORD, DEMO_USERS, seedDemoUsers } from '../src/auth/demo-users.js';
import { RATE_LIMITS, RateLimiter } from '../src/auth/rate-limiter.js';
import { TokenService } from '../src/auth/token.service.js';
import { NotificationDispatcher } from '../src/notifications/notification.dispatcher.js';
import { totpCode } from '../src/auth/totp.js';
import { CUSTOMER_CONFIG, parseCustomerConfig, type CustomerConfig } from '../src/config/customer-config.js';
import { REFERENCE_TENANT } from '../src/tenancy/reference-tenant.js';
import { TenantScope } from '../src/tenancy/tenant-scope.js';
import { TenantsService } from '../src/tenancy/tenants.service.js';
import { loginAs, routeAccess } from './support/auth.js';
import { TEST_ADMIN } from './support/tenancy.js';

@Controller('test-unguarded')
class UnguardedTestController {
  @Get()
  open(): string {
    return 'should never be served';
  }
}

@Module({ controllers: [UnguardedTestController] })
class UnguardedTestModule {}

const ALLOWED_ORIGIN = 'https://app.bulwark.test';
let tenantId: string;

let nats: TestNats;
let database: TestDatabase;
let app: INestApplication;
let config: CustomerConfig;
const http = () => request(app.getHttpServer());

beforeAll(async () => {
  nats = await startTestNats();
  database = await createTestDatabase('customer');
  config = parseCustomerConfig(testStackEnv('customer', database, nats, { CORS_ORIGINS: ALLOWED_ORIGIN }));
  app = await createCustomerApp(config, [UnguardedTestModule]);
  await app.listen(0, '127.0.0.1');
  tenantId = (await app.get(TenantsService).create(TEST_ADMIN, {
    slug: 'auth-test', brand: { name: 'Auth Test', primaryColour: '#102030', accentColour: '#405060' }, minimumAge: 18,
    residencyCountries: ['LK'], currencies: ['LKR', 'USD'], tierLimits: REFERENCE_TENANT.tierLimits.map((l) => ({ ...l })),
  })).id;
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
  await nats?.stop();
});

async function register(email = `investor-${randomUUID()}@example.lk`, password = 'correct horse battery') {
  const response = await http().post('/auth/register').set('Idempotency-Key', randomUUID()).send({ tenantId, email, password }).expect(201);
  return { email, password, userId: response.body.userId as string, accountRef: response.body.accountRef as string };
}

async function loginTokens(email: string, password: string) {
  const response = await http().post('/auth/login').send({ tenantId, email, password, transport: 'token' }).expect(200);
  return response.body as { accessToken: string; refreshToken: string; principal: { sessionId: string } };
}

describe('registration and sign-in', () => {
  it('registers an investor with an opaque account reference and stores the email only sealed', async () => {
    const { email, userId, accountRef } = await register();
    expect(accountRef).toMatch(/^[0-9a-f-]{36}$/);
    const rows = await app.get(DataSource).query(
      `SELECT encode(email_sealed, 'escape') AS sealed, encode(email_lookup, 'escape') AS lookup, password_hash, roles FROM user_account WHERE id = $1`,
      [userId],
    );
    // RLS: without the tenant set, the table shows nothing at all.
    expect(rows).toEqual([]);
    const [row] = await app.get(DataSource).transaction(async (manager) => {
      await manager.query(`SELECT set_config('bulwark.tenant_id', $1, true)`, [tenantId]);
      return manager.query(`SELECT email_sealed, email_lookup, password_hash, roles FROM user_account WHERE id = $1`, [userId]);
    });
    expect(row.roles).toEqual(['investor']);
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(Buffer.from(row.email_sealed).includes(Buffer.from(email))).toBe(false);
    expect(Buffer.from(row.email_lookup).includes(Buffer.from(email))).toBe(false);
  });

  it('registers the account reference in the directory, so wall messages carrying only it find the tenant', async () => {
    const { accountRef } = await register();
    const routed = await app.get<SqlDatabase>(SQL_DATABASE).transaction((tx) => app.get(TenantScope).tenantOfAccounts(tx, [accountRef]));
    expect(routed).toEqual(new Map([[accountRef, tenantId]]));
  });

  it('refuses registration into a tenant that does not exist (404, nothing stored), and sign-in there', async () => {
    const nowhere = randomUUID();
    const email = `investor-${randomUUID()}@example.lk`;
    const refused = await http().post('/auth/register').set('Idempotency-Key', randomUUID()).send({ tenantId: nowhere, email, password: 'correct horse battery' }).expect(404);
    expect(refused.body.code).toBe('tenant_unknown');
    const [row] = await app.get(TenantScope).run(nowhere, (tx) => tx.query<{ n: number }>('SELECT count(*)::int AS n FROM user_account'));
    expect(row).toEqual({ n: 0 });
    expect((await http().post('/auth/login').send({ tenantId: nowhere, email, password: 'correct horse battery' }).expect(404)).body.code).toBe('tenant_unknown');
  });

  it('refuses a second account with the same email (any case) in the tenant', async () => {
    const { email } = await register();
    const response = await http().post('/auth/register').set('Idempotency-Key', randomUUID()).send({ tenantId, email: email.toUpperCase(), password: 'another long password' }).expect(409);
    expect(response.body.code).toBe('email_taken');
  });

  it.each([
    ['a short password', { email: 'a@example.lk', password: 'short' }],
    ['a malformed email', { email: 'not-an-email', password: 'long enough password' }],
    ['an unknown field', { email: 'b@example.lk', password: 'long enough password', roles: ['admin'] }],
  ])('refuses registration with %s (400, nothing stored)', async (_name, body) => {
    const response = await http().post('/auth/register').set('Idempotency-Key', randomUUID()).send({ tenantId, ...body }).expect(400);
    expect(response.body).toMatchObject({ status: 400, code: 'invalid_request' });
  });

  it('signs in with the right password and refuses a wrong one the same way as an unknown email', async () => {
    const { email, password, userId } = await register();
    const session = await loginTokens(email, password);
    const me = await http().get('/auth/me').set('Authorization', `Bearer ${session.accessToken}`).expect(200);
    expect(me.body).toMatchObject({ userId, tenantId, roles: ['investor'] });
    const wrong = await http().post('/auth/login').send({ tenantId, email, password: 'wrong password!!' }).expect(401);
    const unknown = await http().post('/auth/login').send({ tenantId, email: `nobody-${randomUUID()}@example.lk`, password: 'wrong password!!' }).expect(401);
    expect(wrong.body.code).toBe('credentials_invalid');
    expect(unknown.body.detail).toBe(wrong.body.detail);
  });

  it('gives the SPA HttpOnly, Secure, SameSite=Strict cookies that authenticate, rotate and end with logout', async () => {
    const { email, password } = await register();
    const login = await http().post('/auth/login').send({ tenantId, email, password }).expect(200);
    expect(login.body.accessToken).toBeUndefined();
    const cookies = login.headers['set-cookie'] as unknown as string[];
    const byName = (prefix: string) => cookies.find((c) => c.startsWith(prefix)) ?? '';
    for (const name of ['__Host-bulwark_at=', '__Secure-bulwark_rt=', '__Secure-bulwark_device=']) {
      expect(byName(name)).toMatch(/; HttpOnly/);
      expect(byName(name)).toMatch(/; Secure/);
      expect(byName(name)).toMatch(/; SameSite=Strict/);
    }
    expect(byName('__Host-bulwark_at=')).toMatch(/; Path=\//);
    expect(byName('__Secure-bulwark_rt=')).toMatch(/; Path=\/auth/);
    const jar = cookies.map((c) => c.split(';')[0]!);
    await http().get('/auth/me').set('Cookie', jar).expect(200);
    const refreshed = await http().post('/auth/refresh').set('Cookie', jar).send({}).expect(200);
    const newJar = (refreshed.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]!);
    expect(newJar.find((c) => c.startsWith('__Secure-bulwark_rt='))).not.toBe(jar.find((c) => c.startsWith('__Secure-bulwark_rt=')));
    await http().post('/auth/logout').set('Cookie', newJar).expect(204);
    const after = await http().get('/auth/me').set('Cookie', newJar).expect(401);
    expect(after.body.code).toBe('session_revoked');
  });
});

describe('attacks on access tokens', () => {
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const claimsOf = (principal: { userId: string; tenantId: string; sessionId: string }) => ({
    sub: principal.userId,
    tid: principal.tenantId,
    sid: principal.sessionId,
    acct: null,
    roles: ['admin'],
    iss: config.auth.jwt.issuer,
    aud: config.auth.jwt.audience,
    iat: Math.floor(Date.now() / 1000),
    exp: Math.floor(Date.now() / 1000) + 300,
    jti: randomUUID(),
  });

  let victim: Awaited<ReturnType<typeof loginAs>>;
  let kid: string;
  beforeAll(async () => {
    victim = await loginAs(app, { role: 'investor', tenantId });
    kid = await calculateJwkThumbprint(await exportJWK(config.auth.jwt.publicKey.reveal()));
  });

  const signed = (claims: Record<string, unknown>, header: Record<string, unknown> = {}, key = config.auth.jwt.privateKey.reveal()) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid, ...header }).sign(key);

  const attacks: [string, () => Promise<string>][] = [
    ['alg none', async () => `${b64({ alg: 'none', typ: 'at+jwt', kid })}.${b64(claimsOf(victim.principal))}.`],
    ['a signature by another Ed25519 key', async () => signed(claimsOf(victim.principal), {}, generateKeyPairSync('ed25519').privateKey)],
    [
      'HS256 signed with the public key (key confusion)',
      async () => {
        const publicPem = config.auth.jwt.publicKey.reveal().export({ format: 'pem', type: 'spki' });
        const input = `${b64({ alg: 'HS256', typ: 'at+jwt', kid })}.${b64(claimsOf(victim.principal))}`;
        return `${input}.${createHmac('sha256', publicPem).update(input).digest('base64url')}`;
      },
    ],
    ['an expired token', async () => app.get(TokenService).issueAccess(victim.principal, new Date(Date.now() - 3_600_000))],
    ['another audience', async () => signed({ ...claimsOf(victim.principal), aud: 'bulwark-execution-api' })],
    ['another issuer', async () => signed({ ...claimsOf(victim.principal), iss: 'https://evil.example' })],
    ['a plain JWT type', async () => signed(claimsOf(victim.principal), { typ: 'JWT' })],
    ['no type', async () => signed(claimsOf(victim.principal), { typ: undefined })],
    ['the second-factor ticket', async () => app.get(TokenService).issueMfaTicket({ userId: victim.principal.userId, tenantId, deviceId: randomUUID() }, new Date())],
    ['an unknown key id', async () => signed(claimsOf(victim.principal), { kid: 'someone-elses-key' })],
    [
      'a payload edited after signing (roles raised to admin)',
      async () => {
        const [header, , signature] = victim.accessToken.split('.');
        return `${header}.${b64({ ...JSON.parse(Buffer.from(victim.accessToken.split('.')[1]!, 'base64url').toString()), roles: ['admin'] })}.${signature}`;
      },
    ],
    ['garbage', async () => 'not.a.jwt'],
  ];

  it.each(attacks)('refuses %s with 401', async (_name, forge) => {
    const token = await forge();
    const response = await http().get('/auth/me').set('Authorization', `Bearer ${token}`).expect(401);
    expect(response.body.code).toBe('token_invalid');
    await http().post('/auth/staff').set('Authorization', `Bearer ${token}`).set('Idempotency-Key', randomUUID()).send({}).expect(401);
  });

  it('accepts the genuine token (the attacks fail for their flaw, not for a broken setup)', async () => {
    await http().get('/auth/me').set(victim.headers).expect(200);
    const signedRight = await signed({ ...claimsOf(victim.principal), roles: ['investor'] });
    await http().get('/auth/me').set('Authorization', `Bearer ${signedRight}`).expect(200);
  });

  it('refuses a request without credentials and a malformed Authorization header', async () => {
    expect((await http().get('/auth/me').expect(401)).body.code).toBe('unauthenticated');
    expect((await http().get('/auth/me').set('Authorization', 'Basic abc').expect(401)).body.code).toBe('token_invalid');
  });
});

describe('refresh tokens', () => {
  it('rotates, and a reused token revokes the whole family', async () => {
    const { email, password } = await register();
    const first = await loginTokens(email, password);
    const second = (await http().post('/auth/refresh').send({ refreshToken: first.refreshToken }).expect(200)).body;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.principal.sessionId).toBe(first.principal.sessionId);
    const reuse = await http().post('/auth/refresh').send({ refreshToken: first.refreshToken }).expect(401);
    expect(reuse.body.code).toBe('refresh_reused');
    expect((await http().post('/auth/refresh').send({ refreshToken: second.refreshToken }).expect(401)).body.code).toBe('refresh_invalid');
    expect((await http().get('/auth/me').set('Authorization', `Bearer ${second.accessToken}`).expect(401)).body.code).toBe('session_revoked');
  });

  it('lets concurrent uses of one token produce exactly one rotation', async () => {
    const { email, password } = await register();
    const { refreshToken } = await loginTokens(email, password);
    const results = await Promise.all([1, 2, 3].map(() => http().post('/auth/refresh').send({ refreshToken })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401]);
  });

  it.each([
    ['an unknown token', `rt1.${randomUUID()}.${'A'.repeat(43)}`],
    ['a malformed token', 'rt1.nope'],
  ])('refuses %s', async (_name, refreshToken) => {
    expect((await http().post('/auth/refresh').send({ refreshToken }).expect(401)).body.code).toBe('refresh_invalid');
  });
});

describe('sessions', () => {
  it('lists the caller’s sessions and revokes another one, whose tokens then stop working', async () => {
    const { email, password } = await register();
    const laptop = await loginTokens(email, password);
    const phone = await loginTokens(email, password);
    const list = await http().get('/auth/sessions').set('Authorization', `Bearer ${laptop.accessToken}`).expect(200);
    expect(list.body).toHaveLength(2);
    expect(list.body.find((s: { current: boolean }) => s.current).id).toBe(laptop.principal.sessionId);
    await http().delete(`/auth/sessions/${phone.principal.sessionId}`).set('Authorization', `Bearer ${laptop.accessToken}`).set('Idempotency-Key', randomUUID()).expect(204);
    await http().get('/auth/me').set('Authorization', `Bearer ${phone.accessToken}`).expect(401);
    await http().post('/auth/refresh').send({ refreshToken: phone.refreshToken }).expect(401);
    await http().get('/auth/me').set('Authorization', `Bearer ${laptop.accessToken}`).expect(200);
  });

  it('does not let a user revoke someone else’s session', async () => {
    const alice = await loginAs(app, { role: 'investor', tenantId });
    const bob = await loginAs(app, { role: 'investor', tenantId });
    const response = await http().delete(`/auth/sessions/${bob.principal.sessionId}`).set(alice.headers).set('Idempotency-Key', randomUUID()).expect(404);
    expect(response.body.code).toBe('session_not_found');
    await http().get('/auth/me').set(bob.headers).expect(200);
  });
});

describe('TOTP second factor', () => {
  async function enrolled() {
    const user = await loginAs(app, { role: 'investor', tenantId });
    const setup = await http().post('/auth/2fa/setup').set(user.headers).expect(200);
    const secret = setup.body.secret as string;
    expect(setup.body.otpauthUri).toContain(`secret=${secret}`);
    await http().post('/auth/2fa/enable').set(user.headers).set('Idempotency-Key', randomUUID()).send({ code: totpCode(secret, Date.now()) }).expect(204);
    return { ...user, secret };
  }

  it('asks for the second factor at sign-in, refuses a reused code and accepts a fresh one within one step of drift', async () => {
    const user = await enrolled();
    const login = await http().post('/auth/login').send({ tenantId, email: user.email, password: user.password, transport: 'token' }).expect(200);
    expect(login.body).toEqual({ mfaRequired: true, mfaToken: expect.any(String) });
    const reused = await http().post('/auth/2fa/verify').send({ mfaToken: login.body.mfaToken, code: totpCode(user.secret, Date.now()), transport: 'token' }).expect(401);
    expect(reused.body.code).toBe('mfa_invalid');
    const fresh = await http().post('/auth/2fa/verify').send({ mfaToken: login.body.mfaToken, code: totpCode(user.secret, Date.now() + 30_000), transport: 'token' }).expect(200);
    await http().get('/auth/me').set('Authorization', `Bearer ${fresh.body.accessToken}`).expect(200);
  });

  it.each([
    ['three steps ahead', 90_000],
    ['three steps behind', -90_000],
  ])('refuses a code from %s (outside the drift)', async (_name, offsetMs) => {
    const user = await enrolled();
    expect(await app.get(AuthService).verifyStepUp(user.principal, totpCode(user.secret, Date.now() + offsetMs))).toBe(false);
  });

  it('step-up accepts a fresh code once and never again', async () => {
    const user = await enrolled();
    const code = totpCode(user.secret, Date.now() + 30_000);
    expect(await app.get(AuthService).verifyStepUp(user.principal, code)).toBe(true);
    expect(await app.get(AuthService).verifyStepUp(user.principal, code)).toBe(false);
  });

  it('step-up is false for a user without a second factor and for an unknown user', async () => {
    const user = await loginAs(app, { role: 'investor', tenantId });
    expect(await app.get(AuthService).verifyStepUp(user.principal, '123456')).toBe(false);
    expect(await app.get(AuthService).verifyStepUp({ tenantId: user.principal.tenantId, userId: randomUUID() }, '123456')).toBe(false);
  });

  it('does not let a ticket from the password step act as an access token, nor be used without a code', async () => {
    const user = await enrolled();
    const login = await http().post('/auth/login').send({ tenantId, email: user.email, password: user.password, transport: 'token' }).expect(200);
    await http().get('/auth/me').set('Authorization', `Bearer ${login.body.mfaToken}`).expect(401);
    await http().post('/auth/2fa/verify').send({ mfaToken: login.body.mfaToken, code: 'abcdef' }).expect(400);
  });
});

describe('brute force', () => {
  it('locks an account after five wrong passwords with 429 and Retry-After, even for the right password', async () => {
    const { email, password } = await register();
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await http().post('/auth/login').send({ tenantId, email, password: 'wrong password!!' }).expect(401);
    }
    for (const attempt of ['wrong password!!', password]) {
      const response = await http().post('/auth/login').send({ tenantId, email, password: attempt }).expect(429);
      expect(response.body).toMatchObject({ status: 429, code: 'rate_limited' });
      const retryAfterS = Number(response.headers['retry-after']);
      expect(retryAfterS).toBeGreaterThan(0);
      expect(retryAfterS).toBeLessThanOrEqual(15 * 60);
    }
  });

  it('limits second-factor guesses with 429 and Retry-After', async () => {
    const user = await loginAs(app, { role: 'investor', tenantId });
    const { secret } = (await http().post('/auth/2fa/setup').set(user.headers).expect(200)).body;
    await http().post('/auth/2fa/enable').set(user.headers).set('Idempotency-Key', randomUUID()).send({ code: totpCode(secret, Date.now()) }).expect(204);
    const login = await http().post('/auth/login').send({ tenantId, email: user.email, password: user.password, transport: 'token' }).expect(200);
    const wrong = totpCode(secret, Date.now() + 10 * 30_000);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await http().post('/auth/2fa/verify').send({ mfaToken: login.body.mfaToken, code: wrong }).expect(401);
    }
    const limited = await http().post('/auth/2fa/verify').send({ mfaToken: login.body.mfaToken, code: wrong }).expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('lets exactly the limit through when attempts on one account arrive at once (a sliding window in Postgres)', async () => {
    const subject = `concurrent-${randomUUID()}`;
    const decisions = await Promise.all(Array.from({ length: 12 }, () => app.get(RateLimiter).hit(RATE_LIMITS.loginPerAccount, subject)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(RATE_LIMITS.loginPerAccount.hitsMax);
    for (const refused of decisions.filter((d) => !d.allowed)) {
      expect(refused).toEqual({ allowed: false, retryAfterS: expect.any(Number) });
      expect(!refused.allowed && refused.retryAfterS).toBeGreaterThan(RATE_LIMITS.loginPerAccount.windowMs / 1000 - 60);
    }
  });

  it('keeps the counters in Postgres, so a second instance of the stack sees the same budget', async () => {
    const { email } = await register();
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await http().post('/auth/login').send({ tenantId, email, password: 'wrong password!!' }).expect(401);
    }
    const second = await createCustomerApp(config);
    await second.init();
    try {
      await request(second.getHttpServer()).post('/auth/login').send({ tenantId, email, password: 'wrong password!!' }).expect(429);
    } finally {
      await second.close();
    }
  });
});

describe('roles and the guard', () => {
  it('lets an admin create staff, who can then sign in with their role; refuses an investor', async () => {
    const admin = await loginAs(app, { role: 'admin', tenantId });
    const investor = await loginAs(app, { role: 'investor', tenantId });
    const staff = { email: `mlro-${randomUUID()}@bank.lk`, password: 'a long staff password', roles: ['mlro'] };
    expect((await http().post('/auth/staff').set(investor.headers).set('Idempotency-Key', randomUUID()).send(staff).expect(403)).body.code).toBe('forbidden');
    await http().post('/auth/staff').set(admin.headers).set('Idempotency-Key', randomUUID()).send({ ...staff, roles: ['investor'] }).expect(400);
    await http().post('/auth/staff').set(admin.headers).set('Idempotency-Key', randomUUID()).send(staff).expect(201);
    const session = await loginTokens(staff.email, staff.password);
    expect(session.principal).toMatchObject({ roles: ['mlro'], accountRef: null, tenantId });
  });

  it('refuses a route that declares no access rule, even to an admin, and the route scan names it', async () => {
    const admin = await loginAs(app, { role: 'admin', tenantId });
    expect((await http().get('/test-unguarded').set(admin.headers).expect(403)).body.code).toBe('route_unguarded');
    const missing = routeAccess(app).filter((route) => route.rule.kind !== 'public' && route.rule.kind !== 'permissions');
    expect(missing).toEqual([{ controller: 'UnguardedTestController', handler: 'open', rule: { kind: 'missing' } }]);
  });

  it('serves security headers and CORS only for the allowed origin', async () => {
    const health = await http().get('/health').set('Origin', ALLOWED_ORIGIN);
    expect(health.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'strict-transport-security': expect.stringContaining('max-age='),
      'content-security-policy': expect.stringContaining("default-src 'self'"),
      'access-control-allow-origin': ALLOWED_ORIGIN,
      'access-control-allow-credentials': 'true',
    });
    expect(health.headers['x-powered-by']).toBeUndefined();
    const foreign = await http().get('/health').set('Origin', 'https://evil.example');
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await http().options('/auth/login').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'POST');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('keeps the configuration it was given', () => {
    expect(app.get<CustomerConfig>(CUSTOMER_CONFIG).corsOrigins).toEqual([ALLOWED_ORIGIN]);
  });
});

describe('auth configuration', () => {
  it.each([
    ['an access-token lifetime over 15 minutes', { AUTH_ACCESS_TTL_S: '901' }, /AUTH_ACCESS_TTL_S/],
    ['a signing key that is not Ed25519', { AUTH_JWT_PRIVATE_KEY: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64url') }, /Ed25519/],
    ['an unreadable signing key', { AUTH_JWT_PRIVATE_KEY: 'A'.repeat(64) }, /AUTH_JWT_PRIVATE_KEY/],
    ['a short TOTP key', { AUTH_TOTP_KEY: 'c2hvcnQ' }, /AUTH_TOTP_KEY/],
    ['a CORS origin that is not a URL', { CORS_ORIGINS: 'https://ok.example, *' }, /CORS_ORIGINS/],
    ['insecure cookies in production', { NODE_ENV: 'production', SMTP_URL: 'smtp://mail.example:25', AUTH_COOKIE_SECURE: 'false' }, /AUTH_COOKIE_SECURE/],
    ['no SMTP server in production', { NODE_ENV: 'production' }, /SMTP_URL/],
  ])('refuses to start with %s', (_name, overrides, message) => {
    expect(() => parseCustomerConfig({ ...testStackEnv('customer', database, nats), ...overrides })).toThrow(message);
  });

  it('never prints key material', () => {
    expect(JSON.stringify(config.auth)).not.toMatch(/PRIVATE|[A-Za-z0-9_-]{43}/);
  });
});

describe('demo users', () => {
  it('seeds one account per role (two admins) once, and each signs in with its role', async () => {
    const demoTenant = randomUUID();
    const scope = app.get(TenantScope);
    const first = await seedDemoUsers(app.get(AuthService), scope, demoTenant);
    expect(first.map((u) => u.role).sort()).toEqual(['admin', 'admin', 'auditor', 'compliance_officer', 'finance_ops', 'investor', 'mlro']);
    expect(first.every((u) => u.created)).toBe(true);
    expect((await seedDemoUsers(app.get(AuthService), scope, demoTenant)).every((u) => !u.created)).toBe(true);
    for (const user of DEMO_USERS) {
      const result = await app.get(AuthService).login(demoTenant, user.email, DEMO_PASSWORD, { ip: `seed-${randomUUID()}`, userAgent: 'test', deviceId: undefined });
      expect(result.kind === 'session' && result.session.principal.roles).toEqual([user.role]);
    }
  });
});

describe('mail without an SMTP server configured', () => {
  it('goes to the built-in local SMTP sink (development and tests)', async () => {
    const user = await loginAs(app, { role: 'investor', tenantId });
    const { secret } = (await http().post('/auth/2fa/setup').set(user.headers).expect(200)).body;
    await http().post('/auth/2fa/enable').set(user.headers).set('Idempotency-Key', randomUUID()).send({ code: totpCode(secret, Date.now()) }).expect(204);
    // The dispatcher's own timer may be mid-drain (claimed before this commit): drain until it arrives.
    const mail = await eventually(async () => {
      await app.get(NotificationDispatcher).dispatchDue();
      return app.get(NotificationDispatcher).localMailbox.find((m) => m.to.includes(user.email));
    }, 5_000, 'the 2FA notice in the local mailbox');
    expect(mail.headers.subject).toBe('Two-factor authentication is on');
  });
});
