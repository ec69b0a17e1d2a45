// A feed consumer that keeps an L2 book per instrument from a snapshot plus sequenced
// increments, and recovers from a sequence gap by asking for a fresh snapshot. The market-maker
// simulator and the tests use it; it is what any member's feed handler has to do.
import WebSocket from 'ws';
import type { FeedMessage, Level } from './feed-hub.js';

export interface LocalBook {
  seq: number;
  state: string;
  bids: Map<string, string>;
  asks: Map<string, string>;
  lastPrice: string | null;
}

export class FeedClient {
  readonly books = new Map<string, LocalBook>();
  readonly received: FeedMessage[] = [];
  gapsRecovered = 0;
  private readonly awaitingSnapshot = new Set<string>();

  private constructor(
    private readonly socket: WebSocket,
    /** Test hook: a message for which this returns true is treated as lost in transit. */
    private readonly lose: (message: FeedMessage) => boolean,
  ) {
    socket.on('message', (data) => this.onMessage(JSON.parse(data.toString()) as FeedMessage));
  }

  static async connect(url: string, lose: (message: FeedMessage) => boolean = () => false): Promise<FeedClient> {
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new FeedClient(socket, lose);
  }

  subscribe(instrumentId: string): void {
    this.awaitingSnapshot.add(instrumentId);
    this.socket.send(JSON.stringify({ op: 'subscribe', instrumentId }));
  }

  get closed(): boolean {
    return this.socket.readyState === WebSocket.CLOSED;
  }

  /** The raw socket (tests pause it to play a slow reader). */
  get rawSocket(): WebSocket {
    return this.socket;
  }

  close(): void {
    this.socket.terminate();
  }

  private onMessage(message: FeedMessage): void {
    if (this.lose(message)) return;
    this.received.push(message);
    if (message.type === 'error') return;
    const id = message.instrumentId;
    if (message.type === 'snapshot') {
      this.awaitingSnapshot.delete(id);
      this.books.set(id, { seq: message.seq, state: message.state, bids: new Map(message.bids), asks: new Map(message.asks), lastPrice: message.lastPrice });
      return;
    }
    const book = this.books.get(id);
    if (!book || this.awaitingSnapshot.has(id) || message.seq <= book.seq) return;
    if (message.seq !== book.seq + 1) {
      // A gap: what we hold can no longer be trusted; the snapshot will carry us past it.
      this.gapsRecovered += 1;
      this.awaitingSnapshot.add(id);
      this.socket.send(JSON.stringify({ op: 'snapshot', instrumentId: id }));
      return;
    }
    book.seq = message.seq;
    if (message.type === 'depth') {
      apply(book.bids, message.bids);
      apply(book.asks, message.asks);
    } else if (message.type === 'trade') {
      book.lastPrice = message.price;
    } else if (message.type === 'status') {
      book.state = message.state;
    }
  }
}

function apply(side: Map<string, string>, levels: readonly Level[]): void {
  for (const [price, quantity] of levels) {
    if (quantity === '0') side.delete(price);
    else side.set(price, quantity);
  }
}
