// The breach-incident register: what happened, how bad, how many people, and whether the
// regulator (within 72 hours of detection) and the people affected were told. No personal data.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AuditService, type AuditActor } from '../audit/audit.service.js';
import { TenantScope } from '../tenancy/tenant-scope.js';
import { BreachInput, BreachUpdate } from './privacy.dto.js';
import { PrivacyError } from './privacy.errors.js';
import { assertNoPersonalData, parseInput } from './privacy.service.js';

/** The regulator must hear of a breach within this long of its detection. */
export const REGULATOR_DEADLINE_MS = 72 * 3_600_000;
export const BREACH_LIST_MAX = 500;

export interface BreachIncident {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly category: string;
  readonly severity: string;
  readonly affectedSubjects: number;
  readonly status: string;
  readonly detectedAt: string;
  readonly regulatorDeadlineAt: string;
  readonly regulatorNotifiedAt: string | null;
  readonly subjectsNotifiedAt: string | null;
  /** True while the regulator has not been told and the deadline has passed. */
  readonly regulatorOverdue: boolean;
  readonly reportedBy: string;
}

interface BreachRow {
  id: string;
  title: string;
  description: string;
  category: string;
  severity: string;
  affected_subjects: number;
  status: string;
  detected_at: Date;
  regulator_deadline_at: Date;
  regulator_notified_at: Date | null;
  subjects_notified_at: Date | null;
  reported_by: string;
}

@Injectable()
export class BreachRegisterService {
  constructor(
    @Inject(TenantScope) private readonly scope: TenantScope,
    @Inject(AuditService) private readonly audit: AuditService,
  ) {}

  async report(who: AuditActor, tenantId: string, raw: unknown): Promise<BreachIncident> {
    const input = parseInput(BreachInput, raw);
    assertNoPersonalData({ title: input.title, description: input.description });
    const detectedAt = new Date(input.detectedAt);
    if (detectedAt.getTime() > Date.now() + 60_000) throw new PrivacyError('invalid_request', 'detectedAt is in the future');
    return this.scope.run(tenantId, async (tx) => {
      const id = randomUUID();
      const [row] = await tx.query<BreachRow>(
        `INSERT INTO breach_incident (id, tenant_id, title, description, category, severity, affected_subjects, status, detected_at,
                                      regulator_deadline_at, reported_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $10, clock_timestamp(), clock_timestamp()) RETURNING *`,
        [id, tenantId, input.title, input.description, input.category, input.severity, input.affectedSubjects, detectedAt,
          new Date(detectedAt.getTime() + REGULATOR_DEADLINE_MS), who.actor],
      );
      await this.audit.record(tx, {
        tenantId, ...who, action: 'privacy.breach.reported', resource: `breach_incident:${id}`,
        diff: { category: input.category, severity: input.severity, affectedSubjects: input.affectedSubjects, detectedAt: input.detectedAt },
      });
      return incidentOf(row as BreachRow);
    });
  }

  async update(who: AuditActor, tenantId: string, id: string, raw: unknown): Promise<BreachIncident> {
    const update = parseInput(BreachUpdate, raw);
    return this.scope.run(tenantId, async (tx) => {
      const [row] = await tx.query<BreachRow>(
        `UPDATE breach_incident SET status = coalesce($2, status), severity = coalesce($3, severity),
                affected_subjects = coalesce($4, affected_subjects),
                regulator_notified_at = coalesce($5, regulator_notified_at), subjects_notified_at = coalesce($6, subjects_notified_at),
                updated_at = clock_timestamp()
          WHERE id = $1 RETURNING *`,
        [id, update.status ?? null, update.severity ?? null, update.affectedSubjects ?? null, update.regulatorNotifiedAt ?? null, update.subjectsNotifiedAt ?? null],
      );
      if (!row) throw new PrivacyError('breach_not_found');
      await this.audit.record(tx, { tenantId, ...who, action: 'privacy.breach.updated', resource: `breach_incident:${id}`, diff: { ...update } });
      return incidentOf(row);
    });
  }

  async list(tenantId: string): Promise<BreachIncident[]> {
    return this.scope.run(tenantId, async (tx) =>
      (await tx.query<BreachRow>('SELECT * FROM breach_incident ORDER BY detected_at DESC LIMIT $1', [BREACH_LIST_MAX])).map((row) => incidentOf(row)),
    );
  }
}

function incidentOf(row: BreachRow, now = new Date()): BreachIncident {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    category: row.category,
    severity: row.severity,
    affectedSubjects: row.affected_subjects,
    status: row.status,
    detectedAt: row.detected_at.toISOString(),
    regulatorDeadlineAt: row.regulator_deadline_at.toISOString(),
    regulatorNotifiedAt: row.regulator_notified_at?.toISOString() ?? null,
    subjectsNotifiedAt: row.subjects_notified_at?.toISOString() ?? null,
    regulatorOverdue: row.regulator_notified_at === null && row.regulator_deadline_at.getTime() < now.getTime(),
    reportedBy: row.reported_by,
  };
}
