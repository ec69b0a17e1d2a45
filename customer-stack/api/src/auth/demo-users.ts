// The demo accounts `npm start` seeds into the reference tenant: one per role, two admins (for
// four-eyes actions). Idempotent: an account that exists is left as it is.
import { randomUUID } from 'node:crypto';
import { AuthError } from './auth.errors.js';
import type { AuthService } from './auth.service.js';
import type { Role } from './permissions.js';
import type { TenantScope } from '../tenancy/tenant-scope.js';

/** Demo only: printed by npm start, never used outside a local installation. */
export const DEMO_PASSWORD = 'bulwark-demo-password';

export const DEMO_USERS: readonly { readonly email: string; readonly role: Role }[] = [
  { email: 'investor@demo.bulwark.local', role: 'investor' },
  { email: 'compliance@demo.bulwark.local', role: 'compliance_officer' },
  { email: 'mlro@demo.bulwark.local', role: 'mlro' },
  { email: 'finance@demo.bulwark.local', role: 'finance_ops' },
  { email: 'admin@demo.bulwark.local', role: 'admin' },
  { email: 'admin2@demo.bulwark.local', role: 'admin' },
  { email: 'auditor@demo.bulwark.local', role: 'auditor' },
];

export async function seedDemoUsers(auth: AuthService, scope: TenantScope, tenantId: string): Promise<{ email: string; role: Role; created: boolean }[]> {
  const seeded = [];
  for (const { email, role } of DEMO_USERS) {
    try {
      await scope.run(tenantId, (tx) =>
        auth.createAccount(tx, tenantId, { email, password: DEMO_PASSWORD, roles: [role], createdBy: null }, role === 'investor' ? randomUUID() : null),
      );
      seeded.push({ email, role, created: true });
    } catch (error) {
      if (!(error instanceof AuthError && error.code === 'email_taken')) throw error;
      seeded.push({ email, role, created: false });
    }
  }
  return seeded;
}
