import { Check, Column, Entity, Index, PrimaryColumn, Unique } from 'typeorm';

/** An operator's resolution of an event instrument or a distribution declared on a security. */
@Entity({ name: 'instrument_event' })
@Check('instrument_event_kind', `"kind" IN ('resolution', 'distribution')`)
@Check('instrument_event_outcome', `("kind" = 'resolution') = ("outcome" IS NOT NULL) AND ("outcome" IS NULL OR "outcome" IN ('yes', 'no', 'void'))`)
@Check('instrument_event_amount', `"amount_per_unit" >= 0`)
@Index('instrument_event_instrument', ['instrumentId'])
/** An instrument resolves once; a distribution is declared once per record date. */
@Index('instrument_event_resolved_once', ['instrumentId'], { unique: true, where: `"kind" = 'resolution'` })
@Index('instrument_event_distribution_once', ['instrumentId', 'recordAt'], { unique: true, where: `"kind" = 'distribution'` })
export class InstrumentEventEntity {
  @PrimaryColumn({ name: 'event_ref', type: 'uuid' })
  eventRef!: string;

  @Column({ name: 'instrument_id', type: 'uuid' })
  instrumentId!: string;

  @Column({ type: 'text' })
  kind!: 'resolution' | 'distribution';

  @Column({ type: 'text', nullable: true })
  outcome!: 'yes' | 'no' | 'void' | null;

  @Column({ name: 'amount_per_unit', type: 'numeric', precision: 38, scale: 18 })
  amountPerUnit!: string;

  @Column({ name: 'record_at', type: 'timestamptz' })
  recordAt!: Date;

  @Column({ name: 'declared_by', type: 'uuid' })
  declaredBy!: string;

  @Column({ name: 'declared_at', type: 'timestamptz' })
  declaredAt!: Date;

  /** The chain transactions that burn the resolved tokens (none without a chain, or for a distribution). */
  @Column({ name: 'burn_tx_ids', type: 'bigint', array: true, default: () => `'{}'` })
  burnTxIds!: string[];
}

/** One payout to one accountRef for one event: what payout.v1 carried. */
@Entity({ name: 'payout' })
@Unique('payout_once', ['eventRef', 'accountRef'])
@Index('payout_period', ['paidAt'])
@Check('payout_amounts', `"quantity" >= 0 AND "amount" >= 0`)
export class PayoutEntity {
  @PrimaryColumn({ name: 'payout_id', type: 'uuid' })
  payoutId!: string;

  @Column({ name: 'event_ref', type: 'uuid' })
  eventRef!: string;

  @Column({ name: 'tenant_ref', type: 'uuid' })
  tenantRef!: string;

  @Column({ name: 'account_ref', type: 'uuid' })
  accountRef!: string;

  @Column({ name: 'instrument_id', type: 'uuid' })
  instrumentId!: string;

  @Column({ type: 'text' })
  kind!: 'resolution' | 'distribution';

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  quantity!: string;

  @Column({ name: 'amount_per_unit', type: 'numeric', precision: 38, scale: 18 })
  amountPerUnit!: string;

  @Column({ type: 'numeric', precision: 48, scale: 18 })
  amount!: string;

  @Column({ name: 'paid_at', type: 'timestamptz' })
  paidAt!: Date;
}
