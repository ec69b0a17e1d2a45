// AML: sanctions and PEP screening (customers at onboarding and daily against list changes,
// every withdrawal beneficiary), the customer risk score, the review queue (assignment, notes,
// decisions, the four-eyes freeze) and the SAR register. Every state change is audited in the
// transaction that makes it; every customer-data table is tenant-scoped.
import { createHmac, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { z } from 'zod';
import { assert } from '@bulwark/shared-contracts';
import type { SqlDatabase, SqlTx } from '@bulwark/shared-contracts/wall';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../auth/principal.js';
import { CUSTOMER_CONFIG, type CustomerConfig } from '../config/customer-config.js';
import { PersonalDataVault } from '../privacy/personal-data-vault.js';
import { SubjectDataRegistry } from '../privacy/subject-data.registry.js';
import { TenantScope } from '../tenancy/tenant-scope.js';
import { TenantsService } from '../tenancy/tenants.service.js';
import { AmlError } from './aml.errors.js';
import { AML_PAGE_MAX, AmlRepository, type AlertFilter, type AlertRow, type FreezeRow, type SarRow, type ScreeningRow } from './aml.repository.js';
import { ListRepository, type ImportSummary } from './list.repository.js';
import { SarSealer } from './sar-sealer.js';
import { HISTORY_EVENTS_MAX, HISTORY_WINDOW_MS, evaluateRules, type MonitoredTransaction, type MonitoringRule } from './monitoring-rules.js';
import { decide, ALERT_DECISIONS, type AlertDecision, type AlertStatus } from './review-queue.js';
import { riskScore, type RiskScore } from './risk-score.js';
import type { ListEntry } from './screening/list-entry.js';
import { readListFiles, type ListFiles } from './screening/list-files.js';
import { ScreeningIndex } from './screening/screening-index.js';
import type { ScreeningHit, ScreeningResult } from './screening/screening.views.js';

/** What screening needs to know about a customer, from KYC. */
export interface ScreeningIdentity {
  readonly userId: string;
  readonly name: string;
  readonly dateOfBirth?: string | undefined;
  /** Residence, ISO alpha-2. */
  readonly country?: string | undefined;
  readonly documentCountry?: string | undefined;
  readonly tier: 0 | 1 | 2 | 3;
}

/** KYC registers itself as the source of identities for the daily re-screen (no module cycle). */
export interface ScreeningIdentitySource {
  screenableIdentities(tx: SqlTx, afterUserId: string | null, limit: number): Promise<ScreeningIdentity[]>;
}

export interface ScreeningOutcome {
  readonly decision: 'clear' | 'review' | 'blocked';
  readonly hits: readonly ScreeningHit[];
  readonly screeningId: string;
  readonly listVersion: number;
}

export interface RescreenSummary {
  readonly tenantId: string;
  readonly fromVersion: number;
  readonly toVersion: number;
  readonly changedEntries: number;
  readonly screened: number;
  readonly hits: number;
}

export const RESCREEN_PAGE = 500;
const LIST_CHECK_INTERVAL_MS = 30_000;
const NOTE_LENGTH_MAX = 4_000;
const NARRATIVE_LENGTH_MAX = 20_000;
const RESCREEN_JOB = 'aml-rescreen';
const SYSTEM = { actor: 'system:aml', role: 'system' } as const;
/** Events one observeMany records (a booked batch of allocations: one per allocation). */
export const MONITORED_EVENTS_PER_CALL_MAX = 1_000;

export const AssignInput = z.strictObject({ assigneeId: z.uuid() });
export const NoteInput = z.strictObject({ text: z.string().trim().min(1).max(NOTE_LENGTH_MAX) });
export const DecisionInput = z.strictObject({
  decision: z.enum(ALERT_DECISIONS),
  reason: z.string().trim().min(3).max(NOTE_LENGTH_MAX),
  /** For file_sar: the grounds the register keeps (sealed). */
  narrative: z.string().trim().min(10).max(NARRATIVE_LENGTH_MAX).optional(),
});
export const FileSarInput = z.strictObject({ reference: z.string().trim().min(3).max(100) });
export const BeneficiaryInput = z.strictObject({
  name: z.string().trim().min(1).max(512),
  country: z.string().regex(/^[A-Za-z]{2}$/),
  dateOfBirth: z.iso.date().optional(),
});

function parse<T>(schema: z.ZodType<T>, raw: unknown): T {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new AmlError('invalid_request', parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  return parsed.data;
}

/** The audit actor for a staff principal: their most senior compliance role. */
export function officerActor(principal: Principal): { actor: string; role: string } {
  const role = principal.roles.includes('mlro') ? 'mlro' : principal.roles.includes('compliance_officer') ? 'compliance_officer' : (principal.roles[0] ?? 'unknown');
  return { actor: `user:${principal.userId}`, role };
}

@Injectable()
export class AmlService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('AmlService');
  private readonly repository = new AmlRepository();
  private readonly lists = new ListRepository();
  private loaded: { version: number; index: ScreeningIndex; checkedAt: number } | undefined;
  private identitySource: ScreeningIdentitySource | undefined;

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(TenantScope) private readonly scope: TenantScope,
    @Inject(TenantsService) private readonly tenants: TenantsService,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(PersonalDataVault) private readonly vault: PersonalDataVault,
    @Inject(SarSealer) private readonly sarSealer: SarSealer,
    @Inject(SubjectDataRegistry) private readonly subjects: SubjectDataRegistry,
    @Inject(CUSTOMER_CONFIG) private readonly config: CustomerConfig,
    @Inject(SchedulerRegistry) private readonly scheduler: SchedulerRegistry,
  ) {}

  onModuleInit(): void {
    // A subject-access export shows a person their screenings and risk score. Alerts, freezes in
    // preparation and SARs are left out: disclosing them would tip the person off.
    this.subjects.register('aml', async (tx, subjectId) => {
      const screenings = await this.repository.screeningsOf(tx, subjectId, AML_PAGE_MAX);
      const risk = await this.repository.risk(tx, subjectId);
      return {
        screenings: screenings.map((s) => ({ subject: s.subject, context: s.context, decision: s.decision, listVersion: s.list_version, at: s.created_at })),
        risk: risk ? { score: risk.score, band: risk.band, version: risk.version, computedAt: risk.computed_at } : null,
      };
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.importFixturesInDevelopment();
    const job = CronJob.from({
      cronTime: this.config.compliance.amlRescreenCron,
      onTick: () => {
        void this.rescreen().catch((error: unknown) => this.logger.error({ err: error, msg: 'daily re-screen failed' }));
      },
      start: true,
    });
    this.scheduler.addCronJob(RESCREEN_JOB, job);
  }

  onModuleDestroy(): void {
    if (this.scheduler.doesExist('cron', RESCREEN_JOB)) this.scheduler.deleteCronJob(RESCREEN_JOB);
  }

  /**
   * `npm start` on a fresh install has no list: in development only, the bundled fixture lists
   * (fictional entries in the published formats) are imported so onboarding can be tried. Tests
   * and production import their lists explicitly.
   */
  private async importFixturesInDevelopment(): Promise<void> {
    if (this.config.env !== 'development') return;
    if ((await this.db.transaction((tx) => this.lists.currentVersion(tx))) !== null) return;
    const dir = fileURLToPath(new URL('../../fixtures/sanctions/', import.meta.url));
    const summary = await this.importListFiles({ openSanctions: `${dir}targets.simple.csv`, ofacSdn: `${dir}sdn.csv`, ofacAlt: `${dir}alt.csv` },
      { actor: 'system:aml-dev-seed', role: 'system' });
    this.logger.warn({ msg: 'development: imported the bundled fixture sanctions lists', ...summary });
  }

  useIdentitySource(source: ScreeningIdentitySource): void {
    assert(this.identitySource === undefined, 'one identity source');
    this.identitySource = source;
  }

  // ------------------------------------------------------------------ lists

  /** Imports list files as a new version (the command and tests call this). */
  async importListFiles(files: ListFiles, actor: { actor: string; role: string } = SYSTEM): Promise<ImportSummary> {
    const read = await readListFiles(files);
    return this.importEntries(read.entries, read.sources, actor);
  }

  async importEntries(entries: readonly ListEntry[], sources: Record<string, unknown>, actor: { actor: string; role: string } = SYSTEM): Promise<ImportSummary> {
    const summary = await this.db.transaction(async (tx) => {
      const result = await this.lists.importVersion(tx, entries, sources, new Date());
      await this.audit.record(tx, { tenantId: null, ...actor, action: 'aml.lists.imported', resource: `aml_list_version:${result.version}`, diff: { ...result } });
      return result;
    });
    this.loaded = undefined;
    return summary;
  }

  /** The index of the current list version, reloaded when another process imported a newer one. */
  private async currentIndex(tx: SqlTx): Promise<{ version: number; index: ScreeningIndex }> {
    const now = Date.now();
    if (this.loaded && now - this.loaded.checkedAt < LIST_CHECK_INTERVAL_MS) return this.loaded;
    const version = await this.lists.currentVersion(tx);
    if (version === null) throw new AmlError('no_list_loaded');
    if (this.loaded?.version !== version) {
      this.loaded = { version, index: new ScreeningIndex(await this.lists.currentEntries(tx)), checkedAt: now };
      this.logger.log({ msg: 'screening index loaded', version, ...this.loaded.index.size });
    } else {
      this.loaded.checkedAt = now;
    }
    return this.loaded;
  }

  // ------------------------------------------------------------------ screening

  /** Screens a customer (tenant set on `tx`); a hit raises a screening alert for review. */
  async screenCustomer(tx: SqlTx, tenantId: string, identity: ScreeningIdentity, context: 'onboarding' | 'rescreen'): Promise<ScreeningOutcome> {
    const { version, index } = await this.currentIndex(tx);
    const result = index.screen({ name: identity.name, dateOfBirth: identity.dateOfBirth, country: identity.country });
    const outcome = await this.recordScreening(tx, tenantId, identity.userId, 'customer', context, version, result);
    await this.refreshRisk(tx, tenantId, identity);
    return outcome;
  }

  /** Screens a withdrawal beneficiary for the customer `userId` (in money's transaction). */
  async screenBeneficiary(
    tx: SqlTx,
    tenantId: string,
    userId: string,
    beneficiary: { name: string; country: string; dateOfBirth?: string },
  ): Promise<{ decision: 'clear' | 'review' | 'blocked'; hits: ScreeningHit[] }> {
    const input = parse(BeneficiaryInput, beneficiary);
    await this.scope.enter(tx, tenantId);
    const { version, index } = await this.currentIndex(tx);
    const result = index.screen({ name: input.name, dateOfBirth: input.dateOfBirth, country: input.country });
    const outcome = await this.recordScreening(tx, tenantId, userId, 'beneficiary', 'withdrawal', version, result);
    return { decision: outcome.decision, hits: [...outcome.hits] };
  }

  private async recordScreening(
    tx: SqlTx,
    tenantId: string,
    userId: string,
    subject: 'customer' | 'beneficiary',
    context: 'onboarding' | 'withdrawal' | 'rescreen',
    listVersion: number,
    result: ScreeningResult,
  ): Promise<ScreeningOutcome> {
    const id = randomUUID();
    const now = new Date();
    const hitSummary = result.hits.map((h) => ({ entryId: h.entryId, kind: h.kind, score: h.score, decision: h.decision }));
    const hitsSealed = result.hits.length > 0 ? await this.vault.seal(tx, userId, JSON.stringify(result.hits)) : null;
    await this.repository.insertScreening(tx, { id, tenantId, userId, subject, context, listVersion, model: result.model, decision: result.decision, hitSummary, hitsSealed, now });
    const entryIds = result.hits.map((h) => h.entryId);
    await this.audit.record(tx, {
      tenantId, ...SYSTEM, action: 'aml.screening.completed', resource: `customer:${userId}`,
      diff: { screeningId: id, subject, context, decision: result.decision, hitCount: result.hits.length, listVersion, model: result.model },
    });
    if (result.decision !== 'clear') {
      // A re-screen raises no second alert for an entry already under review.
      const fresh = [];
      for (const entryId of entryIds) if (!(await this.repository.openScreeningAlertFor(tx, userId, entryId))) fresh.push(entryId);
      if (fresh.length > 0) {
        const sanction = result.hits.some((h) => h.kind === 'sanction');
        const rule = subject === 'beneficiary' ? 'beneficiary_screening_hit' : sanction ? 'sanctions_screening_hit' : 'pep_screening_hit';
        const topScore = String(result.hits[0]?.score ?? 0);
        await this.raiseAlert(tx, tenantId, userId, 'screening', rule, result.decision === 'blocked' || sanction ? 'high' : 'medium', {
          screeningId: id, context, subject, decision: result.decision, entryIds, topScore, listVersion,
        }, id);
      }
    }
    return { decision: result.decision, hits: result.hits, screeningId: id, listVersion };
  }

  /** The daily re-screen: every tenant's customers against the entries added or changed since the last run. */
  async rescreen(): Promise<RescreenSummary[]> {
    const source = this.identitySource;
    assert(source !== undefined, 'KYC registered as the identity source');
    const { toVersion, fromVersion, changed } = await this.db.transaction(async (tx) => {
      const to = await this.lists.currentVersion(tx);
      if (to === null) throw new AmlError('no_list_loaded');
      const from = (await this.lastRescreenVersion()) ?? 0;
      return { toVersion: to, fromVersion: from, changed: from >= to ? [] : await this.lists.changedSince(tx, from) };
    });
    const index = new ScreeningIndex(changed);
    const summaries: RescreenSummary[] = [];
    for (const tenant of await this.tenants.list()) {
      let screened = 0;
      let hits = 0;
      let after: string | null = null;
      if (changed.length > 0) {
        for (;;) {
          const page: ScreeningIdentity[] = await this.scope.run(tenant.id, (tx) => source.screenableIdentities(tx, after, RESCREEN_PAGE));
          if (page.length === 0) break;
          await this.scope.run(tenant.id, async (tx) => {
            for (const identity of page) {
              const result = index.screen({ name: identity.name, dateOfBirth: identity.dateOfBirth, country: identity.country });
              screened++;
              if (result.hits.length === 0) continue;
              hits++;
              await this.recordScreening(tx, tenant.id, identity.userId, 'customer', 'rescreen', toVersion, result);
              await this.refreshRisk(tx, tenant.id, identity);
            }
          });
          after = page[page.length - 1]?.userId ?? null;
          if (page.length < RESCREEN_PAGE) break;
        }
      }
      const summary = { tenantId: tenant.id, fromVersion, toVersion, changedEntries: changed.length, screened, hits };
      await this.scope.run(tenant.id, async (tx) => {
        await this.repository.insertRescreenRun(tx, { id: randomUUID(), ...summary, now: new Date() });
        await this.audit.record(tx, { tenantId: tenant.id, ...SYSTEM, action: 'aml.rescreen.completed', resource: `tenant:${tenant.id}`, diff: { ...summary } });
      });
      summaries.push(summary);
    }
    return summaries;
  }

  /** The lowest list version every tenant has been re-screened up to (rows are per tenant). */
  private async lastRescreenVersion(): Promise<number | null> {
    let lowest: number | null = null;
    for (const tenant of await this.tenants.list()) {
      const v = await this.scope.run(tenant.id, (tx) => this.repository.lastRescreenVersion(tx));
      if (v === null) return null;
      lowest = lowest === null ? v : Math.min(lowest, v);
    }
    return lowest;
  }

  // ------------------------------------------------------------------ monitoring

  /** Records a ledger event and raises an alert per rule it breaks (money's transaction, tenant set). */
  async observe(tx: SqlTx, event: MonitoredTransaction): Promise<MonitoringRule[]> {
    const [rules] = await this.observeMany(tx, [event]);
    assert(rules !== undefined, 'one event observed');
    return rules;
  }

  /**
   * Records ledger events in order, each judged as observe would judge it after the ones before
   * it (they join its history): one history read and one insert for all of them. A customer whose
   * window holds HISTORY_EVENTS_MAX events or more is read event by event, so the history each
   * rule sees is exactly the one observe reads.
   */
  async observeMany(tx: SqlTx, events: readonly MonitoredTransaction[]): Promise<MonitoringRule[][]> {
    assert(events.length <= MONITORED_EVENTS_PER_CALL_MAX, 'monitored events per call within limit');
    if (events.length === 0) return [];
    const windows = new Map<string, { tenantId: string; userId: string; since: Date; until: Date }>();
    for (const e of events) {
      const since = new Date(e.at.getTime() - HISTORY_WINDOW_MS);
      const w = windows.get(e.userId);
      if (!w) windows.set(e.userId, { tenantId: e.tenantId, userId: e.userId, since, until: e.at });
      else windows.set(e.userId, { ...w, since: since < w.since ? since : w.since, until: e.at > w.until ? e.at : w.until });
    }
    const stored = await this.repository.histories(tx, [...windows.values()], HISTORY_EVENTS_MAX);
    const full = new Set([...stored].filter(([, rows]) => rows.length >= HISTORY_EVENTS_MAX).map(([userId]) => userId));
    const earlier: MonitoredTransaction[] = [];
    const hitsOf: { event: MonitoredTransaction; hits: ReturnType<typeof evaluateRules> }[] = [];
    for (const event of events) {
      let history: MonitoredTransaction[];
      if (full.has(event.userId)) {
        // Its own window, read as observe reads it: the ones before it in this call are inserted already.
        if (earlier.length > 0) await this.repository.insertEvents(tx, earlier.splice(0));
        history = await this.repository.history(tx, event.tenantId, event.userId, new Date(event.at.getTime() - HISTORY_WINDOW_MS), event.at, HISTORY_EVENTS_MAX);
      } else {
        // Newest first, as the read orders them; an event of this call is newer than any stored (a later seq).
        const inWindow = (h: MonitoredTransaction) => h.at.getTime() > event.at.getTime() - HISTORY_WINDOW_MS && h.at.getTime() <= event.at.getTime();
        const mine = events.slice(0, hitsOf.length).filter((h) => h.userId === event.userId && inWindow(h));
        const merged = [...mine.reverse(), ...(stored.get(event.userId) ?? []).filter(inWindow)];
        history = merged.sort((x, y) => y.at.getTime() - x.at.getTime()).slice(0, HISTORY_EVENTS_MAX);
      }
      hitsOf.push({ event, hits: evaluateRules(event, history) });
      earlier.push(event);
    }
    await this.repository.insertEvents(tx, earlier);
    for (const { event, hits } of hitsOf) {
      for (const hit of hits) {
        await this.raiseAlert(tx, event.tenantId, event.userId, 'monitoring', hit.rule, hit.rule === 'large_single_transaction' ? 'medium' : 'high', {
          ...hit.details, eventKind: event.kind, at: event.at.toISOString(),
        }, null);
      }
    }
    assert(hitsOf.length === events.length, 'every event judged');
    return hitsOf.map(({ hits }) => hits.map((h) => h.rule));
  }

  private async raiseAlert(tx: SqlTx, tenantId: string, userId: string, kind: 'screening' | 'monitoring', rule: string, severity: string, details: Record<string, unknown>,
    screeningId: string | null): Promise<string> {
    const id = randomUUID();
    await this.repository.insertAlert(tx, { id, tenantId, userId, kind, rule, severity, details, screeningId, now: new Date() });
    await this.audit.record(tx, { tenantId, ...SYSTEM, action: 'aml.alert.raised', resource: `aml_alert:${id}`, diff: { customer: userId, kind, rule, severity } });
    return id;
  }

  // ------------------------------------------------------------------ risk

  private async refreshRisk(tx: SqlTx, tenantId: string, identity: ScreeningIdentity): Promise<RiskScore> {
    const screenings = await this.repository.screeningsOf(tx, identity.userId, 20);
    const openHits = screenings.filter((s) => s.subject === 'customer' && s.decision !== 'clear').flatMap((s) => s.hit_summary);
    const score = riskScore({
      residenceCountry: identity.country ?? null,
      documentCountry: identity.documentCountry ?? null,
      pepHit: openHits.some((h) => h.kind === 'pep'),
      sanctionsReview: openHits.some((h) => h.kind === 'sanction'),
      monitoringAlerts90d: await this.repository.countAlertsSince(tx, identity.userId, 'monitoring', new Date(Date.now() - 90 * 86_400_000)),
      tier: identity.tier,
      escalated: await this.repository.hasEscalation(tx, identity.userId),
    });
    await this.repository.upsertRisk(tx, { tenantId, userId: identity.userId, ...score, now: new Date() });
    return score;
  }

  /** Screening alerts of a customer still waiting for a decision. */
  async openScreeningAlerts(tx: SqlTx, userId: string): Promise<number> {
    return this.repository.countOpenAlerts(tx, userId, 'screening');
  }

  // ------------------------------------------------------------------ freezes

  /** True while a freeze approved by two officers is in force. */
  async isFrozen(tx: SqlTx, userId: string): Promise<boolean> {
    return this.repository.isFrozen(tx, userId);
  }

  /** The second officer's approval that puts a requested freeze in force (four eyes). */
  async approveFreeze(officer: Principal, userId: string): Promise<FreezeRow> {
    return this.scope.run(officer.tenantId, async (tx) => {
      const freeze = await this.repository.openFreeze(tx, userId, true);
      if (!freeze || freeze.status !== 'requested') throw new AmlError('freeze_not_found');
      if (freeze.requested_by === officer.userId) throw new AmlError('four_eyes_required');
      const now = new Date();
      await this.repository.approveFreeze(tx, freeze.id, officer.userId, now);
      if (freeze.alert_id) await this.repository.updateAlert(tx, freeze.alert_id, { status: 'frozen', decision: 'freeze', decidedBy: officer.userId, now });
      await this.audit.record(tx, {
        tenantId: officer.tenantId, ...officerActor(officer), action: 'aml.freeze.approved', resource: `customer:${userId}`,
        diff: { freezeId: freeze.id, requestedBy: freeze.requested_by, alertId: freeze.alert_id },
      });
      const after = await this.repository.openFreeze(tx, userId);
      assert(after?.status === 'active' && after.approved_by !== after.requested_by, 'an active freeze has two different officers');
      return after;
    });
  }

  // ------------------------------------------------------------------ review queue

  async listAlerts(officer: Principal, filter: Omit<AlertFilter, 'limit' | 'offset'> & { limit?: number; offset?: number }): Promise<AlertRow[]> {
    const limit = Math.min(filter.limit ?? 50, AML_PAGE_MAX);
    return this.scope.run(officer.tenantId, (tx) => this.repository.alerts(tx, { ...filter, limit, offset: filter.offset ?? 0 }));
  }

  /** One case: the alert, its notes (opened), and the screening hits with their explanation. */
  async alertCase(officer: Principal, alertId: string): Promise<{ alert: AlertRow; notes: { id: string; author: string; text: string | null; createdAt: Date }[];
    hits: ScreeningHit[] | null }> {
    return this.scope.run(officer.tenantId, async (tx) => {
      const alert = await this.repository.alert(tx, alertId);
      if (!alert) throw new AmlError('alert_not_found');
      const notes = await Promise.all(
        (await this.repository.notes(tx, alertId)).map(async (n) => ({ id: n.id, author: n.author, text: await this.vault.open(tx, alert.user_id, n.body_sealed),
          createdAt: n.created_at })),
      );
      const screening = alert.screening_id ? await this.repository.screening(tx, alert.screening_id) : undefined;
      const hits = await this.openHits(tx, screening);
      await this.audit.record(tx, { tenantId: officer.tenantId, ...officerActor(officer), action: 'aml.alert.viewed', resource: `aml_alert:${alertId}`,
        diff: { customer: alert.user_id } });
      return { alert, notes, hits };
    });
  }

  private async openHits(tx: SqlTx, screening: ScreeningRow | undefined): Promise<ScreeningHit[] | null> {
    if (!screening?.hits_sealed) return null;
    const text = await this.vault.open(tx, screening.user_id, screening.hits_sealed);
    return text === null ? null : (JSON.parse(text) as ScreeningHit[]);
  }

  async assign(officer: Principal, alertId: string, raw: unknown): Promise<AlertRow> {
    const { assigneeId } = parse(AssignInput, raw);
    return this.scope.run(officer.tenantId, async (tx) => {
      const alert = await this.lockedOpenAlert(tx, alertId);
      const status: AlertStatus = alert.status === 'open' ? 'assigned' : alert.status;
      await this.repository.updateAlert(tx, alertId, { status, assignedTo: assigneeId, now: new Date() });
      await this.audit.record(tx, { tenantId: officer.tenantId, ...officerActor(officer), action: 'aml.alert.assigned', resource: `aml_alert:${alertId}`,
        diff: { assignee: assigneeId, from: alert.assigned_to } });
      return (await this.repository.alert(tx, alertId)) as AlertRow;
    });
  }

  async addNote(officer: Principal, alertId: string, raw: unknown): Promise<{ id: string }> {
    const { text } = parse(NoteInput, raw);
    return this.scope.run(officer.tenantId, async (tx) => {
      const alert = await this.repository.alert(tx, alertId);
      if (!alert) throw new AmlError('alert_not_found');
      const id = randomUUID();
      await this.repository.insertNote(tx, { id, tenantId: officer.tenantId, alertId, author: officer.userId, bodySealed: await this.vault.seal(tx, alert.user_id, text),
        now: new Date() });
      await this.audit.record(tx, { tenantId: officer.tenantId, ...officerActor(officer), action: 'aml.alert.note_added', resource: `aml_alert:${alertId}`, diff: { noteId: id } });
      return { id };
    });
  }

  /** Clear, escalate, file a SAR (MLRO) or request a freeze (which a second officer approves). */
  async decideAlert(officer: Principal, alertId: string, raw: unknown): Promise<{ alert: AlertRow; sarId?: string; freezeId?: string }> {
    const input = parse(DecisionInput, raw);
    if (input.decision === 'file_sar' && !input.narrative) throw new AmlError('invalid_request', 'narrative: a SAR needs its grounds');
    return this.scope.run(officer.tenantId, async (tx) => {
      const alert = await this.lockedOpenAlert(tx, alertId);
      const verdict = decide(alert.status, input.decision as AlertDecision, { isMlro: officer.roles.includes('mlro') });
      if (!verdict.ok) throw new AmlError(verdict.code);
      const now = new Date();
      const extra: { sarId?: string; freezeId?: string } = {};
      if (input.decision === 'file_sar') {
        const sarId = randomUUID();
        const dueAt = new Date(now.getTime() + this.config.compliance.sarFilingDays * 86_400_000);
        await this.repository.insertSar(tx, {
          id: sarId, tenantId: officer.tenantId, subjectHash: this.subjectHash(officer.tenantId, alert.user_id), alertId,
          narrativeSealed: await this.sarSealer.seal(sarId, input.narrative ?? ''), decidedBy: officer.userId, now, dueAt,
        });
        await this.audit.record(tx, { tenantId: officer.tenantId, ...officerActor(officer), action: 'aml.sar.created', resource: `aml_sar:${sarId}`, diff: { alertId,
          dueAt: dueAt.toISOString() } });
        extra.sarId = sarId;
      }
      if (input.decision === 'freeze') {
        if (await this.repository.openFreeze(tx, alert.user_id, true)) throw new AmlError('freeze_exists');
        const freezeId = randomUUID();
        await this.repository.insertFreeze(tx, { id: freezeId, tenantId: officer.tenantId, userId: alert.user_id, alertId, requestedBy: officer.userId, now });
        await this.audit.record(tx, { tenantId: officer.tenantId, ...officerActor(officer), action: 'aml.freeze.requested', resource: `customer:${alert.user_id}`,
          diff: { freezeId, alertId } });
        extra.freezeId = freezeId;
      }
      const closing = verdict.next === 'cleared' || verdict.next === 'sar_filed';
      await this.repository.updateAlert(tx, alertId, { status: verdict.next, ...(closing ? { decision: input.decision, decidedBy: officer.userId } : {}), now });
      // The reason is free text that may name people: it is kept as a sealed note, the audit entry points to it.
      const noteId = randomUUID();
      await this.repository.insertNote(tx, { id: noteId, tenantId: officer.tenantId, alertId, author: officer.userId, bodySealed: await this.vault.seal(tx, alert.user_id,
        `[${input.decision}] ${input.reason}`), now });
      await this.audit.record(tx, {
        tenantId: officer.tenantId, ...officerActor(officer), action: 'aml.alert.decided', resource: `aml_alert:${alertId}`,
        diff: { customer: alert.user_id, decision: input.decision, from: alert.status, to: verdict.next, noteId },
      });
      return { alert: (await this.repository.alert(tx, alertId)) as AlertRow, ...extra };
    });
  }

  private async lockedOpenAlert(tx: SqlTx, alertId: string): Promise<AlertRow> {
    const alert = await this.repository.alert(tx, alertId, true);
    if (!alert) throw new AmlError('alert_not_found');
    return alert;
  }

  // ------------------------------------------------------------------ SAR register (MLRO only: the routes say so)

  /** The keyed hash the register identifies a subject by: HMAC(tenant, user) under COMPLIANCE_SUBJECT_KEY. */
  subjectHash(tenantId: string, userId: string): string {
    return createHmac('sha256', this.config.compliance.subjectKey.reveal()).update(`${tenantId}:${userId}`).digest('hex');
  }

  async listSars(mlro: Principal, status?: 'draft' | 'filed', limit = 50, offset = 0): Promise<(Omit<SarRow,
    'narrative_sealed'> & { narrative: string | null; overdue: boolean })[]> {
    assert(mlro.roles.includes('mlro'), 'the SAR register is the MLRO\'s');
    return this.scope.run(mlro.tenantId, async (tx) => {
      const now = Date.now();
      const rows = await this.repository.sars(tx, status, Math.min(limit, AML_PAGE_MAX), offset);
      await this.audit.record(tx, { tenantId: mlro.tenantId, ...officerActor(mlro), action: 'aml.sar.register_viewed', resource: `tenant:${mlro.tenantId}`,
        diff: { count: rows.length } });
      return Promise.all(
        rows.map(async ({ narrative_sealed, ...row }) => ({
          ...row,
          narrative: this.sarSealer.open(row.id, narrative_sealed),
          overdue: row.status === 'draft' && row.due_at.getTime() < now,
        })),
      );
    });
  }

  async fileSar(mlro: Principal, sarId: string, raw: unknown): Promise<SarRow> {
    assert(mlro.roles.includes('mlro'), 'only the MLRO files SARs');
    const { reference } = parse(FileSarInput, raw);
    return this.scope.run(mlro.tenantId, async (tx) => {
      const sar = await this.repository.sar(tx, sarId, true);
      if (!sar) throw new AmlError('sar_not_found');
      if (sar.status === 'filed') throw new AmlError('sar_already_filed');
      const now = new Date();
      await this.repository.fileSar(tx, sarId, mlro.userId, reference, now);
      await this.audit.record(tx, {
        tenantId: mlro.tenantId, ...officerActor(mlro), action: 'aml.sar.filed', resource: `aml_sar:${sarId}`,
        diff: { filed: true, late: now.getTime() > sar.due_at.getTime() },
      });
      return (await this.repository.sar(tx, sarId)) as SarRow;
    });
  }

  // ------------------------------------------------------------------ what the console's customer view shows

  async customerSummary(tx: SqlTx, userId: string): Promise<{
    risk: { score: number; band: string; version: string; factors: Record<string, number>; computedAt: Date } | null;
    frozen: boolean;
    freezes: FreezeRow[];
    openAlerts: number;
    alerts: AlertRow[];
    screenings: (Omit<ScreeningRow, 'hits_sealed'> & { hits: ScreeningHit[] | null })[];
  }> {
    const risk = await this.repository.risk(tx, userId);
    const screenings = await this.repository.screeningsOf(tx, userId, 20);
    return {
      risk: risk ? { score: risk.score, band: risk.band, version: risk.version, factors: risk.factors, computedAt: risk.computed_at } : null,
      frozen: await this.repository.isFrozen(tx, userId),
      freezes: await this.repository.freezesOf(tx, userId),
      openAlerts: await this.repository.countOpenAlerts(tx, userId),
      alerts: await this.repository.alerts(tx, { userId, limit: 50, offset: 0 }),
      screenings: await Promise.all(screenings.map(async ({ hits_sealed, ...s }) => ({ ...s, hits: await this.openHits(tx, { ...s, hits_sealed }) }))),
    };
  }
}
