// The customer stack's configuration: the platform's (HTTP, database, the wall) plus its own
// domains' settings and keys, parsed once, validated and frozen. Nothing else reads process.env.
import { createPrivateKey, createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { z } from 'zod';
import { decimal } from '@bulwark/shared-contracts';
import { ConfigError, deepFreeze, parseEnv } from '@bulwark/shared-contracts/wall';
import { parseStackConfig, type StackConfig } from '@bulwark/shared-contracts/platform';

const secret = z.string().regex(/^[A-Za-z0-9_-]{43,}$/, 'a base64url secret of at least 32 bytes');
const seconds = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);
const usdAmount = z.string().regex(/^\d{1,12}(\.\d{1,2})?$/, 'a USD amount such as 1000.00');
const flag = z.enum(['true', 'false']).transform((value) => value === 'true');

/** Access tokens live at most this long (the issue caps them at 15 minutes). */
export const ACCESS_TOKEN_TTL_S_MAX = 900;

const CustomerEnvSchema = z.object({
  AUTH_JWT_PRIVATE_KEY: z.string().regex(/^[A-Za-z0-9_-]{40,400}$/, 'an Ed25519 PKCS#8 DER private key, base64url'),
  AUTH_JWT_PREVIOUS_PUBLIC_KEY: z.string().regex(/^[A-Za-z0-9_-]{40,400}$/, 'an Ed25519 SPKI DER public key, base64url').optional(),
  AUTH_JWT_ISSUER: z.string().min(1).max(200).default('https://customer.bulwark.local'),
  AUTH_JWT_AUDIENCE: z.string().min(1).max(200).default('bulwark-customer-api'),
  AUTH_ACCESS_TTL_S: seconds(30, ACCESS_TOKEN_TTL_S_MAX, 600),
  AUTH_REFRESH_TTL_S: seconds(300, 60 * 60 * 24 * 30, 60 * 60 * 24 * 14),
  AUTH_TOTP_KEY: secret,
  AUTH_LOOKUP_KEY: secret,
  AUTH_COOKIE_SECURE: flag.default(true),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((list) => list.split(',').map((origin) => origin.trim()).filter((origin) => origin.length > 0))
    .pipe(z.array(z.url({ protocol: /^https?$/ })).max(50)),
  /**
   * The execution stack's public market data, as the investor's browser reaches it (instruments,
   * books, candles and the feed carry no personal data). Its host must differ from this stack's,
   * so the browser never sends this stack's session cookie there. Unset: no market view.
   */
  MARKET_DATA_URL: z.url({ protocol: /^https?$/ }).optional(),
  NOTIFY_WEBHOOK_KEY: secret,
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  MAIL_FROM: z.email().default('no-reply@bulwark.local'),
  NOTIFY_DISPATCH_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
  NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  NOTIFY_BACKOFF_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(5_000),
  /** `allow` lets webhooks reach loopback and private networks (a local receiver): never in production. */
  NOTIFY_WEBHOOK_PRIVATE_TARGETS: z.enum(['refuse', 'allow']).default('refuse'),
  PRIVACY_VAULT_MASTER_KEY: secret,
  PRIVACY_PURGE_INTERVAL_MS: z.coerce.number().int().min(1_000).max(7 * 24 * 3_600_000).default(3_600_000),
  COMPLIANCE_DATA_KEY: secret,
  COMPLIANCE_SUBJECT_KEY: secret,
  KYC_PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(50).max(120_000).default(5_000),
  KYC_BREAKER_RESET_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  KYC_RETRY_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  KYC_RETRY_ATTEMPTS_MAX: z.coerce.number().int().min(1).max(100).default(10),
  AML_RESCREEN_CRON: z.string().regex(/^(\S+\s+){4,5}\S+$/, 'a cron expression').default('0 30 2 * * *'),
  AML_SAR_FILING_DAYS: z.coerce.number().int().min(1).max(90).default(30),
  /** Money: how often due ledger reservations and order intents expire. */
  MONEY_EXPIRY_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  /** The fee rate buys reserve for (the execution stack's POSTTRADE_FEE_BPS must not exceed it). */
  ORDERS_FEE_BPS: z.coerce.number().int().min(0).max(1_000).default(10),
  ORDERS_VELOCITY_MAX: z.coerce.number().int().min(1).max(10_000).default(20),
  ORDERS_VELOCITY_WINDOW_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(60_000),
  /** How long an intent (and its reservation) lives before it expires: GTC, and IOC/FOK. */
  ORDERS_GTC_TTL_MS: z.coerce.number().int().min(1_000).max(90 * 86_400_000).default(30 * 86_400_000),
  ORDERS_IMMEDIATE_TTL_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(3_600_000),
  /** The payment provider's webhook secret (HMAC-SHA256), and the previous one while a rotation is under way. */
  PAYMENTS_WEBHOOK_SECRET: secret,
  PAYMENTS_WEBHOOK_PREVIOUS_SECRET: secret.optional(),
  /** Where the sandbox provider posts its webhooks; by default this stack's own listening address. */
  PAYMENTS_SANDBOX_CALLBACK_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** How long the sandbox holds a "delayed" outcome before it sends it. */
  PAYMENTS_SANDBOX_DELAY_MS: z.coerce.number().int().min(0).max(86_400_000).default(600_000),
  /** Withdrawals above this (USD) wait for a finance_ops approval; above the dual threshold, for two different approvers. */
  PAYMENTS_APPROVAL_THRESHOLD_USD: usdAmount.default('1000.00'),
  PAYMENTS_DUAL_APPROVAL_THRESHOLD_USD: usdAmount.default('10000.00'),
  /** How long a withdrawal's reservation holds the money while it waits for approval. */
  PAYMENTS_WITHDRAWAL_HOLD_MS: z.coerce.number().int().min(60_000).max(90 * 86_400_000).default(14 * 86_400_000),
  /** Audit anchoring: cut a Merkle batch every N ms or once M entries wait, whichever comes first. */
  AUDIT_ANCHOR_INTERVAL_MS: z.coerce.number().int().min(1_000).max(24 * 3_600_000).default(300_000),
  AUDIT_ANCHOR_BATCH_ENTRIES: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
});

