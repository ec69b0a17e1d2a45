// The customer stack: everything that knows who a customer is. Its domain modules are listed
// here; the platform (logs, health, metrics, database, the wall) comes from StackModule.
import { fileURLToPath } from 'node:url';
import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import cookieParser from 'cookie-parser';
import helmet from 'helmet';
import { ScheduleModule } from '@nestjs/schedule';
import { createStackApp, marketDataSources, serveStaticUi } from '@bulwark/shared-contracts/platform';
import { AmlModule } from './aml/aml.module.js';
import { AuthModule } from './auth/auth.module.js';
import { CustomerConfigModule, type CustomerConfig } from './config/customer-config.js';
import { CUSTOMER_ENTITIES, CUSTOMER_MIGRATIONS } from './database/schema.js';
import { AuditModule } from './audit/audit.module.js';
import { FxModule } from './fx/fx.module.js';
import { IdempotencyModule } from './idempotency/idempotency.module.js';
import { LedgerModule } from './ledger/ledger.module.js';
import { ConsoleModule } from './console/console.module.js';
import { KycModule } from './kyc/kyc.module.js';
import { AuditAnchoringModule } from './audit-anchoring/audit-anchoring.module.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { OrdersModule } from './orders/orders.module.js';
import { PaymentsModule } from './payments/payments.module.js';
import { PrivacyModule } from './privacy/privacy.module.js';
import { ReconciliationModule } from './reconciliation/reconciliation.module.js';
import { TenantsModule } from './tenancy/tenants.module.js';

/** `extraModules` lets a test mount its own controllers behind the same guard and middleware. */
export function createCustomerApp(config: CustomerConfig, extraModules: NonNullable<ModuleMetadata['imports']> = []): Promise<INestApplication> {
  return createStackApp(
    {
      config,
      entities: CUSTOMER_ENTITIES,
      migrations: CUSTOMER_MIGRATIONS,
      domain: [
        CustomerConfigModule.forRoot(config), ScheduleModule.forRoot(), AuditModule, TenantsModule, PrivacyModule, AuthModule, IdempotencyModule,
        NotificationsModule, LedgerModule, FxModule, OrdersModule, ReconciliationModule, PaymentsModule, AmlModule, KycModule, ConsoleModule,
        AuditAnchoringModule.forRoot(config.auditAnchoring),
        ...extraModules,
      ],
    },
    {
      title: 'Bulwark customer stack',
      description: 'Investors, compliance and money: auth, KYC, AML, FX, the ledger, payments, order intents and the audit chain.',
      version: '0.1.0',
    },
    (app) => installHttpSecurity(app, config),
  );
}

/** The investor SPA and the compliance console, built by customer-stack/web. */
export const CUSTOMER_UI_MOUNTS = ['/app', '/console'] as const;
const CUSTOMER_UI_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** Security headers on every response, cookies parsed for the SPA's session, CORS only for listed origins. */
function installHttpSecurity(app: INestApplication, config: CustomerConfig): void {
  app.use(helmet());
  app.use(cookieParser());
  app.enableCors({ origin: [...config.corsOrigins], credentials: true, methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], maxAge: 600 });
  // The investor SPA reads public market data from the execution stack's origin, and nothing else off-origin.
  const connectSources = config.marketDataUrl ? marketDataSources(config.marketDataUrl) : [];
  serveStaticUi(app, { distDir: config.ui.distDir ?? CUSTOMER_UI_DIST, mounts: CUSTOMER_UI_MOUNTS, connectSources });
}
