import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { MessageBody } from '@bulwark/shared-contracts';
import type { IntentStatus, IntentTimeInForce } from './orders.views.js';

export { INTENT_STATUSES, OPEN_INTENT_STATUSES, type IntentStatus, type IntentTimeInForce } from './orders.views.js';

/** Compiles only when `Holds` is true: a property of types, checked by the build, with nothing at run time. */
type CompileTimeCheck<Holds extends true> = Holds;
type WireTimeInForce = MessageBody<'intent.submitted.v1'>['timeInForce'];
/** The views' list of times in force is the wire's, both ways (a compile error when they part). */
export type TimesInForceAgree = CompileTimeCheck<[WireTimeInForce, IntentTimeInForce] extends [IntentTimeInForce, WireTimeInForce] ? true : false>;
/**
 * Cancelled by its investor, not yet confirmed: it may still fill until the execution stack's
 * intent.closed.v1 says what it was allocated, so it keeps its hold until then.
 */
export const CANCEL_REQUESTED: IntentStatus = 'cancel_requested';
/** Past its time, not yet confirmed: like a requested cancel, it keeps its hold until intent.closed.v1. */
export const EXPIRE_REQUESTED: IntentStatus = 'expire_requested';
/** Asked to stop trading and waiting for the execution stack's intent.closed.v1: the hold stays. */
export const CLOSE_REQUESTED_STATUSES: readonly IntentStatus[] = [CANCEL_REQUESTED, EXPIRE_REQUESTED];

/** An investor's order intent as the customer stack records it (no personal data crosses). */
@Entity({ name: 'order_intent' })
@Index('order_intent_account_created', ['accountRef', 'createdAt'])
@Index('order_intent_open_expiry', ['expiresAt'], { where: `"status" IN ('submitted', 'accepted') AND "expires_at" IS NOT NULL` })
@Check('order_intent_side', `"side" IN ('buy', 'sell')`)
@Check('order_intent_tif', `"time_in_force" IN ('GTC', 'IOC', 'FOK', 'GTD')`)
@Check('order_intent_status', `"status" IN ('submitted', 'accepted', 'cancel_requested', 'expire_requested', 'rejected', 'filled', 'cancelled', 'expired')`)
@Check('order_intent_positive', `"quantity" > 0 AND "limit_price" > 0`)
@Check('order_intent_reject_code', `("status" = 'rejected') = ("reject_code" IS NOT NULL)`)
@Check('order_intent_filled', `"filled_quantity" >= 0 AND "filled_quantity" <= "quantity" AND "notional" >= 0 AND "fee" >= 0`)
@Check('order_intent_filled_status', `("status" = 'filled') = ("filled_quantity" = "quantity")`)
export class OrderIntentEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'account_ref', type: 'uuid' })
  accountRef!: string;

  /** The tenant (row-level security); crosses the wall as `tenantRef`. */
  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  /** The investor who placed it over HTTP; null for intents the platform submits itself. */
  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId!: string | null;

  @Column({ name: 'instrument_id', type: 'uuid' })
  instrumentId!: string;

  @Column({ type: 'text' })
  side!: 'buy' | 'sell';

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  quantity!: string;

  @Column({ name: 'limit_price', type: 'numeric', precision: 38, scale: 18 })
  limitPrice!: string;

  @Column({ name: 'time_in_force', type: 'text' })
  timeInForce!: IntentTimeInForce;

  @Column({ type: 'text' })
  status!: IntentStatus;

  @Column({ name: 'reject_code', type: 'text', nullable: true })
  rejectCode!: string | null;

  /** The ledger reservation holding the intent's cash (buy) or units (sell); null when none was made. */
  @Column({ name: 'reservation_id', type: 'uuid', nullable: true })
  reservationId!: string | null;

  /** Units allocated so far, and their USD notional and fees, as booked. */
  @Column({ name: 'filled_quantity', type: 'numeric', precision: 38, scale: 18, default: '0' })
  filledQuantity!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18, default: '0' })
  notional!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18, default: '0' })
  fee!: string;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** An allocation.v1 as booked: the message's key, so a repeat is recognised; append-only. */
@Entity({ name: 'order_allocation' })
@Index('order_allocation_intent', ['intentId'])
@Check('order_allocation_amounts', `"quantity" > 0 AND "notional" > 0 AND "fee" >= 0 AND "remaining_quantity" >= 0`)
export class OrderAllocationEntity {
  @PrimaryColumn({ name: 'allocation_id', type: 'uuid' })
  allocationId!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'intent_id', type: 'uuid' })
  intentId!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  quantity!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  notional!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  fee!: string;

  @Column({ name: 'remaining_quantity', type: 'numeric', precision: 38, scale: 18 })
  remainingQuantity!: string;

  @Column({ name: 'inputs_hash', type: 'char', length: 64 })
  inputsHash!: string;

  @Column({ name: 'allocated_at', type: 'timestamptz' })
  allocatedAt!: Date;

  @Column({ name: 'booked_at', type: 'timestamptz' })
  bookedAt!: Date;
}

/** A payout.v1 as booked; append-only. */
@Entity({ name: 'order_payout' })
@Index('order_payout_account', ['accountRef', 'instrumentId'])
@Check('order_payout_kind', `"kind" IN ('resolution', 'distribution')`)
@Check('order_payout_amounts', `"quantity" >= 0 AND "amount" >= 0`)
export class OrderPayoutEntity {
  @PrimaryColumn({ name: 'payout_id', type: 'uuid' })
  payoutId!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'account_ref', type: 'uuid' })
  accountRef!: string;

  @Column({ name: 'instrument_id', type: 'uuid' })
  instrumentId!: string;

  @Column({ name: 'event_ref', type: 'uuid' })
  eventRef!: string;

  @Column({ type: 'text' })
  kind!: 'resolution' | 'distribution';

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  quantity!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  amount!: string;

  @Column({ name: 'paid_at', type: 'timestamptz' })
  paidAt!: Date;

  @Column({ name: 'booked_at', type: 'timestamptz' })
  bookedAt!: Date;
}

export const ORDER_ENTITIES = [OrderIntentEntity, OrderAllocationEntity, OrderPayoutEntity];