/**
 * Holds key material out of reach of deepFreeze (which cannot freeze a KeyObject), JSON and
 * logs: the value sits in a private field and is handed out only by reveal().
 */
export class KeyHandle<T> {
  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
  }

  reveal(): T {
    return this.#value;
  }

  toJSON(): string {
    return '[key]';
  }
}

export interface JwtKeys {
  readonly privateKey: KeyHandle<KeyObject>;
  readonly publicKey: KeyHandle<KeyObject>;
  /** A key that signed tokens before the last rotation: accepted for verification only. */
  readonly previousPublicKey: KeyHandle<KeyObject> | undefined;
}

export interface AuthConfig {
  readonly jwt: JwtKeys & { readonly issuer: string; readonly audience: string };
  readonly accessTtlS: number;
  readonly refreshTtlS: number;
  /** AES-256-GCM key sealing TOTP secrets. */
  readonly totpKey: KeyHandle<KeyObject>;
  /** HMAC-SHA256 key for lookup columns and rate-limit buckets (no plaintext identifier is stored). */
  readonly lookupKey: KeyHandle<KeyObject>;
  readonly cookieSecure: boolean;
}

export interface NotificationsConfig {
  /** AES-256-GCM key sealing tenants' webhook signing secrets. */
  readonly webhookKey: KeyHandle<KeyObject>;
  /** Absent outside production: a local SMTP sink is started and used instead. */
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  readonly dispatchIntervalMs: number;
  readonly maxAttempts: number;
  readonly backoffBaseMs: number;
  /** Whether webhooks may reach loopback, private and link-local addresses (development and tests only). */
  readonly webhookTargets: { readonly allowPrivate: boolean };
}

export interface PrivacyConfig {
  /** AES-256-GCM key wrapping every person's data key. */
  readonly vaultMasterKey: KeyHandle<KeyObject>;
  /** How often the retention purge runs. */
  readonly purgeIntervalMs: number;
}

export interface ComplianceConfig {
  /** AES-256-GCM key sealing SAR narratives: they must outlive the subject's erasure, so not under the subject's own key. */
  readonly dataKey: KeyHandle<KeyObject>;
  /** HMAC-SHA256 key for the SAR register's subject hashes (the register never stores who). */
  readonly subjectKey: KeyHandle<KeyObject>;
  readonly kycProviderTimeoutMs: number;
  readonly kycBreakerResetMs: number;
  readonly kycRetryIntervalMs: number;
  readonly kycRetryAttemptsMax: number;
  /** When the daily re-screen of all customers against list changes runs (six-field cron, server time). */
  readonly amlRescreenCron: string;
  /** Days from a SAR decision to its filing deadline. */
  readonly sarFilingDays: number;
}

