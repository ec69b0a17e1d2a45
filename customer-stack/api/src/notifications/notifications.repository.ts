// SQL for the notification outbox, its deliveries and tenants' webhook endpoints.
import { Injectable } from '@nestjs/common';
import type { SqlTx } from '@bulwark/shared-contracts/wall';

export interface DeliveryRow {
  readonly id: string;
  readonly outbox_id: string;
  readonly tenant_id: string;
  readonly channel: 'email' | 'webhook';
  readonly target: string;
  readonly status: 'pending' | 'sending' | 'sent' | 'dead' | 'skipped';
  readonly attempts: number;
  readonly next_attempt_at: Date;
  readonly last_error: string | null;
  readonly created_at: Date;
  readonly sent_at: Date | null;
}

export interface OutboxRow {
  readonly id: string;
  readonly tenant_id: string;
  readonly user_id: string | null;
  readonly event: string;
  readonly data: Record<string, string>;
  readonly created_at: Date;
}

export interface EndpointRow {
  readonly id: string;
  readonly url: string;
  readonly secret_sealed: Buffer;
  readonly events: string[];
  readonly active: boolean;
  readonly created_at: Date;
}

@Injectable()
export class NotificationsRepository {
  async insertOutboxMany(
    tx: SqlTx,
    rows: readonly { id: string; tenantId: string; userId: string | null; event: string; data: Record<string, string>; now: Date }[],
  ): Promise<void> {
    if (rows.length === 0) return;
    await tx.query(
      `INSERT INTO notification_outbox (id, tenant_id, user_id, event, data, created_at)
       SELECT id, tenant_id, user_id, event, data::jsonb, created_at FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::timestamptz[])
         AS t(id, tenant_id, user_id, event, data, created_at)`,
      [rows.map((r) => r.id), rows.map((r) => r.tenantId), rows.map((r) => r.userId), rows.map((r) => r.event), rows.map((r) => JSON.stringify(r.data)),
        rows.map((r) => r.now.toISOString())],
    );
  }

  async insertDeliveries(
    tx: SqlTx,
    tenantId: string,
    deliveries: readonly { id: string; outboxId: string; channel: 'email' | 'webhook'; target: string }[],
    now: Date,
  ): Promise<void> {
    if (deliveries.length === 0) return;
    await tx.query(
      `INSERT INTO notification_delivery (id, outbox_id, tenant_id, channel, target, status, attempts, next_attempt_at, created_at)
       SELECT id, outbox_id, $1, channel, target, 'pending', 0, $2, $2 FROM unnest($3::uuid[], $4::uuid[], $5::text[], $6::uuid[]) AS t(id, outbox_id, channel, target)`,
      [tenantId, now, deliveries.map((d) => d.id), deliveries.map((d) => d.outboxId), deliveries.map((d) => d.channel), deliveries.map((d) => d.target)],
    );
  }

  /** The active endpoints subscribed to each event, oldest first. */
  async endpointsForEvents(tx: SqlTx, events: readonly string[]): Promise<Map<string, string[]>> {
    const rows = await tx.query<{ id: string; event: string }>(
      `SELECT w.id, e.event FROM webhook_endpoint w JOIN unnest($1::text[]) AS e(event) ON e.event = ANY(w.events) WHERE w.active ORDER BY w.created_at, w.id`,
      [events],
    );
    const byEvent = new Map<string, string[]>();
    for (const row of rows) byEvent.set(row.event, [...(byEvent.get(row.event) ?? []), row.id]);
    return byEvent;
  }

  /**
   * Claims the transaction's tenant's due deliveries (row-level security limits the UPDATE to them)
   * for this instance: pending ones whose time has come, and ones another
   * instance claimed but did not finish within the lease (it crashed). SKIP LOCKED lets several
   * instances drain the queue side by side without sending a row twice at once.
   */
  async claimDue(tx: SqlTx, now: Date, leaseMs: number, limit: number): Promise<DeliveryRow[]> {
    return tx.query<DeliveryRow>(
      `UPDATE notification_delivery d SET status = 'sending', attempts = d.attempts + 1, next_attempt_at = $1::timestamptz + make_interval(secs => $2 / 1000.0)
        WHERE d.id IN (
          SELECT id FROM notification_delivery
           WHERE status IN ('pending', 'sending') AND next_attempt_at <= $1
           ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING d.*`,
      [now, leaseMs, limit],
    );
  }

