import { Check, Column, Entity, Index, PrimaryColumn, Unique } from 'typeorm';

/**
 * An accepted intent in the aggregator: waiting in its pool's window, then part of one omnibus
 * order. `seq` is the acceptance order the allocation's tie-break uses.
 */
@Entity({ name: 'pooled_intent' })
@Unique('pooled_intent_seq', ['seq'])
@Index('pooled_intent_window', ['status', 'tenantRef', 'instrumentId', 'side', 'limitPrice', 'timeInForce'])
@Index('pooled_intent_order', ['orderRef', 'seq'])
@Index('pooled_intent_expiry', ['expiresAt'], { where: `"status" IN ('waiting', 'pooled') AND "expires_at" IS NOT NULL` })
@Check('pooled_intent_status', `"status" IN ('waiting', 'pooled', 'withdrawn', 'done', 'cancelled')`)
@Check('pooled_intent_close_reason', `"close_reason" IN ('cancelled', 'expired')`)
@Check('pooled_intent_open', `"open_quantity" >= 0 AND "open_quantity" <= "quantity" AND "quantity" > 0`)
@Check('pooled_intent_pooled', `("status" IN ('waiting', 'cancelled')) = ("order_ref" IS NULL)`)
export class PooledIntentEntity {
  @PrimaryColumn({ name: 'intent_id', type: 'uuid' })
  intentId!: string;

  @Column({ type: 'bigint' })
  seq!: string;

  @Column({ name: 'tenant_ref', type: 'uuid' })
  tenantRef!: string;

  @Column({ name: 'account_ref', type: 'uuid' })
  accountRef!: string;

  @Column({ name: 'instrument_id', type: 'uuid' })
  instrumentId!: string;

  @Column({ type: 'text' })
  side!: 'buy' | 'sell';

  @Column({ name: 'limit_price', type: 'numeric', precision: 38, scale: 18 })
  limitPrice!: string;

  @Column({ name: 'time_in_force', type: 'text' })
  timeInForce!: 'GTC' | 'IOC' | 'FOK' | 'GTD';

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  quantity!: string;

  @Column({ name: 'open_quantity', type: 'numeric', precision: 38, scale: 18 })
  openQuantity!: string;

  @Column({ type: 'text' })
  /**
   * cancelled: withdrawn by intent.cancel.v1 or its expiry while still waiting (never pooled);
   * withdrawn: taken out of its omnibus order before the order ended (nothing more is allocated to it).
   */
  status!: 'waiting' | 'pooled' | 'withdrawn' | 'done' | 'cancelled';

  /** Why it was asked to close (intent.cancel.v1, or its GTD expiry here); null while nobody asked. */
  @Column({ name: 'close_reason', type: 'text', nullable: true })
  closeReason!: 'cancelled' | 'expired' | null;

  /** When a GTD intent expires; null for the other times in force. */
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  /** The reduction of its omnibus order that takes it out, while that is under way (see omnibus_order.reduction_ref). */
  @Column({ name: 'withdrawal_ref', type: 'uuid', nullable: true })
  withdrawalRef!: string | null;

  @Column({ name: 'order_ref', type: 'uuid', nullable: true })
  orderRef!: string | null;

  @Column({ name: 'accepted_at', type: 'timestamptz' })
  acceptedAt!: Date;
}

/** One omnibus order: a pool sent to one venue. */
@Entity({ name: 'omnibus_order' })
@Index('omnibus_order_open', ['status', 'venue'])
@Check('omnibus_order_status', `"status" IN ('new', 'working', 'done')`)
@Check('omnibus_order_filled', `"filled_quantity" >= 0 AND "filled_quantity" <= "quantity"`)
@Check('omnibus_order_reduction', `("reduction_ref" IS NULL) = ("reduction_quantity" IS NULL) AND ("reduction_quantity" IS NULL OR "reduction_quantity" > 0)`)
export class OmnibusOrderEntity {
  @PrimaryColumn({ name: 'order_ref', type: 'uuid' })
  orderRef!: string;

  @Column({ name: 'tenant_ref', type: 'uuid' })
  tenantRef!: string;

  @Column({ name: 'instrument_id', type: 'uuid' })
  instrumentId!: string;

  @Column({ type: 'text' })
  side!: 'buy' | 'sell';