export interface OrdersConfig {
  readonly feeBps: number;
  readonly velocityMax: number;
  readonly velocityWindowMs: number;
  readonly gtcTtlMs: number;
  readonly immediateTtlMs: number;
}

export interface PaymentsConfig {
  /** HMAC-SHA256 webhook secrets: the current one first, then the previous one during a rotation. */
  readonly webhookSecrets: KeyHandle<readonly Buffer[]>;
  readonly sandboxCallbackUrl: string | undefined;
  readonly sandboxDelayMs: number;
  readonly approvalThresholdUsd: string;
  readonly dualApprovalThresholdUsd: string;
  readonly withdrawalHoldMs: number;
}

export interface MoneyConfig {
  readonly expiryIntervalMs: number;
  readonly orders: OrdersConfig;
  readonly payments: PaymentsConfig;
}

export interface CustomerConfig extends StackConfig<'customer'> {
  readonly money: MoneyConfig;
  readonly auth: AuthConfig;
  readonly corsOrigins: readonly string[];
  /** The origin of the execution stack's public market data, or null. */
  readonly marketDataUrl: string | null;
  readonly notifications: NotificationsConfig;
  readonly privacy: PrivacyConfig;
  readonly compliance: ComplianceConfig;
  readonly auditAnchoring: { readonly intervalMs: number; readonly entriesMax: number };
}

export const CUSTOMER_CONFIG = Symbol('CUSTOMER_CONFIG');

/** Gives every customer module the parsed configuration under CUSTOMER_CONFIG. */
@Global()
@Module({})
export class CustomerConfigModule {
  static forRoot(config: CustomerConfig): DynamicModule {
    return { module: CustomerConfigModule, providers: [{ provide: CUSTOMER_CONFIG, useValue: config }], exports: [CUSTOMER_CONFIG] };
  }
}

function ed25519Keys(privateDer: string, previousPublicDer: string | undefined): JwtKeys {
  try {
    const privateKey = createPrivateKey({ key: Buffer.from(privateDer, 'base64url'), format: 'der', type: 'pkcs8' });
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new ConfigError('AUTH_JWT_PRIVATE_KEY: not an Ed25519 key');
    const previousPublicKey = previousPublicDer
      ? createPublicKey({ key: Buffer.from(previousPublicDer, 'base64url'), format: 'der', type: 'spki' })
      : undefined;
    if (previousPublicKey && previousPublicKey.asymmetricKeyType !== 'ed25519') throw new ConfigError('AUTH_JWT_PREVIOUS_PUBLIC_KEY: not an Ed25519 key');
    return {
      privateKey: new KeyHandle(privateKey),
      publicKey: new KeyHandle(createPublicKey(privateKey)),
      previousPublicKey: previousPublicKey && new KeyHandle(previousPublicKey),
    };
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`invalid configuration: AUTH_JWT_PRIVATE_KEY / AUTH_JWT_PREVIOUS_PUBLIC_KEY: unreadable key (${(error as Error).message})`);
  }
}

