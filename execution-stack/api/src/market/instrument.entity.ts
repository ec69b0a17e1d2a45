import { Check, Column, Entity, PrimaryColumn, Unique } from 'typeorm';

export const INSTRUMENT_KINDS = ['event', 'security'] as const;
export const INSTRUMENT_STATUSES = ['open', 'halted', 'closed'] as const;
export type InstrumentKind = (typeof INSTRUMENT_KINDS)[number];
export type InstrumentStatus = (typeof INSTRUMENT_STATUSES)[number];

/** A listed instrument: quoted in USD with a tick size and a lot size. */
@Entity({ name: 'instrument' })
@Unique('instrument_symbol', ['symbol'])
@Check('instrument_kind', `"kind" IN ('event', 'security')`)
@Check('instrument_status', `"status" IN ('open', 'halted', 'closed')`)
@Check('instrument_sizes', `"tick_size" > 0 AND "lot_size" > 0`)
export class InstrumentEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  symbol!: string;

  @Column({ type: 'text' })
  kind!: InstrumentKind;

  @Column({ name: 'tick_size', type: 'numeric', precision: 38, scale: 18 })
  tickSize!: string;

  @Column({ name: 'lot_size', type: 'numeric', precision: 38, scale: 18 })
  lotSize!: string;

  @Column({ type: 'text' })
  status!: InstrumentStatus;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
