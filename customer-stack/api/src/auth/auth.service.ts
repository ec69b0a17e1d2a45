// Who a caller is: accounts, sign-in with a password and an optional second factor, sessions
// with rotating refresh tokens, and the checks the guard and step-up rely on. Every state
// change happens in one transaction of its tenant (TenantScope.run), audited in it.
import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { assert } from '@bulwark/shared-contracts';
import type { SqlTx } from '@bulwark/shared-contracts/wall';
import { auditActorOf } from '../audit/audit-actor.js';
import { AuditService, type AuditActor, type AuditInput } from '../audit/audit.service.js';
import { CUSTOMER_CONFIG, type CustomerConfig } from '../config/customer-config.js';
import { NotificationService } from '../notifications/notification.service.js';
import { ANONYMOUS_ACTOR, AUTH_AUDIT_ACTIONS as ACTIONS, AUTH_SYSTEM_ACTOR, userActor, userResource } from './auth-audit.js';
import { AuthError, RateLimitedError } from './auth.errors.js';
import { CLOCK, type Clock } from './clock.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { STAFF_ROLES, type Role, type StaffRole } from './permissions.js';
import type { Principal } from './principal.js';
import { RATE_LIMITS, RateLimiter, type RateLimit } from './rate-limiter.js';
import { lookupHash, open, seal, sha256 } from './secret-box.js';
import { SessionsRepository, type ListedSession } from './sessions.repository.js';
import { TenantScope } from '../tenancy/tenant-scope.js';
import { TenancyError } from '../tenancy/tenancy.errors.js';
import { TenantsService } from '../tenancy/tenants.service.js';
import { TokenService } from './token.service.js';
import { matchStep, newTotpSecret, stepAt, totpUri } from './totp.js';
import { UsersRepository, type UserRow } from './users.repository.js';

/** What the HTTP layer knows about the caller's client. */
export interface ClientContext {
  readonly ip: string;
  readonly userAgent: string;
  /** The long-lived device cookie, when the client has one. */
  readonly deviceId: string | undefined;
}

export interface IssuedSession {
  readonly principal: Principal;
  readonly accessToken: string;
  readonly accessExpiresInS: number;
  readonly refreshToken: string;
  readonly refreshExpiresAt: Date;
  readonly deviceId: string;
}

export type LoginResult =
  | { readonly kind: 'session'; readonly session: IssuedSession }
  | { readonly kind: 'mfa'; readonly mfaToken: string; readonly deviceId: string };

export interface NewAccount {
  readonly email: string;
  readonly password: string;
  readonly roles: readonly Role[];
  readonly createdBy: string | null;
}

export interface SessionView {
  readonly id: string;
  /** Null once the person is erased. */
  readonly userAgent: string | null;
  readonly createdAt: string;
  readonly lastUsedAt: string;
  readonly expiresAt: string;
  readonly revokedAt: string | null;
  readonly current: boolean;
}

const REFRESH_TOKEN_PREFIX = 'rt1';
const REFRESH_TOKEN_PATTERN = /^rt1\.([0-9a-f-]{36})\.[A-Za-z0-9_-]{43}$/;
const DEVICE_ID_PATTERN = /^[0-9a-f-]{36}$/;
const USER_AGENT_LENGTH_MAX = 200;

@Injectable()
export class AuthService {
  constructor(
    @Inject(CUSTOMER_CONFIG) private readonly config: CustomerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(TokenService) private readonly tokens: TokenService,
    @Inject(RateLimiter) private readonly limiter: RateLimiter,
    @Inject(UsersRepository) private readonly users: UsersRepository,
    @Inject(SessionsRepository) private readonly sessions: SessionsRepository,
    @Inject(NotificationService) private readonly notifications: NotificationService,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(TenantScope) private readonly scope: TenantScope,
    @Inject(TenantsService) private readonly tenants: TenantsService,
  ) {}

  // ------------------------------------------------------------------ accounts

