// The member stream: each member's own order events (accepted, rejected with its code, fills,
// cancelled, expired, replaced, triggered) in one sequence per member, across all instruments,
// built from the books' committed batches. The last MEMBER_STREAM_REPLAY_EVENTS_MAX events are
// kept so a member that reconnects resumes after the last sequence it saw with no gap; a
// resume the server cannot serve (older than the window, or a sequence of an earlier process —
// the stream id changes on restart) gets a reset, and the member reconciles through the REST
// orders and fills before going on. Sends are bounded like the public feed's.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { OrderType } from '@bulwark/engine';
import { assert } from '@bulwark/shared-contracts';
import type { WebSocket } from 'ws';
import { EXECUTION_CONFIG, type ExecutionConfig } from '../config/execution-config.js';
import type { MarketEvent } from '../market/market-book.js';
import type { DeskInstrument, PublishedBatch } from '../market/market-desk.js';
import { orderTypeName, sideName, timeInForceName } from '../market/market-journal.repository.js';
import { MarketService } from '../market/market.service.js';
import { priceText, quantityText } from '../market/wire-decimal.js';
import { sendBounded } from '../market/websocket-route.js';

/** Events kept per member for resumption. */
export const MEMBER_STREAM_REPLAY_EVENTS_MAX = 10_000;
/** Members with a stream (a stream starts at the member's first connection). */
export const MEMBER_STREAMS_MAX = 10_000;
export const MEMBER_STREAM_CONNECTIONS_PER_MEMBER_MAX = 8;
/** Close codes: the member was suspended; the member holds too many connections. */
export const MEMBER_STREAM_CLOSE_SUSPENDED = 4003;
export const MEMBER_STREAM_CLOSE_TOO_MANY = 4029;

export type OrderEventName = 'accepted' | 'rejected' | 'cancelled' | 'expired' | 'replaced' | 'triggered';

export type MemberStreamMessage =
  | { type: 'welcome'; streamId: string; memberId: string; seq: number; replayFrom: number | null }
  | { type: 'reset'; streamId: string; seq: number; reason: 'unknown_stream' | 'out_of_window' }
  | {
      type: 'order';
      seq: number;
      event: OrderEventName;
      instrumentId: string;
      orderId: string | null;
      side?: 'buy' | 'sell';
      orderType?: string;
      timeInForce?: string;
      price?: string | null;
      stopPrice?: string | null;
      quantity?: string;
      remainingQuantity?: string;
      phase?: 'book' | 'auction';
      code?: string;
      reason?: string;
    }
  | {
      type: 'fill';
      seq: number;
      instrumentId: string;
      orderId: string;
      tradeSeq: number;
      side: 'buy' | 'sell';
      price: string;
      quantity: string;
      remainingQuantity: string;
      liquidity: 'maker' | 'taker' | 'auction';
      at: number;
    }
  | { type: 'ack'; reqId: string; orderId?: string }
  | { type: 'error'; reqId?: string; code: string; detail?: string };

type Sequenced = Extract<MemberStreamMessage, { type: 'order' } | { type: 'fill' }>;
type Unsequenced<M> = M extends unknown ? Omit<M, 'seq'> : never;

interface MemberChannel {
  seq: number;
  /** Texts of the last events: the text of event `s` sits at `s % MEMBER_STREAM_REPLAY_EVENTS_MAX`. */
  readonly replay: string[];
  readonly sockets: Set<WebSocket>;
}

/** What a connecting member asks for: nothing (live from now) or the events after `fromSeq` of `streamId`. */
export interface ResumeRequest {
  readonly streamId: string;
  readonly fromSeq: number;
}

@Injectable()
export class MemberStreamService implements OnModuleDestroy {
  /** Changes on every start: a sequence of an earlier process is not this stream's. */
  readonly streamId = randomUUID();
  private readonly channels = new Map<number, MemberChannel>();

  constructor(
    @Inject(MarketService) market: MarketService,
    @Inject(EXECUTION_CONFIG) private readonly config: ExecutionConfig,
  ) {
    market.onBatch((instrument, batch) => this.publish(instrument, batch));
  }

  onModuleDestroy(): void {
    for (const channel of this.channels.values()) for (const socket of channel.sockets) socket.terminate();
    this.channels.clear();
  }

