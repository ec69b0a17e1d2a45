// The AML review queue: filters by state, kind and assignee; an officer takes an alert with
// "Assign to me" and opens its case.
import { useState } from 'react';
import { Link } from 'react-router';
import { Badge, Button, DataTable, ErrorAlert, PageTitle, ResourceView, Section, SelectField, formatInstant, useAction, useResource } from '@bulwark/ui-kit';
import { ALERT_STATUSES, consoleApi, type AlertFilter, type AlertRow, type AlertStatus } from '../shared/compliance-api';
import { usePrincipal } from '../shared/session';
import { APP_NAME } from './app-name';

const REFRESH_MS = 15_000;

export function severityTone(severity: AlertRow['severity']): 'error' | 'warning' | 'neutral' {
  return severity === 'high' ? 'error' : severity === 'medium' ? 'warning' : 'neutral';
}

export function AlertsPage() {
  const principal = usePrincipal();
  const [status, setStatus] = useState<'' | AlertStatus>('');
  const [kind, setKind] = useState<'' | 'screening' | 'monitoring'>('');
  const [mine, setMine] = useState(false);
  const filter: AlertFilter = { status: status || undefined, kind: kind || undefined, assignedTo: mine ? principal.userId : undefined };
  const handle = useResource((signal) => consoleApi.alerts(filter, signal), [status, kind, mine], REFRESH_MS);
  const [assigning, assign] = useAction(async (id: string) => {
    await consoleApi.assign(id, principal.userId);
    handle.reload();
  });
  return (
    <>
      <PageTitle appName={APP_NAME}>Review queue</PageTitle>
      <Section title="Filters">
        <div className="row">
          <SelectField label="State" name="status" value={status} onChange={(e) => setStatus(e.target.value as AlertStatus | '')}
            options={[{ value: '', label: 'Any state' }, ...ALERT_STATUSES.map((s) => ({ value: s, label: s.replace('_', ' ') }))]} />
          <SelectField label="Kind" name="kind" value={kind} onChange={(e) => setKind(e.target.value as '' | 'screening' | 'monitoring')}
            options={[{ value: '', label: 'Any kind' }, { value: 'screening', label: 'Screening' }, { value: 'monitoring', label: 'Monitoring' }]} />
          <SelectField label="Assignee" name="assignee" value={mine ? 'me' : ''} onChange={(e) => setMine(e.target.value === 'me')}
            options={[{ value: '', label: 'Anyone' }, { value: 'me', label: 'Me' }]} />
        </div>
      </Section>
      {assigning.status === 'failed' ? <ErrorAlert error={assigning.error} /> : null}
      <Section title="Alerts">
        <ResourceView handle={handle} label="alerts" isEmpty={(rows) => rows.length === 0} empty="No alert matches these filters.">
          {(rows) => (
            <DataTable caption="Alerts, newest first" rows={rows} rowKey={(row) => row.id} columns={[
              { header: 'Raised', render: (row) => formatInstant(row.created_at) },
              { header: 'Rule', render: (row) => <Link to={`/alerts/${row.id}`}>{row.rule.replaceAll('_', ' ')}</Link> },
              { header: 'Kind', render: (row) => row.kind },
              { header: 'Severity', render: (row) => <Badge tone={severityTone(row.severity)}>{row.severity}</Badge> },
              { header: 'State', render: (row) => <Badge tone="info">{row.status.replace('_', ' ')}</Badge> },
              { header: 'Assignee', render: (row) => (row.assigned_to === principal.userId ? 'You' : row.assigned_to ? 'Another officer' : '—') },
              { header: 'Action', render: (row) => (row.assigned_to === principal.userId || !['open', 'assigned', 'escalated'].includes(row.status) ? '—' : (
                <Button variant="secondary" onClick={() => void assign(row.id)}>Assign to me</Button>
              )) },
            ]} />
          )}
        </ResourceView>
      </Section>
    </>
  );
}
