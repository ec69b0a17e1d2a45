// Halts and circuit breakers: which markets are not trading and until when, and the breaker each
// instrument runs under (its price band, and the volatility halt that stops the market for a
// cooldown when the price moves too far too fast). A signed-in operator can halt a market for a
// set time, after which it resumes by itself, or until resumed by hand.
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import {
  Alert, Badge, Button, DataTable, ErrorAlert, Field, PageTitle, ResourceView, Section, SelectField, compare, formatCountdown, formatInstant, secondsLeft, useAction, useNow,
  useResource,
} from '@bulwark/ui-kit';
import { APP_NAME } from './app-name';
import { market, type BookView, type MarketRow } from './execution-api';
import { statusTone } from './instruments.page';
import { useOperator } from './operator-session';

const REFRESH_MS = 3_000;
const COOLDOWN_MINUTES_MAX = 1_440;

/** "5 min", "30 s", "2 h": a breaker setting as people read it. */
export function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0 && ms >= 3_600_000) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0 && ms >= 60_000) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}

function Resumes({ book, now }: { readonly book: BookView | undefined; readonly now: number }) {
  if (!book || book.state === 'open') return <>—</>;
  if (book.resumeAt === null) return <>{book.state === 'halted' ? 'when an operator resumes it' : '—'}</>;
  const left = secondsLeft(new Date(book.resumeAt), now);
  return <>{left > 0 ? `in ${formatCountdown(left)} (${formatInstant(new Date(book.resumeAt))})` : 'resuming now'}</>;
}

function HaltMarket({ rows, onDone }: { readonly rows: readonly MarketRow[]; readonly onDone: () => void }) {
  const { operator } = useOperator();
  const open = rows.filter((r) => r.book?.state === 'open');
  const [instrumentId, setInstrumentId] = useState('');
  const [minutes, setMinutes] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [state, run] = useAction(async (id: string, cooldownMs: number | null) => {
    await operator?.session(id, 'halt', { cooldownMs });
    onDone();
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!open.some((r) => r.instrument.id === instrumentId)) return setError('Choose a market that is open.');
    const trimmed = minutes.trim();
    if (trimmed !== '' && (!/^\d{1,4}$/.test(trimmed) || Number(trimmed) < 1 || Number(trimmed) > COOLDOWN_MINUTES_MAX)) {
      return setError(`Minutes from 1 to ${COOLDOWN_MINUTES_MAX}, or empty to halt until resumed by hand.`);
    }
    setError(undefined);
    return void run(instrumentId, trimmed === '' ? null : Number(trimmed) * 60_000);
  };
  if (open.length === 0) return <p className="muted">No market is open, so there is nothing to halt.</p>;
  return (
    <form onSubmit={submit} noValidate>
      <div className="row">
        <SelectField label="Market" name="halt-instrument" value={instrumentId} onChange={(e) => setInstrumentId(e.target.value)}
          options={[{ value: '', label: 'Choose…' }, ...open.map((r) => ({ value: r.instrument.id, label: r.instrument.symbol }))]} />
        <Field label="Resume after (minutes)" name="halt-minutes" inputMode="numeric" value={minutes} hint="Empty: stays halted until an operator resumes it."
          onChange={(e) => setMinutes(e.target.value)} />
      </div>
      {error ? <Alert tone="error">{error}</Alert> : null}
      {state.status === 'failed' ? <ErrorAlert error={state.error} /> : null}
      <Button type="submit" variant="danger" busy={state.status === 'running'}>Halt market</Button>
    </form>
  );
}

export function HaltsPage() {
  const { operator } = useOperator();
  const now = useNow();
  const handle = useResource((signal) => market.withBooks(signal), [], REFRESH_MS);
  return (
    <>
      <PageTitle appName={APP_NAME}>Halts and circuit breakers</PageTitle>
      <div className="stack">
        <ResourceView handle={handle} label="the markets" isEmpty={(rows) => rows.length === 0} empty="No instrument is listed yet.">
          {(rows) => {
            const stopped = rows.filter((r) => r.book?.state !== 'open' && r.instrument.status !== 'resolved' && r.instrument.status !== 'delisted');
            return (
              <>
                <Section title="Markets not trading">
                  {stopped.length === 0 ? <Alert tone="success">Every listed market is open.</Alert> : (
                    <DataTable caption="Halted, closed or in auction" rows={stopped} rowKey={(r) => r.instrument.id} columns={[
                      { header: 'Market', render: (r) => <Link to={`/books/${r.instrument.id}`}>{r.instrument.symbol}</Link> },
                      { header: 'State', render: (r) => (r.book ? <Badge tone={statusTone(r.book.state)}>{r.book.state}</Badge> : <Badge tone="error">no book</Badge>) },
                      { header: 'Resumes', render: (r) => <Resumes book={r.book} now={now} /> },
                      { header: 'Last price', render: (r) => r.book?.lastPrice ?? '—', align: 'end' },
                    ]} />
                  )}
                </Section>
                {operator ? <Section title="Halt a market"><HaltMarket rows={rows} onDone={handle.reload} /></Section> : null}
                <Section title="Circuit breakers by instrument">
                  <DataTable caption="Price bands and volatility halts" rows={rows} rowKey={(r) => r.instrument.id} columns={[
                    { header: 'Market', render: (r) => r.instrument.symbol },
                    { header: 'State', render: (r) => (r.book ? <Badge tone={statusTone(r.book.state)}>{r.book.state}</Badge> : '—') },
                    { header: 'Price range (USD)', render: (r) => `${r.instrument.priceMin}–${r.instrument.priceMax}`, align: 'end' },
                    { header: 'Band (± USD)', render: (r) => (compare(r.instrument.bandWidth, '0') === 0 ? 'none' : r.instrument.bandWidth), align: 'end' },
                    { header: 'Halts on a move of', render: (r) => `${r.instrument.haltMoveBps / 100}% within ${formatMs(r.instrument.haltWindowMs)}` },
                    { header: 'Halt lasts', render: (r) => formatMs(r.instrument.haltCooldownMs) },
                  ]} />
                </Section>
              </>
            );
          }}
        </ResourceView>
      </div>
    </>
  );
}
