// Attempt logs in Postgres, so a limit holds across every instance of the stack (an in-memory
// throttler would give each replica its own budget). Sliding windows (sliding-window.ts): in any
// interval of a limit's window at most its number of attempts pass, whatever the boundaries; the
// row lock of the upsert serialises concurrent attempts on one bucket. Bucket keys are keyed
// hashes: no email or IP is stored.
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { assert } from '@bulwark/shared-contracts';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import type { SqlDatabase } from '@bulwark/shared-contracts/wall';
import { CUSTOMER_CONFIG, type CustomerConfig } from '../config/customer-config.js';
import { CLOCK, type Clock } from './clock.js';
import { lookupHash } from './secret-box.js';
import { slidingWindow } from './sliding-window.js';

export interface RateLimit {
  readonly name: string;
  readonly hitsMax: number;
  readonly windowMs: number;
}

/** The limits auth applies; each names what it counts. */
export const RATE_LIMITS = {
  /** Password attempts per account (tenant + email), whatever the source. */
  loginPerAccount: { name: 'login-account', hitsMax: 5, windowMs: 15 * 60_000 },
  /** Password attempts per client address, whatever the account (credential stuffing). */
  loginPerClient: { name: 'login-client', hitsMax: 30, windowMs: 15 * 60_000 },
  /** Second-factor codes per user (sign-in, enrolment, step-up together). */
  mfaPerUser: { name: 'mfa-user', hitsMax: 5, windowMs: 5 * 60_000 },
  /** Registrations per client address. */
  registerPerClient: { name: 'register-client', hitsMax: 20, windowMs: 60 * 60_000 },
} as const satisfies Record<string, RateLimit>;

const PURGE_INTERVAL_MS = 10 * 60_000;
const WINDOW_MS_MAX = Math.max(...Object.values(RATE_LIMITS).map((limit) => limit.windowMs));

export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterS: number };

@Injectable()
export class RateLimiter implements OnModuleInit, OnApplicationShutdown {
  private purgeTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(CUSTOMER_CONFIG) private readonly config: CustomerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.purgeTimer = setInterval(() => void this.purge().catch(() => undefined), PURGE_INTERVAL_MS).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.purgeTimer);
  }

  /** Counts one attempt (in its own transaction, so it sticks whatever the attempt's outcome). */
  async hit(limit: RateLimit, subject: string): Promise<RateDecision> {
    assert(limit.hitsMax >= 1 && limit.windowMs >= 1_000, 'rate limit is sane');
    const now = this.clock.now();
    const bucket = this.bucket(limit, subject);
    const decision = await this.db.transaction(async (tx) => {
      // The upsert locks the bucket's row until commit: concurrent attempts queue here.
      const [row] = await tx.query<{ attempts_at: Date[] }>(
        `INSERT INTO auth_rate_limit (bucket, attempts_at, last_attempt_at) VALUES ($1, '{}', $2)
         ON CONFLICT (bucket) DO UPDATE SET last_attempt_at = auth_rate_limit.last_attempt_at
         RETURNING attempts_at`,
        [bucket, now],
      );
      assert(row !== undefined, 'rate limit row locked');
      const outcome = slidingWindow(row.attempts_at.map((t) => t.getTime()), now.getTime(), limit);
      await tx.query(`UPDATE auth_rate_limit SET attempts_at = $2::timestamptz[], last_attempt_at = $3 WHERE bucket = $1`, [
        bucket,
        outcome.log.map((t) => new Date(t)),
        now,
      ]);
      return outcome;
    });
    if (decision.allowed) return { allowed: true };
    return { allowed: false, retryAfterS: Math.max(1, Math.ceil(decision.retryAfterMs / 1000)) };
  }

  /** Forgets the attempts (after a successful sign-in, the account's budget starts again). */
  async reset(limit: RateLimit, subject: string): Promise<void> {
    await this.db.transaction((tx) => tx.query(`DELETE FROM auth_rate_limit WHERE bucket = $1`, [this.bucket(limit, subject)]));
  }

  private bucket(limit: RateLimit, subject: string): string {
    return `${limit.name}:${lookupHash(this.config.auth.lookupKey.reveal(), 'rate', limit.name, subject).toString('base64url')}`;
  }

  private async purge(): Promise<void> {
    const cutoff = new Date(this.clock.now().getTime() - WINDOW_MS_MAX);
    await this.db.transaction((tx) => tx.query(`DELETE FROM auth_rate_limit WHERE last_attempt_at < $1`, [cutoff]));
  }
}
