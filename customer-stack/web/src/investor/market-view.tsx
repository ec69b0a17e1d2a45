// An instrument's market as the investor watches it: the session state and last price, live
// depth from the execution stack's public feed (a gap resynchronises, a drop reconnects and the
// screen says the book may be stale), recent trades, and 1-minute candles.
import {
  Alert, Badge, CandleChart, DataTable, KeyValues, ResourceView, Section, formatDecimal, formatInstant, useLiveBook, useResource, type Level, type Tone,
} from '@bulwark/ui-kit';
import type { Instrument, MarketData } from '../shared/market-data';

const CANDLES_REFRESH_MS = 5_000;
export const DEPTH_LEVELS_SHOWN = 10;
const TRADES_SHOWN = 10;

const STATE_TONE: Readonly<Record<string, Tone>> = { open: 'success', halted: 'warning', closed: 'neutral', auction: 'info' };

/** Decimal places of a step ("0.01" → 2): the feed sends "0.5", people read "0.50" on a 0.01 grid. */
export const placesOf = (step: string): number => (step.includes('.') ? (step.split('.')[1] ?? '').replace(/0+$/, '').length : 0);

function Depth({ caption, levels, instrument }: { readonly caption: string; readonly levels: readonly Level[]; readonly instrument: Instrument }) {
  if (levels.length === 0) return <p className="muted">{caption}: none.</p>;
  return (
    <DataTable<Level> caption={caption} rows={levels.slice(0, DEPTH_LEVELS_SHOWN)} rowKey={([price]) => price} columns={[
      { header: 'Price (USD)', align: 'end', render: ([price]) => formatDecimal(price, placesOf(instrument.tickSize)) },
      { header: 'Quantity', align: 'end', render: ([, quantity]) => formatDecimal(quantity, placesOf(instrument.lotSize)) },
    ]} />
  );
}

export function MarketView({ instrument, market }: { readonly instrument: Instrument; readonly market: MarketData }) {
  const { book, connection } = useLiveBook(market.feedUrl, instrument.id);
  const candles = useResource((signal) => market.candles(instrument.id, signal), [instrument.id], CANDLES_REFRESH_MS);
  const live = connection === 'live' && book.synced;
  const price = (value: string) => `${formatDecimal(value, placesOf(instrument.tickSize))} USD`;
  const badge = <Badge tone={live ? 'success' : 'warning'}>{live ? 'Live' : connection === 'reconnecting' ? 'Reconnecting' : 'Connecting'}</Badge>;
  return (
    <Section title={`Market: ${instrument.symbol}`} actions={badge}>
      {connection === 'reconnecting' ? <Alert tone="warning" title="The market feed dropped">Reconnecting. The book below may be out of date.</Alert> : null}
      {book.error ? <Alert tone="error" title="The market feed refused this instrument"><p>Code <code>{book.error}</code>.</p></Alert> : null}
      <KeyValues items={[
        ['Session', <Badge key="s" tone={STATE_TONE[book.state] ?? 'neutral'}>{book.state}</Badge>],
        ['Last price', book.lastPrice ? price(book.lastPrice) : 'No trade yet'],
        ['Best bid', book.bids[0] ? price(book.bids[0][0]) : '—'],
        ['Best ask', book.asks[0] ? price(book.asks[0][0]) : '—'],
        ['Price step', `${instrument.tickSize} USD`],
        ['Lot', instrument.lotSize],
      ]} />
      {book.resumeAt ? <p>Trading resumes at {formatInstant(new Date(book.resumeAt))}.</p> : null}
      <div className="grid depth" data-testid="market-depth">
        <Depth caption="Bids (buyers), best first" levels={book.bids} instrument={instrument} />
        <Depth caption="Asks (sellers), best first" levels={book.asks} instrument={instrument} />
      </div>
      <h3>Price, 1-minute candles</h3>
      <ResourceView handle={candles} label="candles" isEmpty={(rows) => rows.length === 0} empty="No trades yet, so no candles.">
        {(rows) => <CandleChart candles={rows} label={`${instrument.symbol} 1-minute candles`} />}
      </ResourceView>
      {book.trades.length > 0 ? (
        <DataTable caption="Trades since you opened this page, newest first" rows={book.trades.slice(0, TRADES_SHOWN)} rowKey={(t) => String(t.tradeSeq)} columns={[
          { header: 'Time', render: (t) => formatInstant(new Date(t.at)) },
          { header: 'Price (USD)', align: 'end', render: (t) => formatDecimal(t.price, placesOf(instrument.tickSize)) },
          { header: 'Quantity', align: 'end', render: (t) => formatDecimal(t.quantity, placesOf(instrument.lotSize)) },
        ]} />
      ) : <p className="muted">No trades since you opened this page.</p>}
    </Section>
  );
}
