// Omnibus pools and allocations: customer intents wait in a pool per (tenant, instrument, side,
// limit, time in force) until its window closes, leave as one omnibus order, and its fills are
// allocated pro rata back to the intents. The detail of an order shows that what was allocated
// is exactly what was filled. Tenants and accounts appear as opaque references only.
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { Alert, Badge, DataTable, KeyValues, PageTitle, ResourceView, Section, SelectField, compare, formatInstant, useResource } from '@bulwark/ui-kit';
import { APP_NAME } from './app-name';
import type { OmnibusOrderStatus, OperatorApi } from './execution-api';
import { useSymbols } from './use-symbols';

const REFRESH_MS = 5_000;
const sameDecimal = (a: string, b: string) => compare(a, b) === 0;
const short = (ref: string) => <code title={ref}>{ref.slice(0, 8)}…</code>;
const statusTone = (status: OmnibusOrderStatus) => (status === 'done' ? 'success' : status === 'working' ? 'info' : 'warning');

export function PoolsPage({ operator }: { readonly operator: OperatorApi }) {
  const [status, setStatus] = useState<OmnibusOrderStatus | ''>('');
  const symbol = useSymbols();
  const handle = useResource((signal) => operator.pools(status || undefined, signal), [operator, status], REFRESH_MS);
  return (
    <>
      <PageTitle appName={APP_NAME}>Omnibus pools and allocations</PageTitle>
      <div className="stack">
        <ResourceView handle={handle} label="the pools">
          {({ waiting, orders }) => (
            <>
              <Section title="Pools waiting for their window">
                {waiting.length === 0 ? <p className="muted">No intent is waiting: every accepted intent is in an omnibus order.</p> : (
                  <DataTable caption="Waiting pools, oldest first" rows={waiting}
                    rowKey={(p) => `${p.tenantRef}:${p.instrumentId}:${p.side}:${p.limitPrice}:${p.timeInForce}`} columns={[
                    { header: 'Instrument', render: (p) => symbol(p.instrumentId) },
                    { header: 'Side', render: (p) => <span className={p.side}>{p.side}</span> },
                    { header: 'Limit (USD)', render: (p) => p.limitPrice, align: 'end' },
                    { header: 'TIF', render: (p) => p.timeInForce },
                    { header: 'Tenant ref', render: (p) => short(p.tenantRef) },
                    { header: 'Intents', render: (p) => p.intents, align: 'end' },
                    { header: 'Quantity', render: (p) => p.quantity, align: 'end' },
                    { header: 'Waiting since', render: (p) => formatInstant(p.oldestAcceptedAt) },
                  ]} />
                )}
              </Section>
              <Section title="Omnibus orders" actions={
                <SelectField label="Status" name="status" value={status} onChange={(e) => setStatus(e.target.value as OmnibusOrderStatus | '')}
                  options={[
                    { value: '', label: 'All' }, { value: 'new', label: 'New (not routed yet)' }, { value: 'working', label: 'Working' }, { value: 'done', label: 'Done' },
                  ]} />
              }>
                {orders.length === 0 ? <p className="muted">{status ? `No ${status} omnibus order.` : 'No omnibus order yet: they appear once customers place orders.'}</p> : (
                  <DataTable caption="Omnibus orders, newest first" rows={orders} rowKey={(o) => o.orderRef} columns={[
                    { header: 'Order', render: (o) => <Link to={`/pools/${o.orderRef}`} aria-label={`Order ${o.orderRef}`}>{o.orderRef.slice(0, 8)}…</Link> },
                    { header: 'Instrument', render: (o) => symbol(o.instrumentId) },
                    { header: 'Side', render: (o) => <span className={o.side}>{o.side}</span> },
                    { header: 'Limit (USD)', render: (o) => o.limitPrice, align: 'end' },
                    { header: 'Intents', render: (o) => o.intents, align: 'end' },
                    { header: 'Quantity', render: (o) => o.quantity, align: 'end' },
                    { header: 'Filled', render: (o) => o.filledQuantity, align: 'end' },
                    { header: 'Allocated', render: (o) => (
                      sameDecimal(o.allocatedQuantity, o.filledQuantity) ? o.allocatedQuantity : <Badge tone="warning">{`${o.allocatedQuantity} (allocating)`}</Badge>
                    ), align: 'end' },
                    { header: 'Venue', render: (o) => o.venue || '—' },
                    { header: 'Status', render: (o) => <Badge tone={statusTone(o.status)}>{o.status}</Badge> },
                    { header: 'Created', render: (o) => formatInstant(o.createdAt) },
                  ]} />
                )}
              </Section>
            </>
          )}
        </ResourceView>
      </div>
    </>
  );
}

