// Auth's part of data protection: what the subject-access export shows of a person's account,
// second factor, sessions and devices, and what erasure does here besides the vault destroying
// the person's key (which already makes the sealed email and User-Agents unreadable): the email's
// lookup hash goes, so sign-in by that address finds nobody; every session ends; the second
// factor and the device hashes go. Erasure is audited in its own transaction.
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { SqlTx } from '@bulwark/shared-contracts/wall';
import { AuditService } from '../audit/audit.service.js';
import { SubjectDataRegistry } from '../privacy/subject-data.registry.js';
import { AUTH_AUDIT_ACTIONS, AUTH_SYSTEM_ACTOR, userResource } from './auth-audit.js';
import { CLOCK, type Clock } from './clock.js';
import { SessionsRepository } from './sessions.repository.js';
import { UsersRepository } from './users.repository.js';

export const AUTH_SUBJECT_SECTION = 'auth.account';

@Injectable()
export class AuthSubjectData implements OnModuleInit {
  constructor(
    @Inject(SubjectDataRegistry) private readonly registry: SubjectDataRegistry,
    @Inject(UsersRepository) private readonly users: UsersRepository,
    @Inject(SessionsRepository) private readonly sessions: SessionsRepository,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.registry.register(AUTH_SUBJECT_SECTION, (tx, subjectId) => this.exportOf(tx, subjectId));
    this.registry.registerEraser(AUTH_SUBJECT_SECTION, (tx, subjectId) => this.erase(tx, subjectId));
  }

  async exportOf(tx: SqlTx, subjectId: string): Promise<Record<string, unknown> | null> {
    const account = await this.users.exportOf(tx, subjectId);
    if (!account) return null;
    const [totp] = await tx.query<{ enabled_at: Date | null; created_at: Date }>('SELECT enabled_at, created_at FROM user_totp WHERE user_id = $1', [subjectId]);
    const devices = await tx.query<{ first_seen_at: Date }>('SELECT first_seen_at FROM known_device WHERE user_id = $1 ORDER BY first_seen_at', [subjectId]);
    const sessions = await this.sessions.listForUser(tx, subjectId);
    return {
      ...account,
      secondFactor: totp ? { enrolledAt: totp.created_at.toISOString(), enabledAt: totp.enabled_at?.toISOString() ?? null } : null,
      knownDevices: devices.map((d) => ({ firstSeenAt: d.first_seen_at.toISOString() })),
      sessions: sessions.map((s) => ({
        id: s.id,
        userAgent: s.userAgent,
        createdAt: s.createdAt.toISOString(),
        lastUsedAt: s.lastUsedAt.toISOString(),
        expiresAt: s.expiresAt.toISOString(),
        revokedAt: s.revokedAt?.toISOString() ?? null,
        revokeReason: s.revokeReason,
      })),
    };
  }

  private async erase(tx: SqlTx, subjectId: string): Promise<void> {
    const now = this.clock.now();
    if (!(await this.users.erase(tx, subjectId, now))) return;
    const revoked = await this.sessions.revokeAllForUser(tx, subjectId, 'erased', now);
    await tx.query('DELETE FROM user_totp WHERE user_id = $1', [subjectId]);
    await tx.query('DELETE FROM known_device WHERE user_id = $1', [subjectId]);
    await this.audit.record(tx, {
      tenantId: await this.tenantOf(tx),
      ...AUTH_SYSTEM_ACTOR,
      action: AUTH_AUDIT_ACTIONS.accountErased,
      resource: userResource(subjectId),
      diff: { sessionsRevoked: revoked },
    });
  }

  private async tenantOf(tx: SqlTx): Promise<string> {
    const [row] = await tx.query<{ tenant: string }>(`SELECT current_setting('bulwark.tenant_id', true) AS tenant`);
    if (!row?.tenant) throw new Error('erasure runs inside a tenant transaction');
    return row.tenant;
  }
}
