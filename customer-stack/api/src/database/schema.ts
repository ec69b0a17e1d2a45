// The customer database: its entities and the ordered list of migrations that build it.
import { AML_ENTITIES } from '../aml/aml.entities.js';
import { AUTH_ENTITIES } from '../auth/auth.entities.js';
import { KYC_ENTITIES } from '../kyc/kyc.entities.js';
import { NOTIFICATION_ENTITIES } from '../notifications/notification.entities.js';
import { Wall1763700000000, WallOutboxCursor1764020000000 } from '@bulwark/shared-contracts/platform';
import { AuditChainHeadEntity } from '../audit/audit-chain-head.entity.js';
import { AuditEntryEntity } from '../audit/audit-entry.entity.js';
import { ORDER_ENTITIES } from '../orders/order-intent.entity.js';
import { AccountDirectoryEntity } from '../tenancy/account-directory.entity.js';
import { TenantTierLimitEntity } from '../tenancy/tenant-tier-limit.entity.js';
import { TenantEntity } from '../tenancy/tenant.entity.js';
import { PRIVACY_ENTITIES } from '../privacy/privacy.entities.js';
import { IdempotencyRecordEntity } from '../idempotency/idempotency-record.entity.js';
import { FX_ENTITIES } from '../fx/fx.entities.js';
import { LEDGER_ENTITIES } from '../ledger/ledger.entities.js';
import { PAYMENT_ENTITIES } from '../payments/payments.entities.js';
import { RECONCILIATION_ENTITIES } from '../reconciliation/reconciliation.entity.js';
import { AuditAnchorBatchEntity } from '../audit-anchoring/audit-anchor-batch.entity.js';
import { OrderIntents1763700000001 } from './migrations/1763700000001-order-intents.js';
import { Tenancy1763800000000 } from './migrations/1763800000000-tenancy.js';
import { AuditChain1763800000001 } from './migrations/1763800000001-audit-chain.js';
import { Privacy1763800000002 } from './migrations/1763800000002-privacy.js';
import { Auth1763810000000 } from './migrations/1763810000000-auth.js';
import { Notifications1763810000001 } from './migrations/1763810000001-notifications.js';
import { Compliance1763820000000 } from './migrations/1763820000000-compliance.js';
import { AuditAnchoring1763840000000 } from './migrations/1763840000000-audit-anchoring.js';
import { Ledger1763830000000 } from './migrations/1763830000000-ledger.js';
import { LedgerEntryCheck1763895000000 } from './migrations/1763895000000-ledger-entry-check.js';
import { Fx1763831000000 } from './migrations/1763831000000-fx.js';
import { AuthSlidingRateLimit1763860000001 } from './migrations/1763860000001-auth-sliding-rate-limit.js';
import { AuthPersonalData1763860000000 } from './migrations/1763860000000-auth-personal-data.js';
import { Idempotency1763832000000 } from './migrations/1763832000000-idempotency.js';
import { OrderBooking1763835000000 } from './migrations/1763835000000-order-booking.js';
import { Payments1763870000000 } from './migrations/1763870000000-payments.js';
import { PaymentHolds1763870000001 } from './migrations/1763870000001-payment-holds.js';
import { Reconciliation1763880000000 } from './migrations/1763880000000-reconciliation.js';
import { IdentityRls1763900000000 } from './migrations/1763900000000-identity-rls.js';
import { CancelRequested1763910000000 } from './migrations/1763910000000-cancel-requested.js';
import { ExpireRequested1763920000000 } from './migrations/1763920000000-expire-requested.js';
import { AuditAppend1763990000000 } from './migrations/1763990000000-audit-append.js';

export const CUSTOMER_ENTITIES = [
  AuditAnchorBatchEntity,
  ...ORDER_ENTITIES,
  TenantEntity,
  TenantTierLimitEntity,
  AccountDirectoryEntity,
  AuditEntryEntity,
  AuditChainHeadEntity,
  ...PRIVACY_ENTITIES,
  ...AUTH_ENTITIES,
  ...NOTIFICATION_ENTITIES,
  ...KYC_ENTITIES,
  ...AML_ENTITIES,
  ...LEDGER_ENTITIES,
  ...FX_ENTITIES,
  ...PAYMENT_ENTITIES,
  ...RECONCILIATION_ENTITIES,
  IdempotencyRecordEntity,
];
export const CUSTOMER_MIGRATIONS = [
  Wall1763700000000,
  OrderIntents1763700000001,
  Tenancy1763800000000,
  AuditChain1763800000001,
  Privacy1763800000002,
  Auth1763810000000,
  Notifications1763810000001,
  Compliance1763820000000,
  Ledger1763830000000,
  Fx1763831000000,
  Idempotency1763832000000,
  OrderBooking1763835000000,
  AuditAnchoring1763840000000,
  AuthPersonalData1763860000000,
  AuthSlidingRateLimit1763860000001,
  Payments1763870000000,
  PaymentHolds1763870000001,
  Reconciliation1763880000000,
  LedgerEntryCheck1763895000000,
  IdentityRls1763900000000,
  CancelRequested1763910000000,
  ExpireRequested1763920000000,
  AuditAppend1763990000000,
  WallOutboxCursor1764020000000,
];