  /**
   * An investor registers into a tenant that exists and gets an opaque account reference for the
   * wall, registered in the account directory in the same transaction.
   */
  async register(tenantId: string, email: string, password: string, client: ClientContext): Promise<{ userId: string; accountRef: string }> {
    await this.enforce(RATE_LIMITS.registerPerClient, client.ip);
    const accountRef = randomUUID();
    const userId = await this.scope.run(tenantId, async (tx) => {
      await this.tenantOrRefuse(tx, tenantId);
      return this.createAccount(tx, tenantId, { email, password, roles: ['investor'], createdBy: null }, accountRef);
    });
    return { userId, accountRef };
  }

  /** An admin creates a staff account in their own tenant. */
  async createStaff(admin: Principal, email: string, password: string, roles: readonly StaffRole[]): Promise<{ userId: string }> {
    assert(roles.every((role) => (STAFF_ROLES as readonly string[]).includes(role)), 'staff roles only');
    const userId = await this.scope.run(admin.tenantId, (tx) => this.createAccount(tx, admin.tenantId, { email, password, roles, createdBy: admin.userId }, null));
    return { userId };
  }

  /**
   * Creates an account inside the caller's tenant transaction (registration, staff, seeding) and
   * audits it: a self-registration as the new user, an account made by an admin as that admin.
   */
  async createAccount(tx: SqlTx, tenantId: string, account: NewAccount, accountRef: string | null): Promise<string> {
    assert(account.roles.includes('investor') === (accountRef !== null), 'an investor, and only an investor, has an account reference');
    const userId = randomUUID();
    const inserted = await this.users.insert(tx, {
      id: userId,
      tenantId,
      email: account.email,
      passwordHash: await hashPassword(account.password),
      roles: account.roles,
      accountRef,
      createdBy: account.createdBy,
      now: this.clock.now(),
    });
    if (!inserted) throw new AuthError('email_taken');
    const byAdmin = account.createdBy !== null;
    const staff = account.roles.every((role) => (STAFF_ROLES as readonly string[]).includes(role));
    const by: AuditActor = byAdmin ? { actor: `user:${account.createdBy}`, role: 'admin' } : userActor({ id: userId, roles: account.roles });
    // Inbound wall messages carry only the account reference: the directory routes them here.
    if (accountRef !== null) await this.tenants.registerAccount(tx, by, tenantId, accountRef);
    await this.audit.record(tx, {
      tenantId,
      ...by,
      action: byAdmin ? (staff ? ACTIONS.staffCreated : ACTIONS.accountCreated) : ACTIONS.accountRegistered,
      resource: userResource(userId),
      diff: { roles: [...account.roles], accountRef },
    });
    return userId;
  }

  /**
   * An admin replaces a staff member's roles in their own tenant. The member's sessions end (their
   * access tokens carry the old roles), and an admin cannot take the admin role from themselves.
   */
  async changeRoles(admin: Principal, userId: string, roles: readonly StaffRole[]): Promise<{ roles: Role[] }> {
    assert(roles.length >= 1 && roles.every((role) => (STAFF_ROLES as readonly string[]).includes(role)), 'staff roles only');
    const next = [...new Set(roles)].sort() as Role[];
    if (userId === admin.userId && !next.includes('admin')) throw new AuthError('role_change_refused', 'an admin cannot remove their own admin role');
    return this.scope.run(admin.tenantId, async (tx) => {
      const user = await this.users.findById(tx, userId);
      if (!user || user.status !== 'active') throw new AuthError('user_not_found');
      if (user.roles.includes('investor')) throw new AuthError('role_change_refused', 'an investor account cannot hold staff roles');
      const before = [...user.roles].sort();
      if (before.join() === next.join()) return { roles: before };
      const now = this.clock.now();
      await this.users.setRoles(tx, userId, next, now);
      const revoked = await this.sessions.revokeAllForUser(tx, userId, 'roles_changed', now);
      if (revoked.length > 0) {
        await this.notifications.enqueue(tx, { tenantId: admin.tenantId, userId, event: 'security.session-revoked', data: { reason: 'your roles changed' } });
      }
      await this.audit.record(tx, {
        tenantId: admin.tenantId,
        ...auditActorOf(admin, 'staff:manage'),
        action: ACTIONS.rolesChanged,
        resource: userResource(userId),
        diff: { before, after: next, sessionsRevoked: revoked },
      });
      return { roles: next };
    });
  }

