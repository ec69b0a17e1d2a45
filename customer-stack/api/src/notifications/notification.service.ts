// Notifications: other modules enqueue an event in their own transaction (the outbox), and the
// dispatcher sends it later, email to the user and Standard Webhooks to the tenant's endpoints.
// Tenant admins manage their endpoints and see deliveries that gave up (dead).
import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { assert } from '@bulwark/shared-contracts';
import type { SqlTx } from '@bulwark/shared-contracts/wall';
import { auditActorOf } from '../audit/audit-actor.js';
import { AuditService } from '../audit/audit.service.js';
import { CLOCK, type Clock } from '../auth/clock.js';
import type { Principal } from '../auth/principal.js';
import { seal } from '../auth/secret-box.js';
import { TenantScope } from '../tenancy/tenant-scope.js';
import { CUSTOMER_CONFIG, type CustomerConfig } from '../config/customer-config.js';
import { NotificationInput, type NotificationEvent } from './notification-events.js';
import { NotificationsRepository, type DeliveryRow } from './notifications.repository.js';
import { WebhookTargetRefused, checkWebhookTarget } from './webhook-target.js';

export const WEBHOOK_ENDPOINTS_PER_TENANT_MAX = 20;
export const DELIVERIES_LISTED_MAX = 200;
/** Notifications one enqueueMany records (a booked batch of allocations, one per filled intent). */
export const NOTIFICATIONS_PER_ENQUEUE_MAX = 1_000;

export interface WebhookEndpointView {
  readonly id: string;
  readonly url: string;
  readonly events: string[];
  readonly active: boolean;
  readonly createdAt: string;
}

export interface DeliveryView {
  readonly id: string;
  readonly outboxId: string;
  readonly channel: 'email' | 'webhook';
  readonly target: string;
  readonly status: DeliveryRow['status'];
  readonly attempts: number;
  readonly lastError: string | null;
  readonly createdAt: string;
}

export class NotificationError extends Error {
  constructor(
    readonly code: 'endpoint_limit' | 'endpoint_not_found' | 'delivery_not_dead' | 'endpoint_target_refused',
    readonly detail?: string,
  ) {
    super(code);
  }
}

export function webhookSecretContext(endpointId: string): string {
  return `webhook:${endpointId}`;
}

@Injectable()
export class NotificationService {
  constructor(
    @Inject(CUSTOMER_CONFIG) private readonly config: CustomerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(NotificationsRepository) private readonly repository: NotificationsRepository,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(TenantScope) private readonly scope: TenantScope,
  ) {}

  /**
   * Records a notification in the caller's transaction (whose tenant is set): it is sent if and
   * only if that transaction commits. One delivery per channel and target, each sent once.
   */
  async enqueue(tx: SqlTx, input: { tenantId: string; userId?: string; event: NotificationEvent; data: Record<string, string> }): Promise<string> {
    const [outboxId] = await this.enqueueMany(tx, [input]);
    assert(outboxId !== undefined, 'one notification enqueued');
    return outboxId;
  }

  /**
   * Records notifications of the transaction's tenant in order, as enqueue does each, in a fixed
   * number of statements (a booked batch of allocations notifies in one go); returns their ids.
   */
  async enqueueMany(tx: SqlTx, inputs: readonly { tenantId: string; userId?: string; event: NotificationEvent; data: Record<string, string> }[]): Promise<string[]> {
    assert(inputs.length <= NOTIFICATIONS_PER_ENQUEUE_MAX, 'notifications per enqueue within limit');
    if (inputs.length === 0) return [];
    const parsed = inputs.map((input) => NotificationInput.parse(input));
    const [scope] = await tx.query<{ tenant: string | null }>(`SELECT current_setting('bulwark.tenant_id', true) AS tenant`);
    assert(parsed.every((n) => scope?.tenant === n.tenantId), 'notifications are enqueued inside a transaction of their own tenant');
    const now = this.clock.now();
    const outbox = parsed.map(({ tenantId, userId, event, data }) => ({ id: randomUUID(), tenantId, userId: userId ?? null, event, data, now }));
    await this.repository.insertOutboxMany(tx, outbox);
    const endpoints = await this.repository.endpointsForEvents(tx, [...new Set(parsed.map((n) => n.event))]);
    const deliveries = outbox.flatMap((row) => [
      ...(row.userId ? [{ id: randomUUID(), outboxId: row.id, channel: 'email' as const, target: row.userId }] : []),
      ...(endpoints.get(row.event) ?? []).map((endpoint) => ({ id: randomUUID(), outboxId: row.id, channel: 'webhook' as const, target: endpoint })),
    ]);
    await this.repository.insertDeliveries(tx, outbox[0]?.tenantId ?? '', deliveries, now);
    assert(outbox.length === inputs.length, 'one outbox row per notification');
    return outbox.map((row) => row.id);
  }

