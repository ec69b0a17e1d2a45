// Data protection for the people this stack holds data on: consent records, the subject-access
// export, and erasure by destroying the person's key. Every change is audited in its transaction.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { z } from 'zod';
import { detectPii } from '@bulwark/shared-contracts';
import type { SqlTx } from '@bulwark/shared-contracts/wall';
import { AuditService, type AuditActor } from '../audit/audit.service.js';
import { TenantScope } from '../tenancy/tenant-scope.js';
import { PersonalDataVault } from './personal-data-vault.js';
import { ConsentInput, ErasureInput } from './privacy.dto.js';
import { PrivacyError } from './privacy.errors.js';
import { SubjectDataRegistry } from './subject-data.registry.js';

export interface ConsentState {
  readonly purpose: string;
  readonly granted: boolean;
  readonly source: string;
  readonly recordedAt: string;
}

export interface SubjectExport {
  readonly subjectId: string;
  readonly tenantId: string;
  readonly generatedAt: string;
  readonly erased: boolean;
  readonly sections: Record<string, unknown>;
}

export const CONSENT_HISTORY_MAX = 1_000;

export function parseInput<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new PrivacyError('invalid_request', parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  return parsed.data;
}

/** Free text that lands in registers and the audit chain must not carry personal data. */
export function assertNoPersonalData(fields: Record<string, string>): void {
  const [finding] = detectPii(fields);
  if (finding) throw new PrivacyError('contains_personal_data', `${finding.path} (${finding.entity})`);
}

@Injectable()
export class PrivacyService implements OnModuleInit {
  constructor(
    @Inject(TenantScope) private readonly scope: TenantScope,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(PersonalDataVault) private readonly vault: PersonalDataVault,
    @Inject(SubjectDataRegistry) private readonly registry: SubjectDataRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register('privacy.consents', async (tx, subjectId) => this.consentHistory(tx, subjectId));
    this.registry.register('privacy.key', async (tx, subjectId) => {
      const [row] = await tx.query<{ created_at: Date; erased_at: Date | null }>('SELECT created_at, erased_at FROM person_key WHERE subject_id = $1', [subjectId]);
      return row ? { createdAt: row.created_at.toISOString(), erasedAt: row.erased_at?.toISOString() ?? null } : null;
    });
    this.registry.register('audit.entries', async (tx, subjectId) => {
      const entries = [...(await this.audit.ofResource(tx, `user:${subjectId}`)), ...(await this.audit.ofResource(tx, `person:${subjectId}`))];
      return entries
        .sort((a, b) => (a.seq < b.seq ? -1 : 1))
        .map((e) => ({ seq: e.seq.toString(), time: e.time.toISOString(), actor: e.actor, role: e.role, action: e.action, resource: e.resource, diff: e.diff }));
    });
  }

  /** Records a consent decision (a new row each time: the history is the record). */
  async recordConsent(who: AuditActor, tenantId: string, subjectId: string, raw: unknown): Promise<ConsentState> {
    const input: ConsentInput = parseInput(ConsentInput, raw);
    return this.scope.run(tenantId, async (tx) => {
      const id = randomUUID();
      const [row] = await tx.query<{ recorded_at: Date }>(
        `INSERT INTO consent_record (id, tenant_id, subject_id, purpose, granted, source, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp()) RETURNING recorded_at`,
        [id, tenantId, subjectId, input.purpose, input.granted, input.source],
      );
      await this.audit.record(tx, {
        tenantId, ...who, action: input.granted ? 'privacy.consent.granted' : 'privacy.consent.withdrawn', resource: `person:${subjectId}`,
        diff: { purpose: input.purpose, granted: input.granted, source: input.source, consentId: id },
      });
      return { purpose: input.purpose, granted: input.granted, source: input.source, recordedAt: (row as { recorded_at: Date }).recorded_at.toISOString() };
    });
  }

  /** The current decision per purpose (purposes never decided are absent: no consent). */
  async currentConsents(tenantId: string, subjectId: string): Promise<ConsentState[]> {
    return this.scope.run(tenantId, async (tx) => {
      const rows = await tx.query<{ purpose: string; granted: boolean; source: string; recorded_at: Date }>(
        `SELECT DISTINCT ON (purpose) purpose, granted, source, recorded_at FROM consent_record
          WHERE subject_id = $1 ORDER BY purpose, recorded_at DESC, id`,
        [subjectId],
      );
      return rows.map((r) => ({ purpose: r.purpose, granted: r.granted, source: r.source, recordedAt: r.recorded_at.toISOString() }));
    });
  }

  /** Everything held on a person, as JSON, gathered from every registered module; audited. */
  async exportSubject(who: AuditActor, tenantId: string, subjectId: string): Promise<SubjectExport> {
    return this.scope.run(tenantId, async (tx) => {
      const sections = await this.registry.exportAll(tx, subjectId);
      const erased = await this.vault.isErased(tx, subjectId);
      await this.audit.record(tx, {
        tenantId, ...who, action: 'privacy.subject_access.exported', resource: `person:${subjectId}`, diff: { sections: Object.keys(sections) },
      });
      return { subjectId, tenantId, generatedAt: new Date().toISOString(), erased, sections };
    });
  }

  /**
   * Erases a person: destroys their key (every sealed column of theirs becomes unreadable), runs
   * the registered erasers, and audits it. Rows, ledger entries and the audit chain remain, and
   * the chain still verifies: it never held the plaintext.
   */
  async erase(who: AuditActor, tenantId: string, subjectId: string, raw: unknown): Promise<{ erased: true; keyDestroyed: boolean }> {
    const { reason } = parseInput(ErasureInput, raw);
    assertNoPersonalData({ reason });
    return this.scope.run(tenantId, async (tx) => {
      const keyDestroyed = await this.vault.destroyKey(tx, subjectId);
      const erasers = await this.registry.eraseAll(tx, subjectId);
      await this.audit.record(tx, { tenantId, ...who, action: 'privacy.subject.erased', resource: `person:${subjectId}`, diff: { reason, keyDestroyed, erasers } });
      return { erased: true, keyDestroyed };
    });
  }

  private async consentHistory(tx: SqlTx, subjectId: string): Promise<ConsentState[]> {
    const rows = await tx.query<{ purpose: string; granted: boolean; source: string; recorded_at: Date }>(
      'SELECT purpose, granted, source, recorded_at FROM consent_record WHERE subject_id = $1 ORDER BY recorded_at, id LIMIT $2',
      [subjectId, CONSENT_HISTORY_MAX],
    );
    return rows.map((r) => ({ purpose: r.purpose, granted: r.granted, source: r.source, recordedAt: r.recorded_at.toISOString() }));
  }
}