  // ------------------------------------------------------------------ sign-in

  async login(tenantId: string, email: string, password: string, client: ClientContext): Promise<LoginResult> {
    const accountKey = `${tenantId}:${email.trim().toLowerCase()}`;
    await this.enforce(RATE_LIMITS.loginPerClient, client.ip);
    await this.enforce(RATE_LIMITS.loginPerAccount, accountKey);
    const user = await this.scope.run(tenantId, (tx) => this.users.findByEmail(tx, tenantId, email));
    const passwordOk = await verifyPassword(user?.passwordHash, password);
    if (!user || !passwordOk || user.status !== 'active') {
      const reason = !user ? 'unknown_account' : !passwordOk ? 'password_wrong' : 'account_disabled';
      await this.recordLoginFailure(tenantId, user?.id, reason);
      throw new AuthError('credentials_invalid');
    }
    await this.limiter.reset(RATE_LIMITS.loginPerAccount, accountKey);
    const deviceId = this.deviceIdOf(client);
    if (await this.scope.run(tenantId, (tx) => this.totpEnabled(tx, user.id))) {
      return { kind: 'mfa', mfaToken: await this.tokens.issueMfaTicket({ userId: user.id, tenantId, deviceId }, this.clock.now()), deviceId };
    }
    return { kind: 'session', session: await this.scope.run(tenantId, (tx) => this.openSession(tx, user, { ...client, deviceId }, false)) };
  }

  /** The second step of a sign-in with 2FA: the ticket from the password step and a fresh code. */
  async completeMfa(mfaToken: string, code: string, client: ClientContext): Promise<IssuedSession> {
    const ticket = await this.tokens.verifyMfaTicket(mfaToken);
    await this.enforce(RATE_LIMITS.mfaPerUser, ticket.userId);
    const outcome = await this.scope.run(ticket.tenantId, async (tx): Promise<IssuedSession | 'refused'> => {
      const user = await this.users.findById(tx, ticket.userId);
      if (!user || user.status !== 'active') throw new AuthError('mfa_invalid');
      if (!(await this.consumeTotp(tx, user.id, code, 'enabled'))) {
        const refused: AuditInput = { tenantId: ticket.tenantId, ...ANONYMOUS_ACTOR, action: ACTIONS.mfaFailed, resource: userResource(user.id), diff: { purpose: 'login' } };
        await this.audit.record(tx, refused);
        return 'refused';
      }
      return this.openSession(tx, user, { ...client, deviceId: ticket.deviceId }, true);
    });
    if (outcome === 'refused') throw new AuthError('mfa_invalid');
    await this.limiter.reset(RATE_LIMITS.mfaPerUser, ticket.userId);
    return outcome;
  }

  /**
   * Rotates a refresh token: the presented one is spent and a new one issued in the same family.
   * A spent token presented again means it was copied: the whole family (session) is revoked.
   */
  async refresh(refreshToken: string, client: ClientContext): Promise<IssuedSession> {
    const tenantId = REFRESH_TOKEN_PATTERN.exec(refreshToken)?.[1];
    if (!tenantId) throw new AuthError('refresh_invalid');
    const now = this.clock.now();
    const outcome = await this.scope.run(tenantId, async (tx): Promise<IssuedSession | 'reused'> => {
      const rotation = await this.sessions.rotate(tx, sha256(refreshToken), now);
      if (rotation.kind === 'unknown') throw new AuthError('refresh_invalid');
      const session = await this.sessions.find(tx, rotation.sessionId);
      assert(session !== undefined, 'a refresh token belongs to a session');
      if (rotation.kind === 'reused') {
        const bySystem = { tenantId, ...AUTH_SYSTEM_ACTOR, resource: userResource(session.userId) };
        const entries: AuditInput[] = [{ ...bySystem, action: ACTIONS.refreshReused, diff: { sessionId: session.id } }];
        if (await this.sessions.revoke(tx, session.id, session.userId, 'refresh_reused', now)) {
          await this.notifications.enqueue(tx, { tenantId, userId: session.userId, event: 'security.session-revoked', data: { reason: 'a refresh token was used twice' } });
          entries.push({ ...bySystem, action: ACTIONS.sessionRevoked, diff: { sessionId: session.id, reason: 'refresh_reused' } });
        }
        await this.audit.recordMany(tx, entries);
        return 'reused';
      }
      if (session.revokedAt || session.expiresAt <= now) throw new AuthError('refresh_invalid');
      const user = await this.users.findById(tx, session.userId);
      if (!user || user.status !== 'active') throw new AuthError('refresh_invalid');
      await this.sessions.touch(tx, session.id, now);
      const issued = await this.issue(tx, user, session.id, session.expiresAt, this.deviceIdOf(client));
      await this.audit.record(tx, { tenantId, ...userActor(user), action: ACTIONS.refreshRotated, resource: userResource(user.id), diff: { sessionId: session.id } });
      return issued;
    });
    if (outcome === 'reused') throw new AuthError('refresh_reused');
    return outcome;
  }