  /** Registers a tenant endpoint; its signing secret is returned this once and stored sealed. */
  async addWebhook(admin: Principal, url: string, events: readonly NotificationEvent[]): Promise<{ id: string; secret: string }> {
    try {
      await checkWebhookTarget(this.config.notifications.webhookTargets, new URL(url));
    } catch (error) {
      if (error instanceof WebhookTargetRefused) throw new NotificationError('endpoint_target_refused', error.message);
      throw error;
    }
    const id = randomUUID();
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    await this.scope.run(admin.tenantId, async (tx) => {
      const active = (await this.repository.listEndpoints(tx)).filter((endpoint) => endpoint.active);
      if (active.length >= WEBHOOK_ENDPOINTS_PER_TENANT_MAX) throw new NotificationError('endpoint_limit');
      await this.repository.insertEndpoint(tx, {
        id,
        tenantId: admin.tenantId,
        url,
        secretSealed: seal(this.config.notifications.webhookKey.reveal(), secret, webhookSecretContext(id)),
        events,
        createdBy: admin.userId,
        now: this.clock.now(),
      });
      await this.audit.record(tx, {
        tenantId: admin.tenantId,
        ...auditActorOf(admin, 'webhooks:manage'),
        action: 'notifications.webhook.added',
        resource: `webhook_endpoint:${id}`,
        diff: { origin: new URL(url).origin, events: [...events] },
      });
    });
    return { id, secret };
  }

  async listWebhooks(admin: Principal): Promise<WebhookEndpointView[]> {
    const rows = await this.scope.run(admin.tenantId, (tx) => this.repository.listEndpoints(tx));
    return rows.map((row) => ({ id: row.id, url: row.url, events: row.events, active: row.active, createdAt: row.created_at.toISOString() }));
  }

  async removeWebhook(admin: Principal, id: string): Promise<void> {
    const removed = await this.scope.run(admin.tenantId, async (tx) => {
      if (!(await this.repository.deactivateEndpoint(tx, id))) return false;
      const who = auditActorOf(admin, 'webhooks:manage');
      await this.audit.record(tx, { tenantId: admin.tenantId, ...who, action: 'notifications.webhook.removed', resource: `webhook_endpoint:${id}` });
      return true;
    });
    if (!removed) throw new NotificationError('endpoint_not_found');
  }

  async deliveries(admin: Principal, status: DeliveryRow['status']): Promise<DeliveryView[]> {
    const rows = await this.scope.run(admin.tenantId, (tx) => this.repository.deliveriesOf(tx, admin.tenantId, status, DELIVERIES_LISTED_MAX));
    return rows.map((row) => ({
      id: row.id,
      outboxId: row.outbox_id,
      channel: row.channel,
      target: row.target,
      status: row.status,
      attempts: row.attempts,
      lastError: row.last_error,
      createdAt: row.created_at.toISOString(),
    }));
  }

  /** Gives a dead delivery a fresh set of attempts (after the receiver was fixed). */
  async retryDead(admin: Principal, deliveryId: string): Promise<void> {
    const requeued = await this.scope.run(admin.tenantId, async (tx) => {
      if (!(await this.repository.requeueDead(tx, admin.tenantId, deliveryId, this.clock.now()))) return false;
      await this.audit.record(tx, {
        tenantId: admin.tenantId,
        ...auditActorOf(admin, 'webhooks:manage'),
        action: 'notifications.delivery.requeued',
        resource: `notification_delivery:${deliveryId}`,
      });
      return true;
    });
    if (!requeued) throw new NotificationError('delivery_not_dead');
  }
}