  @Column({ name: 'limit_price', type: 'numeric', precision: 38, scale: 18 })
  limitPrice!: string;

  @Column({ name: 'time_in_force', type: 'text' })
  timeInForce!: 'GTC' | 'IOC' | 'FOK' | 'GTD';

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  quantity!: string;

  @Column({ name: 'filled_quantity', type: 'numeric', precision: 38, scale: 18, default: 0 })
  filledQuantity!: string;

  @Column({ type: 'text' })
  venue!: string;

  @Column({ type: 'text' })
  status!: 'new' | 'working' | 'done';

  /**
   * A reduction claimed before the venue is asked to take withdrawn intents' quantity off the
   * order, until its outcome is recorded: a crash in between asks again under the same ref, and
   * the venue applies a ref once. Null when none is under way.
   */
  @Column({ name: 'reduction_ref', type: 'uuid', nullable: true })
  reductionRef!: string | null;

  @Column({ name: 'reduction_quantity', type: 'numeric', precision: 38, scale: 18, nullable: true })
  reductionQuantity!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** One execution of an omnibus order at a venue, allocated once (`round_ref`). */
@Entity({ name: 'omnibus_fill' })
@Index('omnibus_fill_order', ['orderRef'])
@Index('omnibus_fill_period', ['tradedAt'])
@Check('omnibus_fill_positive', `"price" > 0 AND "quantity" > 0`)
export class OmnibusFillEntity {
  @PrimaryColumn({ name: 'fill_ref', type: 'uuid' })
  fillRef!: string;

  @Column({ name: 'order_ref', type: 'uuid' })
  orderRef!: string;

  @Column({ name: 'tenant_ref', type: 'uuid' })
  tenantRef!: string;

  @Column({ name: 'instrument_id', type: 'uuid' })
  instrumentId!: string;

  @Column({ type: 'text' })
  side!: 'buy' | 'sell';

  @Column({ type: 'text' })
  venue!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  price!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  quantity!: string;

  @Column({ name: 'round_ref', type: 'uuid', nullable: true })
  roundRef!: string | null;

  @Column({ name: 'traded_at', type: 'timestamptz' })
  tradedAt!: Date;
}

/**
 * An omnibus order sent to the internal CLOB: the book order it became. Written in the book's
 * journal transaction, so it exists exactly when the book took the command.
 */
@Entity({ name: 'clob_venue_order' })
@Unique('clob_venue_order_book', ['instrumentId', 'bookOrderId'])
export class ClobVenueOrderEntity {
  @PrimaryColumn({ name: 'order_ref', type: 'uuid' })
  orderRef!: string;

  @Column({ name: 'instrument_id', type: 'uuid' })
  instrumentId!: string;

  @Column({ name: 'book_order_id', type: 'bigint' })
  bookOrderId!: string;

  /** The omnibus member's number in the book. */
  @Column({ name: 'owner_no', type: 'integer' })
  ownerNo!: number;

  /** The book's refusal code, when it refused the order (nothing rests, nothing fills). */
  @Column({ name: 'reject_code', type: 'text', nullable: true })
  rejectCode!: string | null;

  @Column({ name: 'submitted_at', type: 'timestamptz' })
  submittedAt!: Date;
}

/**
 * A reduction of an omnibus order on the internal book (intents withdrawn from it). Written in
 * the book's journal transaction with the reduce command: it exists exactly when the book took
 * it, so the same reduction is never applied twice.
 */
@Entity({ name: 'clob_venue_reduction' })
export class ClobVenueReductionEntity {
  @PrimaryColumn({ name: 'reduction_ref', type: 'uuid' })
  reductionRef!: string;

  @Column({ name: 'order_ref', type: 'uuid' })
  orderRef!: string;

  @Column({ type: 'bigint' })
  lots!: string;

  /** The book's refusal (the order no longer rests: it filled or ended first); null when applied. */
  @Column({ name: 'reject_code', type: 'text', nullable: true })
  rejectCode!: string | null;

  @Column({ name: 'reduced_at', type: 'timestamptz' })
  reducedAt!: Date;
}

export const AGGREGATION_ENTITIES = [PooledIntentEntity, OmnibusOrderEntity, OmnibusFillEntity, ClobVenueOrderEntity, ClobVenueReductionEntity];