  /** Ends the caller's session: its refresh family is revoked and its access tokens stop working. */
  async logout(principal: Principal): Promise<void> {
    await this.scope.run(principal.tenantId, async (tx) => {
      if (!(await this.sessions.revoke(tx, principal.sessionId, principal.userId, 'logout', this.clock.now()))) return;
      await this.audit.record(tx, {
        tenantId: principal.tenantId,
        ...auditActorOf(principal, 'session:self'),
        action: ACTIONS.loggedOut,
        resource: userResource(principal.userId),
        diff: { sessionId: principal.sessionId },
      });
    });
  }

  async listSessions(principal: Principal): Promise<SessionView[]> {
    const rows = await this.scope.run(principal.tenantId, (tx) => this.sessions.listForUser(tx, principal.userId));
    return rows.map((row: ListedSession) => ({
      id: row.id,
      userAgent: row.userAgent,
      createdAt: row.createdAt.toISOString(),
      lastUsedAt: row.lastUsedAt.toISOString(),
      expiresAt: row.expiresAt.toISOString(),
      revokedAt: row.revokedAt?.toISOString() ?? null,
      current: row.id === principal.sessionId,
    }));
  }

  async revokeSession(principal: Principal, sessionId: string): Promise<void> {
    await this.scope.run(principal.tenantId, async (tx) => {
      const session = await this.sessions.find(tx, sessionId);
      if (!session || session.userId !== principal.userId) throw new AuthError('session_not_found');
      if (!(await this.sessions.revoke(tx, sessionId, principal.userId, 'revoked_by_user', this.clock.now()))) return;
      await this.notifications.enqueue(tx, { tenantId: principal.tenantId, userId: principal.userId, event: 'security.session-revoked', data: { reason: 'ended by you' } });
      await this.audit.record(tx, {
        tenantId: principal.tenantId,
        ...auditActorOf(principal, 'session:self'),
        action: ACTIONS.sessionRevoked,
        resource: userResource(principal.userId),
        diff: { sessionId, reason: 'revoked_by_user' },
      });
    });
  }

  /**
   * An admin signs a user of their tenant out everywhere (a lost phone reported to support): the
   * audit entry names the admin as actor, acting on behalf of the user.
   */
  async revokeSessionsOf(admin: Principal, userId: string): Promise<{ revoked: number }> {
    return this.scope.run(admin.tenantId, async (tx) => {
      const user = await this.users.findById(tx, userId);
      if (!user) throw new AuthError('user_not_found');
      const revoked = await this.sessions.revokeAllForUser(tx, userId, 'revoked_by_admin', this.clock.now());
      if (revoked.length === 0) return { revoked: 0 };
      await this.notifications.enqueue(tx, { tenantId: admin.tenantId, userId, event: 'security.session-revoked', data: { reason: 'ended by an administrator' } });
      await this.audit.record(tx, {
        tenantId: admin.tenantId,
        ...auditActorOf(admin, 'sessions:manage'),
        onBehalfOf: userResource(userId),
        action: ACTIONS.sessionRevoked,
        resource: userResource(userId),
        diff: { sessionIds: revoked, reason: 'revoked_by_admin' },
      });
      return { revoked: revoked.length };
    });
  }

