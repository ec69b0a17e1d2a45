// What the investor has been paid and what their accounts did: payouts from resolved events and
// distributions, and a statement for any period up to a year, shown as a summary and downloaded
// as CSV (with a running balance) or as the stack's JSON.
import { useState, type FormEvent } from 'react';
import { Button, DataTable, ErrorAlert, Field, PageTitle, ResourceView, Section, formatInstant, trimDecimal, useAction, useResource } from '@bulwark/ui-kit';
import { statements, type Statement } from '../shared/money-api';
import { orders, type PayoutView } from '../shared/orders-api';
import { APP_NAME } from './app-name';
import { accountLabel, statementCsv, statementPeriod, summarise, type AccountSummary } from './statement';
import { instrumentName, useTradingSetup } from './trading-setup';

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

function download(content: string, type: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

function Payouts({ name }: { readonly name: (unit: string) => string }) {
  const handle = useResource((signal) => orders.payouts(signal), []);
  return (
    <Section title="Payouts">
      <p className="hint">An event contract that resolves pays each winning unit 1 USD; a security pays its distributions. Payouts go to your available USD.</p>
      <ResourceView handle={handle} label="payouts" isEmpty={(rows) => rows.length === 0} empty="No payouts yet.">
        {(rows) => (
          <DataTable<PayoutView> caption="Payouts, newest first" rows={rows} rowKey={(p) => p.payoutId} columns={[
            { header: 'Paid', render: (p) => formatInstant(p.paidAt) },
            { header: 'Instrument', render: (p) => name(p.instrumentId) },
            { header: 'Kind', render: (p) => (p.kind === 'resolution' ? 'Event resolved' : 'Distribution') },
            { header: 'Units', align: 'end', render: (p) => trimDecimal(p.quantity) },
            { header: 'Amount', align: 'end', render: (p) => `${trimDecimal(p.amount)} ${p.currency}` },
          ]} />
        )}
      </ResourceView>
    </Section>
  );
}

function Statements({ name }: { readonly name: (unit: string) => string }) {
  const today = new Date();
  const [firstDay, setFirstDay] = useState(isoDay(new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1))));
  const [lastDay, setLastDay] = useState(isoDay(today));
  const [error, setError] = useState<string | undefined>();
  const [loaded, load] = useAction((from: string, to: string) => statements.get(from, to));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const period = statementPeriod(firstDay, lastDay);
    if ('error' in period) return setError(period.error);
    setError(undefined);
    void load(period.from, period.to);
  };
  const statement: Statement | undefined = loaded.status === 'done' ? loaded.result : undefined;
  const fileName = statement ? `statement-${statement.from.slice(0, 10)}-to-${lastDay}` : '';
  return (
    <Section title="Statements">
      <form onSubmit={submit} noValidate className="row">
        <Field label="First day" name="first-day" type="date" value={firstDay} error={error} onChange={(e) => setFirstDay(e.target.value)} />
        <Field label="Last day" name="last-day" type="date" value={lastDay} onChange={(e) => setLastDay(e.target.value)} />
        <Button type="submit" busy={loaded.status === 'running'}>Show statement</Button>
      </form>
      <p className="hint">Days run in UTC. Amounts are signed as they moved each balance: money in is positive, money out negative.</p>
      {loaded.status === 'failed' ? <ErrorAlert error={loaded.error} /> : null}
      {statement ? (
        statement.accounts.length === 0 ? <p className="empty">Nothing happened in your accounts in this period.</p> : (
          <div className="stack" data-testid="statement">
            <DataTable<AccountSummary> caption={`Statement ${formatInstant(statement.from)} to ${formatInstant(statement.to)}`} rows={summarise(statement)}
              rowKey={(s) => s.account.accountId} columns={[
                { header: 'Account', render: (s) => `${accountLabel(s.account.kind)} ${name(s.account.unit)}` },
                { header: 'Opening', align: 'end', render: (s) => trimDecimal(s.account.opening) },
                { header: 'In', align: 'end', render: (s) => trimDecimal(s.moneyIn) },
                { header: 'Out', align: 'end', render: (s) => trimDecimal(s.moneyOut) },
                { header: 'Closing', align: 'end', render: (s) => trimDecimal(s.account.closing) },
                { header: 'Entries', align: 'end', render: (s) => String(s.account.entries.length) },
              ]} />
            <div className="row">
              <Button variant="secondary" onClick={() => download(statementCsv(statement, name), 'text/csv', `${fileName}.csv`)}>Download CSV</Button>
              <Button variant="secondary" onClick={() => download(`${JSON.stringify(statement, null, 2)}\n`, 'application/json', `${fileName}.json`)}>Download JSON</Button>
            </div>
          </div>
        )
      ) : null}
    </Section>
  );
}

export function StatementsPage() {
  const setup = useTradingSetup();
  const instruments = setup.resource.status === 'ready' ? setup.resource.data.instruments : [];
  const name = (unit: string) => (/^[A-Z]{3}$/.test(unit) ? unit : instrumentName(instruments, unit));
  return (
    <>
      <PageTitle appName={APP_NAME}>Payouts and statements</PageTitle>
      <div className="stack">
        <Payouts name={name} />
        <Statements name={name} />
      </div>
    </>
  );
}
