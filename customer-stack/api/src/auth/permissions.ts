// Roles and what each may do. A route names the permissions it needs (@Permissions); the guard
// grants it when the caller's roles together hold all of them. Every module adds its own
// permissions here (on a rebase conflict keep everyone's lines).

export const ROLES = ['investor', 'compliance_officer', 'mlro', 'finance_ops', 'admin', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** Roles staff accounts may hold; investors only register themselves. */
export const STAFF_ROLES = ['compliance_officer', 'mlro', 'finance_ops', 'admin', 'auditor'] as const satisfies readonly Role[];
export type StaffRole = (typeof STAFF_ROLES)[number];

export const PERMISSIONS = [
  // auth: every signed-in user manages their own sessions and second factor
  'session:self',
  'mfa:self',
  'staff:manage',
  'sessions:manage',
  'users:read',
  // notifications: a tenant's webhook endpoints
  'webhooks:manage',
  // orders
  'orders:place',
  'orders:read-own',
  'orders:read',
  // money
  'fx:quote',
  'ledger:read-own',
  'ledger:read',
  'payments:deposit',
  'payments:withdraw',
  'payments:approve',
  // compliance
  'kyc:submit',
  'kyc:review',
  'aml:review',
  'aml:decide',
  'aml:freeze',
  'sar:manage',
  'console:read',
  // reconciliation breaks (statements against the ledger)
  'reconciliation:read',
  'reconciliation:manage',
  // tenancy, audit and data protection
  'tenants:read',
  'tenants:manage',
  'audit:read',
  'audit:verify',
  'audit:export',
  'privacy:self',
  'privacy:manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const SIGNED_IN: readonly Permission[] = ['session:self', 'mfa:self'];

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  investor: [...SIGNED_IN, 'orders:place', 'orders:read-own', 'fx:quote', 'ledger:read-own', 'payments:deposit', 'payments:withdraw', 'kyc:submit', 'privacy:self'],
  compliance_officer: [
    ...SIGNED_IN, 'users:read', 'orders:read', 'ledger:read', 'kyc:review', 'aml:review', 'aml:freeze', 'console:read', 'audit:read', 'tenants:read',
    'reconciliation:read', 'reconciliation:manage',
  ],
  mlro: [
    ...SIGNED_IN, 'users:read', 'orders:read', 'ledger:read', 'kyc:review', 'aml:review', 'aml:decide', 'aml:freeze', 'sar:manage', 'console:read', 'audit:read', 'tenants:read',
    'reconciliation:read', 'reconciliation:manage',
  ],
  finance_ops: [...SIGNED_IN, 'orders:read', 'ledger:read', 'payments:approve', 'tenants:read', 'reconciliation:read', 'reconciliation:manage'],
  admin: [...SIGNED_IN, 'staff:manage', 'sessions:manage', 'users:read', 'webhooks:manage', 'tenants:read', 'tenants:manage', 'privacy:manage', 'audit:read'],
  auditor: [...SIGNED_IN, 'orders:read', 'ledger:read', 'audit:read', 'audit:verify', 'audit:export', 'tenants:read', 'reconciliation:read'],
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** The union of the permissions the given roles hold. */
export function permissionsOf(roles: readonly Role[]): ReadonlySet<Permission> {
  return new Set(roles.flatMap((role) => ROLE_PERMISSIONS[role]));
}

/** True when the roles together hold every required permission (an empty requirement is refused). */
export function allows(roles: readonly Role[], required: readonly Permission[]): boolean {
  if (required.length === 0) return false;
  const held = permissionsOf(roles);
  return required.every((permission) => held.has(permission));
}