  /** The guard's check: a valid access token whose session is still live. */
  async authenticate(accessToken: string): Promise<Principal> {
    const principal = await this.tokens.verifyAccess(accessToken);
    const live = await this.scope.run(principal.tenantId, (tx) => this.sessions.isLive(tx, principal.sessionId, principal.userId, this.clock.now()));
    if (!live) throw new AuthError('session_revoked');
    return principal;
  }

  /** The user's email for sending them mail (notifications), inside the caller's tenant transaction. */
  async emailOf(tx: SqlTx, userId: string): Promise<string | null> {
    return this.users.emailOf(tx, userId);
  }

  async emailsOf(tx: SqlTx, userIds: readonly string[]): Promise<Map<string, string | null>> {
    return this.users.emailsOf(tx, userIds);
  }

  // ------------------------------------------------------------------ second factor

  /** Starts (or restarts) enrolment: a new secret, shown once, inactive until a code confirms it. */
  async beginTotp(principal: Principal): Promise<{ secret: string; otpauthUri: string }> {
    const secret = newTotpSecret();
    await this.scope.run(principal.tenantId, async (tx) => {
      if (await this.totpEnabled(tx, principal.userId)) throw new AuthError('mfa_already_enabled');
      await tx.query(
        `INSERT INTO user_totp (user_id, tenant_id, secret_sealed, enabled_at, last_step, created_at) VALUES ($1, $2, $3, NULL, 0, $4)
         ON CONFLICT (user_id) DO UPDATE SET secret_sealed = EXCLUDED.secret_sealed, last_step = 0, created_at = EXCLUDED.created_at`,
        [principal.userId, principal.tenantId, this.sealTotp(principal.userId, secret), this.clock.now()],
      );
      await this.recordSelf(tx, principal, ACTIONS.mfaSetupStarted);
    });
    return { secret, otpauthUri: totpUri(secret, principal.userId, 'Bulwark') };
  }

  async enableTotp(principal: Principal, code: string): Promise<void> {
    await this.enforce(RATE_LIMITS.mfaPerUser, principal.userId);
    const accepted = await this.scope.run(principal.tenantId, async (tx) => {
      if (await this.totpEnabled(tx, principal.userId)) throw new AuthError('mfa_already_enabled');
      if (!(await this.consumeTotp(tx, principal.userId, code, 'pending'))) return this.recordCodeRefused(tx, principal, 'enable');
      await tx.query(`UPDATE user_totp SET enabled_at = $2 WHERE user_id = $1`, [principal.userId, this.clock.now()]);
      await this.notifications.enqueue(tx, { tenantId: principal.tenantId, userId: principal.userId, event: 'security.mfa-enabled', data: {} });
      await this.recordSelf(tx, principal, ACTIONS.mfaEnabled);
      return true;
    });
    if (!accepted) throw new AuthError('mfa_invalid');
    await this.limiter.reset(RATE_LIMITS.mfaPerUser, principal.userId);
  }

  async disableTotp(principal: Principal, code: string): Promise<void> {
    await this.enforce(RATE_LIMITS.mfaPerUser, principal.userId);
    const accepted = await this.scope.run(principal.tenantId, async (tx) => {
      if (!(await this.consumeTotp(tx, principal.userId, code, 'enabled'))) return this.recordCodeRefused(tx, principal, 'disable');
      await tx.query(`DELETE FROM user_totp WHERE user_id = $1`, [principal.userId]);
      await this.notifications.enqueue(tx, { tenantId: principal.tenantId, userId: principal.userId, event: 'security.mfa-disabled', data: {} });
      await this.recordSelf(tx, principal, ACTIONS.mfaDisabled);
      return true;
    });
    if (!accepted) throw new AuthError('mfa_invalid');
    await this.limiter.reset(RATE_LIMITS.mfaPerUser, principal.userId);
  }

