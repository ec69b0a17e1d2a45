// Reconciliation breaks: where a statement from the execution stack (positions and cash per
// account reference) and this tenant's ledger disagree. A break is never corrected from here:
// a person marks it under investigation, and resolves it with a note once the cause is found
// and fixed where it belongs. Auditors read; officers and finance operations decide.
import { useState, type FormEvent } from 'react';
import {
  Alert, Badge, Button, DataTable, ErrorAlert, Field, PageTitle, ResourceView, Section, SelectField, formatDuration, formatInstant, useAction, useResource, type Tone,
} from '@bulwark/ui-kit';
import { consoleApi, type BreakKind, type BreakStatus, type ReconciliationBreak } from '../shared/compliance-api';
import { usePrincipal } from '../shared/session';
import { APP_NAME } from './app-name';

const REFRESH_MS = 15_000;
const NOTE_CHARS_MIN = 3;
const NOTE_CHARS_MAX = 2_000;

export const BREAK_KIND_TEXT: Readonly<Record<BreakKind, string>> = {
  position_mismatch: 'Position differs',
  cash_mismatch: 'Cash differs',
  unknown_account: 'Account unknown here',
};
const STATUS_TONE: Readonly<Record<BreakStatus, Tone>> = { open: 'error', investigating: 'warning', resolved: 'success' };

function Decide({ row, onDone }: { readonly row: ReconciliationBreak; readonly onDone: () => void }) {
  const [resolving, setResolving] = useState(false);
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [state, run] = useAction(async (status: 'investigating' | 'resolved', text?: string) => {
    await consoleApi.moveBreak(row.breakId, status, text);
    setResolving(false);
    onDone();
  });
  const label = row.breakId.slice(0, 8);
  if (row.status === 'resolved') return <span className="small">{row.note}</span>;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const text = note.trim();
    if (text.length < NOTE_CHARS_MIN || text.length > NOTE_CHARS_MAX) return setError(`Say what was found and done, in ${NOTE_CHARS_MIN} to ${NOTE_CHARS_MAX} characters.`);
    setError(undefined);
    return void run('resolved', text);
  };
  return (
    <div className="stack">
      {resolving ? (
        <form onSubmit={submit} noValidate>
          <Field label={`Resolution note for break ${label}`} name={`note-${row.breakId}`} value={note} error={error} maxLength={NOTE_CHARS_MAX}
            onChange={(e) => setNote(e.target.value)} />
          <div className="row">
            <Button type="submit" busy={state.status === 'running'}>Resolve</Button>
            <Button variant="secondary" onClick={() => setResolving(false)}>Cancel</Button>
          </div>
        </form>
      ) : (
        <div className="row">
          {row.status === 'open' ? (
            <Button variant="secondary" aria-label={`Investigate break ${label}`} busy={state.status === 'running'} onClick={() => void run('investigating')}>
              Investigate
            </Button>
          ) : null}
          <Button variant="secondary" aria-label={`Resolve break ${label}`} onClick={() => setResolving(true)}>Resolve…</Button>
        </div>
      )}
      {state.status === 'failed' ? <ErrorAlert error={state.error} /> : null}
    </div>
  );
}

export function ReconciliationPage() {
  const principal = usePrincipal();
  // Auditors read only (reconciliation:read); officers and finance operations also decide.
  const mayDecide = principal.roles.some((role) => role === 'compliance_officer' || role === 'mlro' || role === 'finance_ops');
  const [status, setStatus] = useState<BreakStatus | ''>('open');
  const [kind, setKind] = useState<BreakKind | ''>('');
  const handle = useResource((signal) => consoleApi.breaks({ status: status || undefined, kind: kind || undefined }, signal), [status, kind], REFRESH_MS);
  return (
    <>
      <PageTitle appName={APP_NAME}>Reconciliation breaks</PageTitle>
      <div className="stack">
        <Alert tone="info">
          Each statement from the execution stack is compared with the ledger. Expected is what the statement says, actual what the ledger holds;
          the difference is actual − expected.
          Nothing here changes the ledger.
        </Alert>
        <Section title="Breaks">
          <div className="row">
            <SelectField label="Status" name="status" value={status} onChange={(e) => setStatus(e.target.value as BreakStatus | '')}
              options={[
                { value: 'open', label: 'Open' }, { value: 'investigating', label: 'Under investigation' }, { value: 'resolved', label: 'Resolved' }, { value: '', label: 'All' },
              ]} />
            <SelectField label="Kind" name="kind" value={kind} onChange={(e) => setKind(e.target.value as BreakKind | '')}
              options={[{ value: '', label: 'All kinds' }, ...Object.entries(BREAK_KIND_TEXT).map(([value, label]) => ({ value, label }))]} />
          </div>
          <ResourceView handle={handle} label="breaks" isEmpty={(rows) => rows.length === 0}
            empty={status === 'open' && !kind ? 'No open break: every statement so far matches the ledger.' : 'No break matches these filters.'}>
            {(rows) => (
              <DataTable caption="Breaks, oldest first" rows={rows} rowKey={(b) => b.breakId} columns={[
                { header: 'Kind', render: (b) => BREAK_KIND_TEXT[b.kind] },
                { header: 'Account ref', render: (b) => <code title={b.accountRef}>{b.accountRef.slice(0, 8)}…</code> },
                { header: 'Unit', render: (b) => (b.unit.length > 12 ? <code title={b.unit}>{b.unit.slice(0, 8)}…</code> : b.unit) },
                { header: 'Expected', render: (b) => b.expected, align: 'end' },
                { header: 'Actual', render: (b) => b.actual, align: 'end' },
                { header: 'Difference', render: (b) => b.amount, align: 'end' },
                { header: 'Status', render: (b) => <Badge tone={STATUS_TONE[b.status]}>{b.status}</Badge> },
                { header: 'Age', render: (b) => formatDuration(b.ageMs) },
                { header: 'Period end', render: (b) => formatInstant(b.periodEnd) },
                ...(mayDecide ? [{ header: 'Decision', render: (b: ReconciliationBreak) => <Decide row={b} onDone={handle.reload} /> }] : []),
              ]} />
            )}
          </ResourceView>
        </Section>
      </div>
    </>
  );
}
