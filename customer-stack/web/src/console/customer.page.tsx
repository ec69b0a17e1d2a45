// Customer 360: KYC standing and the identity on file, AML risk, freezes (a requested freeze is
// approved here by a different officer: four eyes), alerts, and the customer's audit trail.
import { Link, useParams } from 'react-router';
import { Alert, Badge, Button, DataTable, ErrorAlert, KeyValues, PageTitle, ResourceView, Section, formatInstant, useAction, useResource } from '@bulwark/ui-kit';
import { KYC_STATUS_TEXT, consoleApi, kycTone } from '../shared/compliance-api';
import { usePrincipal } from '../shared/session';
import { APP_NAME } from './app-name';
import { severityTone } from './alerts.page';

function AuditTrail({ userId }: { readonly userId: string }) {
  const handle = useResource((signal) => consoleApi.customerAudit(userId, signal), [userId]);
  return (
    <Section title="Audit trail">
      <ResourceView handle={handle} label="the audit trail" isEmpty={(rows) => rows.length === 0} empty="No audit entries for this customer.">
        {(rows) => (
          <DataTable caption="Audit entries, oldest first" rows={rows} rowKey={(row) => row.seq} columns={[
            { header: 'No.', render: (row) => row.seq, align: 'end' },
            { header: 'When', render: (row) => formatInstant(row.time) },
            { header: 'Action', render: (row) => <code>{row.action}</code> },
            { header: 'By', render: (row) => `${row.role} ${row.actor.slice(0, 13)}` },
            { header: 'Hash', render: (row) => <code title={row.hash}>{row.hash.slice(0, 12)}…</code> },
          ]} />
        )}
      </ResourceView>
    </Section>
  );
}

export function CustomerPage() {
  const { userId = '' } = useParams();
  const principal = usePrincipal();
  const handle = useResource((signal) => consoleApi.customer(userId, signal), [userId]);
  const [approving, approve] = useAction(async () => {
    await consoleApi.approveFreeze(userId);
    handle.reload();
  });
  const mayFreeze = principal.roles.includes('compliance_officer') || principal.roles.includes('mlro');
  return (
    <>
      <PageTitle appName={APP_NAME}>Customer 360</PageTitle>
      <ResourceView handle={handle} label="the customer">
        {(c) => {
          const requested = c.aml.freezes.find((f) => f.status === 'requested');
          return (
            <div className="stack">
              {c.aml.frozen ? <Alert tone="error" title="Frozen">No money can leave this customer&apos;s account.</Alert> : null}
              <Section title="KYC" actions={<Badge tone={kycTone(c.standing.status)}>{KYC_STATUS_TEXT[c.standing.status]}</Badge>}>
                <KeyValues items={[
                  ['Customer id', <code key="id">{c.userId}</code>],
                  ['Tier', String(c.standing.tier)],
                  ['Daily trade limit', `${c.standing.dailyTradeLimitUsd} USD`],
                  ['Daily withdrawal limit', `${c.standing.dailyWithdrawalLimitUsd} USD`],
                  ['Name', c.kyc?.personalData ? `${c.kyc.personalData.givenNames} ${c.kyc.personalData.familyName}` : '—'],
                  ['Date of birth', c.kyc?.personalData?.dateOfBirth ?? '—'],
                  ['Document', c.kyc ? `${c.kyc.documentType} (${c.kyc.documentCountry})` : '—'],
                  ['Residence', c.kyc?.residenceCountry ?? '—'],
                  ['Attempts', c.kyc ? String(c.kyc.attempts) : '—'],
                ]} />
              </Section>
              <Section title="AML">
                <KeyValues items={[
                  ['Risk', c.aml.risk ? `${c.aml.risk.band} (${c.aml.risk.score})` : 'Not scored'],
                  ['Open alerts', String(c.aml.openAlerts)],
                  ['Frozen', c.aml.frozen ? 'Yes' : 'No'],
                ]} />
                {requested ? (
                  <Alert tone="warning" title="A freeze is waiting for a second officer">
                    <p>Requested {formatInstant(requested.requested_at)}{requested.requested_by === principal.userId ? ' by you: another officer must approve it.' : '.'}</p>
                    {approving.status === 'failed' ? <ErrorAlert error={approving.error} /> : null}
                    {mayFreeze ? <Button variant="danger" busy={approving.status === 'running'} onClick={() => void approve()}>Approve freeze</Button> : null}
                  </Alert>
                ) : null}
                {c.aml.alerts.length > 0 ? (
                  <DataTable caption="Alerts" rows={c.aml.alerts} rowKey={(a) => a.id} columns={[
                    { header: 'Raised', render: (a) => formatInstant(a.created_at) },
                    { header: 'Rule', render: (a) => <Link to={`/alerts/${a.id}`}>{a.rule.replaceAll('_', ' ')}</Link> },
                    { header: 'Severity', render: (a) => <Badge tone={severityTone(a.severity)}>{a.severity}</Badge> },
                    { header: 'State', render: (a) => a.status.replace('_', ' ') },
                  ]} />
                ) : <p className="muted">No alerts.</p>}
              </Section>
              {principal.roles.some((r) => r === 'compliance_officer' || r === 'mlro') ? <AuditTrail userId={userId} /> : null}
            </div>
          );
        }}
      </ResourceView>
    </>
  );
}
