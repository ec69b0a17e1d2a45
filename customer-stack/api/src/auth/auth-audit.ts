// What auth writes to the audit chain: one action name per state change, the actors it records
// and the resource every entry about a person uses (`user:<id>`, which the subject-access export
// collects). Diffs carry ids, roles, reasons and flags only: never an email, a password, a code,
// a token or a secret (the audit service refuses those keys and personal data anyway).
import type { AuditActor } from '../audit/audit-input.js';
import type { Role } from './permissions.js';

export const AUTH_AUDIT_ACTIONS = {
  accountRegistered: 'auth.account.registered',
  accountCreated: 'auth.account.created',
  staffCreated: 'auth.staff.created',
  rolesChanged: 'auth.roles.changed',
  loginSucceeded: 'auth.login.succeeded',
  loginFailed: 'auth.login.failed',
  mfaSetupStarted: 'auth.mfa.setup_started',
  mfaEnabled: 'auth.mfa.enabled',
  mfaDisabled: 'auth.mfa.disabled',
  mfaFailed: 'auth.mfa.failed',
  stepUpVerified: 'auth.step_up.verified',
  stepUpFailed: 'auth.step_up.failed',
  refreshRotated: 'auth.refresh.rotated',
  refreshReused: 'auth.refresh.reused',
  sessionRevoked: 'auth.session.revoked',
  loggedOut: 'auth.session.logged_out',
  accountErased: 'auth.account.erased',
} as const;

/** An unauthenticated caller (a failed sign-in): who it really was is exactly what is unknown. */
export const ANONYMOUS_ACTOR: AuditActor = { actor: 'anonymous', role: 'anonymous' };

/** Auth acting by itself (reuse detection revoking a family). */
export const AUTH_SYSTEM_ACTOR: AuditActor = { actor: 'system:auth', role: 'system' };

/** A user acting for themselves, under their first role. */
export function userActor(user: { readonly id: string; readonly roles: readonly Role[] }): AuditActor {
  return { actor: `user:${user.id}`, role: user.roles[0] ?? 'unknown' };
}

export const userResource = (userId: string): string => `user:${userId}`;
