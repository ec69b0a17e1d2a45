// One instrument's single writer: commands queue, the book applies them in order, and each
// batch is journaled in one transaction (group commit) before anyone hears the outcome. A
// batch that fails to commit means the book ran ahead of the database: it is rebuilt from the
// last snapshot and the journal, and the batch's callers get the error.
import { priceToTicks, type InstrumentConfig } from '@bulwark/engine';
import { assert } from '@bulwark/shared-contracts';
import type { SqlDatabase, SqlTx } from '@bulwark/shared-contracts/wall';
import { MarketBook, MarketRejectCode, type BreakerConfig, type MarketCommand, type MarketEvent, type MarketResult } from './market-book.js';
import { journalAfter, latestSnapshot, persistBatch, writeSnapshot, type AppliedCommand, type CandleRecord, type TradeRecord } from './market-journal.repository.js';

/** Commands journaled per transaction. */
export const MARKET_BATCH_COMMANDS_MAX = 2_000;
/** Commands waiting for one book; beyond it a command is refused at once as overloaded. */
export const MARKET_QUEUE_COMMANDS_MAX = 100_000;
/** Order pool per book (resting orders, pending stops). */
export const MARKET_BOOK_ORDERS_MAX = 1 << 16;
export const MARKET_ORDER_LOTS_MAX = 1_000_000_000;

type Timeless<C> = C extends unknown ? Omit<C, 'nowMs'> : never;
/** A command before the desk stamps its arrival time. */
export type TimelessCommand = Timeless<MarketCommand>;

export interface MarketClock {
  nowMs(): number;
}

/** What a listed instrument gives its book. */
export interface DeskInstrument {
  readonly id: string;
  readonly symbol: string;
  readonly tickSize: string;
  readonly lotSize: string;
  readonly priceMin: string;
  readonly priceMax: string;
  readonly bandWidth: string;
  readonly haltMoveBps: number;
  readonly haltWindowMs: number;
  readonly haltCooldownMs: number;
}

export interface PublishedBatch {
  readonly events: readonly MarketEvent[];
  readonly trades: readonly TradeRecord[];
  readonly candles: readonly CandleRecord[];
}

/** Work done inside the batch's transaction for one command (an audit entry, for instance). */
export type InTransaction = (tx: SqlTx, result: MarketResult) => Promise<void>;

interface Pending {
  readonly command: MarketCommand;
  readonly inTransaction: InTransaction | undefined;
  resolve(result: MarketResult): void;
  reject(error: unknown): void;
}

export interface DeskOptions {
  readonly snapshotEveryCommands: number;
  readonly onBatch: (desk: MarketDesk, batch: PublishedBatch) => void;
  readonly onError: (desk: MarketDesk, error: unknown) => void;
}

const ticks = (price: string, tickSize: string): number => {
  const result = priceToTicks(price, tickSize);
  assert(result.ok, 'listed prices are whole ticks');
  return result.units;
};

export function engineConfigOf(instrument: DeskInstrument): InstrumentConfig {
  return {
    symbol: instrument.symbol,
    tickSize: instrument.tickSize,
    lotSize: instrument.lotSize,
    priceTicksMin: ticks(instrument.priceMin, instrument.tickSize),
    priceTicksMax: ticks(instrument.priceMax, instrument.tickSize),
    bandTicks: ticks(instrument.bandWidth, instrument.tickSize),
    referencePriceTicks: null,
    ordersMax: MARKET_BOOK_ORDERS_MAX,
    orderLotsMax: MARKET_ORDER_LOTS_MAX,
  };
}

export function breakerOf(instrument: DeskInstrument): BreakerConfig {
  return { haltMoveBps: instrument.haltMoveBps, haltWindowMs: instrument.haltWindowMs, cooldownMs: instrument.haltCooldownMs };
}

