// The tenant's audit trail: every recorded action, newest first, a page at a time, filtered by
// action. Any entry can be proved here: this browser checks its inclusion proof against the
// Merkle root anchored on chain (the server is not trusted for the math). Officers open the
// customer an entry is about.
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import {
  Alert, ApiError, Badge, Button, DataTable, Field, PageTitle, ResourceView, Section, describeError, formatInstant, useAction, useResource, verifyAuditInclusion,
} from '@bulwark/ui-kit';
import { consoleApi, type AuditEntry } from '../shared/compliance-api';
import { audit } from '../shared/customer-api';
import { usePrincipal } from '../shared/session';
import { APP_NAME } from './app-name';

const PAGE_ROWS = 50;
const ACTION = /^[a-z][a-z0-9_.]{0,79}$/;
/** Resources that name a customer: `customer:<id>`, `user:<id>`, `person:<id>`. */
const CUSTOMER_RESOURCE = /^(customer|user|person):([0-9a-f-]{36})$/;

/** The customer an entry is about, if it is about one. */
export function customerOf(resource: string): string | undefined {
  return CUSTOMER_RESOURCE.exec(resource)?.[2];
}

function ProveEntry({ seq }: { readonly seq: string }) {
  const [state, run] = useAction(async () => {
    const proof = await audit.proof(seq);
    const check = await verifyAuditInclusion(proof.entryHash, proof.leafIndex, Number(proof.treeSize), proof.proof, proof.batch.merkleRoot);
    return { ok: check.ok, anchored: proof.batch.status === 'anchored' };
  });
  if (state.status === 'done') {
    if (!state.result.ok) return <Badge tone="error">Proof fails</Badge>;
    return <Badge tone={state.result.anchored ? 'success' : 'warning'}>{state.result.anchored ? 'Proved, anchored' : 'Proved, anchoring pending'}</Badge>;
  }
  if (state.status === 'failed') {
    const notYet = state.error instanceof ApiError && state.error.status === 409;
    return <span className="small" role="status">{notYet ? 'Not in an anchored batch yet' : describeError(state.error)}</span>;
  }
  return <Button variant="secondary" aria-label={`Prove entry ${seq}`} busy={state.status === 'running'} onClick={() => void run()}>Prove</Button>;
}

export function AuditTrailPage() {
  const principal = usePrincipal();
  const officer = principal.roles.includes('compliance_officer') || principal.roles.includes('mlro');
  const [filter, setFilter] = useState<{ action?: string; before?: string }>({});
  const [actionInput, setActionInput] = useState('');
  const [actionError, setActionError] = useState<string | undefined>();
  const handle = useResource((signal) => consoleApi.auditTrail({ ...filter, limit: PAGE_ROWS }, signal), [filter.action, filter.before]);
  const apply = (event: FormEvent) => {
    event.preventDefault();
    const action = actionInput.trim();
    if (action !== '' && !ACTION.test(action)) return setActionError('An action or its beginning, in lower case, e.g. aml.freeze or kyc.');
    setActionError(undefined);
    return setFilter(action === '' ? {} : { action });
  };
  const resource = (row: AuditEntry) => {
    const customer = customerOf(row.resource);
    return officer && customer ? <Link to={`/customers/${customer}`}><code>{row.resource}</code></Link> : <code>{row.resource}</code>;
  };
  return (
    <>
      <PageTitle appName={APP_NAME}>Audit trail</PageTitle>
      <div className="stack">
        <Section title="Filter">
          <form className="row" onSubmit={apply} noValidate>
            <Field label="Action starts with" name="action" value={actionInput} error={actionError} placeholder="e.g. aml.freeze"
              onChange={(e) => setActionInput(e.target.value)} />
            <Button type="submit" variant="secondary">Show</Button>
            {filter.action || filter.before ? <Button variant="link" onClick={() => { setActionInput(''); setFilter({}); }}>Show the newest entries</Button> : null}
          </form>
        </Section>
        <Section title={`${filter.action ? `Actions starting “${filter.action}”` : 'All actions'}${filter.before ? `, before no. ${filter.before}` : ', newest first'}`}>
          <ResourceView handle={handle} label="the audit trail" isEmpty={(page) => page.entries.length === 0}
            empty={filter.action ? `No entry's action starts with “${filter.action}”.` : 'Nothing is recorded for this tenant yet.'}>
            {(page) => {
              const older = page.nextBefore;
              return (
              <>
                <DataTable caption="Audit entries, newest first" rows={page.entries} rowKey={(row) => row.seq} columns={[
                  { header: 'No.', render: (row) => row.seq, align: 'end' },
                  { header: 'When', render: (row) => formatInstant(row.time) },
                  { header: 'Action', render: (row) => <code>{row.action}</code> },
                  { header: 'About', render: resource },
                  { header: 'By', render: (row) => `${row.role} ${row.actor.slice(0, 13)}${row.onBehalfOf ? ` for ${row.onBehalfOf.slice(0, 13)}` : ''}` },
                  { header: 'Hash', render: (row) => <code title={row.hash}>{row.hash.slice(0, 12)}…</code> },
                  { header: 'Proof', render: (row) => <ProveEntry seq={row.seq} /> },
                ]} />
                {older ? (
                  <Button variant="secondary" onClick={() => setFilter({ ...filter, before: older })}>Older entries</Button>
                ) : <Alert tone="neutral">This is the oldest entry{filter.action ? ' with this action' : ''}.</Alert>}
              </>
              );
            }}
          </ResourceView>
        </Section>
      </div>
    </>
  );
}