export function parseCustomerConfig(env: Readonly<Record<string, string | undefined>>): CustomerConfig {
  const stack = parseStackConfig('customer', env);
  const e = parseEnv(CustomerEnvSchema, env);
  if (stack.env === 'production' && !e.SMTP_URL) throw new ConfigError('invalid configuration: SMTP_URL is required in production');
  if (stack.env === 'production' && e.NOTIFY_WEBHOOK_PRIVATE_TARGETS === 'allow') {
    throw new ConfigError('invalid configuration: NOTIFY_WEBHOOK_PRIVATE_TARGETS must be refuse in production');
  }
  if (decimal(e.PAYMENTS_DUAL_APPROVAL_THRESHOLD_USD).lt(decimal(e.PAYMENTS_APPROVAL_THRESHOLD_USD))) {
    throw new ConfigError('invalid configuration: PAYMENTS_DUAL_APPROVAL_THRESHOLD_USD must not be below PAYMENTS_APPROVAL_THRESHOLD_USD');
  }
  if (stack.env === 'production' && !e.AUTH_COOKIE_SECURE) throw new ConfigError('invalid configuration: AUTH_COOKIE_SECURE must be true in production');
  return deepFreeze({
    ...stack,
    auth: {
      jwt: { ...ed25519Keys(e.AUTH_JWT_PRIVATE_KEY, e.AUTH_JWT_PREVIOUS_PUBLIC_KEY), issuer: e.AUTH_JWT_ISSUER, audience: e.AUTH_JWT_AUDIENCE },
      accessTtlS: e.AUTH_ACCESS_TTL_S,
      refreshTtlS: e.AUTH_REFRESH_TTL_S,
      totpKey: new KeyHandle(createSecretKey(Buffer.from(e.AUTH_TOTP_KEY, 'base64url').subarray(0, 32))),
      lookupKey: new KeyHandle(createSecretKey(Buffer.from(e.AUTH_LOOKUP_KEY, 'base64url'))),
      cookieSecure: e.AUTH_COOKIE_SECURE,
    },
    corsOrigins: e.CORS_ORIGINS,
    marketDataUrl: e.MARKET_DATA_URL ? new URL(e.MARKET_DATA_URL).origin : null,
    notifications: {
      webhookKey: new KeyHandle(createSecretKey(Buffer.from(e.NOTIFY_WEBHOOK_KEY, 'base64url').subarray(0, 32))),
      smtpUrl: e.SMTP_URL,
      mailFrom: e.MAIL_FROM,
      dispatchIntervalMs: e.NOTIFY_DISPATCH_INTERVAL_MS,
      maxAttempts: e.NOTIFY_MAX_ATTEMPTS,
      backoffBaseMs: e.NOTIFY_BACKOFF_BASE_MS,
      webhookTargets: { allowPrivate: e.NOTIFY_WEBHOOK_PRIVATE_TARGETS === 'allow' },
    },
    privacy: {
      vaultMasterKey: new KeyHandle(createSecretKey(Buffer.from(e.PRIVACY_VAULT_MASTER_KEY, 'base64url').subarray(0, 32))),
      purgeIntervalMs: e.PRIVACY_PURGE_INTERVAL_MS,
    },
    compliance: {
      dataKey: new KeyHandle(createSecretKey(Buffer.from(e.COMPLIANCE_DATA_KEY, 'base64url').subarray(0, 32))),
      subjectKey: new KeyHandle(createSecretKey(Buffer.from(e.COMPLIANCE_SUBJECT_KEY, 'base64url'))),
      kycProviderTimeoutMs: e.KYC_PROVIDER_TIMEOUT_MS,
      kycBreakerResetMs: e.KYC_BREAKER_RESET_MS,
      kycRetryIntervalMs: e.KYC_RETRY_INTERVAL_MS,
      kycRetryAttemptsMax: e.KYC_RETRY_ATTEMPTS_MAX,
      amlRescreenCron: e.AML_RESCREEN_CRON,
      sarFilingDays: e.AML_SAR_FILING_DAYS,
    },
    money: {
      expiryIntervalMs: e.MONEY_EXPIRY_INTERVAL_MS,
      orders: {
        feeBps: e.ORDERS_FEE_BPS, velocityMax: e.ORDERS_VELOCITY_MAX, velocityWindowMs: e.ORDERS_VELOCITY_WINDOW_MS,
        gtcTtlMs: e.ORDERS_GTC_TTL_MS, immediateTtlMs: e.ORDERS_IMMEDIATE_TTL_MS,
      },
      payments: {
        webhookSecrets: new KeyHandle([e.PAYMENTS_WEBHOOK_SECRET, ...(e.PAYMENTS_WEBHOOK_PREVIOUS_SECRET ? [e.PAYMENTS_WEBHOOK_PREVIOUS_SECRET] : [])]
          .map((value) => Buffer.from(value, 'base64url'))),
        sandboxCallbackUrl: e.PAYMENTS_SANDBOX_CALLBACK_URL,
        sandboxDelayMs: e.PAYMENTS_SANDBOX_DELAY_MS,
        approvalThresholdUsd: e.PAYMENTS_APPROVAL_THRESHOLD_USD,
        dualApprovalThresholdUsd: e.PAYMENTS_DUAL_APPROVAL_THRESHOLD_USD,
        withdrawalHoldMs: e.PAYMENTS_WITHDRAWAL_HOLD_MS,
      },
    },
    auditAnchoring: { intervalMs: e.AUDIT_ANCHOR_INTERVAL_MS, entriesMax: e.AUDIT_ANCHOR_BATCH_ENTRIES },
  });
}
