// The global guard: every HTTP route is either @Public() or names the permissions it needs with
// @Permissions(...). A route that says neither (or both) is refused, so forgetting the decorator
// fails closed; the route-coverage test proves no route is in that state.
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { PUBLIC_ROUTE } from '@bulwark/shared-contracts/platform';
import { CUSTOMER_CONFIG, type CustomerConfig } from '../config/customer-config.js';
import { AuthError } from './auth.errors.js';
import { AuthService } from './auth.service.js';
import { ACCESS_COOKIE } from './cookies.js';
import { REQUIRED_PERMISSIONS } from './permissions.decorator.js';
import { allows, PERMISSIONS, type Permission } from './permissions.js';
import type { Principal } from './principal.js';

export type AccessRule =
  | { readonly kind: 'public' }
  | { readonly kind: 'permissions'; readonly permissions: readonly Permission[] }
  | { readonly kind: 'missing' }
  | { readonly kind: 'invalid'; readonly why: string };

type Target = Parameters<Reflector['get']>[1];

function ruleAt(reflector: Reflector, target: Target): AccessRule | undefined {
  const isPublic = reflector.get<boolean | undefined>(PUBLIC_ROUTE, target) === true;
  const permissions = reflector.get<readonly Permission[] | undefined>(REQUIRED_PERMISSIONS, target);
  if (isPublic && permissions) return { kind: 'invalid', why: 'both @Public() and @Permissions()' };
  if (isPublic) return { kind: 'public' };
  if (!permissions) return undefined;
  if (permissions.length === 0 || permissions.some((p) => !(PERMISSIONS as readonly string[]).includes(p))) return { kind: 'invalid', why: 'unknown or no permissions' };
  return { kind: 'permissions', permissions };
}

/** The access rule of a route: the handler's own, else its controller's. */
export function accessRuleOf(reflector: Reflector, handler: Target, controller: Target): AccessRule {
  return ruleAt(reflector, handler) ?? ruleAt(reflector, controller) ?? { kind: 'missing' };
}

export type AuthenticatedRequest = Request & { principal?: Principal; cookies?: Record<string, string | undefined> };

const BEARER = /^Bearer ([A-Za-z0-9_.-]+)$/;

/** The access token from `Authorization: Bearer` (API clients) or the HttpOnly cookie (the SPA). */
export function accessTokenOf(request: AuthenticatedRequest, secureCookies: boolean): string | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = BEARER.exec(header);
    if (!match) throw new AuthError('token_invalid', 'malformed Authorization header');
    return match[1];
  }
  return request.cookies?.[ACCESS_COOKIE(secureCookies)];
}

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(CUSTOMER_CONFIG) private readonly config: CustomerConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return false;
    const rule = accessRuleOf(this.reflector, context.getHandler(), context.getClass());
    if (rule.kind === 'public') return true;
    if (rule.kind !== 'permissions') throw new AuthError('route_unguarded');
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = accessTokenOf(request, this.config.auth.cookieSecure);
    if (!token) throw new AuthError('unauthenticated');
    const principal = await this.auth.authenticate(token);
    if (!allows(principal.roles, rule.permissions)) throw new AuthError('forbidden');
    request.principal = principal;
    return true;
  }
}
