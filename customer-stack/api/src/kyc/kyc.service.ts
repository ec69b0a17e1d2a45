// KYC: a customer's identity checked by our own rules (age, residency, document number) and a
// provider (document and liveness), screened against the sanctions and PEP lists, then approved
// at a tier whose daily limits the tenant sets. Explicit states:
//
//   (none) ──submit──▶ pending ──provider approves, screening clear──▶ approved (tier 1-2)
//                        │  ├──provider rejects / our rules fail──────▶ rejected
//                        │  ├──provider asks review, screening hit, tier 3──▶ manual_review ──officer──▶ approved | rejected
//                        │  └──provider down or slow──▶ pending (retried; after the last retry, manual_review)
//
// A provider that is down or slow never approves anyone: KYC fails closed. Personal data is
// stored sealed; every transition is audited in its transaction and the customer is notified
// of every final decision.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { z } from 'zod';
import { assert } from '@bulwark/shared-contracts';
import type { SqlDatabase, SqlTx } from '@bulwark/shared-contracts/wall';
import { HealthRegistry, SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import { AmlError } from '../aml/aml.errors.js';
import { AmlService, officerActor, type ScreeningIdentity, type ScreeningIdentitySource, type ScreeningOutcome } from '../aml/aml.service.js';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../auth/principal.js';
import { CUSTOMER_CONFIG, type CustomerConfig } from '../config/customer-config.js';
import { NotificationService } from '../notifications/notification.service.js';
import { PersonalDataVault } from '../privacy/personal-data-vault.js';
import { SubjectDataRegistry } from '../privacy/subject-data.registry.js';
import { TenantScope } from '../tenancy/tenant-scope.js';
import { TenantsService } from '../tenancy/tenants.service.js';
import type { TenantSettings } from '../tenancy/tenant-settings.js';
import type { StoredKycStatus } from './kyc.entities.js';
import { KycError } from './kyc.errors.js';
import { GuardedKycProvider, type GuardedResult } from './kyc-provider.breaker.js';
import { KYC_PROVIDER, type KycProvider, type KycProviderRequest } from './kyc-provider.js';
import { KycRepository, type ProfileRow } from './kyc.repository.js';
import { checkLiveness, checkSubmission, type KycTier, type RequestedTier } from './kyc-rules.js';

export type KycStatus = 'not_started' | StoredKycStatus;

export interface KycStanding {
  readonly status: KycStatus;
  readonly tier: KycTier;
  readonly dailyTradeLimitUsd: string;
  readonly dailyWithdrawalLimitUsd: string;
}

const Country = z.string().regex(/^[A-Za-z]{2}$/).transform((c) => c.toUpperCase());
const Name = z.string().trim().min(1).max(100);

export const KycSubmission = z.strictObject({
  givenNames: Name,
  familyName: Name,
  dateOfBirth: z.iso.date(),
  residenceCountry: Country,
  address: z.strictObject({ line1: z.string().trim().min(1).max(200), line2: z.string().trim().max(200).optional(), city: z.string().trim().min(1).max(100),
    postalCode: z.string().trim().max(20).optional(), country: Country }),
  document: z.strictObject({ type: z.enum(['lk_nic', 'passport']), number: z.string().trim().min(5).max(20), country: Country }),
  livenessToken: z.string().min(1).max(200).optional(),
  requestedTier: z.union([z.literal(1), z.literal(2), z.literal(3)]),
});
export type KycSubmission = z.infer<typeof KycSubmission>;

export const KycDecisionInput = z.strictObject({ decision: z.enum(['approve', 'reject']), reason: z.string().trim().min(3).max(500) });

/** What is sealed: the submission's personal data and liveness token. */
interface SealedSubmission {
  readonly givenNames: string;
  readonly familyName: string;
  readonly dateOfBirth: string;
  readonly address: KycSubmission['address'];
  readonly documentNumber: string;
  readonly livenessToken: string | null;
}

export interface KycView {
  readonly status: KycStatus;
  readonly tier: KycTier;
  readonly requestedTier: RequestedTier | null;
  readonly reasons: readonly string[];
  readonly submittedAt: Date | null;
  readonly decidedAt: Date | null;
}

const RETRY_BATCH = 50;
const SYSTEM = { actor: 'system:kyc', role: 'system' } as const;

@Injectable()
export class KycService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy, ScreeningIdentitySource {
  private readonly logger = new Logger('KycService');
  private readonly repository = new KycRepository();
  private readonly provider: GuardedKycProvider;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(TenantScope) private readonly scope: TenantScope,
    @Inject(TenantsService) private readonly tenants: TenantsService,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(NotificationService) private readonly notifications: NotificationService,
    @Inject(PersonalDataVault) private readonly vault: PersonalDataVault,
    @Inject(SubjectDataRegistry) private readonly subjects: SubjectDataRegistry,
    @Inject(AmlService) private readonly aml: AmlService,
    @Inject(HealthRegistry) private readonly health: HealthRegistry,
    @Inject(CUSTOMER_CONFIG) private readonly config: CustomerConfig,
    @Inject(KYC_PROVIDER) provider: KycProvider,
  ) {
    this.provider = new GuardedKycProvider(provider, { timeoutMs: config.compliance.kycProviderTimeoutMs, resetMs: config.compliance.kycBreakerResetMs });
  }

  onModuleInit(): void {
    this.aml.useIdentitySource(this);
    this.subjects.register('kyc', (tx, subjectId) => this.customerDetail(tx, subjectId));
    this.health.register({
      name: 'kyc-provider',
      critical: false,
      check: () => ({ up: this.provider.state !== 'open', details: { provider: this.provider.provider.name, breaker: this.provider.state, ...this.provider.stats } }),
    });
  }

  onApplicationBootstrap(): void {
    this.scheduleRetries();
  }

  onModuleDestroy(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.provider.shutdown();
  }

  /** The breaker's state (closed, open, half_open), as /health shows it. */
  get providerState(): string {
    return this.provider.state;
  }

  // ------------------------------------------------------------------ the contract other modules use

  /** What a customer may do now: KYC state, tier and the tenant's daily limits for it (tenant set on `tx`). */
  async standing(tx: SqlTx, userId: string): Promise<KycStanding> {
    const profile = await this.repository.find(tx, userId);
    const tenantId = profile?.tenant_id ?? (await currentTenant(tx));
    const tenant = await this.tenants.get(tenantId, tx);
    const tier = (profile?.tier ?? 0) as KycTier;
    const limits = tenant.tierLimits.find((l) => l.tier === tier);
    assert(limits !== undefined, `tenant ${tenantId} has limits for tier ${tier}`);
    // A customer approved at a tier keeps it (and its limits) while an upgrade is checked.
    const status: KycStatus = !profile ? 'not_started' : tier > 0 ? 'approved' : profile.status;
    return { status, tier, dailyTradeLimitUsd: limits.dailyTradeLimitUsd, dailyWithdrawalLimitUsd: limits.dailyWithdrawalLimitUsd };
  }

  // ------------------------------------------------------------------ submissions

  async submit(investor: Principal, raw: unknown): Promise<KycView> {
    const parsed = KycSubmission.safeParse(raw);
    if (!parsed.success) throw new KycError('invalid_submission', parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
    const input = parsed.data;
    const { tenantId, userId } = investor;
    const proceed = await this.scope.run(tenantId, async (tx) => {
      const tenant = await this.tenants.get(tenantId, tx);
      const existing = await this.repository.find(tx, userId, true);
      if (existing && (existing.status === 'pending' || existing.status === 'manual_review')) throw new KycError('submission_in_progress');
      if (existing && existing.tier >= input.requestedTier) throw new KycError('already_verified');
      const now = new Date();
      const failures = checkSubmission(
        { dateOfBirth: input.dateOfBirth, residenceCountry: input.residenceCountry, documentType: input.document.type, documentNumber: input.document.number,
          documentCountry: input.document.country },
        rulesOf(tenant),
        now.toISOString().slice(0, 10),
      );
      const sealed: SealedSubmission = {
        givenNames: input.givenNames, familyName: input.familyName, dateOfBirth: input.dateOfBirth, address: input.address,
        documentNumber: input.document.number, livenessToken: input.livenessToken ?? null,
      };
      const grantedTier = existing?.tier ?? 0;
      await this.repository.upsertSubmission(tx, {
        userId, tenantId, status: 'pending', tier: grantedTier, requestedTier: input.requestedTier, residenceCountry: input.residenceCountry,
        documentCountry: input.document.country, documentType: input.document.type, personalData: await this.vault.seal(tx, userId, JSON.stringify(sealed)),
        reasons: [], provider: this.provider.provider.name, now,
      });
      await this.audit.record(tx, {
        tenantId, actor: `user:${userId}`, role: 'investor', action: 'kyc.submission.received', resource: `customer:${userId}`,
        diff: { requestedTier: input.requestedTier, documentType: input.document.type, residenceCountry: input.residenceCountry },
      });
      if (failures.length > 0) {
        await this.finish(tx, tenantId, userId, grantedTier > 0 ? 'approved' : 'rejected', grantedTier, failures, 'rules_failed', SYSTEM);
        return false;
      }
      return true;
    });
    if (proceed) await this.runProvider(tenantId, userId);
    return this.view(tenantId, userId);
  }

  async view(tenantId: string, userId: string): Promise<KycView> {
    return this.scope.run(tenantId, async (tx) => viewOf(await this.repository.find(tx, userId)));
  }

  /** Asks the provider (through the breaker) and applies its answer in a new transaction. */
  private async runProvider(tenantId: string, userId: string): Promise<void> {
    const request = await this.scope.run(tenantId, async (tx) => {
      const profile = await this.repository.find(tx, userId);
      if (profile?.status !== 'pending') return undefined;
      const data = await this.openSubmission(tx, profile);
      if (!data) return undefined; // erased meanwhile: nothing left to check
      const req: KycProviderRequest = {
        reference: profile.user_id, givenNames: data.givenNames, familyName: data.familyName, dateOfBirth: data.dateOfBirth,
        documentType: profile.document_type as KycProviderRequest['documentType'], documentNumber: data.documentNumber,
        documentCountry: profile.document_country, livenessToken: data.livenessToken,
      };
      return req;
    });
    if (!request) return;
    const answer = await this.provider.verify(request);
    await this.scope.run(tenantId, (tx) => this.apply(tx, tenantId, userId, answer));
  }

  private async apply(tx: SqlTx, tenantId: string, userId: string, answer: GuardedResult): Promise<void> {
    const profile = await this.repository.find(tx, userId, true);
    if (profile?.status !== 'pending') return; // decided meanwhile (another attempt, an officer)
    const now = new Date();
    const granted = profile.tier;
    if (answer.kind === 'unavailable') {
      const attempts = profile.attempts + 1;
      const exhausted = attempts >= this.config.compliance.kycRetryAttemptsMax;
      await this.repository.update(tx, userId, {
        status: exhausted ? 'manual_review' : 'pending', tier: granted, reasons: ['provider_unavailable'], attempts,
        nextAttemptAt: exhausted ? null : new Date(now.getTime() + this.config.compliance.kycRetryIntervalMs), now,
      });
      await this.repository.insertCheck(tx, { id: randomUUID(), tenantId, userId, outcome: answer.cause, reasons: ['provider_unavailable'], providerRef: null,
        actor: SYSTEM.actor, now });
      await this.audit.record(tx, {
        tenantId, ...SYSTEM, action: exhausted ? 'kyc.review.required' : 'kyc.provider.unavailable', resource: `customer:${userId}`,
        diff: { cause: answer.cause, attempts, breaker: this.provider.state },
      });
      return;
    }
    const { result } = answer;
    await this.repository.update(tx, userId, { status: 'pending', tier: granted, reasons: [...result.reasons], providerRef: result.providerRef,
      livenessScore: result.livenessScore === null ? null : String(result.livenessScore), now });
    await this.repository.insertCheck(tx, { id: randomUUID(), tenantId, userId, outcome: result.outcome, reasons: result.reasons, providerRef: result.providerRef,
      actor: `provider:${this.provider.provider.name}`, now });
    if (result.outcome === 'reject') {
      await this.finish(tx, tenantId, userId, granted > 0 ? 'approved' : 'rejected', granted, result.reasons, null, SYSTEM);
      return;
    }
    const liveness = checkLiveness(profile.requested_tier as RequestedTier, result.livenessScore);
    if (liveness) {
      await this.finish(tx, tenantId, userId, granted > 0 ? 'approved' : 'rejected', granted, [liveness], null, SYSTEM);
      return;
    }
    const identity = await this.identityOf(tx, profile);
    assert(identity !== null, 'a profile being checked has its personal data');
    const screening = await this.screenOrDefer(tx, tenantId, profile, identity);
    if (!screening) return;
    const reasons = [
      ...(result.outcome === 'review' ? result.reasons : []),
      ...(screening.decision !== 'clear' ? [screening.hits.some((h) => h.kind === 'sanction') ? 'sanctions_screening_hit' : 'pep_screening_hit'] : []),
      ...(profile.requested_tier === 3 ? ['enhanced_due_diligence'] : []),
    ];
    if (reasons.length > 0) {
      await this.repository.update(tx, userId, { status: 'manual_review', tier: granted, reasons, now });
      await this.audit.record(tx, { tenantId, ...SYSTEM, action: 'kyc.review.required', resource: `customer:${userId}`, diff: { reasons, screeningId: screening.screeningId } });
      return;
    }
    await this.finish(tx, tenantId, userId, 'approved', profile.requested_tier, [], null, SYSTEM);
  }

  /** Screening, or — when no list is loaded — the profile left pending for a retry (never approved unscreened). */
  private async screenOrDefer(tx: SqlTx, tenantId: string, profile: ProfileRow, identity: ScreeningIdentity): Promise<ScreeningOutcome | undefined> {
    try {
      return await this.aml.screenCustomer(tx, tenantId, identity, 'onboarding');
    } catch (error) {
      if (!(error instanceof AmlError && error.code === 'no_list_loaded')) throw error;
      const now = new Date();
      const attempts = profile.attempts + 1;
      const exhausted = attempts >= this.config.compliance.kycRetryAttemptsMax;
      await this.repository.update(tx, profile.user_id, {
        status: exhausted ? 'manual_review' : 'pending', tier: profile.tier, reasons: ['screening_unavailable'], attempts,
        nextAttemptAt: exhausted ? null : new Date(now.getTime() + this.config.compliance.kycRetryIntervalMs), now,
      });
      await this.audit.record(tx, { tenantId, ...SYSTEM, action: 'kyc.screening.deferred', resource: `customer:${profile.user_id}`, diff: { cause: 'no_list_loaded' } });
      return undefined;
    }
  }

  /** A final decision: profile, history, audit and the customer's notification, in one transaction. */
  private async finish(
    tx: SqlTx,
    tenantId: string,
    userId: string,
    status: 'approved' | 'rejected',
    tier: number,
    reasons: readonly string[],
    checkOutcome: string | null,
    who: { actor: string; role: string },
  ): Promise<void> {
    assert(status === 'approved' ? tier > 0 : tier === 0, 'approved means a tier, rejected means none');
    const now = new Date();
    await this.repository.update(tx, userId, { status, tier, reasons, nextAttemptAt: null, decidedAt: now, decidedBy: who.actor, now });
    if (checkOutcome) await this.repository.insertCheck(tx, { id: randomUUID(), tenantId, userId, outcome: checkOutcome, reasons, providerRef: null, actor: who.actor, now });
    await this.audit.record(tx, { tenantId, ...who, action: 'kyc.decision.recorded', resource: `customer:${userId}`, diff: { status, tier, reasons: [...reasons] } });
    await this.notifications.enqueue(tx, { tenantId, userId, event: 'kyc.decided', data: { status, tier: String(tier) } });
  }

  /** Retries pending submissions whose provider attempt failed, tenant by tenant. */
  async retryDue(): Promise<number> {
    let retried = 0;
    for (const tenant of await this.tenants.list()) {
      const due = await this.scope.run(tenant.id, (tx) => this.repository.dueForRetry(tx, new Date(), RETRY_BATCH));
      for (const userId of due) {
        await this.runProvider(tenant.id, userId);
        retried++;
      }
    }
    return retried;
  }

  private scheduleRetries(): void {
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => {
      void this.retryDue()
        .catch((error: unknown) => this.logger.error({ err: error, msg: 'KYC retry failed' }))
        .finally(() => this.scheduleRetries());
    }, this.config.compliance.kycRetryIntervalMs);
    this.retryTimer.unref();
  }

  // ------------------------------------------------------------------ officers

  /** An officer's decision on a profile in manual review. Open screening alerts must be cleared first. */
  async decide(officer: Principal, userId: string, raw: unknown): Promise<KycView> {
    const parsed = KycDecisionInput.safeParse(raw);
    if (!parsed.success) throw new KycError('invalid_decision', parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
    const { decision } = parsed.data;
    return this.scope.run(officer.tenantId, async (tx) => {
      const profile = await this.repository.find(tx, userId, true);
      if (!profile) throw new KycError('profile_not_found');
      if (profile.status !== 'manual_review') throw new KycError('not_in_manual_review');
      if (decision === 'approve' && (await this.aml.openScreeningAlerts(tx, userId)) > 0) throw new KycError('invalid_decision', 'screening alerts are still open');
      const who = officerActor(officer);
      if (decision === 'approve') await this.finish(tx, officer.tenantId, userId, 'approved', profile.requested_tier, [], 'officer_approve', who);
      else await this.finish(tx, officer.tenantId, userId, profile.tier > 0 ? 'approved' : 'rejected', profile.tier, ['officer_rejected'], 'officer_reject', who);
      return viewOf(await this.repository.find(tx, userId));
    });
  }

  /** Profiles waiting for an officer. */
  async reviewQueue(officer: Principal, limit: number, offset: number): Promise<(KycView & { userId: string })[]> {
    return this.scope.run(officer.tenantId, async (tx) =>
      (await this.repository.byStatus(tx, 'manual_review', limit, offset)).map((p) => ({ userId: p.user_id, ...viewOf(p) })),
    );
  }

  /** Everything KYC knows of a customer, personal data opened, for the console's customer view (tenant set on `tx`). */
  async customerDetail(tx: SqlTx, userId: string): Promise<(KycView & { residenceCountry: string; documentType: string; documentCountry: string;
    personalData: Omit<SealedSubmission, 'livenessToken'> | null; livenessScore: string | null; attempts: number; checks: unknown[] }) | null> {
    const profile = await this.repository.find(tx, userId);
    if (!profile) return null;
    const opened = await this.vault.open(tx, userId, profile.personal_data);
    const personal = opened === null ? null : (JSON.parse(opened) as SealedSubmission);
    return {
      ...viewOf(profile),
      residenceCountry: profile.residence_country,
      documentType: profile.document_type,
      documentCountry: profile.document_country,
      personalData: personal && { givenNames: personal.givenNames, familyName: personal.familyName, dateOfBirth: personal.dateOfBirth, address: personal.address,
        documentNumber: personal.documentNumber },
      livenessScore: profile.liveness_score,
      attempts: profile.attempts,
      checks: await this.repository.checks(tx, userId),
    };
  }

  // ------------------------------------------------------------------ identities for AML

  async screenableIdentities(tx: SqlTx, afterUserId: string | null, limit: number): Promise<ScreeningIdentity[]> {
    const rows = await this.repository.screenable(tx, afterUserId, limit);
    const identities: ScreeningIdentity[] = [];
    for (const row of rows) {
      const identity = await this.identityOf(tx, row);
      if (identity) identities.push(identity); // an erased person has nothing left to screen
    }
    return identities;
  }

  private async identityOf(tx: SqlTx, profile: ProfileRow): Promise<ScreeningIdentity | null> {
    const data = await this.openSubmission(tx, profile);
    if (!data) return null;
    return {
      userId: profile.user_id, name: `${data.givenNames} ${data.familyName}`, dateOfBirth: data.dateOfBirth,
      country: profile.residence_country, documentCountry: profile.document_country, tier: profile.tier as KycTier,
    };
  }

  /** The sealed submission, or null once the person is erased. */
  private async openSubmission(tx: SqlTx, profile: ProfileRow): Promise<SealedSubmission | null> {
    const text = await this.vault.open(tx, profile.user_id, profile.personal_data);
    return text === null ? null : (JSON.parse(text) as SealedSubmission);
  }
}

function rulesOf(tenant: TenantSettings): { minimumAge: number; residencyCountries: readonly string[] } {
  return { minimumAge: tenant.minimumAge, residencyCountries: tenant.residencyCountries };
}

function viewOf(profile: ProfileRow | undefined): KycView {
  if (!profile) return { status: 'not_started', tier: 0, requestedTier: null, reasons: [], submittedAt: null, decidedAt: null };
  return {
    status: profile.status,
    tier: profile.tier as KycTier,
    requestedTier: profile.requested_tier as RequestedTier,
    reasons: profile.reasons,
    submittedAt: profile.submitted_at,
    decidedAt: profile.decided_at,
  };
}

async function currentTenant(tx: SqlTx): Promise<string> {
  const [row] = await tx.query<{ tenant: string | null }>(`SELECT NULLIF(current_setting('bulwark.tenant_id', true), '') AS tenant`);
  assert(row?.tenant, 'standing is read inside a transaction with its tenant set');
  return row.tenant;
}
