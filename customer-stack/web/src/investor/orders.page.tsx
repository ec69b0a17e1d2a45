// The investor's orders, newest first: what filled (quantity, average price, fee) and where each
// stands (the order and its state lead the row, so a phone shows them without scrolling); an
// open order can be cancelled. One order's detail lists its allocations — each fill
// the market booked against it — and says why when the market refused it.
import { useEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import {
  Alert, Badge, Button, DataTable, ErrorAlert, KeyValues, PageTitle, ResourceView, Section, formatInstant, trimDecimal, useAction, useResource,
} from '@bulwark/ui-kit';
import type { Instrument } from '../shared/market-data';
import { INTENTS_PAGE_SIZE, orders, type AllocationView, type IntentView } from '../shared/orders-api';
import { APP_NAME } from './app-name';
import { STATUS_TEXT, averagePrice, filledText, isCancellable, rejectReason } from './order-history';
import { instrumentName, useTradingSetup } from './trading-setup';

const ORDERS_REFRESH_MS = 5_000;

const usd = (value: string | null) => (value === null ? '—' : `${trimDecimal(value)} USD`);

function OrderDetail({ intent, instruments, onCancel, cancelling }: {
  readonly intent: IntentView;
  readonly instruments: readonly Instrument[];
  readonly onCancel: (intent: IntentView) => void;
  readonly cancelling: boolean;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [intent.intentId]);
  const allocations = useResource((signal) => orders.allocations(intent.intentId, signal), [intent.intentId, intent.filledQuantity]);
  const status = STATUS_TEXT[intent.status];
  const name = instrumentName(instruments, intent.instrumentId);
  return (
    <section className="card" aria-labelledby="order-detail-title" data-testid="order-detail">
      <div className="card-head">
        <h2 id="order-detail-title" ref={heading} tabIndex={-1}>{intent.side === 'buy' ? 'Buy' : 'Sell'} {trimDecimal(intent.quantity)} {name}</h2>
        <Badge tone={status.tone}>{status.label}</Badge>
      </div>
      <p>{status.meaning}</p>
      {intent.status === 'rejected' ? (
        <Alert tone="error" title="Why it was rejected">
          <p>{rejectReason(intent.rejectCode)}</p>
          {intent.rejectCode ? <p className="small">Code <code>{intent.rejectCode}</code>.</p> : null}
        </Alert>
      ) : null}
      <KeyValues items={[
        ['Limit price', usd(intent.limitPrice)],
        ['Time in force', intent.timeInForce],
        ['Filled', filledText(intent)],
        ['Average price', usd(averagePrice(intent))],
        ['Traded value', usd(intent.notional)],
        ['Fees', usd(intent.fee)],
        ['Placed', formatInstant(intent.createdAt)],
        ['Valid until', formatInstant(intent.expiresAt)],
        ['Reference', <code key="r">{intent.intentId}</code>],
      ]} />
      {isCancellable(intent) ? (
        <div className="row">
          <Button variant="danger" busy={cancelling} onClick={() => onCancel(intent)}>Cancel this order</Button>
          <p className="hint">What has not filled is cancelled and the money or units held for it are released at once.</p>
        </div>
      ) : null}
      <ResourceView handle={allocations} label="fills" isEmpty={(rows) => rows.length === 0} empty="Nothing has filled yet.">
        {(rows) => (
          <DataTable<AllocationView> caption="Fills (allocations), oldest first" rows={rows} rowKey={(a) => a.allocationId} columns={[
            { header: 'Time', render: (a) => formatInstant(a.allocatedAt) },
            { header: 'Quantity', align: 'end', render: (a) => trimDecimal(a.quantity) },
            { header: 'Average price', align: 'end', render: (a) => usd(a.averagePrice) },
            { header: 'Value', align: 'end', render: (a) => usd(a.notional) },
            { header: 'Fee', align: 'end', render: (a) => usd(a.fee) },
            { header: 'Still open after', align: 'end', render: (a) => trimDecimal(a.remainingQuantity) },
          ]} />
        )}
      </ResourceView>
    </section>
  );
}

export function OrdersPage() {
  const setup = useTradingSetup();
  const instruments = setup.resource.status === 'ready' ? setup.resource.data.instruments : [];
  const list = useResource((signal) => orders.list(signal), [], ORDERS_REFRESH_MS);
  // Older pages, fetched on request (the newest page keeps refreshing on its own).
  const [older, setOlder] = useState<readonly IntentView[]>([]);
  const [olderDone, setOlderDone] = useState(false);
  const [loadingOlder, loadOlder] = useAction(async (before: string) => {
    const page = await orders.list(undefined, before);
    setOlder((previous) => [...previous, ...page]);
    if (page.length < INTENTS_PAGE_SIZE) setOlderDone(true);
  });
  const [params] = useSearchParams();
  const selectedId = params.get('intent');
  const [cancelling, cancel] = useAction(async (intent: IntentView) => {
    const cancelled = await orders.cancel(intent.intentId);
    list.reload();
    return cancelled;
  });
  const newest = list.resource.status === 'ready' ? list.resource.data : [];
  const rows = [...newest, ...older.filter((o) => !newest.some((n) => n.intentId === o.intentId))];
  const oldest = rows.at(-1);
  const selected = rows.find((intent) => intent.intentId === selectedId);
  return (
    <>
      <PageTitle appName={APP_NAME} actions={<Link className="btn btn-primary" to="/trade">New order</Link>}>Your orders</PageTitle>
      <div className="stack">
        {cancelling.status === 'failed' ? <ErrorAlert error={cancelling.error} /> : null}
        {cancelling.status === 'done' && cancelling.result
          ? <Alert tone="info">Cancel requested: what has not filled is released once the market confirms it will not fill.</Alert>
          : null}
        {selected ? <OrderDetail intent={selected} instruments={instruments} cancelling={cancelling.status === 'running'} onCancel={(intent) => void cancel(intent)} /> : null}
        {selectedId && !selected && list.resource.status === 'ready' ? <Alert tone="warning">That order is not among your most recent ones.</Alert> : null}
        <Section title="History" actions={<Button variant="secondary" onClick={list.reload}>Refresh</Button>}>
          <ResourceView handle={list} label="your orders" isEmpty={(data) => data.length === 0}
            empty={<>You have not placed an order yet. <Link to="/trade">Place your first order</Link>.</>}>
            {() => (
              <DataTable<IntentView> caption="Orders, newest first" rows={rows} rowKey={(i) => i.intentId} columns={[
                { header: 'Order', render: (i) => (
                  <Link to={`/orders?intent=${i.intentId}`}>
                    <span className={i.side === 'buy' ? 'buy' : 'sell'}>{i.side === 'buy' ? 'Buy' : 'Sell'}</span>
                    {' '}{trimDecimal(i.quantity)} {instrumentName(instruments, i.instrumentId)}
                  </Link>
                ) },
                { header: 'Status', render: (i) => <Badge tone={STATUS_TEXT[i.status].tone}>{STATUS_TEXT[i.status].label}</Badge> },
                { header: 'Filled', align: 'end', render: (i) => filledText(i) },
                { header: 'Average price', align: 'end', render: (i) => usd(averagePrice(i)) },
                { header: 'Limit', align: 'end', render: (i) => usd(i.limitPrice) },
                { header: 'Fees', align: 'end', render: (i) => usd(i.fee) },
                { header: 'Placed', render: (i) => formatInstant(i.createdAt) },
              ]} />
            )}
          </ResourceView>
          {loadingOlder.status === 'failed' ? <ErrorAlert error={loadingOlder.error} /> : null}
          {oldest && !olderDone && rows.length >= INTENTS_PAGE_SIZE ? (
            <div className="row">
              <Button variant="secondary" busy={loadingOlder.status === 'running'} onClick={() => void loadOlder(oldest.createdAt)}>Show older orders</Button>
            </div>
          ) : null}
        </Section>
      </div>
    </>
  );
}
