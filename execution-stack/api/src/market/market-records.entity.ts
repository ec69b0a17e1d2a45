// The market's durable records. The journal and its snapshots are the source of truth for the
// books; orders, trades and candles are written in the same transaction as the journal batch
// that produced them, so they never disagree with it.
import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Every command applied to an instrument's book, numbered without gaps. */
@Entity({ name: 'market_journal' })
export class MarketJournalEntity {
  @PrimaryColumn({ name: 'instrument_id', type: 'uuid' })
  instrumentId!: string;

  @PrimaryColumn({ type: 'bigint' })
  seq!: string;

  @Column({ type: 'jsonb' })
  command!: unknown;

  @Column({ name: 'journaled_at', type: 'timestamptz', default: () => 'clock_timestamp()' })
  journaledAt!: Date;
}

/** A book's whole state after command `seq`: recovery replays only the journal after it. */
@Entity({ name: 'market_snapshot' })
export class MarketSnapshotEntity {
  @PrimaryColumn({ name: 'instrument_id', type: 'uuid' })
  instrumentId!: string;

  @PrimaryColumn({ type: 'bigint' })
  seq!: string;

  @Column({ type: 'jsonb' })
  state!: unknown;

  @Column({ name: 'taken_at', type: 'timestamptz', default: () => 'clock_timestamp()' })
  takenAt!: Date;
}

export const MARKET_ORDER_STATUSES = ['pending', 'auction', 'open', 'filled', 'cancelled', 'expired'] as const;
export type MarketOrderStatus = (typeof MARKET_ORDER_STATUSES)[number];

@Entity({ name: 'market_order' })
@Index('market_order_owner', ['ownerNo', 'status'])
@Check('market_order_status', `"status" IN ('pending', 'auction', 'open', 'filled', 'cancelled', 'expired')`)
@Check('market_order_side', `"side" IN ('buy', 'sell')`)
@Check('market_order_quantities', `"quantity" > 0 AND "remaining_quantity" >= 0 AND "filled_quantity" >= 0`)
export class MarketOrderEntity {
  @PrimaryColumn({ name: 'instrument_id', type: 'uuid' })
  instrumentId!: string;

  @PrimaryColumn({ name: 'order_id', type: 'bigint' })
  orderId!: string;

  /** The member's number in the engine (its self-trade identity); 0 = anonymous. */
  @Column({ name: 'owner_no', type: 'integer' })
  ownerNo!: number;

  @Column({ type: 'text' })
  side!: 'buy' | 'sell';

  @Column({ name: 'order_type', type: 'text' })
  orderType!: string;

  @Column({ name: 'time_in_force', type: 'text' })
  timeInForce!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18, nullable: true })
  price!: string | null;

  @Column({ name: 'stop_price', type: 'numeric', precision: 38, scale: 18, nullable: true })
  stopPrice!: string | null;

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  quantity!: string;

  @Column({ name: 'remaining_quantity', type: 'numeric', precision: 38, scale: 18 })
  remainingQuantity!: string;

  @Column({ name: 'filled_quantity', type: 'numeric', precision: 38, scale: 18 })
  filledQuantity!: string;

  @Column({ type: 'text' })
  status!: MarketOrderStatus;

  @Column({ name: 'cancel_reason', type: 'text', nullable: true })
  cancelReason!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

@Entity({ name: 'market_trade' })
@Index('market_trade_buy_owner', ['buyOwnerNo', 'tradedAt'])
@Index('market_trade_sell_owner', ['sellOwnerNo', 'tradedAt'])
/** An order's trades (the internal venue reports an omnibus order's fills from them). */
@Index('market_trade_buy_order', ['instrumentId', 'buyOrderId'])
@Index('market_trade_sell_order', ['instrumentId', 'sellOrderId'])
@Check('market_trade_aggressor', `"aggressor" IN ('buy', 'sell', 'auction')`)
@Check('market_trade_positive', `"price" > 0 AND "quantity" > 0`)
export class MarketTradeEntity {
  @PrimaryColumn({ name: 'instrument_id', type: 'uuid' })
  instrumentId!: string;

  @PrimaryColumn({ name: 'trade_seq', type: 'bigint' })
  tradeSeq!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  price!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  quantity!: string;

  @Column({ type: 'text' })
  aggressor!: 'buy' | 'sell' | 'auction';

  @Column({ name: 'buy_order_id', type: 'bigint' })
  buyOrderId!: string;

  @Column({ name: 'sell_order_id', type: 'bigint' })
  sellOrderId!: string;

  @Column({ name: 'buy_owner_no', type: 'integer' })
  buyOwnerNo!: number;

  @Column({ name: 'sell_owner_no', type: 'integer' })
  sellOwnerNo!: number;

  @Column({ name: 'traded_at', type: 'timestamptz' })
  tradedAt!: Date;
}

@Entity({ name: 'market_candle' })
@Check('market_candle_interval', `"interval" IN ('1s', '1m', '1h', '1d')`)
@Check('market_candle_range', `"low" <= "open" AND "low" <= "close" AND "high" >= "open" AND "high" >= "close" AND "volume" > 0`)
export class MarketCandleEntity {
  @PrimaryColumn({ name: 'instrument_id', type: 'uuid' })
  instrumentId!: string;

  @PrimaryColumn({ type: 'text' })
  interval!: string;

  @PrimaryColumn({ name: 'bucket_start', type: 'timestamptz' })
  bucketStart!: Date;

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  open!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  high!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  low!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  close!: string;

  @Column({ type: 'numeric', precision: 38, scale: 18 })
  volume!: string;

  @Column({ type: 'integer' })
  trades!: number;
}
