// Instruments and their sessions: what is listed (tick and lot sizes orders are checked
// against), each book's live state, and, for a signed-in operator, listing an instrument and
// halting, resuming, closing or opening its market.
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { Badge, Button, DataTable, ErrorAlert, Field, PageTitle, ResourceView, Section, SelectField, useAction, useResource } from '@bulwark/ui-kit';
import { APP_NAME } from './app-name';
import { market, type InstrumentKind, type SessionAction } from './execution-api';
import { useOperator } from './operator-session';

const REFRESH_MS = 5_000;
/** What an operator may do to a market in each session state. */
const SESSION_BUTTONS: Readonly<Record<string, readonly (readonly [SessionAction, string])[]>> = {
  open: [['halt', 'Halt'], ['close', 'Close']],
  halted: [['resume', 'Resume'], ['close', 'Close']],
  closed: [['open', 'Open']],
};
const SYMBOL = /^[A-Z0-9][A-Z0-9-]{1,47}$/;
const DECIMAL = /^\d{1,20}(\.\d{1,18})?$/;

export function statusTone(status: string): 'success' | 'warning' | 'error' | 'neutral' {
  if (status === 'open') return 'success';
  if (status === 'halted' || status === 'auction' || status === 'pre_open') return 'warning';
  if (status === 'closed' || status === 'delisted' || status === 'resolved') return 'neutral';
  return 'error';
}

function ListInstrument({ onListed }: { readonly onListed: () => void }) {
  const { operator } = useOperator();
  const [form, setForm] = useState({ symbol: '', kind: 'event' as InstrumentKind, tickSize: '0.01', lotSize: '1' });
  const [errors, setErrors] = useState<Partial<Record<'symbol' | 'tickSize' | 'lotSize', string>>>({});
  const [state, run] = useAction(async () => {
    await operator?.listInstrument(form);
    onListed();
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: typeof errors = {};
    if (!SYMBOL.test(form.symbol)) found.symbol = 'Upper-case letters, digits and dashes, 2 to 48 characters.';
    if (!DECIMAL.test(form.tickSize) || /^0+(\.0+)?$/.test(form.tickSize)) found.tickSize = 'A positive decimal, e.g. 0.01.';
    if (!DECIMAL.test(form.lotSize) || /^0+(\.0+)?$/.test(form.lotSize)) found.lotSize = 'A positive decimal, e.g. 1.';
    setErrors(found);
    if (Object.keys(found).length === 0) void run();
  };
  return (
    <form onSubmit={submit} noValidate>
      <div className="row">
        <Field label="Symbol" name="symbol" value={form.symbol} error={errors.symbol} onChange={(e) => setForm({ ...form, symbol: e.target.value.toUpperCase() })} />
        <SelectField label="Kind" name="kind" value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value === 'security' ? 'security' : 'event' })}
          options={[{ value: 'event', label: 'Event contract' }, { value: 'security', label: 'Security' }]} />
        <Field label="Tick size (USD)" name="tick" value={form.tickSize} error={errors.tickSize} onChange={(e) => setForm({ ...form, tickSize: e.target.value })} />
        <Field label="Lot size" name="lot" value={form.lotSize} error={errors.lotSize} onChange={(e) => setForm({ ...form, lotSize: e.target.value })} />
      </div>
      {state.status === 'failed' ? <ErrorAlert error={state.error} /> : null}
      <Button type="submit" busy={state.status === 'running'}>List instrument</Button>
    </form>
  );
}

function SessionButtons({ instrumentId, symbol, state, onDone }: {
  readonly instrumentId: string;
  readonly symbol: string;
  readonly state: string;
  readonly onDone: () => void;
}) {
  const { operator } = useOperator();
  const [action, run] = useAction(async (what: SessionAction) => {
    await operator?.session(instrumentId, what);
    onDone();
  });
  const buttons = SESSION_BUTTONS[state] ?? SESSION_BUTTONS.closed ?? [];
  return (
    <div className="row">
      {buttons.map(([what, label]) => (
        <Button key={what} variant={what === 'halt' || what === 'close' ? 'danger' : 'secondary'} aria-label={`${label} ${symbol}`} busy={action.status === 'running'}
          onClick={() => void run(what)}>{label}</Button>
      ))}
      {action.status === 'failed' ? <ErrorAlert error={action.error} /> : null}
    </div>
  );
}

export function InstrumentsPage() {
  const { operator } = useOperator();
  const handle = useResource((signal) => market.withBooks(signal), [], REFRESH_MS);
  return (
    <>
      <PageTitle appName={APP_NAME}>Instruments</PageTitle>
      <div className="stack">
        {operator ? <Section title="List an instrument"><ListInstrument onListed={handle.reload} /></Section> : null}
        <Section title="Listed instruments">
          <ResourceView handle={handle} label="instruments" isEmpty={(rows) => rows.length === 0} empty="No instrument is listed yet.">
            {(rows) => (
              <DataTable caption="Instruments and their sessions" rows={rows} rowKey={(row) => row.instrument.id} columns={[
                { header: 'Symbol', render: ({ instrument }) => <Link to={`/books/${instrument.id}`}>{instrument.symbol}</Link> },
                { header: 'Kind', render: ({ instrument }) => (instrument.kind === 'event' ? 'Event contract' : 'Security') },
                { header: 'Tick (USD)', render: ({ instrument }) => instrument.tickSize, align: 'end' },
                { header: 'Lot', render: ({ instrument }) => instrument.lotSize, align: 'end' },
                { header: 'Session', render: ({ book }) => (book ? <Badge tone={statusTone(book.state)}>{book.state}</Badge> : <Badge tone="error">no book</Badge>) },
                { header: 'Last price', render: ({ book }) => book?.lastPrice ?? '—', align: 'end' },
                ...(operator ? [{ header: 'Actions', render: ({ instrument, book }: (typeof rows)[number]) => (
                  book ? <SessionButtons instrumentId={instrument.id} symbol={instrument.symbol} state={book.state} onDone={handle.reload} /> : '—'
                ) }] : []),
              ]} />
            )}
          </ResourceView>
        </Section>
      </div>
    </>
  );
}
