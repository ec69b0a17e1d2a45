// Drains the delivery queue: claims due rows (SKIP LOCKED, with a lease) tenant by tenant — the
// queue is under row-level security like every tenant table — sends each once, and
// records the outcome: sent, skipped (nothing to send to), retried later with exponential
// backoff, or dead after the configured number of attempts (visible to the tenant's admins).
// Sends happen outside any transaction; a crash between a send and its record means the row is
// sent again after the lease with the same webhook-id / Message-ID, which receivers deduplicate.
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { AuthService } from '../auth/auth.service.js';
import { CLOCK, type Clock } from '../auth/clock.js';
import { open } from '../auth/secret-box.js';
import { TenantScope } from '../tenancy/tenant-scope.js';
import { TenantsService } from '../tenancy/tenants.service.js';
import { CUSTOMER_CONFIG, type CustomerConfig } from '../config/customer-config.js';
import { backoffMs } from './backoff.js';
import { EMAIL_TEMPLATES, NOTIFICATION_EVENTS, type NotificationEvent } from './notification-events.js';
import { webhookSecretContext } from './notification.service.js';
import { NotificationsRepository, type DeliveryRow } from './notifications.repository.js';
import { MailSender, sendWebhook, type SendResult } from './senders.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';

export const DISPATCH_BATCH_MAX = 20;
export const DELIVERY_LEASE_MS = 60_000;

type Outcome = SendResult | { readonly skipped: string };

const DISPATCHER_ACTOR = { actor: 'system:notifications', role: 'system' } as const;

/** `HTTP 500` stays as it is; any other failure is reduced to its error name (`TypeError`, `Error`). */
export function failureKind(error: string): string {
  if (/^HTTP \d{3}$/.test(error)) return error;
  const name = /^([A-Za-z][A-Za-z0-9]{0,40}):/.exec(error)?.[1];
  return name ?? 'error';
}

@Injectable()
export class NotificationDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Notifications');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;
  private mail: MailSender | undefined;
  private sink: SmtpSink | undefined;

  constructor(
    @Inject(CUSTOMER_CONFIG) private readonly config: CustomerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(NotificationsRepository) private readonly repository: NotificationsRepository,
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(TenantScope) private readonly scope: TenantScope,
    @Inject(TenantsService) private readonly tenants: TenantsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    let smtpUrl = this.config.notifications.smtpUrl;
    if (!smtpUrl) {
      // Outside production (the config refuses production without SMTP_URL): a local sink.
      this.sink = await startSmtpSink();
      smtpUrl = this.sink.url;
      this.logger.log({ msg: 'no SMTP_URL: emails go to a local SMTP sink', url: smtpUrl });
    }
    this.mail = new MailSender(smtpUrl, this.config.notifications.mailFrom);
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    this.mail?.close();
    await this.sink?.stop();
  }

  /** The messages the built-in sink received (development), empty with a real SMTP server. */
  get localMailbox(): SmtpSink['received'] {
    return this.sink?.received ?? [];
  }

  /** Sends what is due now; returns how many deliveries it handled. Tests call it to drain at once. */
  async dispatchDue(): Promise<number> {
    // A drain already under way may have passed this tenant's claim before the caller's rows
    // committed: wait for it, then drain again (one drain at a time).
    while (this.running) await this.running.catch(() => undefined);
    this.running = this.drain().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.dispatchDue()
        .catch((error: unknown) => this.logger.error({ err: error, msg: 'notification dispatch failed' }))
        .finally(() => this.schedule());
    }, this.config.notifications.dispatchIntervalMs);
    this.timer.unref();
  }

  private async drain(): Promise<number> {
    // One claim per tenant, in that tenant's transaction: no read of the queue crosses tenants.
    const claimed: DeliveryRow[] = [];
    const now = this.clock.now();
    for (const tenant of await this.tenants.list()) {
      claimed.push(...(await this.scope.run(tenant.id, (tx) => this.repository.claimDue(tx, now, DELIVERY_LEASE_MS, DISPATCH_BATCH_MAX))));
    }
    // UPDATE ... RETURNING has no order: send in the order the notifications were raised.
    claimed.sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || a.id.localeCompare(b.id));
    for (const delivery of claimed) await this.deliver(delivery);
    return claimed.length;
  }

  private async deliver(delivery: DeliveryRow): Promise<void> {
    let outcome: Outcome;
    try {
      outcome = await this.attempt(delivery);
    } catch (error) {
      outcome = { ok: false, error: error instanceof Error ? error.message.slice(0, 200) : 'unknown error' };
    }
    // The delivery's tenant is set so that giving up can be audited in the same transaction.
    await this.scope.run(delivery.tenant_id, async (tx) => {
      if ('skipped' in outcome) return this.repository.markSkipped(tx, delivery.id, outcome.skipped);
      if (outcome.ok) return this.repository.markSent(tx, delivery.id, this.clock.now());
      const exhausted = delivery.attempts >= this.config.notifications.maxAttempts;
      const retryAt = exhausted ? null : new Date(this.clock.now().getTime() + backoffMs(delivery.attempts, this.config.notifications.backoffBaseMs));
      if (!(await this.repository.markFailed(tx, delivery.id, outcome.error, retryAt)) || !exhausted) return;
      this.logger.warn({ msg: 'notification delivery is dead', deliveryId: delivery.id, channel: delivery.channel, error: outcome.error });
      await this.audit.record(tx, {
        tenantId: delivery.tenant_id,
        ...DISPATCHER_ACTOR,
        action: 'notifications.delivery.dead',
        resource: `notification_delivery:${delivery.id}`,
        // The stored error text may quote a receiver; the chain keeps only its kind.
        diff: { outboxId: delivery.outbox_id, channel: delivery.channel, attempts: delivery.attempts, failure: failureKind(outcome.error) },
      });
    });
  }

  private async attempt(delivery: DeliveryRow): Promise<Outcome> {
    const loaded = await this.scope.run(delivery.tenant_id, async (tx) => {
      const outbox = await this.repository.outbox(tx, delivery.outbox_id);
      if (!outbox || !(NOTIFICATION_EVENTS as readonly string[]).includes(outbox.event)) return undefined;
      if (delivery.channel === 'email') return { outbox, email: await this.auth.emailOf(tx, delivery.target) };
      return { outbox, endpoint: await this.repository.endpoint(tx, delivery.target) };
    });
    if (!loaded) return { skipped: 'outbox row missing' };
    const event = loaded.outbox.event as NotificationEvent;
    if (delivery.channel === 'email') {
      if (!loaded.email) return { skipped: 'no address (erased or unknown user)' };
      const content = EMAIL_TEMPLATES[event](loaded.outbox.data);
      if (!this.mail) return { ok: false, error: 'mail transport not started' };
      return this.mail.send(loaded.email, content.subject, content.text, delivery.id);
    }
    const endpoint = loaded.endpoint;
    if (!endpoint || !endpoint.active) return { skipped: 'endpoint removed' };
    const secret = open(this.config.notifications.webhookKey.reveal(), endpoint.secret_sealed, webhookSecretContext(endpoint.id));
    const now = this.clock.now();
    const payload = JSON.stringify({
      type: event,
      timestamp: loaded.outbox.created_at.toISOString(),
      data: { ...loaded.outbox.data, notificationId: loaded.outbox.id, ...(loaded.outbox.user_id ? { userId: loaded.outbox.user_id } : {}) },
    });
    return sendWebhook(endpoint.url, secret, delivery.id, payload, now, this.config.notifications.webhookTargets);
  }
}
