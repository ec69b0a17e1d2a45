// Retention: each tenant says how long it keeps each category of data; modules register how to
// purge their category; a scheduled sweep purges what is past its time, tenant by tenant, and
// audits every purge that removed something.
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { SqlDatabase, SqlTx } from '@bulwark/shared-contracts/wall';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import { AuditService, type AuditActor } from '../audit/audit.service.js';
import { CUSTOMER_CONFIG, type CustomerConfig } from '../config/customer-config.js';
import { TenantScope } from '../tenancy/tenant-scope.js';
import { RetentionInput } from './privacy.dto.js';
import { PrivacyError } from './privacy.errors.js';
import { parseInput } from './privacy.service.js';

/** Removes rows of one category older than `cutoff` in the transaction's tenant; returns how many. */
export type RetentionPurger = (tx: SqlTx, cutoff: Date) => Promise<number>;

export const RETENTION_CATEGORIES_MAX = 64;
const PURGE_JOB = 'privacy.retention.purge';
const SYSTEM: AuditActor = { actor: 'system:retention', role: 'system' };
const DAY_MS = 86_400_000;

export interface PurgeReport {
  readonly tenantId: string;
  readonly category: string;
  readonly cutoff: string;
  readonly purged: number;
}

@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Retention');
  private readonly purgers = new Map<string, RetentionPurger>();
  private running: Promise<unknown> | undefined;

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(TenantScope) private readonly scope: TenantScope,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(SchedulerRegistry) private readonly scheduler: SchedulerRegistry,
    @Inject(CUSTOMER_CONFIG) private readonly config: CustomerConfig,
  ) {
    // Superseded consent decisions: the latest per purpose is always kept, whatever its age.
    this.register('privacy.consent_history', async (tx, cutoff) =>
      (await tx.query(
        `DELETE FROM consent_record c WHERE c.recorded_at < $1
            AND EXISTS (SELECT 1 FROM consent_record newer WHERE newer.subject_id = c.subject_id AND newer.purpose = c.purpose
                          AND (newer.recorded_at, newer.id) > (c.recorded_at, c.id))
          RETURNING c.id`,
        [cutoff],
      )).length,
    );
  }

  /** Registers the purge of a category (once, at start: call it from a constructor or onModuleInit). */
  register(category: string, purger: RetentionPurger): void {
    if (!/^[a-z][a-z0-9_.-]{1,63}$/.test(category) || this.purgers.has(category) || this.purgers.size >= RETENTION_CATEGORIES_MAX) {
      throw new PrivacyError('invalid_request', `retention category ${category}`);
    }
    this.purgers.set(category, purger);
  }

  categories(): string[] {
    return [...this.purgers.keys()].sort();
  }

  onApplicationBootstrap(): void {
    const sweep = () => void this.purgeAll().catch((error: unknown) => this.logger.error({ err: error, msg: 'retention purge failed' }));
    const timer = setInterval(sweep, this.config.privacy.purgeIntervalMs);
    timer.unref();
    this.scheduler.addInterval(PURGE_JOB, timer);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.scheduler.doesExist('interval', PURGE_JOB)) this.scheduler.deleteInterval(PURGE_JOB);
    await this.running;
  }

  async setPolicy(who: AuditActor, tenantId: string, raw: unknown): Promise<{ category: string; retainDays: number }> {
    const input = parseInput(RetentionInput, raw);
    if (!this.purgers.has(input.category)) throw new PrivacyError('unknown_retention_category', input.category);
    return this.scope.run(tenantId, async (tx) => {
      const [before] = await tx.query<{ retain_days: number }>('SELECT retain_days FROM retention_policy WHERE category = $1', [input.category]);
      await tx.query(
        `INSERT INTO retention_policy (tenant_id, category, retain_days, updated_at) VALUES ($1, $2, $3, clock_timestamp())
         ON CONFLICT (tenant_id, category) DO UPDATE SET retain_days = EXCLUDED.retain_days, updated_at = EXCLUDED.updated_at`,
        [tenantId, input.category, input.retainDays],
      );
      await this.audit.record(tx, {
        tenantId, ...who, action: 'privacy.retention.set', resource: `retention_policy:${input.category}`,
        diff: { retainDaysBefore: before?.retain_days ?? null, retainDays: input.retainDays },
      });
      return input;
    });
  }

  async policies(tenantId: string): Promise<{ category: string; retainDays: number }[]> {
    return this.scope.run(tenantId, async (tx) =>
      (await tx.query<{ category: string; retain_days: number }>('SELECT category, retain_days FROM retention_policy ORDER BY category')).map((r) => ({
        category: r.category, retainDays: r.retain_days,
      })),
    );
  }

  /** One sweep over every tenant's policies (the scheduler calls it; tests and operators may too). */
  async purgeAll(now: Date = new Date()): Promise<PurgeReport[]> {
    const sweep = this.sweep(now);
    this.running = sweep.catch(() => undefined);
    return sweep;
  }

  private async sweep(now: Date): Promise<PurgeReport[]> {
    const tenants = await this.db.transaction((tx) => tx.query<{ id: string }>('SELECT id FROM tenant ORDER BY id'));
    const reports: PurgeReport[] = [];
    for (const { id: tenantId } of tenants) {
      const policies = await this.policies(tenantId);
      for (const policy of policies) {
        const purger = this.purgers.get(policy.category);
        if (!purger) continue;
        const cutoff = new Date(now.getTime() - policy.retainDays * DAY_MS);
        const purged = await this.scope.run(tenantId, async (tx) => {
          const count = await purger(tx, cutoff);
          if (count > 0) {
            await this.audit.record(tx, {
              tenantId, ...SYSTEM, action: 'privacy.retention.purged', resource: `retention_policy:${policy.category}`,
              diff: { retainDays: policy.retainDays, cutoff: cutoff.toISOString(), purgedCount: count },
            });
          }
          return count;
        });
        reports.push({ tenantId, category: policy.category, cutoff: cutoff.toISOString(), purged });
      }
    }
    return reports;
  }
}
