// KYC applications waiting for a person: open the customer, then approve or reject with a reason.
import { useState } from 'react';
import { Link } from 'react-router';
import { Button, DataTable, ErrorAlert, Field, PageTitle, ResourceView, Section, formatInstant, useAction, useResource } from '@bulwark/ui-kit';
import { consoleApi } from '../shared/compliance-api';
import { APP_NAME } from './app-name';

function DecideKyc({ userId, onDone }: { readonly userId: string; readonly onDone: () => void }) {
  const [reason, setReason] = useState('');
  const [state, run] = useAction(async (decision: 'approve' | 'reject') => {
    await consoleApi.kycDecide(userId, decision, reason.trim());
    onDone();
  });
  const ok = reason.trim().length >= 3;
  return (
    <div className="row">
      <Field label="Reason" name={`reason-${userId}`} value={reason} onChange={(e) => setReason(e.target.value)} />
      <Button disabled={!ok} busy={state.status === 'running'} onClick={() => void run('approve')}>Approve</Button>
      <Button variant="danger" disabled={!ok} busy={state.status === 'running'} onClick={() => void run('reject')}>Reject</Button>
      {state.status === 'failed' ? <ErrorAlert error={state.error} /> : null}
    </div>
  );
}

export function KycReviewsPage() {
  const handle = useResource((signal) => consoleApi.kycReviews(signal), []);
  return (
    <>
      <PageTitle appName={APP_NAME}>KYC reviews</PageTitle>
      <Section title="Waiting for a decision">
        <ResourceView handle={handle} label="KYC reviews" isEmpty={(rows) => rows.length === 0} empty="No application is waiting.">
          {(rows) => (
            <DataTable caption="Applications in manual review" rows={rows} rowKey={(row) => row.userId} columns={[
              { header: 'Submitted', render: (row) => formatInstant(row.submittedAt) },
              { header: 'Tier asked', render: (row) => String(row.requestedTier ?? '—') },
              { header: 'Why', render: (row) => row.reasons.join(', ') || '—' },
              { header: 'Customer', render: (row) => <Link to={`/customers/${row.userId}`}>Open 360</Link> },
              { header: 'Decision', render: (row) => <DecideKyc userId={row.userId} onDone={handle.reload} /> },
            ]} />
          )}
        </ResourceView>
      </Section>
    </>
  );
}
