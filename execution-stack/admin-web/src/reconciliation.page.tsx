// Reconciliation breaks on the execution side: the book against the omnibus orders, the
// allocations and the chain. A break is surfaced, never absorbed: an operator acknowledges it
// (seen, being looked into) and resolves it once the cause is fixed; neither corrects anything.
// A period's statements are sent to the customer stack from here too.
import { useState, type FormEvent } from 'react';
import {
  Alert, Badge, Button, DataTable, ErrorAlert, Field, PageTitle, ResourceView, Section, SelectField, formatDuration, formatInstant, useAction, useResource,
} from '@bulwark/ui-kit';
import { APP_NAME } from './app-name';
import type { BreakStatus, BreakView, OperatorApi } from './execution-api';

const REFRESH_MS = 10_000;
const tone = (status: BreakStatus) => (status === 'open' ? 'error' : status === 'acknowledged' ? 'warning' : 'success');

function Decide({ operator, row, onDone }: { readonly operator: OperatorApi; readonly row: BreakView; readonly onDone: () => void }) {
  const [state, run] = useAction(async (decision: 'acknowledge' | 'resolve') => {
    await operator.decideBreak(row.breakId, decision);
    onDone();
  });
  if (row.status === 'resolved') return <span className="muted small">by {row.resolvedBy}</span>;
  return (
    <div className="row">
      {row.status === 'open' ? (
        <Button variant="secondary" aria-label={`Acknowledge break ${row.breakId.slice(0, 8)}`} busy={state.status === 'running'} onClick={() => void run('acknowledge')}>
          Acknowledge
        </Button>
      ) : null}
      <Button variant="secondary" aria-label={`Resolve break ${row.breakId.slice(0, 8)}`} busy={state.status === 'running'} onClick={() => void run('resolve')}>Resolve</Button>
      {state.status === 'failed' ? <ErrorAlert error={state.error} /> : null}
    </div>
  );
}

function Statements({ operator }: { readonly operator: OperatorApi }) {
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [formError, setFormError] = useState<string | undefined>();
  const [state, run] = useAction((periodStart: string, periodEnd: string) => operator.sendStatements(periodStart, periodEnd));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const from = Date.parse(`${start}Z`);
    const to = Date.parse(`${end}Z`);
    if (Number.isNaN(from) || Number.isNaN(to)) return setFormError('Enter the start and the end of the period (UTC).');
    if (to <= from) return setFormError('The end must come after the start.');
    setFormError(undefined);
    return void run(new Date(from).toISOString(), new Date(to).toISOString());
  };
  return (
    <form onSubmit={submit} noValidate>
      <p className="muted small">
        Each tenant gets one statement per period (positions and cash by account reference), which the customer stack reconciles against its ledger.
        A tenant already stated for the period is skipped.
      </p>
      <div className="row">
        <Field label="Period start (UTC)" name="period-start" type="datetime-local" value={start} onChange={(e) => setStart(e.target.value)} />
        <Field label="Period end (UTC)" name="period-end" type="datetime-local" value={end} onChange={(e) => setEnd(e.target.value)} />
      </div>
      {formError ? <Alert tone="error">{formError}</Alert> : null}
      {state.status === 'failed' ? <ErrorAlert error={state.error} /> : null}
      {state.status === 'done' ? (
        <Alert tone="success">
          {state.result.statements.length === 0 ? 'No statement was due: every tenant is already stated for this period.' : `${state.result.statements.length} statement(s) sent.`}
        </Alert>
      ) : null}
      <Button type="submit" variant="secondary" busy={state.status === 'running'}>Send statements</Button>
    </form>
  );
}

export function ReconciliationPage({ operator }: { readonly operator: OperatorApi }) {
  const [status, setStatus] = useState<BreakStatus | ''>('open');
  const handle = useResource((signal) => operator.breaks(status || undefined, signal), [operator, status], REFRESH_MS);
  const [running, runNow] = useAction(async () => {
    const result = await operator.runReconciliation();
    handle.reload();
    return result;
  });
  return (
    <>
      <PageTitle appName={APP_NAME}>Reconciliation</PageTitle>
      <div className="stack">
        <Section title="Breaks" actions={<Button onClick={() => void runNow()} busy={running.status === 'running'}>Run the checks now</Button>}>
          {running.status === 'done' ? (
            <Alert tone={running.result.found === 0 ? 'success' : 'warning'}>
              {running.result.found === 0 ? 'The checks found no break.' : `The checks found ${running.result.found} break(s), ${running.result.opened} of them new.`}
            </Alert>
          ) : null}
          {running.status === 'failed' ? <ErrorAlert error={running.error} /> : null}
          <SelectField label="Show" name="break-status" value={status} onChange={(e) => setStatus(e.target.value as BreakStatus | '')}
            options={[
              { value: 'open', label: 'Open breaks' }, { value: 'acknowledged', label: 'Acknowledged' }, { value: 'resolved', label: 'Resolved' }, { value: '', label: 'All' },
            ]} />
          <ResourceView handle={handle} label="breaks" isEmpty={(rows) => rows.length === 0}
            empty={status === 'open' ? 'No open break: fills, omnibus orders, allocations and the chain agree.' : 'No break here.'}>
            {(rows) => (
              <DataTable caption="Breaks, oldest first" rows={rows} rowKey={(b) => b.breakId} columns={[
                { header: 'Kind', render: (b) => <code>{b.kind}</code> },
                { header: 'Subject', render: (b) => <code title={b.subject}>{b.subject}</code> },
                { header: 'Expected', render: (b) => b.expected, align: 'end' },
                { header: 'Actual', render: (b) => b.actual, align: 'end' },
                { header: 'Difference', render: (b) => b.amount, align: 'end' },
                { header: 'Status', render: (b) => <Badge tone={tone(b.status)}>{b.status}</Badge> },
                { header: 'Open for', render: (b) => formatDuration(b.ageMs) },
                { header: 'Subject age', render: (b) => (b.subjectAgeMs === null ? '—' : formatDuration(b.subjectAgeMs)), align: 'end' },
                { header: 'Last seen', render: (b) => formatInstant(b.lastSeenAt) },
                { header: 'Actions', render: (b) => <Decide operator={operator} row={b} onDone={handle.reload} /> },
              ]} />
            )}
          </ResourceView>
        </Section>
        <Section title="Statements to the customer stack"><Statements operator={operator} /></Section>
      </div>
    </>
  );
}
