// The SAR register (MLRO only): drafts with their deadline, marked filed with the FIU's reference.
// Subjects appear only as hashes, so the register itself never tips anyone off.
import { useState } from 'react';
import { Badge, Button, DataTable, ErrorAlert, Field, PageTitle, ResourceView, Section, formatInstant, useAction, useResource } from '@bulwark/ui-kit';
import { consoleApi, type SarEntry } from '../shared/compliance-api';
import { APP_NAME } from './app-name';

function FileForm({ sar, onFiled }: { readonly sar: SarEntry; readonly onFiled: () => void }) {
  const [reference, setReference] = useState('');
  const [state, run] = useAction(async () => {
    await consoleApi.fileSar(sar.id, reference.trim());
    onFiled();
  });
  return (
    <form className="row" onSubmit={(e) => { e.preventDefault(); if (reference.trim().length >= 3) void run(); }} noValidate>
      <Field label="FIU reference" name={`ref-${sar.id}`} value={reference} onChange={(e) => setReference(e.target.value)} />
      <Button type="submit" variant="secondary" busy={state.status === 'running'}>Mark filed</Button>
      {state.status === 'failed' ? <ErrorAlert error={state.error} /> : null}
    </form>
  );
}

export function SarsPage() {
  const handle = useResource((signal) => consoleApi.sars(undefined, signal), []);
  return (
    <>
      <PageTitle appName={APP_NAME}>SAR register</PageTitle>
      <Section title="Suspicious activity reports">
        <ResourceView handle={handle} label="the register" isEmpty={(rows) => rows.length === 0} empty="The register is empty.">
          {(rows) => (
            <DataTable caption="Reports" rows={rows} rowKey={(row) => row.id} columns={[
              { header: 'Opened', render: (row) => formatInstant(row.created_at) },
              { header: 'Due', render: (row) => <>{formatInstant(row.due_at)} {row.overdue ? <Badge tone="error">Overdue</Badge> : null}</> },
              { header: 'Subject', render: (row) => <code title={row.subject_hash}>{row.subject_hash.slice(0, 12)}…</code> },
              { header: 'Grounds', render: (row) => row.narrative ?? '[sealed]' },
              { header: 'State', render: (row) => (row.status === 'filed' ? <Badge tone="success">Filed {row.reference}</Badge> : <FileForm sar={row} onFiled={handle.reload} />) },
            ]} />
          )}
        </ResourceView>
      </Section>
    </>
  );
}