  /**
   * Step-up for sensitive actions: true when the code is valid for the user's enabled second
   * factor and was never accepted before. Rate-limited like sign-in codes; false (never an
   * exception) for a wrong, reused or limited code and for a user without a second factor.
   * The outcome is audited (a limited attempt is refused before it is looked at, and is not).
   * The tenant is the caller's verified principal's: no lookup across tenants is needed.
   */
  async verifyStepUp(user: { readonly tenantId: string; readonly userId: string }, totpCode: string): Promise<boolean> {
    const { tenantId, userId } = user;
    const limited = await this.limiter.hit(RATE_LIMITS.mfaPerUser, userId);
    if (!limited.allowed) return false;
    const accepted = await this.scope.run(tenantId, async (tx) => {
      const user = await this.users.findById(tx, userId);
      if (!user) return false;
      const enrolled = await this.totpEnabled(tx, userId);
      const ok = enrolled && user.status === 'active' && (await this.consumeTotp(tx, userId, totpCode, 'enabled'));
      await this.audit.record(tx, {
        tenantId,
        ...userActor(user),
        action: ok ? ACTIONS.stepUpVerified : ACTIONS.stepUpFailed,
        resource: userResource(userId),
        diff: ok ? {} : { reason: enrolled ? 'code_refused' : 'not_enrolled' },
      });
      return ok;
    });
    if (accepted) await this.limiter.reset(RATE_LIMITS.mfaPerUser, userId);
    return accepted;
  }

  // ------------------------------------------------------------------ internals

  private async enforce(limit: RateLimit, subject: string): Promise<void> {
    const decision = await this.limiter.hit(limit, subject);
    if (!decision.allowed) throw new RateLimitedError(decision.retryAfterS);
  }

  private deviceIdOf(client: ClientContext): string {
    return client.deviceId && DEVICE_ID_PATTERN.test(client.deviceId) ? client.deviceId : randomUUID();
  }

  /** The tenant's settings; an unknown tenant is refused with auth's own code. */
  private async tenantOrRefuse(tx: SqlTx, tenantId: string): Promise<void> {
    try {
      await this.tenants.get(tenantId, tx);
    } catch (error) {
      if (error instanceof TenancyError && error.code === 'tenant_not_found') throw new AuthError('tenant_unknown');
      throw error;
    }
  }

  /**
   * A refused password attempt, in a transaction of its own (nothing else changes). An unknown
   * account is recorded against its tenant, and a tenant that does not exist is refused as such
   * (tenant ids are public, so this tells a caller nothing new) and leaves no entry.
   */
  private async recordLoginFailure(tenantId: string, userId: string | undefined, reason: 'unknown_account' | 'password_wrong' | 'account_disabled'): Promise<void> {
    await this.scope.run(tenantId, async (tx) => {
      if (!userId) await this.tenantOrRefuse(tx, tenantId);
      const resource = userId ? userResource(userId) : `tenant:${tenantId}`;
      await this.audit.record(tx, { tenantId, ...ANONYMOUS_ACTOR, action: ACTIONS.loginFailed, resource, diff: { reason } });
    });
  }

  /** A signed-in user changing their own second factor. */
  private async recordSelf(tx: SqlTx, principal: Principal, action: string, diff?: Record<string, unknown>): Promise<void> {
    const who: AuditActor = auditActorOf(principal, 'mfa:self');
    await this.audit.record(tx, { tenantId: principal.tenantId, ...who, action, resource: userResource(principal.userId), ...(diff ? { diff } : {}) });
  }

  /** Audits a refused code in the transaction that looked at it; false, for the caller to refuse after commit. */
  private async recordCodeRefused(tx: SqlTx, principal: Principal, purpose: 'enable' | 'disable'): Promise<false> {
    await this.recordSelf(tx, principal, ACTIONS.mfaFailed, { purpose });
    return false;
  }

