// A live order book: the REST book first, then the execution stack's WebSocket feed (snapshot,
// then sequenced depth changes, trades and status). A gap in the sequence asks for a new
// snapshot; a dropped connection reconnects with backoff and the screen says the data is stale.
import { useEffect, useReducer, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { Alert, Badge, CandleChart, DataTable, KeyValues, PageTitle, ResourceView, Section, formatDecimal, formatInstant, useResource } from '@bulwark/ui-kit';
import { APP_NAME } from './app-name';
import { applyFeed, emptyBook, type FeedMessage, type LiveBook } from './book-feed';
import { market } from './execution-api';

const RECONNECT_MS_MAX = 10_000;
const CANDLES_REFRESH_MS = 5_000;

type Connection = 'connecting' | 'live' | 'reconnecting';

function feedUrl(): string {
  return `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/v1/market/feed`;
}

export function useLiveBook(instrumentId: string): { book: LiveBook; connection: Connection } {
  const [book, dispatch] = useReducer(applyFeed, instrumentId, emptyBook);
  const [connection, setConnection] = useState<Connection>('connecting');
  const socketRef = useRef<WebSocket | undefined>(undefined);
  useEffect(() => {
    let socket: WebSocket | undefined;
    let closed = false;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const connect = () => {
      socket = new WebSocket(feedUrl());
      socketRef.current = socket;
      socket.onopen = () => {
        attempt = 0;
        socket?.send(JSON.stringify({ op: 'subscribe', instrumentId }));
      };
      socket.onmessage = (event) => {
        const message = JSON.parse(String(event.data)) as FeedMessage;
        if (message.type === 'snapshot') setConnection('live');
        dispatch(message);
      };
      socket.onclose = () => {
        if (closed) return;
        setConnection('reconnecting');
        attempt += 1;
        timer = setTimeout(connect, Math.min(RECONNECT_MS_MAX, 250 * 2 ** attempt));
      };
    };
    connect();
    return () => {
      closed = true;
      if (timer) clearTimeout(timer);
      socket?.close();
    };
  }, [instrumentId]);
  useEffect(() => {
    // A gap: ask the server for a fresh snapshot on the open connection.
    if (!book.needsSnapshot) return;
    socketRef.current?.send(JSON.stringify({ op: 'snapshot', instrumentId }));
    dispatch({ type: 'resync-requested' });
  }, [book.needsSnapshot, instrumentId]);
  return { book, connection };
}

const stateTone = (state: string) => (state === 'open' ? 'success' : state === 'halted' ? 'warning' : 'neutral');

export function OrderBookPage() {
  const { instrumentId = '' } = useParams();
  const { book, connection } = useLiveBook(instrumentId);
  const candles = useResource((signal) => market.candles(instrumentId, signal), [instrumentId], CANDLES_REFRESH_MS);
  const depth = (levels: LiveBook['bids'], side: string) => (
    <DataTable caption={side} rows={levels} rowKey={([price]) => price} columns={[
      { header: 'Price (USD)', render: ([price]) => price, align: 'end' },
      { header: 'Quantity', render: ([, quantity]) => formatDecimal(quantity, 0), align: 'end' },
    ]} />
  );
  return (
    <>
      <PageTitle appName={APP_NAME}>Order book</PageTitle>
      <p><Link to="/instruments">Back to the instruments</Link></p>
      {connection === 'reconnecting' ? <Alert tone="warning" title="Feed disconnected">Reconnecting. The book below may be out of date.</Alert> : null}
      {book.error ? <Alert tone="error" title="The feed refused this book"><code>{book.error}</code></Alert> : null}
      <Section title="Session" actions={<Badge tone={connection === 'live' ? 'success' : 'warning'}>{connection === 'live' ? 'Live' : connection}</Badge>}>
        <KeyValues items={[
          ['Instrument', <code key="i">{instrumentId}</code>],
          ['State', <Badge key="s" tone={stateTone(book.state)}>{book.state}</Badge>],
          ['Last price', book.lastPrice ?? '—'],
          ['Resumes', book.resumeAt ? formatInstant(new Date(book.resumeAt)) : '—'],
          ['Sequence', String(book.seq)],
        ]} />
      </Section>
      <div className="grid">
        <Section title="Bids">{book.bids.length === 0 ? <p className="muted">No bids.</p> : depth(book.bids, 'Bids, best first')}</Section>
        <Section title="Asks">{book.asks.length === 0 ? <p className="muted">No asks.</p> : depth(book.asks, 'Asks, best first')}</Section>
      </div>
      <Section title="Price, 1-minute candles">
        <ResourceView handle={candles} label="candles" isEmpty={(rows) => rows.length === 0} empty="No trade yet, so no candles.">
          {(rows) => <CandleChart candles={rows} label="1-minute candles" />}
        </ResourceView>
      </Section>
      <Section title="Recent trades">
        {book.trades.length === 0 ? <p className="muted">No trades since you opened this page.</p> : (
          <DataTable caption="Trades, newest first" rows={book.trades} rowKey={(t) => String(t.tradeSeq)} columns={[
            { header: 'Time', render: (t) => formatInstant(new Date(t.at)) },
            { header: 'Price', render: (t) => t.price, align: 'end' },
            { header: 'Quantity', render: (t) => t.quantity, align: 'end' },
            { header: 'Aggressor', render: (t) => <span className={t.aggressor === 'buy' ? 'buy' : 'sell'}>{t.aggressor}</span> },
          ]} />
        )}
      </Section>
    </>
  );
}
