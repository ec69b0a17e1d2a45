// A live order book: the REST book first, then the execution stack's WebSocket feed (snapshot,
// then sequenced depth changes, trades and status). A gap in the sequence asks for a new
// snapshot; a dropped connection reconnects with backoff and the screen says the data is stale.
import { Link, useParams } from 'react-router';
import {
  Alert, Badge, CandleChart, DataTable, KeyValues, PageTitle, ResourceView, Section, formatDecimal, formatInstant, useLiveBook, useResource, type LiveBook,
} from '@bulwark/ui-kit';
import { APP_NAME } from './app-name';
import { market } from './execution-api';

const CANDLES_REFRESH_MS = 5_000;

function feedUrl(): string {
  return `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/v1/market/feed`;
}

const stateTone = (state: string) => (state === 'open' ? 'success' : state === 'halted' ? 'warning' : 'neutral');

export function OrderBookPage() {
  const { instrumentId = '' } = useParams();
  const { book, connection } = useLiveBook(feedUrl(), instrumentId);
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
