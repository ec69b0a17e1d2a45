// Instruments: the operator-managed listing (kind, tick, lot, price bands, circuit-breaker
// settings) that the intake checks intents against and the market builds its books from.
import { randomUUID } from 'node:crypto';
import { Controller, Get, Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { PositiveDecimal, decimal } from '@bulwark/shared-contracts';
import { priceToTicks } from '@bulwark/engine';
import type { SqlDatabase, SqlTx } from '@bulwark/shared-contracts/wall';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import { ChainService } from '../chain/chain.service.js';
import { INSTRUMENT_KINDS, INSTRUMENT_STATUSES, type InstrumentKind, type InstrumentStatus } from './instrument.entity.js';

/** Price levels per side of one book: the level arrays are sized by the static band. */
export const INSTRUMENT_PRICE_LEVELS_MAX = 100_000;
/** A security's default static band, in ticks above one tick, when the operator gives none. */
export const SECURITY_DEFAULT_PRICE_TICKS_MAX = 100_000;
const NonNegativeDecimal = z.string().regex(/^\d{1,20}(\.\d{1,18})?$/, 'non-negative decimal string');

export const NewInstrument = z
  .strictObject({
    symbol: z.string().regex(/^[A-Z0-9][A-Z0-9-]{1,47}$/, 'upper-case symbol of letters, digits and dashes'),
    kind: z.enum(INSTRUMENT_KINDS),
    tickSize: PositiveDecimal,
    lotSize: PositiveDecimal,
    status: z.enum(INSTRUMENT_STATUSES).default('open'),
    /** Static band; an event contract defaults to [one tick, 1 USD], a security to [one tick, 100,000 ticks]. */
    priceMin: PositiveDecimal.optional(),
    priceMax: PositiveDecimal.optional(),
    /** Dynamic band around the last trade price; "0" (the default) turns it off. */
    bandWidth: NonNegativeDecimal.default('0'),
    haltMoveBps: z.number().int().min(0).max(100_000).default(2_000),
    haltWindowMs: z.number().int().min(1).max(86_400_000).default(60_000),
    haltCooldownMs: z.number().int().min(0).max(86_400_000).default(30_000),
  })
  .transform((input, context) => {
    const priceMin = input.priceMin ?? input.tickSize;
    const priceMax = input.priceMax ?? (input.kind === 'event' ? '1' : decimal(input.tickSize).times(decimal(String(SECURITY_DEFAULT_PRICE_TICKS_MAX))).toString());
    const min = priceToTicks(priceMin, input.tickSize);
    const max = priceToTicks(priceMax, input.tickSize);
    const band = priceToTicks(input.bandWidth, input.tickSize);
    if (!min.ok || !max.ok || !band.ok) {
      context.addIssue({ code: 'custom', message: 'price band and band width must be whole numbers of ticks' });
      return z.NEVER;
    }
    if (max.units < min.units || max.units - min.units + 1 > INSTRUMENT_PRICE_LEVELS_MAX) {
      context.addIssue({ code: 'custom', message: `the static band must hold 1 to ${INSTRUMENT_PRICE_LEVELS_MAX} price levels` });
      return z.NEVER;
    }
    return { ...input, priceMin, priceMax };
  });
export type NewInstrument = z.input<typeof NewInstrument>;

export interface Instrument {
  readonly id: string;
  readonly symbol: string;
  readonly kind: InstrumentKind;
  readonly tickSize: string;
  readonly lotSize: string;
  readonly status: InstrumentStatus;
  readonly priceMin: string;
  readonly priceMax: string;
  readonly bandWidth: string;
  readonly haltMoveBps: number;
  readonly haltWindowMs: number;
  readonly haltCooldownMs: number;
}

interface InstrumentRow {
  id: string;
  symbol: string;
  kind: InstrumentKind;
  tick_size: string;
  lot_size: string;
  status: InstrumentStatus;
  price_min: string;
  price_max: string;
  band_width: string;
  halt_move_bps: number;
  halt_window_ms: number;
  halt_cooldown_ms: number;
}

const toInstrument = (row: InstrumentRow): Instrument => ({
  id: row.id,
  symbol: row.symbol,
  kind: row.kind,
  tickSize: decimal(row.tick_size).toString(),
  lotSize: decimal(row.lot_size).toString(),
  status: row.status,
  priceMin: decimal(row.price_min).toString(),
  priceMax: decimal(row.price_max).toString(),
  bandWidth: decimal(row.band_width).toString(),
  haltMoveBps: row.halt_move_bps,
  haltWindowMs: row.halt_window_ms,
  haltCooldownMs: row.halt_cooldown_ms,
});

export const INSTRUMENTS_LISTED_MAX = 10_000;

@Injectable()
export class InstrumentsService implements OnModuleInit {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    // Present when the stack runs with a chain: a listing then queues its token suite's deployment.
    @Optional() @Inject(ChainService) private readonly chain: ChainService | null = null,
  ) {}

  /** With a chain, instruments listed before it was configured are queued for deployment too. */
  async onModuleInit(): Promise<void> {
    const chain = this.chain;
    if (!chain) return;
    await this.db.transaction(async (tx) => {
      const rows = await tx.query<{ id: string; symbol: string }>(`SELECT id, symbol FROM instrument ORDER BY symbol LIMIT $1`, [INSTRUMENTS_LISTED_MAX]);
      await chain.requestListings(tx, rows.map((r) => ({ instrumentId: r.id, symbol: r.symbol })));
    });
  }

  /**
   * Lists an instrument; listing the same symbol again returns the existing one unchanged. With a
   * chain, the deployment of its token suite is queued in the same transaction: the instrument
   * trades once the worker has deployed it (the pre-trade check refuses it until then).
   */
  async list(input: NewInstrument): Promise<Instrument> {
    const parsed = NewInstrument.parse(input);
    return this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO instrument (id, symbol, kind, tick_size, lot_size, status, price_min, price_max, band_width,
                                 halt_move_bps, halt_window_ms, halt_cooldown_ms, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, clock_timestamp()) ON CONFLICT (symbol) DO NOTHING`,
        [
          randomUUID(),
          parsed.symbol,
          parsed.kind,
          parsed.tickSize,
          parsed.lotSize,
          parsed.status,
          parsed.priceMin,
          parsed.priceMax,
          parsed.bandWidth,
          parsed.haltMoveBps,
          parsed.haltWindowMs,
          parsed.haltCooldownMs,
        ],
      );
      const [row] = await tx.query<InstrumentRow>(`SELECT * FROM instrument WHERE symbol = $1`, [parsed.symbol]);
      if (!row) throw new Error(`instrument ${parsed.symbol} vanished`);
      await this.chain?.requestListings(tx, [{ instrumentId: row.id, symbol: row.symbol }]);
      return toInstrument(row);
    });
  }

  async findMany(tx: SqlTx, ids: readonly string[]): Promise<Map<string, Instrument>> {
    const rows = await tx.query<InstrumentRow>(`SELECT * FROM instrument WHERE id = ANY($1::uuid[])`, [ids]);
    return new Map(rows.map((row) => [row.id, toInstrument(row)]));
  }

  async get(tx: SqlTx, id: string): Promise<Instrument | undefined> {
    return (await this.findMany(tx, [id])).get(id);
  }

  /** Keeps the listing's session state in step with the book (called inside the journal's transaction). */
  async setStatus(tx: SqlTx, id: string, status: InstrumentStatus): Promise<void> {
    await tx.query(`UPDATE instrument SET status = $2 WHERE id = $1`, [id, status]);
  }

  async all(): Promise<Instrument[]> {
    return this.db.transaction(async (tx) =>
      (await tx.query<InstrumentRow>(`SELECT * FROM instrument ORDER BY symbol LIMIT $1`, [INSTRUMENTS_LISTED_MAX])).map(toInstrument),
    );
  }
}

@ApiTags('market')
@Controller('v1/instruments')
export class InstrumentsController {
  constructor(@Inject(InstrumentsService) private readonly instruments: InstrumentsService) {}

  /** Public market data: the listed instruments with their tick and lot sizes. */
  @Get()
  @ApiOkResponse({ description: 'Listed instruments' })
  async index(): Promise<{ instruments: Instrument[] }> {
    return { instruments: await this.instruments.all() };
  }
}
