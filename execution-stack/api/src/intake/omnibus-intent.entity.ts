import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** An intent received from a tenant's omnibus account: opaque references and amounts only. */
@Entity({ name: 'omnibus_intent' })
@Index('omnibus_intent_pool', ['instrumentId', 'side', 'limitPrice', 'timeInForce', 'status'])
@Check('omnibus_intent_side', `"side" IN ('buy', 'sell')`)
@Check('omnibus_intent_tif', `"time_in_force" IN ('GTC', 'IOC', 'FOK', 'GTD')`)
@Check('omnibus_intent_status', `"status" IN ('accepted', 'rejected')`)
@Check('omnibus_intent_positive', `"quantity" > 0 AND "limit_price" > 0`)
@Check('omnibus_intent_reject_code', `("status" = 'rejected') = ("reject_code" IS NOT NULL)`)
export class OmnibusIntentEntity {
  @PrimaryColumn({ name: 'intent_id', type: 'uuid' })
  intentId!: string;

  @Column({ name: 'account_ref', type: 'uuid' })
  accountRef!: string;

  @Column({ name: 'tenant_ref', type: 'uuid' })
  tenantRef!: string;

  @Column({ name: 'instrument_id', type: 'uuid' })
  instrumentId!: string;

  @Column({ type: 'text' })
  side!: 'buy' | 'sell';

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  quantity!: string;

  @Column({ name: 'limit_price', type: 'numeric', precision: 38, scale: 18 })
  limitPrice!: string;

  @Column({ name: 'time_in_force', type: 'text' })
  timeInForce!: 'GTC' | 'IOC' | 'FOK' | 'GTD';

  /** When a GTD intent expires (from its intent.submitted.v1); null for the other times in force. */
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ type: 'text' })
  status!: 'accepted' | 'rejected';

  @Column({ name: 'reject_code', type: 'text', nullable: true })
  rejectCode!: string | null;

  @Column({ name: 'message_id', type: 'uuid' })
  messageId!: string;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  /** When an intent.cancel.v1 withdrew it before it was pooled; null otherwise. */
  @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true })
  cancelledAt!: Date | null;
}
