import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const INTENT_STATUSES = ['submitted', 'accepted', 'rejected'] as const;
export type IntentStatus = (typeof INTENT_STATUSES)[number];

/** An investor's order intent as the customer stack records it (no personal data crosses). */
@Entity({ name: 'order_intent' })
@Index('order_intent_account_created', ['accountRef', 'createdAt'])
@Check('order_intent_side', `"side" IN ('buy', 'sell')`)
@Check('order_intent_tif', `"time_in_force" IN ('GTC', 'IOC', 'FOK')`)
@Check('order_intent_status', `"status" IN ('submitted', 'accepted', 'rejected')`)
@Check('order_intent_positive', `"quantity" > 0 AND "limit_price" > 0`)
@Check('order_intent_reject_code', `("status" = 'rejected') = ("reject_code" IS NOT NULL)`)
export class OrderIntentEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'account_ref', type: 'uuid' })
  accountRef!: string;

  /** The tenant (row-level security); crosses the wall as `tenantRef`. */
  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'instrument_id', type: 'uuid' })
  instrumentId!: string;

  @Column({ type: 'text' })
  side!: 'buy' | 'sell';

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  quantity!: string;

  @Column({ name: 'limit_price', type: 'numeric', precision: 38, scale: 18 })
  limitPrice!: string;

  @Column({ name: 'time_in_force', type: 'text' })
  timeInForce!: 'GTC' | 'IOC' | 'FOK';

  @Column({ type: 'text' })
  status!: IntentStatus;

  @Column({ name: 'reject_code', type: 'text', nullable: true })
  rejectCode!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
