// The audit actor of an HTTP caller: the user, under the role that grants what they are doing.
import { permissionsOf, type Permission } from '../auth/permissions.js';
import type { Principal } from '../auth/principal.js';
import type { AuditActor } from './audit-input.js';

export function auditActorOf(principal: Principal, permission: Permission): AuditActor {
  const role = principal.roles.find((r) => permissionsOf([r]).has(permission)) ?? principal.roles[0] ?? 'unknown';
  return { actor: `user:${principal.userId}`, role };
}
