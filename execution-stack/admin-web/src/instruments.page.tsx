// Instruments: what is listed, with the tick and lot sizes orders are checked against.
import { Badge, DataTable, PageTitle, ResourceView, Section, useResource } from '@bulwark/ui-kit';
import { APP_NAME } from './app-name';
import { market } from './execution-api';

const REFRESH_MS = 10_000;

export function statusTone(status: string): 'success' | 'warning' | 'error' | 'neutral' {
  if (status === 'open') return 'success';
  if (status === 'halted' || status === 'auction' || status === 'pre_open') return 'warning';
  if (status === 'closed' || status === 'delisted' || status === 'resolved') return 'neutral';
  return 'error';
}

export function InstrumentsPage() {
  const handle = useResource((signal) => market.instruments(signal), [], REFRESH_MS);
  return (
    <>
      <PageTitle appName={APP_NAME}>Instruments</PageTitle>
      <Section title="Listed instruments">
        <ResourceView handle={handle} label="instruments" isEmpty={(rows) => rows.length === 0} empty="No instrument is listed yet.">
          {(rows) => (
            <DataTable
              caption="Instruments"
              rows={rows}
              rowKey={(row) => row.id}
              columns={[
                { header: 'Symbol', render: (row) => <strong>{row.symbol}</strong> },
                { header: 'Kind', render: (row) => (row.kind === 'event' ? 'Event contract' : 'Security') },
                { header: 'Tick size (USD)', render: (row) => row.tickSize, align: 'end' },
                { header: 'Lot size', render: (row) => row.lotSize, align: 'end' },
                { header: 'Status', render: (row) => <Badge tone={statusTone(row.status)}>{row.status}</Badge> },
                { header: 'Id', render: (row) => <code>{row.id}</code> },
              ]}
            />
          )}
        </ResourceView>
      </Section>
    </>
  );
}
