// Resolution and distributions: an operator resolves an event contract (YES, NO or void) once
// its market is closed, or declares a distribution on a security; payouts per opaque account
// reference follow, and cross the wall to the customer stack. Each result stays on screen with
// its payouts; any past event can be opened by its reference.
import { useState, type FormEvent } from 'react';
import {
  Alert, Badge, Button, DataTable, ErrorAlert, Field, KeyValues, PageTitle, ResourceView, Section, SelectField, formatInstant, useAction, useResource,
} from '@bulwark/ui-kit';
import { APP_NAME } from './app-name';
import { market, type OperatorApi, type ResolutionOutcome } from './execution-api';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DECIMAL = /^\d{1,20}(\.\d{1,18})?$/;

function EventView({ operator, eventRef }: { readonly operator: OperatorApi; readonly eventRef: string }) {
  const handle = useResource(async (signal) => {
    const [event, page] = await Promise.all([operator.event(eventRef, signal), operator.payouts(eventRef, signal)]);
    return { event, payouts: page.payouts };
  }, [operator, eventRef]);
  return (
    <ResourceView handle={handle} label="the event">
      {({ event, payouts }) => (
        <div className="card">
          <div className="card-head">
            <strong>{event.kind === 'resolution' ? `Resolved ${event.outcome?.toUpperCase()}` : `Distribution of ${event.amountPerUnit} USD per unit`}</strong>
            <Badge tone="success">{event.payouts} payouts</Badge>
          </div>
          <KeyValues items={[
            ['Event reference', <code key="r">{event.eventRef}</code>],
            ['Instrument', <code key="i">{event.instrumentId}</code>],
            ['Record time', formatInstant(event.recordAt)],
            ['Declared', formatInstant(event.declaredAt)],
            ['Units paid', event.totalQuantity],
            ['Total paid (USD)', event.totalAmount],
            ['Token burns on chain', event.burnTxIds.length === 0 ? 'None (no chain, or nothing to burn)' : String(event.burnTxIds.length)],
          ]} />
          {payouts.length === 0 ? <p className="muted">No account held this instrument at the record time, so nothing is paid.</p> : (
            <DataTable caption="Payouts by account reference" rows={payouts} rowKey={(p) => p.payoutId} columns={[
              { header: 'Account reference', render: (p) => <code>{p.accountRef}</code> },
              { header: 'Units', render: (p) => p.quantity, align: 'end' },
              { header: 'Per unit (USD)', render: (p) => p.amountPerUnit, align: 'end' },
              { header: 'Amount (USD)', render: (p) => p.amount, align: 'end' },
            ]} />
          )}
        </div>
      )}
    </ResourceView>
  );
}

export function ResolutionPage({ operator }: { readonly operator: OperatorApi }) {
  const instruments = useResource((signal) => market.instruments(signal), []);
  const [eventRefs, setEventRefs] = useState<string[]>([]);
  const [instrumentId, setInstrumentId] = useState('');
  const [outcome, setOutcome] = useState<ResolutionOutcome>('yes');
  const [confirm, setConfirm] = useState(false);
  const [amount, setAmount] = useState('');
  const [recordDate, setRecordDate] = useState('');
  const [lookup, setLookup] = useState('');
  const [formError, setFormError] = useState<string | undefined>();
  const remember = (ref: string) => setEventRefs((refs) => [ref, ...refs.filter((r) => r !== ref)]);
  const [resolving, resolve] = useAction(async () => remember((await operator.resolve(instrumentId, outcome)).eventRef));
  const [distributing, distribute] = useAction(async () => remember((await operator.distribute(instrumentId, amount, new Date(recordDate).toISOString())).eventRef));

  const list = instruments.resource.status === 'ready' ? instruments.resource.data : [];
  const selected = list.find((i) => i.id === instrumentId);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!selected) return setFormError('Choose an instrument.');
    if (selected.kind === 'event') {
      if (!confirm) return setFormError('Confirm the outcome: a resolution cannot be undone.');
      setFormError(undefined);
      return void resolve();
    }
    if (!DECIMAL.test(amount)) return setFormError('Enter the amount per unit in USD, e.g. 0.25.');
    if (Number.isNaN(Date.parse(recordDate))) return setFormError('Enter the record date and time.');
    setFormError(undefined);
    return void distribute();
  };
  const running = resolving.status === 'running' || distributing.status === 'running';
  const failed = resolving.status === 'failed' ? resolving.error : distributing.status === 'failed' ? distributing.error : undefined;
  return (
    <>
      <PageTitle appName={APP_NAME}>Resolution and distributions</PageTitle>
      <div className="stack">
        <Section title="Resolve an event or declare a distribution">
          <Alert tone="info">An event contract can be resolved once its market is closed (Instruments: Close). Payouts go to every account holding it.</Alert>
          <form onSubmit={submit} noValidate>
            <SelectField label="Instrument" name="instrument" value={instrumentId} onChange={(e) => { setInstrumentId(e.target.value); setConfirm(false); }}
              options={[{ value: '', label: 'Choose…' }, ...list.map((i) => ({ value: i.id, label: `${i.symbol} (${i.kind === 'event' ? 'event' : 'security'})` }))]} />
            {selected?.kind === 'event' ? (
              <>
                <SelectField label="Outcome" name="outcome" value={outcome} onChange={(e) => setOutcome(e.target.value as ResolutionOutcome)}
                  options={[{ value: 'yes', label: 'YES: each unit pays 1 USD' }, { value: 'no', label: 'NO: units pay nothing' }, { value: 'void', label: 'Void: refund' }]} />
                <div className="field">
                  <label className="check">
                    <input type="checkbox" checked={confirm} onChange={(e) => setConfirm(e.target.checked)} /> I confirm {selected.symbol} resolves {outcome.toUpperCase()}
                  </label>
                </div>
              </>
            ) : null}
            {selected?.kind === 'security' ? (
              <>
                <Field label="Amount per unit (USD)" name="amount" value={amount} onChange={(e) => setAmount(e.target.value)} />
                <Field label="Record date (UTC)" name="record-date" type="datetime-local" value={recordDate} onChange={(e) => setRecordDate(e.target.value)} />
              </>
            ) : null}
            {formError ? <Alert tone="error">{formError}</Alert> : null}
            {failed ? <ErrorAlert error={failed} /> : null}
            <Button type="submit" variant="danger" busy={running}>{selected?.kind === 'security' ? 'Declare distribution' : 'Resolve'}</Button>
          </form>
        </Section>
        <Section title="Open an event by reference">
          <form className="row" onSubmit={(e) => { e.preventDefault(); if (UUID.test(lookup.trim())) remember(lookup.trim()); }} noValidate>
            <Field label="Event reference" name="event-ref" value={lookup} onChange={(e) => setLookup(e.target.value)} />
            <Button type="submit" variant="secondary">Open</Button>
          </form>
        </Section>
        {eventRefs.map((ref) => <EventView key={ref} operator={operator} eventRef={ref} />)}
      </div>
    </>
  );
}