  private async openSession(tx: SqlTx, user: UserRow, client: ClientContext & { deviceId: string }, secondFactor: boolean): Promise<IssuedSession> {
    const now = this.clock.now();
    const sessionId = randomUUID();
    const expiresAt = new Date(now.getTime() + this.config.auth.refreshTtlS * 1000);
    const deviceLookup = lookupHash(this.config.auth.lookupKey.reveal(), 'device', user.id, client.deviceId);
    await this.sessions.create(tx, {
      id: sessionId,
      tenantId: user.tenantId,
      userId: user.id,
      deviceLookup,
      userAgent: client.userAgent.slice(0, USER_AGENT_LENGTH_MAX),
      now,
      expiresAt,
    });
    const newDevice = await this.sessions.rememberDevice(tx, user.tenantId, user.id, deviceLookup, now);
    // The first device of an account is where it was opened; every later new one is worth a notice.
    if (newDevice && (await this.sessions.knownDeviceCount(tx, user.id)) > 1) {
      const device = client.userAgent.slice(0, USER_AGENT_LENGTH_MAX);
      await this.notifications.enqueue(tx, { tenantId: user.tenantId, userId: user.id, event: 'security.new-device', data: { device, at: now.toISOString() } });
    }
    const issued = await this.issue(tx, user, sessionId, expiresAt, client.deviceId);
    await this.audit.record(tx, {
      tenantId: user.tenantId,
      ...userActor(user),
      action: ACTIONS.loginSucceeded,
      resource: userResource(user.id),
      diff: { sessionId, secondFactor, newDevice },
    });
    return issued;
  }

  private async issue(tx: SqlTx, user: UserRow, sessionId: string, refreshExpiresAt: Date, deviceId: string): Promise<IssuedSession> {
    const now = this.clock.now();
    const refreshToken = `${REFRESH_TOKEN_PREFIX}.${user.tenantId}.${randomBytes(32).toString('base64url')}`;
    await this.sessions.addRefreshToken(tx, user.tenantId, sessionId, sha256(refreshToken), now);
    const principal: Principal = { userId: user.id, tenantId: user.tenantId, accountRef: user.accountRef, roles: user.roles, sessionId };
    return {
      principal,
      accessToken: await this.tokens.issueAccess(principal, now),
      accessExpiresInS: this.tokens.accessTtlS,
      refreshToken,
      refreshExpiresAt,
      deviceId,
    };
  }

  private async totpEnabled(tx: SqlTx, userId: string): Promise<boolean> {
    const rows = await tx.query(`SELECT 1 FROM user_totp WHERE user_id = $1 AND enabled_at IS NOT NULL`, [userId]);
    return rows.length === 1;
  }

  /** Accepts a code once: its step must be later than every step accepted before for the user. */
  private async consumeTotp(tx: SqlTx, userId: string, code: string, state: 'pending' | 'enabled'): Promise<boolean> {
    const [row] = await tx.query<{ secret_sealed: Buffer; last_step: string; enabled_at: Date | null }>(
      `SELECT secret_sealed, last_step, enabled_at FROM user_totp WHERE user_id = $1 FOR UPDATE`,
      [userId],
    );
    if (!row) throw new AuthError('mfa_not_enrolled');
    if ((row.enabled_at !== null) !== (state === 'enabled')) throw new AuthError(state === 'enabled' ? 'mfa_not_enrolled' : 'mfa_already_enabled');
    const nowMs = this.clock.now().getTime();
    const step = matchStep(this.openTotp(userId, row.secret_sealed), code, nowMs);
    if (step === null || step <= Number(row.last_step)) return false;
    assert(Math.abs(step - stepAt(nowMs)) <= 1, 'accepted step within drift');
    const updated = await tx.query(`UPDATE user_totp SET last_step = $2 WHERE user_id = $1 AND last_step < $2 RETURNING user_id`, [userId, step]);
    return updated.length === 1;
  }

  private sealTotp(userId: string, secret: string): Buffer {
    return seal(this.config.auth.totpKey.reveal(), secret, `totp:${userId}`);
  }

  private openTotp(userId: string, sealed: Buffer): string {
    return open(this.config.auth.totpKey.reveal(), sealed, `totp:${userId}`);
  }
}
