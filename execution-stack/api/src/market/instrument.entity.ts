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
@Check('instrument_price_range', `"price_min" > 0 AND "price_max" >= "price_min"`)
@Check('instrument_breaker', `"band_width" >= 0 AND "halt_move_bps" >= 0 AND "halt_window_ms" > 0 AND "halt_cooldown_ms" >= 0`)
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

  /** The static price band: no order is accepted outside [price_min, price_max]. */
  @Column({ name: 'price_min', type: 'numeric', precision: 38, scale: 18 })
  priceMin!: string;

  @Column({ name: 'price_max', type: 'numeric', precision: 38, scale: 18 })
  priceMax!: string;

  /** The dynamic band per order: limit prices further than this from the last trade are refused; 0 = off. */
  @Column({ name: 'band_width', type: 'numeric', precision: 38, scale: 18 })
  bandWidth!: string;

  /** The volatility halt: a move of halt_move_bps within halt_window_ms halts for halt_cooldown_ms; 0 bps = off. */
  @Column({ name: 'halt_move_bps', type: 'integer' })
  haltMoveBps!: number;

  @Column({ name: 'halt_window_ms', type: 'integer' })
  haltWindowMs!: number;

  @Column({ name: 'halt_cooldown_ms', type: 'integer' })
  haltCooldownMs!: number;

  /** The trading session, kept in step with the market journal (open, halted, closed). */
  @Column({ type: 'text' })
  status!: InstrumentStatus;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
