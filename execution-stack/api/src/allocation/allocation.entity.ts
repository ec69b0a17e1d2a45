import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One allocation of one round of fills to one intent: what allocation.v1 carried. */
@Entity({ name: 'allocation' })
@Index('allocation_intent', ['intentId'])
@Index('allocation_round', ['roundRef'])
@Index('allocation_period', ['allocatedAt'])
@Check('allocation_positive', `"quantity" > 0 AND "notional" > 0 AND "fee" >= 0 AND "remaining_quantity" >= 0`)
export class AllocationEntity {
  @PrimaryColumn({ name: 'allocation_id', type: 'uuid' })
  allocationId!: string;

  @Column({ name: 'round_ref', type: 'uuid' })
  roundRef!: string;

  @Column({ name: 'order_ref', type: 'uuid' })
  orderRef!: string;

  @Column({ name: 'intent_id', type: 'uuid' })
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

  @Column({ type: 'numeric', precision: 48, scale: 18 })
  notional!: string;

  @Column({ name: 'average_price', type: 'numeric', precision: 38, scale: 18 })
  averagePrice!: string;

  @Column({ type: 'numeric', precision: 48, scale: 18 })
  fee!: string;

  @Column({ name: 'remaining_quantity', type: 'numeric', precision: 38, scale: 18 })
  remainingQuantity!: string;

  @Column({ name: 'fill_refs', type: 'uuid', array: true })
  fillRefs!: string[];

  @Column({ name: 'inputs_hash', type: 'char', length: 64 })
  inputsHash!: string;

  @Column({ name: 'allocated_at', type: 'timestamptz' })
  allocatedAt!: Date;
}
