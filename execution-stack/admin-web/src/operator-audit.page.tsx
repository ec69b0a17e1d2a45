// The execution stack's operator audit chain: every operator action, in order, with its hash.
import { DataTable, KeyValues, PageTitle, ResourceView, Section, formatInstant, useResource } from '@bulwark/ui-kit';
import { APP_NAME } from './app-name';
import type { OperatorApi } from './execution-api';

export function OperatorAuditPage({ operator }: { readonly operator: OperatorApi }) {
  const handle = useResource((signal) => operator.audit(signal), [operator], 10_000);
  return (
    <>
      <PageTitle appName={APP_NAME}>Operator audit</PageTitle>
      <Section title="Audit chain">
        <ResourceView handle={handle} label="the audit chain" isEmpty={(data) => data.entries.length === 0} empty="No operator action is recorded yet.">
          {(data) => (
            <>
              <KeyValues items={[['Head entry', data.head.seq], ['Head hash', <code key="h">{data.head.hash}</code>]]} />
              <DataTable caption="Entries, oldest first" rows={data.entries} rowKey={(e) => e.seq} columns={[
                { header: 'No.', render: (e) => e.seq, align: 'end' },
                { header: 'When', render: (e) => formatInstant(e.time ?? e.at) },
                { header: 'Action', render: (e) => <code>{e.action}</code> },
                { header: 'Resource', render: (e) => <code>{e.resource}</code> },
                { header: 'By', render: (e) => e.actor },
                { header: 'Hash', render: (e) => <code title={e.hash}>{e.hash.slice(0, 12)}…</code> },
              ]} />
            </>
          )}
        </ResourceView>
      </Section>
    </>
  );
}
