// Notifications' part of data protection: the subject-access export lists what was sent (or is
// queued) to a person, and erasure blanks the data of their notifications (it may describe
// their device) and skips emails still queued for them (their address is gone with their key).
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { SqlTx } from '@bulwark/shared-contracts/wall';
import { SubjectDataRegistry } from '../privacy/subject-data.registry.js';

export const NOTIFICATIONS_SUBJECT_SECTION = 'notifications.messages';
export const NOTIFICATIONS_EXPORTED_MAX = 1_000;

@Injectable()
export class NotificationSubjectData implements OnModuleInit {
  constructor(@Inject(SubjectDataRegistry) private readonly registry: SubjectDataRegistry) {}

  onModuleInit(): void {
    this.registry.register(NOTIFICATIONS_SUBJECT_SECTION, (tx, subjectId) => this.exportOf(tx, subjectId));
    this.registry.registerEraser(NOTIFICATIONS_SUBJECT_SECTION, (tx, subjectId) => this.erase(tx, subjectId));
  }

  private async exportOf(tx: SqlTx, subjectId: string): Promise<unknown[]> {
    const rows = await tx.query<{ id: string; event: string; data: Record<string, string>; created_at: Date; status: string | null; sent_at: Date | null }>(
      `SELECT o.id, o.event, o.data, o.created_at, d.status, d.sent_at
         FROM notification_outbox o
         LEFT JOIN notification_delivery d ON d.outbox_id = o.id AND d.channel = 'email' AND d.target = o.user_id
        WHERE o.user_id = $1 ORDER BY o.created_at, o.id LIMIT $2`,
      [subjectId, NOTIFICATIONS_EXPORTED_MAX],
    );
    return rows.map((r) => ({
      id: r.id,
      event: r.event,
      data: r.data,
      createdAt: r.created_at.toISOString(),
      email: r.status ? { status: r.status, sentAt: r.sent_at?.toISOString() ?? null } : null,
    }));
  }

  private async erase(tx: SqlTx, subjectId: string): Promise<void> {
    await tx.query(`UPDATE notification_outbox SET data = '{}'::jsonb WHERE user_id = $1`, [subjectId]);
    await tx.query(
      `UPDATE notification_delivery SET status = 'skipped', last_error = 'subject erased'
        WHERE channel = 'email' AND target = $1 AND status = 'pending' AND tenant_id = NULLIF(current_setting('bulwark.tenant_id', true), '')::uuid`,
      [subjectId],
    );
  }
}
