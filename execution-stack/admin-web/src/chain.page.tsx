// Chain status: is the node answering, how far behind its head the indexer is, the platform
// contracts and each instrument's ERC-3643 suite, the transaction queue, and the audit roots
// anchored per log with their transaction. A stack started without a chain says so.
import { ApiError, Alert, Badge, DataTable, KeyValues, PageTitle, ResourceView, Section, formatInstant, useResource } from '@bulwark/ui-kit';
import { APP_NAME } from './app-name';
import type { ChainStatus, OperatorApi } from './execution-api';
import { useSymbols } from './use-symbols';

const REFRESH_MS = 10_000;
/** Indexed blocks behind the confirmed head before the screen warns. */
const INDEXER_LAG_BLOCKS_WARN = 20;

const address = (value: string) => <code title={value}>{value.slice(0, 10)}…{value.slice(-6)}</code>;

/** How far the indexer is behind the last block it may index (head − confirmations). */
export function indexerLag(status: Pick<ChainStatus, 'headBlock' | 'confirmations' | 'indexedBlock'>): number | null {
  if (status.headBlock === null) return null;
  const confirmed = status.headBlock - status.confirmations;
  const indexed = status.indexedBlock === null ? -1 : Number(status.indexedBlock);
  return Math.max(0, confirmed - indexed);
}

function Health({ status }: { readonly status: ChainStatus }) {
  const lag = indexerLag(status);
  return (
    <Section title="Node and indexer" actions={
      <Badge tone={status.rpcAvailable && status.headBlock !== null ? 'success' : 'error'}>{status.headBlock === null ? 'node not answering' : 'node answering'}</Badge>
    }>
      {status.headBlock === null ? (
        <Alert tone="error" title="The chain node is not answering">
          Settlements and anchors stay queued until it answers again; what is shown below is what the stack has stored.
        </Alert>
      ) : null}
      {lag !== null && lag > INDEXER_LAG_BLOCKS_WARN ? <Alert tone="warning" title="The indexer is behind">{lag} confirmed blocks are not indexed yet.</Alert> : null}
      <KeyValues items={[
        ['Chain id', status.chainId],
        ['Head block', status.headBlock === null ? 'unknown' : String(status.headBlock)],
        ['Confirmations awaited', String(status.confirmations)],
        ['Latest indexed block', status.indexedBlock ?? 'none yet'],
        ['Indexer lag (blocks)', lag === null ? 'unknown' : String(lag)],
        ['Transactions pending / signed', `${status.transactions.pending} / ${status.transactions.signed}`],
        ['Transactions mined / failed', `${status.transactions.mined} / ${status.transactions.failed}`],
        ['Settlement legs queued', String(status.settlementsQueued)],
      ]} />
      {status.transactions.failed > 0 ? (
        <Alert tone="error">{status.transactions.failed} transaction(s) failed on chain: see the execution stack&apos;s log for each reference.</Alert>
      ) : null}
    </Section>
  );
}

export function ChainPage({ operator }: { readonly operator: OperatorApi }) {
  const handle = useResource(async (signal) => {
    try {
      return await operator.chainStatus(signal);
    } catch (error) {
      // The route exists only when the stack runs with a chain.
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }, [operator], REFRESH_MS);
  const symbol = useSymbols();
  return (
    <>
      <PageTitle appName={APP_NAME}>Chain status</PageTitle>
      <ResourceView handle={handle} label="the chain status">
        {(status) => status === null ? (
          <Alert tone="neutral" title="This stack runs without a chain">
            No chain node is configured, so nothing settles on chain and no audit root is anchored. Start the stack with a chain (CHAIN_RPC_URL) to see its status here.
          </Alert>
        ) : (
          <div className="stack">
            <Health status={status} />
            <Section title="Audit roots anchored on chain">
              {status.anchors.length === 0 ? <p className="muted">No audit batch has been anchored yet.</p> : (
                <DataTable caption="Anchored batches per audit log, newest first" rows={status.anchors} rowKey={(a) => `${a.log}:${a.batchId}`} columns={[
                  { header: 'Log', render: (a) => a.log },
                  { header: 'Batch', render: (a) => a.batchId, align: 'end' },
                  { header: 'Entries', render: (a) => `${a.firstSeq}–${a.lastSeq}`, align: 'end' },
                  { header: 'Merkle root', render: (a) => <code title={a.merkleRoot}>{a.merkleRoot.slice(0, 16)}…</code> },
                  { header: 'State', render: (a) => <Badge tone={a.status === 'anchored' ? 'success' : 'warning'}>{a.status}</Badge> },
                  { header: 'Block', render: (a) => a.blockNumber ?? '—', align: 'end' },
                  { header: 'Transaction', render: (a) => (a.txHash ? address(a.txHash) : '—') },
                  { header: 'Requested', render: (a) => formatInstant(a.requestedAt) },
                ]} />
              )}
            </Section>
            <Section title="Instrument contracts (ERC-3643 suites)">
              {status.instruments.length === 0 ? <p className="muted">No instrument is deployed on chain yet.</p> : (
                <DataTable caption="Token and identity registry per instrument" rows={status.instruments} rowKey={(i) => i.instrumentId} columns={[
                  { header: 'Instrument', render: (i) => symbol(i.instrumentId) },
                  { header: 'Token', render: (i) => address(i.tokenAddress) },
                  { header: 'Identity registry', render: (i) => (typeof i.contracts.identityRegistry === 'string' ? address(i.contracts.identityRegistry) : '—') },
                  { header: 'Compliance', render: (i) => (typeof i.contracts.compliance === 'string' ? address(i.contracts.compliance) : '—') },
                  { header: 'Deployed', render: (i) => formatInstant(i.deployedAt) },
                ]} />
              )}
            </Section>
            <Section title="Platform contracts">
              {status.contracts.length === 0 ? <p className="muted">No platform contract is deployed yet.</p> : (
                <DataTable caption="Platform contracts" rows={status.contracts} rowKey={(c) => c.purpose} columns={[
                  { header: 'Purpose', render: (c) => <code>{c.purpose}</code> },
                  { header: 'Address', render: (c) => address(c.address) },
                  { header: 'Deployed', render: (c) => formatInstant(c.deployedAt) },
                ]} />
              )}
            </Section>
          </div>
        )}
      </ResourceView>
    </>
  );
}