  /**
   * Hands a member's authenticated socket its stream: the welcome, any replay, then live events,
   * all in one turn of the event loop so no event falls between replay and live.
   */
  attach(socket: WebSocket, member: { id: string; ownerNo: number }, resume: ResumeRequest | null): boolean {
    let channel = this.channels.get(member.ownerNo);
    if (!channel) {
      if (this.channels.size >= MEMBER_STREAMS_MAX) {
        socket.close(1013, 'member streams full');
        return false;
      }
      channel = { seq: 0, replay: [], sockets: new Set() };
      this.channels.set(member.ownerNo, channel);
    }
    if (channel.sockets.size >= MEMBER_STREAM_CONNECTIONS_PER_MEMBER_MAX) {
      socket.close(MEMBER_STREAM_CLOSE_TOO_MANY, 'too many connections');
      return false;
    }
    const oldest = Math.max(1, channel.seq - MEMBER_STREAM_REPLAY_EVENTS_MAX + 1);
    let replayFrom: number | null = null;
    if (resume !== null) {
      if (resume.streamId !== this.streamId) {
        this.sendTo(socket, JSON.stringify({ type: 'reset', streamId: this.streamId, seq: channel.seq, reason: 'unknown_stream' }));
      } else if (resume.fromSeq + 1 < oldest || resume.fromSeq > channel.seq) {
        this.sendTo(socket, JSON.stringify({ type: 'reset', streamId: this.streamId, seq: channel.seq, reason: 'out_of_window' }));
      } else {
        replayFrom = resume.fromSeq + 1;
      }
    }
    this.sendTo(socket, JSON.stringify({ type: 'welcome', streamId: this.streamId, memberId: member.id, seq: channel.seq, replayFrom }));
    if (replayFrom !== null) {
      for (let seq = replayFrom; seq <= channel.seq; seq++) {
        const text = channel.replay[seq % MEMBER_STREAM_REPLAY_EVENTS_MAX];
        assert(text !== undefined, 'every event inside the replay window is kept');
        if (this.sendTo(socket, text) !== 'sent') return false;
      }
    }
    const sockets = channel.sockets;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => sockets.delete(socket));
    return true;
  }

  /** A reply to one socket (acks and errors are not sequenced: they answer a request on that socket). */
  reply(socket: WebSocket, message: Extract<MemberStreamMessage, { type: 'ack' } | { type: 'error' }>): void {
    this.sendTo(socket, JSON.stringify(message));
  }

  /** Closes every socket of a member (suspension); its sequence and replay stay for a reinstatement. */
  disconnect(ownerNo: number, code: number, reason: string): number {
    const channel = this.channels.get(ownerNo);
    if (!channel) return 0;
    const closed = channel.sockets.size;
    for (const socket of channel.sockets) {
      socket.close(code, reason);
      // A suspended member hears nothing more, even what is already queued.
      socket.terminate();
    }
    channel.sockets.clear();
    return closed;
  }

  /** The member's last sequence number (0: none yet or no stream). */
  sequenceOf(ownerNo: number): number {
    return this.channels.get(ownerNo)?.seq ?? 0;
  }

  private publish(instrument: DeskInstrument, batch: PublishedBatch): void {
    if (this.channels.size === 0) return;
    const tradedAt = new Map<number, number>();
    for (const trade of batch.trades) tradedAt.set(trade.tradeSeq, trade.tradedAtMs);
    for (const event of batch.events) {
      if (event.kind === 'status') continue;
      if (event.kind === 'trade') {
        const at = tradedAt.get(event.tradeSeq) ?? 0;
        const liquidity = (side: 'buy' | 'sell'): 'maker' | 'taker' | 'auction' => (event.aggressor === 'auction' ? 'auction' : event.aggressor === side ? 'taker' : 'maker');
        const quantity = (lots: number) => quantityText(lots, instrument.lotSize);
        const price = priceText(event.priceTicks, instrument.tickSize);
        const fill = { type: 'fill' as const, instrumentId: instrument.id, tradeSeq: event.tradeSeq, price, quantity: quantity(event.lots), at };
        const buy = { orderId: String(event.buyOrderId), side: 'buy' as const, remainingQuantity: quantity(event.buyRemainingLots), liquidity: liquidity('buy') };
        const sell = { orderId: String(event.sellOrderId), side: 'sell' as const, remainingQuantity: quantity(event.sellRemainingLots), liquidity: liquidity('sell') };
        this.deliver(event.buyOwnerId, { ...fill, ...buy });
        this.deliver(event.sellOwnerId, { ...fill, ...sell });
        continue;
      }
      const owner = event.kind === 'accepted' ? event.order.ownerId : event.ownerId;
      if (owner === null || !this.channels.has(owner)) continue;
      this.deliver(owner, orderMessage(instrument, event));
    }
  }

  private deliver(ownerNo: number, message: Unsequenced<Sequenced>): void {
    const channel = this.channels.get(ownerNo);
    if (!channel) return;
    channel.seq += 1;
    const text = JSON.stringify({ ...message, seq: channel.seq });
    channel.replay[channel.seq % MEMBER_STREAM_REPLAY_EVENTS_MAX] = text;
    for (const socket of channel.sockets) if (this.sendTo(socket, text) !== 'sent') channel.sockets.delete(socket);
  }

  private sendTo(socket: WebSocket, text: string): 'sent' | 'closed' | 'dropped' {
    return sendBounded(socket, text, this.config.market.feedClientBufferBytes);
  }
}

function orderMessage(instrument: DeskInstrument, event: Exclude<MarketEvent, { kind: 'trade' } | { kind: 'status' }>): Unsequenced<Sequenced> {
  const base = { type: 'order' as const, instrumentId: instrument.id, event: event.kind };
  const quantity = (lots: number) => quantityText(lots, instrument.lotSize);
  switch (event.kind) {
    case 'accepted': {
      const o = event.order;
      const hasPrice = o.type === OrderType.Limit || o.type === OrderType.StopLimit;
      const isStop = o.type === OrderType.Stop || o.type === OrderType.StopLimit;
      return {
        ...base,
        orderId: String(event.orderId),
        side: sideName(o.side),
        orderType: orderTypeName(o.type),
        timeInForce: timeInForceName(o.tif),
        price: hasPrice ? priceText(o.priceTicks, instrument.tickSize) : null,
        stopPrice: isStop ? priceText(o.stopPriceTicks, instrument.tickSize) : null,
        quantity: quantity(o.lots),
        phase: event.phase,
      };
    }
    case 'rejected':
      return { ...base, orderId: event.orderId === null ? null : String(event.orderId), code: event.code };
    case 'cancelled':
      return { ...base, orderId: String(event.orderId), quantity: quantity(event.lots), remainingQuantity: quantity(event.remainingLots), reason: event.reason };
    case 'expired':
      return { ...base, orderId: String(event.orderId), quantity: quantity(event.lots), remainingQuantity: '0' };
    case 'replaced':
      return { ...base, orderId: String(event.orderId), price: priceText(event.priceTicks, instrument.tickSize), remainingQuantity: quantity(event.lots) };
    case 'triggered':
      return { ...base, orderId: String(event.orderId) };
  }
}
