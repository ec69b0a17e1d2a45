// Drains the delivery queue: claims due rows (SKIP LOCKED, with a lease) tenant by tenant — the
// queue is under row-level security like every tenant table — reading in the claim's transaction
// what they send, sends each once, and records a tenant's outcomes in one transaction: sent,
// skipped (nothing to send to), retried later with exponential backoff, or dead after the
// configured number of attempts (visible to the tenant's admins). Sends happen outside any
// transaction; a crash between the sends and their record means those rows are sent again after
// the lease with the same webhook-id / Message-ID, which receivers deduplicate.
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { SqlTx } from '@bulwark/shared-contracts/wall';
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
import { NotificationsRepository, type DeliveryRow, type EndpointRow, type OutboxRow } from './notifications.repository.js';
import { MailSender, sendWebhook, type SendResult } from './senders.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';

export const DISPATCH_BATCH_MAX = 20;
export const DELIVERY_LEASE_MS = 60_000;

type Outcome = SendResult | { readonly skipped: string };

/** One tenant's claimed deliveries and what they send, read in the claim's transaction. */
interface TenantClaim {
  readonly tenantId: string;
  readonly deliveries: readonly DeliveryRow[];
  readonly outboxes: ReadonlyMap<string, OutboxRow>;
  readonly emails: ReadonlyMap<string, string | null>;
  readonly endpoints: ReadonlyMap<string, EndpointRow>;
}

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
    // One claim per tenant, in that tenant's transaction, which also reads what the claimed rows
    // send (their outbox rows, addresses and endpoints): no read of the queue crosses tenants.
    const claims: TenantClaim[] = [];
    const now = this.clock.now();
    for (const tenant of await this.tenants.list()) {
      const claim = await this.scope.run(tenant.id, (tx) => this.claim(tx, tenant.id, now)).catch((error: unknown) => {
        // This tenant's rows stay due (the claim rolled back); the others are sent all the same.
        this.logger.error({ err: error, msg: 'notification claim failed', tenantId: tenant.id });
        return undefined;
      });
      if (claim) claims.push(claim);
    }
    // UPDATE ... RETURNING has no order: send in the order the notifications were raised.
    const sends = claims.flatMap((claim) => claim.deliveries.map((delivery) => ({ claim, delivery })));
    sends.sort((a, b) => a.delivery.created_at.getTime() - b.delivery.created_at.getTime() || a.delivery.id.localeCompare(b.delivery.id));
    const outcomes = new Map<string, Outcome>();
    for (const { claim, delivery } of sends) outcomes.set(delivery.id, await this.attempt(claim, delivery));
    // The outcomes, one transaction per tenant, with the tenant set so that giving up is audited in it.
    for (const claim of claims) {
      const results = claim.deliveries.map((delivery) => ({ delivery, outcome: outcomes.get(delivery.id) as Outcome }));
      await this.scope.run(claim.tenantId, (tx) => this.record(tx, results)).catch((error: unknown) => {
        // Left 'sending': sent again once the lease runs out, under the same ids.
        this.logger.error({ err: error, msg: 'notification outcomes not recorded', tenantId: claim.tenantId });
      });
    }
    return sends.length;
  }

  private async claim(tx: SqlTx, tenantId: string, now: Date): Promise<TenantClaim | undefined> {
    const deliveries = await this.repository.claimDue(tx, now, DELIVERY_LEASE_MS, DISPATCH_BATCH_MAX);
    if (deliveries.length === 0) return undefined;
    const targets = (channel: DeliveryRow['channel']) => [...new Set(deliveries.filter((d) => d.channel === channel).map((d) => d.target))];
    return {
      tenantId,
      deliveries,
      outboxes: await this.repository.outboxes(tx, [...new Set(deliveries.map((d) => d.outbox_id))]),
      emails: await this.auth.emailsOf(tx, targets('email')),
      endpoints: await this.repository.endpoints(tx, targets('webhook')),
    };
  }

  private async record(tx: SqlTx, results: readonly { delivery: DeliveryRow; outcome: Outcome }[]): Promise<void> {
    await this.repository.markSent(tx, results.filter((r) => 'ok' in r.outcome && r.outcome.ok).map((r) => r.delivery.id), this.clock.now());
    for (const { delivery, outcome } of results) {
      if ('skipped' in outcome) await this.repository.markSkipped(tx, delivery.id, outcome.skipped);
      else if (!outcome.ok) await this.recordFailure(tx, delivery, outcome.error);
    }
  }

  private async recordFailure(tx: SqlTx, delivery: DeliveryRow, error: string): Promise<void> {
    const exhausted = delivery.attempts >= this.config.notifications.maxAttempts;
    const retryAt = exhausted ? null : new Date(this.clock.now().getTime() + backoffMs(delivery.attempts, this.config.notifications.backoffBaseMs));
    if (!(await this.repository.markFailed(tx, delivery.id, error, retryAt)) || !exhausted) return;
    this.logger.warn({ msg: 'notification delivery is dead', deliveryId: delivery.id, channel: delivery.channel, error });
    await this.audit.record(tx, {
      tenantId: delivery.tenant_id,
      ...DISPATCHER_ACTOR,
      action: 'notifications.delivery.dead',
      resource: `notification_delivery:${delivery.id}`,
      // The stored error text may quote a receiver; the chain keeps only its kind.
      diff: { outboxId: delivery.outbox_id, channel: delivery.channel, attempts: delivery.attempts, failure: failureKind(error) },
    });
  }

  /** Sends one delivery (outside any transaction); a send that throws is a failed attempt. */
  private async attempt(claim: TenantClaim, delivery: DeliveryRow): Promise<Outcome> {
    try {
      return await this.send(claim, delivery);
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message.slice(0, 200) : 'unknown error' };
    }
  }

  private async send(claim: TenantClaim, delivery: DeliveryRow): Promise<Outcome> {
    const outbox = claim.outboxes.get(delivery.outbox_id);
    if (!outbox || !(NOTIFICATION_EVENTS as readonly string[]).includes(outbox.event)) return { skipped: 'outbox row missing' };
    const event = outbox.event as NotificationEvent;
    if (delivery.channel === 'email') {
      const email = claim.emails.get(delivery.target);
      if (!email) return { skipped: 'no address (erased or unknown user)' };
      const content = EMAIL_TEMPLATES[event](outbox.data);
      if (!this.mail) return { ok: false, error: 'mail transport not started' };
      return this.mail.send(email, content.subject, content.text, delivery.id);
    }
    const endpoint = claim.endpoints.get(delivery.target);
    if (!endpoint || !endpoint.active) return { skipped: 'endpoint removed' };
    const secret = open(this.config.notifications.webhookKey.reveal(), endpoint.secret_sealed, webhookSecretContext(endpoint.id));
    const now = this.clock.now();
    const payload = JSON.stringify({
      type: event,
      timestamp: outbox.created_at.toISOString(),
      data: { ...outbox.data, notificationId: outbox.id, ...(outbox.user_id ? { userId: outbox.user_id } : {}) },
    });
    return sendWebhook(endpoint.url, secret, delivery.id, payload, now, this.config.notifications.webhookTargets);
  }
}
