// Notifications' tables, all tenant-scoped under row-level security: notification_outbox (what
// happened), webhook_endpoint and notification_delivery, the work queue the dispatcher drains
// tenant by tenant (ids, states and short error codes only: never a payload, an address or a URL).
import { Check, Column, Entity, Index, PrimaryColumn, Unique } from 'typeorm';

@Entity({ name: 'notification_outbox' })
export class NotificationOutboxEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId!: string | null;

  @Column({ type: 'text' })
  event!: string;

  @Column({ type: 'jsonb' })
  data!: Record<string, string>;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** One send of one outbox row on one channel to one target (the user for email, an endpoint for webhooks). */
@Entity({ name: 'notification_delivery' })
@Unique('notification_delivery_once', ['outboxId', 'channel', 'target'])
@Index('notification_delivery_due', ['nextAttemptAt'], { where: `"status" IN ('pending', 'sending')` })
@Index('notification_delivery_tenant_status', ['tenantId', 'status', 'createdAt'])
@Check('notification_delivery_channel', `"channel" IN ('email', 'webhook')`)
@Check('notification_delivery_status', `"status" IN ('pending', 'sending', 'sent', 'dead', 'skipped')`)
@Check('notification_delivery_attempts', `"attempts" >= 0`)
export class NotificationDeliveryEntity {
  /** Also the webhook-id and the email Message-ID: stable across retries, so receivers can deduplicate. */
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'outbox_id', type: 'uuid' })
  outboxId!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text' })
  channel!: 'email' | 'webhook';

  @Column({ type: 'uuid' })
  target!: string;

  @Column({ type: 'text' })
  status!: 'pending' | 'sending' | 'sent' | 'dead' | 'skipped';

  @Column({ type: 'integer' })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt!: Date;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;
}

@Entity({ name: 'webhook_endpoint' })
@Index('webhook_endpoint_tenant', ['tenantId', 'active'])
export class WebhookEndpointEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text' })
  url!: string;

  /** The Standard Webhooks signing secret, AES-256-GCM sealed under NOTIFY_WEBHOOK_KEY. */
  @Column({ name: 'secret_sealed', type: 'bytea' })
  secretSealed!: Buffer;

  @Column({ type: 'text', array: true })
  events!: string[];

  @Column({ type: 'boolean' })
  active!: boolean;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

export const NOTIFICATION_ENTITIES = [NotificationOutboxEntity, NotificationDeliveryEntity, WebhookEndpointEntity];
