// One case: the alert, why the screening matched (token by token, birth date, country), the
// notes, and the decision. A freeze is only requested here; a second officer approves it on the
// customer's page (four eyes). Filing a SAR is the MLRO's.
import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import {
  Alert, Badge, Button, DataTable, ErrorAlert, Field, KeyValues, PageTitle, ResourceView, Section, SelectField, formatInstant, useAction, useResource,
} from '@bulwark/ui-kit';
import { consoleApi, type AlertCase, type AlertDecision, type ScreeningHit } from '../shared/compliance-api';
import { usePrincipal } from '../shared/session';
import { APP_NAME } from './app-name';
import { severityTone } from './alerts.page';

const OPEN_STATES = ['open', 'assigned', 'escalated'];

function Hits({ hits }: { readonly hits: readonly ScreeningHit[] }) {
  return (
    <div className="stack">
      {hits.map((hit) => (
        <div key={hit.entryId} className="card">
          <div className="card-head">
            <strong>{hit.listedName}</strong>
            <Badge tone={hit.decision === 'blocked' ? 'error' : 'warning'}>{hit.decision} · score {hit.score}</Badge>
          </div>
          <KeyValues items={[
            ['List entry', <code key="e">{hit.entryId}</code>],
            ['Kind', `${hit.kind} (${hit.source})`],
            ['Matched on', `${hit.matchedField}: ${hit.matchedName}`],
            ['Birth date', hit.dateOfBirth],
            ['Country', hit.country],
            ['Programmes', hit.programs.join(', ') || '—'],
          ]} />
          <DataTable caption="Why the name matched" rows={hit.tokens} rowKey={(t) => `${t.query}-${t.listed}`} columns={[
            { header: 'Customer\'s name part', render: (t) => t.query },
            { header: 'Listed name part', render: (t) => t.listed },
            { header: 'How', render: (t) => t.how },
          ]} />
          {hit.unmatchedQueryTokens.length + hit.unmatchedListedTokens.length > 0 ? (
            <p className="muted small">Unmatched: {[...hit.unmatchedQueryTokens, ...hit.unmatchedListedTokens].join(', ')}</p>
          ) : null}
        </div>
      ))}
    </div>
  );
}

function Decide({ data, onDone }: { readonly data: AlertCase; readonly onDone: () => void }) {
  const principal = usePrincipal();
  const isMlro = principal.roles.includes('mlro');
  const [decision, setDecision] = useState<AlertDecision>('clear');
  const [reason, setReason] = useState('');
  const [narrative, setNarrative] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [state, run] = useAction(async () => {
    await consoleApi.decide(data.alert.id, decision, reason.trim(), decision === 'file_sar' ? narrative.trim() : undefined);
    onDone();
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (reason.trim().length < 3) return setError('Give the reason for the record (at least 3 characters).');
    if (decision === 'file_sar' && narrative.trim().length < 10) return setError('A SAR needs its grounds (at least 10 characters).');
    setError(undefined);
    void run();
  };
  const options = [
    { value: 'clear', label: 'Clear: no concern' },
    { value: 'escalate', label: 'Escalate to the MLRO' },
    { value: 'freeze', label: 'Freeze the customer (a second officer must approve)' },
    ...(isMlro ? [{ value: 'file_sar', label: 'File a suspicious activity report' }] : []),
  ];
  return (
    <form onSubmit={submit} noValidate>
      <SelectField label="Decision" name="decision" value={decision} onChange={(e) => setDecision(e.target.value as AlertDecision)} options={options} />
      <Field label="Reason" name="reason" value={reason} error={error} onChange={(e) => setReason(e.target.value)} />
      {decision === 'file_sar' ? <Field label="Grounds for the SAR" name="narrative" value={narrative} onChange={(e) => setNarrative(e.target.value)} /> : null}
      {state.status === 'failed' ? <ErrorAlert error={state.error} /> : null}
      <Button type="submit" variant={decision === 'freeze' ? 'danger' : 'primary'} busy={state.status === 'running'}>Record decision</Button>
    </form>
  );
}

export function AlertCasePage() {
  const { id = '' } = useParams();
  const handle = useResource((signal) => consoleApi.alertCase(id, signal), [id]);
  const [note, setNote] = useState('');
  const [noting, addNote] = useAction(async () => {
    await consoleApi.note(id, note.trim());
    setNote('');
    handle.reload();
  });
  return (
    <>
      <PageTitle appName={APP_NAME}>Case</PageTitle>
      <p><Link to="/alerts">Back to the review queue</Link></p>
      <ResourceView handle={handle} label="the case">
        {(data) => (
          <div className="stack">
            <Section title="Alert" actions={<Badge tone="info">{data.alert.status.replace('_', ' ')}</Badge>}>
              <KeyValues items={[
                ['Rule', data.alert.rule.replaceAll('_', ' ')],
                ['Severity', <Badge key="s" tone={severityTone(data.alert.severity)}>{data.alert.severity}</Badge>],
                ['Raised', formatInstant(data.alert.created_at)],
                ['Customer', <Link key="c" to={`/customers/${data.alert.user_id}`}>Open customer 360</Link>],
                ['Decision', data.alert.decision ?? '—'],
                ['Decided', formatInstant(data.alert.decided_at)],
              ]} />
              {data.alert.status === 'freeze_requested' ? (
                <Alert tone="warning" title="Freeze requested">
                  <p>A second officer must approve it on the <Link to={`/customers/${data.alert.user_id}`}>customer&apos;s page</Link>.</p>
                </Alert>
              ) : null}
            </Section>
            <Section title="Screening hits">
              {data.hits && data.hits.length > 0 ? <Hits hits={data.hits} /> : <p className="muted">This alert has no screening hits (it was raised by monitoring).</p>}
              {Object.keys(data.alert.details).length > 0 ? <pre className="small mono">{JSON.stringify(data.alert.details, null, 2)}</pre> : null}
            </Section>
            <Section title="Notes">
              {data.notes.length === 0 ? <p className="muted">No notes yet.</p> : (
                <ul>{data.notes.map((n) => <li key={n.id}>{formatInstant(n.createdAt)}: {n.text ?? '[erased]'}</li>)}</ul>
              )}
              <form onSubmit={(e) => { e.preventDefault(); if (note.trim()) void addNote(); }} noValidate>
                <Field label="Add a note" name="note" value={note} onChange={(e) => setNote(e.target.value)} />
                {noting.status === 'failed' ? <ErrorAlert error={noting.error} /> : null}
                <Button type="submit" variant="secondary" busy={noting.status === 'running'}>Add note</Button>
              </form>
            </Section>
            {OPEN_STATES.includes(data.alert.status) ? <Section title="Decide"><Decide data={data} onDone={handle.reload} /></Section> : null}
          </div>
        )}
      </ResourceView>
    </>
  );
}