/** Rebuilds a book from its latest snapshot and the journal after it. */
export async function recoverBook(db: SqlDatabase, instrument: DeskInstrument): Promise<{ book: MarketBook; snapshotSeq: number }> {
  return db.transaction(async (tx) => {
    const snapshot = await latestSnapshot(tx, instrument.id);
    const book = new MarketBook(engineConfigOf(instrument), breakerOf(instrument), snapshot ?? undefined);
    for (;;) {
      const page = await journalAfter(tx, instrument.id, book.sequence);
      if (page.length === 0) break;
      for (const entry of page) {
        assert(entry.seq === book.sequence + 1, 'the journal has no gap');
        book.apply(entry.command);
      }
    }
    return { book, snapshotSeq: snapshot?.commandSeq ?? 0 };
  });
}

export class MarketDesk {
  private queue: Pending[] = [];
  private draining = false;
  private broken: unknown = null;

  private constructor(
    readonly instrument: DeskInstrument,
    private bookState: MarketBook,
    private snapshotSeq: number,
    private readonly db: SqlDatabase,
    private readonly clock: MarketClock,
    private readonly options: DeskOptions,
  ) {
    assert(options.snapshotEveryCommands > 0, 'snapshots are taken');
  }

  static async open(db: SqlDatabase, instrument: DeskInstrument, clock: MarketClock, options: DeskOptions): Promise<MarketDesk> {
    const { book, snapshotSeq } = await recoverBook(db, instrument);
    return new MarketDesk(instrument, book, snapshotSeq, db, clock, options);
  }

  /** The book as of the last committed batch (or a batch being committed). Read only. */
  get book(): MarketBook {
    return this.bookState;
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Queues a command, stamped with the time it arrived; resolves once its batch has committed. */
  submit(command: TimelessCommand, inTransaction?: InTransaction): Promise<MarketResult> {
    if (this.broken !== null) return Promise.reject(this.broken);
    if (this.queue.length >= MARKET_QUEUE_COMMANDS_MAX) {
      return Promise.resolve({ ok: false, code: MarketRejectCode.Overloaded, orderId: null });
    }
    const stamped = { ...command, nowMs: this.clock.nowMs() } as MarketCommand;
    return new Promise<MarketResult>((resolve, reject) => {
      this.queue.push({ command: stamped, inTransaction, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0 && this.broken === null) await this.commitBatch(this.queue.splice(0, MARKET_BATCH_COMMANDS_MAX));
    } finally {
      this.draining = false;
    }
  }

  private async commitBatch(batch: Pending[]): Promise<void> {
    const applied: (AppliedCommand & { result: MarketResult })[] = batch.map(({ command }) => {
      const { result, events } = this.bookState.apply(command);
      return { seq: this.bookState.sequence, command, events, result };
    });
    const takeSnapshot = this.bookState.sequence - this.snapshotSeq >= this.options.snapshotEveryCommands;
    let published: { trades: TradeRecord[]; candles: CandleRecord[] };
    try {
      published = await this.db.transaction(async (tx) => {
        const written = await persistBatch(tx, this.instrument.id, this.instrument, applied);
        for (const [i, pending] of batch.entries()) {
          const entry = applied[i];
          if (pending.inTransaction && entry) await pending.inTransaction(tx, entry.result);
        }
        if (takeSnapshot) await writeSnapshot(tx, this.instrument.id, this.bookState.snapshot());
        return written;
      });
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      this.options.onError(this, error);
      try {
        const recovered = await recoverBook(this.db, this.instrument);
        this.bookState = recovered.book;
        this.snapshotSeq = recovered.snapshotSeq;
      } catch (recoveryError) {
        // Without a trustworthy book this instrument stops taking commands until a restart.
        this.broken = recoveryError;
        for (const pending of this.queue.splice(0)) pending.reject(recoveryError);
      }
      return;
    }
    if (takeSnapshot) this.snapshotSeq = this.bookState.sequence;
    for (const [i, pending] of batch.entries()) {
      const entry = applied[i];
      assert(entry !== undefined, 'one outcome per command');
      pending.resolve(entry.result);
    }
    this.options.onBatch(this, { events: applied.flatMap((a) => a.events), ...published });
  }
}
