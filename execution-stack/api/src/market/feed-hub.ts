// The public market-data feed over WebSocket. Per instrument, every message carries the next
// sequence number: an L2 snapshot on request, then depth increments (level changes, quantity
// "0" removes a level), trades, candles and status. A client that sees a gap asks for a new
// snapshot. Backpressure: each client's unsent bytes are bounded; a client that falls behind
// is dropped (it reconnects and resynchronises), so a slow reader never grows the server
// (websocket-route.ts holds that machinery, shared with the member stream).
import { Side } from '@bulwark/engine';
import { priceText, quantityText } from './wire-decimal.js';
import { z } from 'zod';
import type { WebSocket } from 'ws';
import { safeJson, sendBounded, WS_CLOSE_SLOW_CONSUMER } from './websocket-route.js';
import type { MarketBook, MarketEvent } from './market-book.js';
import type { CandleRecord, TradeRecord } from './market-journal.repository.js';

/** Levels per side the feed carries. */
export const FEED_DEPTH_LEVELS = 50;
export const FEED_CLIENTS_MAX = 10_000;
export const FEED_SUBSCRIPTIONS_PER_CLIENT_MAX = 100;
export const FEED_CLIENT_MESSAGE_BYTES_MAX = 4_096;
/** The WebSocket close code for a client dropped for reading too slowly. */
export const FEED_CLOSE_SLOW_CONSUMER = WS_CLOSE_SLOW_CONSUMER;

export type Level = readonly [price: string, quantity: string];

export type FeedMessage =
  | { type: 'snapshot'; instrumentId: string; seq: number; state: string; bids: Level[]; asks: Level[]; lastPrice: string | null }
  | { type: 'depth'; instrumentId: string; seq: number; bids: Level[]; asks: Level[] }
  | { type: 'trade'; instrumentId: string; seq: number; tradeSeq: number; price: string; quantity: string; aggressor: string; at: number }
  | { type: 'candle'; instrumentId: string; seq: number; interval: string; start: number; open: string; high: string; low: string; close: string; volume: string }
  | { type: 'status'; instrumentId: string; seq: number; state: string; reason: string | null; resumeAt: number | null }
  | { type: 'error'; code: string };

const ClientMessage = z.strictObject({ op: z.enum(['subscribe', 'unsubscribe', 'snapshot']), instrumentId: z.uuid() });

interface Channel {
  seq: number;
  bids: Map<string, string>;
  asks: Map<string, string>;
  state: string;
  resumeAt: number | null;
  lastPrice: string | null;
  readonly subscribers: Set<FeedClientState>;
}

interface FeedClientState {
  readonly socket: WebSocket;
  readonly subscriptions: Set<string>;
}

export interface FeedStats {
  clients: number;
  dropped: number;
  /** The most unsent bytes any client ever held on the server. */
  bufferedBytesPeak: number;
}

export interface FeedBatch {
  readonly events: readonly MarketEvent[];
  readonly trades: readonly TradeRecord[];
  readonly candles: readonly CandleRecord[];
}

export interface FeedScale {
  readonly tickSize: string;
  readonly lotSize: string;
}

function depthOf(book: MarketBook, scale: FeedScale, side: Side): Map<string, string> {
  return new Map(book.engine.depth(side, FEED_DEPTH_LEVELS).map((l) => [priceText(l.priceTicks, scale.tickSize), quantityText(l.lots, scale.lotSize)]));
}

function changes(before: Map<string, string>, after: Map<string, string>): Level[] {
  const out: Level[] = [];
  for (const [price, quantity] of after) if (before.get(price) !== quantity) out.push([price, quantity]);
  for (const price of before.keys()) if (!after.has(price)) out.push([price, '0']);
  return out;
}

export class FeedHub {
  private readonly channels = new Map<string, Channel>();
  private readonly clients = new Set<FeedClientState>();
  private readonly statistics: FeedStats = { clients: 0, dropped: 0, bufferedBytesPeak: 0 };

  constructor(
    private readonly bufferBytesMax: number,
    /** Loads an instrument's book on first subscription; false when there is no such instrument. */
    private readonly ensureChannel: (instrumentId: string) => Promise<boolean>,
  ) {}

  /** Starts (or restarts) an instrument's channel from its book. */
  open(instrumentId: string, scale: FeedScale, book: MarketBook): void {
    const held = this.channels.get(instrumentId);
    this.channels.set(instrumentId, {
      seq: held?.seq ?? 0,
      bids: depthOf(book, scale, Side.Buy),
      asks: depthOf(book, scale, Side.Sell),
      state: book.state.state,
      resumeAt: book.state.resumeAtMs,
      lastPrice: book.lastPrice === null ? null : priceText(book.lastPrice, scale.tickSize),
      subscribers: held?.subscribers ?? new Set(),
    });
  }

