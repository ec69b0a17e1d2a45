// Instruments: the listing the intake checks intents against. (The full market module —
// sessions, circuit breakers, candles, the feed — grows around this.)
import { randomUUID } from 'node:crypto';
import { Controller, Get, Inject, Injectable, Module } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { PositiveDecimal, decimal } from '@bulwark/shared-contracts';
import type { SqlDatabase, SqlTx } from '@bulwark/shared-contracts/wall';
import { SQL_DATABASE } from '@bulwark/shared-contracts/platform';
import { INSTRUMENT_KINDS, INSTRUMENT_STATUSES, type InstrumentKind, type InstrumentStatus } from './instrument.entity.js';

export const NewInstrument = z.strictObject({
  symbol: z.string().regex(/^[A-Z0-9][A-Z0-9-]{1,47}$/, 'upper-case symbol of letters, digits and dashes'),
  kind: z.enum(INSTRUMENT_KINDS),
  tickSize: PositiveDecimal,
  lotSize: PositiveDecimal,
  status: z.enum(INSTRUMENT_STATUSES).default('open'),
});
export type NewInstrument = z.input<typeof NewInstrument>;

export interface Instrument {
  readonly id: string;
  readonly symbol: string;
  readonly kind: InstrumentKind;
  readonly tickSize: string;
  readonly lotSize: string;
  readonly status: InstrumentStatus;
}

interface InstrumentRow {
  id: string;
  symbol: string;
  kind: InstrumentKind;
  tick_size: string;
  lot_size: string;
  status: InstrumentStatus;
}

const toInstrument = (row: InstrumentRow): Instrument => ({
  id: row.id,
  symbol: row.symbol,
  kind: row.kind,
  tickSize: decimal(row.tick_size).toString(),
  lotSize: decimal(row.lot_size).toString(),
  status: row.status,
});

export const INSTRUMENTS_LISTED_MAX = 10_000;

@Injectable()
export class InstrumentsService {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}

  /** Lists an instrument; listing the same symbol again returns the existing one unchanged. */
  async list(input: NewInstrument): Promise<Instrument> {
    const parsed = NewInstrument.parse(input);
    return this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO instrument (id, symbol, kind, tick_size, lot_size, status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp()) ON CONFLICT (symbol) DO NOTHING`,
        [randomUUID(), parsed.symbol, parsed.kind, parsed.tickSize, parsed.lotSize, parsed.status],
      );
      const [row] = await tx.query<InstrumentRow>(`SELECT * FROM instrument WHERE symbol = $1`, [parsed.symbol]);
      if (!row) throw new Error(`instrument ${parsed.symbol} vanished`);
      return toInstrument(row);
    });
  }

  async findMany(tx: SqlTx, ids: readonly string[]): Promise<Map<string, Instrument>> {
    const rows = await tx.query<InstrumentRow>(`SELECT * FROM instrument WHERE id = ANY($1::uuid[])`, [ids]);
    return new Map(rows.map((row) => [row.id, toInstrument(row)]));
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

@Module({ providers: [InstrumentsService], controllers: [InstrumentsController], exports: [InstrumentsService] })
export class MarketModule {}
