// `npm start` seeds a fresh installation through this script, before the stack serves: one demo
// account per role in the reference tenant (two admins, for four-eyes actions). Development only;
// idempotent, so every start may run it.
import { createCustomerApp } from '../app.js';
import { AuthService } from '../auth/auth.service.js';
import { seedDemoUsers } from '../auth/demo-users.js';
import { parseCustomerConfig } from '../config/customer-config.js';
import { REFERENCE_TENANT_ID } from '../tenancy/reference-tenant.js';
import { TenantScope } from '../tenancy/tenant-scope.js';

if (process.env.NODE_ENV === 'production') {
  process.stderr.write('seed-demo: never run in production\n');
  process.exit(2);
}
const app = await createCustomerApp(parseCustomerConfig(process.env));
await app.init();
try {
  await seedDemoUsers(app.get(AuthService), app.get(TenantScope), REFERENCE_TENANT_ID);
} finally {
  await app.close();
}