export function PoolOrderPage({ operator }: { readonly operator: OperatorApi }) {
  const { orderRef = '' } = useParams();
  const symbol = useSymbols();
  const handle = useResource((signal) => operator.poolOrder(orderRef, signal), [operator, orderRef], REFRESH_MS);
  return (
    <>
      <PageTitle appName={APP_NAME}>Omnibus order</PageTitle>
      <p><Link to="/pools">Back to the pools</Link></p>
      <ResourceView handle={handle} label="the omnibus order">
        {({ order, intents, fills, allocations }) => (
          <div className="stack">
            <Section title="Order" actions={<Badge tone={statusTone(order.status)}>{order.status}</Badge>}>
              <KeyValues items={[
                ['Order reference', <code key="o">{order.orderRef}</code>],
                ['Instrument', symbol(order.instrumentId)],
                ['Side and limit', `${order.side} at most ${order.limitPrice} USD (${order.timeInForce})`],
                ['Tenant reference', <code key="t">{order.tenantRef}</code>],
                ['Venue', order.venue || 'not routed yet'],
                ['Quantity', order.quantity],
                ['Filled', order.filledQuantity],
                ['Allocated', order.allocatedQuantity],
                ['Created', formatInstant(order.createdAt)],
              ]} />
              {sameDecimal(order.allocatedQuantity, order.filledQuantity)
                ? <Alert tone="success" title="Allocated exactly">Every filled unit is allocated to an intent: Σ allocations = {order.filledQuantity}.</Alert>
                : (
                  <Alert tone="warning" title="Allocation pending">
                    {order.allocatedQuantity} of {order.filledQuantity} filled units are allocated so far; the rest is allocated with its round.
                  </Alert>
                )}
            </Section>
            <Section title="Intents in the pool">
              <DataTable caption="Intents, in acceptance order" rows={intents} rowKey={(i) => i.intentId} columns={[
                { header: 'Seq', render: (i) => i.seq, align: 'end' },
                { header: 'Intent', render: (i) => short(i.intentId) },
                { header: 'Account ref', render: (i) => short(i.accountRef) },
                { header: 'Quantity', render: (i) => i.quantity, align: 'end' },
                { header: 'Still open', render: (i) => i.openQuantity, align: 'end' },
                { header: 'Status', render: (i) => i.status },
              ]} />
            </Section>
            <Section title="Fills from the venue">
              {fills.length === 0 ? <p className="muted">No fill yet.</p> : (
                <DataTable caption="Fills, in trade order" rows={fills} rowKey={(f) => f.fillRef} columns={[
                  { header: 'Fill', render: (f) => short(f.fillRef) },
                  { header: 'Venue', render: (f) => f.venue },
                  { header: 'Price (USD)', render: (f) => f.price, align: 'end' },
                  { header: 'Quantity', render: (f) => f.quantity, align: 'end' },
                  { header: 'Round', render: (f) => (f.roundRef ? short(f.roundRef) : <Badge tone="warning">not allocated yet</Badge>) },
                  { header: 'Traded', render: (f) => formatInstant(f.tradedAt) },
                ]} />
              )}
            </Section>
            <Section title="Allocations">
              {allocations.length === 0 ? <p className="muted">Nothing allocated yet.</p> : (
                <DataTable caption="Allocations, round by round" rows={allocations} rowKey={(a) => a.allocationId} columns={[
                  { header: 'Round', render: (a) => short(a.roundRef) },
                  { header: 'Account ref', render: (a) => short(a.accountRef) },
                  { header: 'Quantity', render: (a) => a.quantity, align: 'end' },
                  { header: 'Avg price (USD)', render: (a) => a.averagePrice, align: 'end' },
                  { header: 'Notional (USD)', render: (a) => a.notional, align: 'end' },
                  { header: 'Fee (USD)', render: (a) => a.fee, align: 'end' },
                  { header: 'Left open', render: (a) => a.remainingQuantity, align: 'end' },
                  { header: 'Inputs hash', render: (a) => <code title={a.inputsHash}>{a.inputsHash.slice(0, 12)}…</code> },
                ]} />
              )}
            </Section>
          </div>
        )}
      </ResourceView>
    </>
  );
}