  async markSent(tx: SqlTx, ids: readonly string[], now: Date): Promise<void> {
    if (ids.length === 0) return;
    await tx.query(`UPDATE notification_delivery SET status = 'sent', sent_at = $2, last_error = NULL WHERE id = ANY($1::uuid[]) AND status = 'sending'`, [ids, now]);
  }

  async markSkipped(tx: SqlTx, id: string, reason: string): Promise<void> {
    await tx.query(`UPDATE notification_delivery SET status = 'skipped', last_error = $2 WHERE id = $1 AND status = 'sending'`, [id, reason]);
  }

  /** Records a failed attempt; false when the row was no longer this attempt's (another instance took it over). */
  async markFailed(tx: SqlTx, id: string, error: string, retryAt: Date | null): Promise<boolean> {
    const rows = await tx.query(
      `UPDATE notification_delivery SET status = CASE WHEN $3::timestamptz IS NULL THEN 'dead' ELSE 'pending' END,
              next_attempt_at = COALESCE($3::timestamptz, next_attempt_at), last_error = $2
        WHERE id = $1 AND status = 'sending' RETURNING id`,
      [id, error, retryAt],
    );
    return rows.length === 1;
  }

  async outboxes(tx: SqlTx, ids: readonly string[]): Promise<Map<string, OutboxRow>> {
    if (ids.length === 0) return new Map();
    const rows = await tx.query<OutboxRow>(`SELECT * FROM notification_outbox WHERE id = ANY($1::uuid[])`, [ids]);
    return new Map(rows.map((row) => [row.id, row]));
  }

  async endpoints(tx: SqlTx, ids: readonly string[]): Promise<Map<string, EndpointRow>> {
    if (ids.length === 0) return new Map();
    const rows = await tx.query<EndpointRow>(`SELECT * FROM webhook_endpoint WHERE id = ANY($1::uuid[])`, [ids]);
    return new Map(rows.map((row) => [row.id, row]));
  }

  async insertEndpoint(
    tx: SqlTx,
    row: { id: string; tenantId: string; url: string; secretSealed: Buffer; events: readonly string[]; createdBy: string; now: Date },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO webhook_endpoint (id, tenant_id, url, secret_sealed, events, active, created_by, created_at) VALUES ($1, $2, $3, $4, $5::text[], true, $6, $7)`,
      [row.id, row.tenantId, row.url, row.secretSealed, row.events, row.createdBy, row.now],
    );
  }

  async listEndpoints(tx: SqlTx): Promise<EndpointRow[]> {
    return tx.query<EndpointRow>(`SELECT * FROM webhook_endpoint ORDER BY created_at`);
  }

  async deactivateEndpoint(tx: SqlTx, id: string): Promise<boolean> {
    return (await tx.query(`UPDATE webhook_endpoint SET active = false WHERE id = $1 AND active RETURNING id`, [id])).length === 1;
  }

  /** A tenant's deliveries in a state (row-level security filters too: the explicit tenant keeps the index in use). */
  async deliveriesOf(tx: SqlTx, tenantId: string, status: DeliveryRow['status'], limit: number): Promise<DeliveryRow[]> {
    return tx.query<DeliveryRow>(`SELECT * FROM notification_delivery WHERE tenant_id = $1 AND status = $2 ORDER BY created_at DESC LIMIT $3`, [
      tenantId,
      status,
      limit,
    ]);
  }

  async requeueDead(tx: SqlTx, tenantId: string, id: string, now: Date): Promise<boolean> {
    const rows = await tx.query(
      `UPDATE notification_delivery SET status = 'pending', attempts = 0, next_attempt_at = $3, last_error = NULL
        WHERE id = $1 AND tenant_id = $2 AND status = 'dead' RETURNING id`,
      [id, tenantId, now],
    );
    return rows.length === 1;
  }
}
