// Auth's tables. Tenant-scoped ones carry tenant_id under row-level security (policies in the
// migrations, with the audited platform-admin read); auth_rate_limit holds only keyed hashes of
// buckets and no tenant (a limit is counted before anyone is known).
import { Check, Column, Entity, Index, PrimaryColumn, Unique } from 'typeorm';
import { TenantRow } from '../tenancy/tenant-row.js';

@Entity({ name: 'user_account' })
@Unique('user_account_email', ['tenantId', 'emailLookup'])
@Unique('user_account_account_ref', ['accountRef'])
@Check('user_account_roles', `cardinality("roles") >= 1 AND "roles" <@ ARRAY['investor','compliance_officer','mlro','finance_ops','admin','auditor']::text[]`)
@Check('user_account_investor_ref', `('investor' = ANY("roles")) = ("account_ref" IS NOT NULL)`)
@Check('user_account_status', `"status" IN ('active', 'disabled', 'erased')`)
@Check('user_account_erased', `("status" = 'erased') = ("email_lookup" IS NULL)`)
export class UserAccountEntity extends TenantRow {
  /** HMAC-SHA256 of the normalised email under the lookup key: finds a user without the email. NULL once erased. */
  @Column({ name: 'email_lookup', type: 'bytea', nullable: true })
  emailLookup!: Buffer | null;

  /** The email sealed by the PersonalDataVault under the person's key; NULL once erased. */
  @Column({ name: 'email_sealed', type: 'bytea', nullable: true })
  emailSealed!: Buffer | null;

  @Column({ name: 'password_hash', type: 'text' })
  passwordHash!: string;

  @Column({ type: 'text', array: true })
  roles!: string[];

  @Column({ name: 'account_ref', type: 'uuid', nullable: true })
  accountRef!: string | null;

  @Column({ type: 'text' })
  status!: 'active' | 'disabled' | 'erased';

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** A sign-in: one refresh-token family. Revoking it ends every token of the family. */
@Entity({ name: 'auth_session' })
@Index('auth_session_user', ['tenantId', 'userId', 'createdAt'])
export class AuthSessionEntity extends TenantRow {
  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'device_lookup', type: 'bytea' })
  deviceLookup!: Buffer;

  /** The client's User-Agent, sealed by the PersonalDataVault under the person's key. */
  @Column({ name: 'user_agent_sealed', type: 'bytea' })
  userAgentSealed!: Buffer;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz' })
  lastUsedAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'revoke_reason', type: 'text', nullable: true })
  revokeReason!: string | null;
}

/** One refresh token (stored as its SHA-256); used_at set when rotated, so a second use is reuse. */
@Entity({ name: 'refresh_token' })
@Index('refresh_token_session', ['sessionId'])
export class RefreshTokenEntity {
  @PrimaryColumn({ name: 'token_hash', type: 'bytea' })
  tokenHash!: Buffer;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;
}

/** Devices a user signed in from (keyed hash of a device cookie): a new one triggers a notice. */
@Entity({ name: 'known_device' })
export class KnownDeviceEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @PrimaryColumn({ name: 'device_lookup', type: 'bytea' })
  deviceLookup!: Buffer;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'first_seen_at', type: 'timestamptz' })
  firstSeenAt!: Date;
}

/** A user's TOTP secret (AES-256-GCM sealed) and the last time step accepted (never accepted again). */
@Entity({ name: 'user_totp' })
export class UserTotpEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'secret_sealed', type: 'bytea' })
  secretSealed!: Buffer;

  @Column({ name: 'enabled_at', type: 'timestamptz', nullable: true })
  enabledAt!: Date | null;

  @Column({ name: 'last_step', type: 'bigint' })
  lastStep!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** Sliding-window attempt logs shared by every instance of the stack (keys are keyed hashes). */
@Entity({ name: 'auth_rate_limit' })
@Index('auth_rate_limit_last_attempt', ['lastAttemptAt'])
export class AuthRateLimitEntity {
  @PrimaryColumn({ type: 'text' })
  bucket!: string;

  /** The allowed attempts still inside the window (at most the limit's count). */
  @Column({ name: 'attempts_at', type: 'timestamptz', array: true })
  attemptsAt!: Date[];

  @Column({ name: 'last_attempt_at', type: 'timestamptz' })
  lastAttemptAt!: Date;
}

export const AUTH_ENTITIES = [UserAccountEntity, AuthSessionEntity, RefreshTokenEntity, KnownDeviceEntity, UserTotpEntity, AuthRateLimitEntity];
export const AUTH_TENANT_TABLES = ['user_account', 'auth_session', 'refresh_token', 'known_device', 'user_totp'] as const;