  /** After a committed batch: depth changes, trades, candles and status, each with the next sequence number. */
  publish(instrumentId: string, scale: FeedScale, book: MarketBook, batch: FeedBatch): void {
    const channel = this.channels.get(instrumentId);
    if (!channel) return this.open(instrumentId, scale, book);
    const bids = depthOf(book, scale, Side.Buy);
    const asks = depthOf(book, scale, Side.Sell);
    const messages: FeedMessage[] = [];
    for (const trade of batch.trades) {
      const { tradeSeq, price, quantity, aggressor, tradedAtMs } = trade;
      messages.push({ type: 'trade', instrumentId, seq: 0, tradeSeq, price, quantity, aggressor, at: tradedAtMs });
      channel.lastPrice = trade.price;
    }
    const bidChanges = changes(channel.bids, bids);
    const askChanges = changes(channel.asks, asks);
    if (bidChanges.length > 0 || askChanges.length > 0) messages.push({ type: 'depth', instrumentId, seq: 0, bids: bidChanges, asks: askChanges });
    channel.bids = bids;
    channel.asks = asks;
    for (const c of batch.candles) {
      messages.push({ type: 'candle', instrumentId, seq: 0, interval: c.interval, start: c.startMs, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume });
    }
    for (const event of batch.events) {
      if (event.kind !== 'status') continue;
      channel.state = event.state;
      channel.resumeAt = event.resumeAtMs;
      messages.push({ type: 'status', instrumentId, seq: 0, state: event.state, reason: event.reason, resumeAt: event.resumeAtMs });
    }
    for (const message of messages) {
      channel.seq += 1;
      const text = JSON.stringify({ ...message, seq: channel.seq });
      for (const client of channel.subscribers) this.send(client, text);
    }
  }

  /** The committed view of a book: what the last published batch left (never a batch still being journaled). */
  committed(instrumentId: string): { state: string; resumeAt: number | null; lastPrice: string | null; bids: Level[]; asks: Level[] } | null {
    const c = this.channels.get(instrumentId);
    if (!c) return null;
    return { state: c.state, resumeAt: c.resumeAt, lastPrice: c.lastPrice, bids: [...c.bids.entries()], asks: [...c.asks.entries()] };
  }

  /** The channel's state as a snapshot message (what increments after `seq` build on). */
  snapshot(instrumentId: string): FeedMessage | null {
    const c = this.channels.get(instrumentId);
    if (!c) return null;
    return { type: 'snapshot', instrumentId, seq: c.seq, state: c.state, bids: [...c.bids.entries()], asks: [...c.asks.entries()], lastPrice: c.lastPrice };
  }

  attach(socket: WebSocket): void {
    if (this.clients.size >= FEED_CLIENTS_MAX) {
      socket.close(1013, 'feed full');
      return;
    }
    const client: FeedClientState = { socket, subscriptions: new Set() };
    this.clients.add(client);
    this.statistics.clients = this.clients.size;
    socket.on('message', (data, isBinary) => void this.onMessage(client, data.toString(), isBinary));
    socket.on('close', () => this.detach(client));
    socket.on('error', () => this.detach(client));
  }

  stats(): FeedStats {
    return { ...this.statistics };
  }

  close(): void {
    for (const client of this.clients) client.socket.terminate();
    this.clients.clear();
  }

  private async onMessage(client: FeedClientState, text: string, isBinary: boolean): Promise<void> {
    const parsed = isBinary || text.length > FEED_CLIENT_MESSAGE_BYTES_MAX ? null : ClientMessage.safeParse(safeJson(text));
    if (!parsed?.success) return this.send(client, JSON.stringify({ type: 'error', code: 'bad_request' }));
    const { op, instrumentId } = parsed.data;
    if (op === 'unsubscribe') {
      client.subscriptions.delete(instrumentId);
      this.channels.get(instrumentId)?.subscribers.delete(client);
      return;
    }
    if (op === 'subscribe' && !client.subscriptions.has(instrumentId) && client.subscriptions.size >= FEED_SUBSCRIPTIONS_PER_CLIENT_MAX) {
      return this.send(client, JSON.stringify({ type: 'error', code: 'too_many_subscriptions' }));
    }
    if (!this.channels.has(instrumentId) && !(await this.ensureChannel(instrumentId))) {
      return this.send(client, JSON.stringify({ type: 'error', code: 'unknown_instrument' }));
    }
    const channel = this.channels.get(instrumentId);
    if (!channel || !this.clients.has(client)) return;
    if (op === 'subscribe') {
      client.subscriptions.add(instrumentId);
      channel.subscribers.add(client);
    }
    this.send(client, JSON.stringify(this.snapshot(instrumentId)));
  }

  private send(client: FeedClientState, text: string): void {
    const outcome = sendBounded(client.socket, text, this.bufferBytesMax);
    if (outcome === 'dropped') {
      this.statistics.dropped += 1;
      this.detach(client);
    } else if (outcome === 'sent') {
      this.statistics.bufferedBytesPeak = Math.max(this.statistics.bufferedBytesPeak, client.socket.bufferedAmount);
    }
  }

  private detach(client: FeedClientState): void {
    if (!this.clients.delete(client)) return;
    for (const instrumentId of client.subscriptions) this.channels.get(instrumentId)?.subscribers.delete(client);
    this.statistics.clients = this.clients.size;
  }
}
