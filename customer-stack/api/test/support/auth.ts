// Test support other suites share: a principal of any role in a tenant, signed in through the
// real AuthService (argon2 password check, session, refresh family), and the headers or cookies
// to call the HTTP API with it; and the list of routes with their access rules.
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { AuthService } from '../../src/auth/auth.service.js';
import { accessRuleOf, type AccessRule } from '../../src/auth/auth.guard.js';
import { ACCESS_COOKIE, REFRESH_COOKIE } from '../../src/auth/cookies.js';
import type { Role } from '../../src/auth/permissions.js';
import type { Principal } from '../../src/auth/principal.js';
import { CUSTOMER_CONFIG, type CustomerConfig } from '../../src/config/customer-config.js';
import { SIGNED_WEBHOOK } from '../../src/payments/signed-webhook.decorator.js';
import { TenantScope } from '../../src/tenancy/tenant-scope.js';

export interface LoggedIn {
  readonly principal: Principal;
  readonly email: string;
  readonly password: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  /** For supertest: `.set(user.headers)` (Bearer). */
  readonly headers: { readonly Authorization: string };
  /** For supertest: `.set('Cookie', user.cookies)` (the SPA's way). */
  readonly cookies: string[];
}

/** Creates a user with the role in the tenant and signs them in. Each call makes a new user. */
export async function loginAs(app: INestApplication, { role, tenantId }: { role: Role; tenantId: string }): Promise<LoggedIn> {
  const auth = app.get(AuthService);
  const email = `${role.replaceAll('_', '-')}-${randomUUID()}@test.bulwark.local`;
  const password = `pw-${randomUUID()}`;
  await app.get(TenantScope).run(tenantId, (tx) =>
    auth.createAccount(tx, tenantId, { email, password, roles: [role], createdBy: null }, role === 'investor' ? randomUUID() : null),
  );
  // A client address of its own per user, so many sign-ins in one suite stay under the per-client limit.
  const result = await auth.login(tenantId, email, password, { ip: `test-${randomUUID()}`, userAgent: 'bulwark-tests', deviceId: undefined });
  if (result.kind !== 'session') throw new Error('a fresh test user has no second factor');
  const { session } = result;
  const secure = app.get<CustomerConfig>(CUSTOMER_CONFIG).auth.cookieSecure;
  return {
    principal: session.principal,
    email,
    password,
    accessToken: session.accessToken,
    refreshToken: session.refreshToken,
    headers: { Authorization: `Bearer ${session.accessToken}` },
    cookies: [`${ACCESS_COOKIE(secure)}=${session.accessToken}`, `${REFRESH_COOKIE(secure)}=${session.refreshToken}`],
  };
}

export interface RouteAccess {
  readonly controller: string;
  readonly handler: string;
  readonly rule: AccessRule;
  /** For a public route that providers call: the signature scheme it verifies (@SignedWebhook). */
  readonly signedWebhook?: string;
}

/** Every HTTP route handler Nest knows, with the access rule the guard will apply to it. */
export function routeAccess(app: INestApplication): RouteAccess[] {
  const reflector = app.get(Reflector);
  const scanner = new MetadataScanner();
  const routes: RouteAccess[] = [];
  for (const wrapper of new DiscoveryService(app.get(ModulesContainer)).getControllers()) {
    const { instance, metatype } = wrapper;
    if (!instance || !metatype) continue;
    const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = prototype[name];
      // A route handler carries Nest's path metadata; helpers on a controller do not.
      if (typeof handler !== 'function' || Reflect.getMetadata('path', handler) === undefined) continue;
      const signedWebhook = reflector.get<string | undefined>(SIGNED_WEBHOOK, handler as Parameters<Reflector['get']>[1]);
      routes.push({ controller: metatype.name, handler: name, rule: accessRuleOf(reflector, handler, metatype), ...(signedWebhook ? { signedWebhook } : {}) });
    }
  }
  return routes;
}
