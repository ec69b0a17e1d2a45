// The live book's state, built from the execution stack's public feed (the operator admin and the
// investor SPA both show it): pure, so the sequencing rules are tested without a socket. Every
// message after the snapshot must carry the next sequence number; a gap marks the book out of
// sync until a fresh snapshot arrives.
import { compare } from './money';

export type Level = readonly [price: string, quantity: string];

export type FeedMessage =
  | { type: 'snapshot'; instrumentId: string; seq: number; state: string; bids: Level[]; asks: Level[]; lastPrice: string | null }
  | { type: 'depth'; instrumentId: string; seq: number; bids: Level[]; asks: Level[] }
  | { type: 'trade'; instrumentId: string; seq: number; tradeSeq: number; price: string; quantity: string; aggressor: string; at: number }
  | { type: 'candle'; instrumentId: string; seq: number }
  | { type: 'status'; instrumentId: string; seq: number; state: string; reason: string | null; resumeAt: number | null }
  | { type: 'error'; code: string }
  | { type: 'resync-requested' };

export interface Trade {
  readonly tradeSeq: number;
  readonly price: string;
  readonly quantity: string;
  readonly aggressor: string;
  readonly at: number;
}

export interface LiveBook {
  readonly instrumentId: string;
  readonly seq: number;
  /** False until a snapshot arrives, and again after a gap. */
  readonly synced: boolean;
  /** A gap was seen and no fresh snapshot has been asked for yet. */
  readonly needsSnapshot: boolean;
  readonly state: string;
  readonly lastPrice: string | null;
  readonly resumeAt: number | null;
  readonly bids: readonly Level[];
  readonly asks: readonly Level[];
  readonly trades: readonly Trade[];
  readonly error: string | undefined;
}

export const TRADES_KEPT_MAX = 50;
export const LEVELS_SHOWN_MAX = 50;

export function emptyBook(instrumentId: string): LiveBook {
  return { instrumentId, seq: 0, synced: false, needsSnapshot: false, state: 'unknown', lastPrice: null, resumeAt: null, bids: [], asks: [], trades: [], error: undefined };
}

const byPrice = (descending: boolean) => (a: Level, b: Level) => (descending ? compare(b[0], a[0]) : compare(a[0], b[0]));

function merge(levels: readonly Level[], changes: readonly Level[], descending: boolean): Level[] {
  const map = new Map(levels.map(([price, quantity]) => [price, quantity]));
  for (const [price, quantity] of changes) {
    if (compare(quantity, '0') === 0) map.delete(price);
    else map.set(price, quantity);
  }
  return [...map.entries()].map(([p, q]) => [p, q] as Level).sort(byPrice(descending)).slice(0, LEVELS_SHOWN_MAX);
}

export function applyFeed(book: LiveBook, message: FeedMessage): LiveBook {
  if (message.type === 'error') return { ...book, error: message.code };
  if (message.type === 'resync-requested') return { ...book, needsSnapshot: false };
  if (message.instrumentId !== book.instrumentId) return book;
  if (message.type === 'snapshot') {
    return {
      ...book,
      seq: message.seq,
      synced: true,
      needsSnapshot: false,
      state: message.state,
      lastPrice: message.lastPrice,
      bids: merge([], message.bids, true),
      asks: merge([], message.asks, false),
      error: undefined,
    };
  }
  if (!book.synced) return book;
  if (message.seq !== book.seq + 1) return { ...book, synced: false, needsSnapshot: true };
  const next = { ...book, seq: message.seq };
  switch (message.type) {
    case 'depth':
      return { ...next, bids: merge(book.bids, message.bids, true), asks: merge(book.asks, message.asks, false) };
    case 'trade': {
      const trade: Trade = { tradeSeq: message.tradeSeq, price: message.price, quantity: message.quantity, aggressor: message.aggressor, at: message.at };
      return { ...next, lastPrice: message.price, trades: [trade, ...book.trades].slice(0, TRADES_KEPT_MAX) };
    }
    case 'status':
      return { ...next, state: message.state, resumeAt: message.resumeAt };
    case 'candle':
      return next;
  }
}
