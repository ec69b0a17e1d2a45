// Settlement batches: a period netted into one instruction per counterparty and currency, with
// regulator-ready exports under one content hash. Nothing pays by itself: a draft is submitted,
// two different operators approve it (each signs the batch id and content hash with their own
// key, here in the browser), and only then is it released with the bank's reference. A draft or
// pending batch can be rejected with a reason, after which its period may be netted again.
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import {
  Alert, Badge, Button, DataTable, ErrorAlert, Field, KeyValues, PageTitle, ResourceView, Section, SelectField, formatInstant, useAction, useResource, type Tone,
} from '@bulwark/ui-kit';
import { APP_NAME } from './app-name';
import type { BatchDetail, BatchStatus, ExportFormat, OperatorApi } from './execution-api';
import { approvalPayload, sha256Base64 } from './operator-key';

const REFRESH_MS = 5_000;
export const APPROVALS_REQUIRED = 2;
const BANK_REFERENCE = /^[0-9A-Za-z./-]{1,35}$/;
const REASON_CHARS_MIN = 3;
const REASON_CHARS_MAX = 500;

export const STATUS_LABELS: Readonly<Record<BatchStatus, string>> = {
  draft: 'Draft',
  pending_approval: 'Waiting for approval',
  approved: 'Approved',
  released: 'Released',
  rejected: 'Rejected',
};
const STATUS_TONES: Readonly<Record<BatchStatus, Tone>> = { draft: 'neutral', pending_approval: 'warning', approved: 'info', released: 'success', rejected: 'error' };

function StatusBadge({ batch }: { readonly batch: { status: BatchStatus; approvals: readonly unknown[] } }) {
  const suffix = batch.status === 'pending_approval' ? ` (${batch.approvals.length} of ${APPROVALS_REQUIRED})` : '';
  return <Badge tone={STATUS_TONES[batch.status]}>{`${STATUS_LABELS[batch.status]}${suffix}`}</Badge>;
}

/** The previous UTC day as two datetime-local values (the default period of a daily batch). */
export function previousUtcDay(nowMs: number): { start: string; end: string } {
  const end = new Date(nowMs);
  end.setUTCHours(0, 0, 0, 0);
  const start = new Date(end.getTime() - 86_400_000);
  return { start: start.toISOString().slice(0, 16), end: end.toISOString().slice(0, 16) };
}

/** A datetime-local value read as UTC, or undefined when it is not one. */
export function utcInstant(value: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return undefined;
  const ms = Date.parse(`${value}Z`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** An opaque id shortened (full in the tooltip); a venue name such as venue:internal in full. */
const shortRef = (ref: string) => <code title={ref}>{UUID.test(ref) ? `${ref.slice(0, 8)}…` : ref}</code>;

function CutBatch({ operator }: { readonly operator: OperatorApi }) {
  const navigate = useNavigate();
  const [period, setPeriod] = useState(() => previousUtcDay(Date.now()));
  const [error, setError] = useState<string | undefined>();
  const [state, run] = useAction(async (start: string, end: string) => {
    const batch = await operator.cutBatch(start, end);
    await navigate(`/settlement/${batch.batchId}`);
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const start = utcInstant(period.start);
    const end = utcInstant(period.end);
    if (!start || !end) return setError('Enter the start and the end of the period (UTC).');
    if (Date.parse(end) <= Date.parse(start)) return setError('The end must come after the start.');
    if (Date.parse(end) > Date.now()) return setError('The period must have ended: its end cannot be in the future.');
    setError(undefined);
    return void run(start, end);
  };
  return (
    <form onSubmit={submit} noValidate>
      <p className="muted small">Nets every omnibus fill, fee and payout of the period. A period can have one live batch; reject it to net the period again.</p>
      <div className="row">
        <Field label="Period start (UTC)" name="period-start" type="datetime-local" step={1} value={period.start}
          onChange={(e) => setPeriod({ ...period, start: e.target.value })} />
        <Field label="Period end (UTC)" name="period-end" type="datetime-local" step={1} value={period.end} onChange={(e) => setPeriod({ ...period, end: e.target.value })} />
      </div>
      {error ? <Alert tone="error">{error}</Alert> : null}
      {state.status === 'failed' ? <ErrorAlert error={state.error} /> : null}
      <Button type="submit" busy={state.status === 'running'}>Net the period into a draft batch</Button>
    </form>
  );
}

export function SettlementPage({ operator }: { readonly operator: OperatorApi }) {
  const [status, setStatus] = useState<BatchStatus | ''>('');
  const handle = useResource((signal) => operator.batches(status || undefined, signal), [operator, status], REFRESH_MS);
  return (
    <>
      <PageTitle appName={APP_NAME}>Settlement batches</PageTitle>
      <div className="stack">
        <Section title="Cut a batch"><CutBatch operator={operator} /></Section>
        <Section title="Batches" actions={
          <SelectField label="Status" name="batch-status" value={status} onChange={(e) => setStatus(e.target.value as BatchStatus | '')}
            options={[{ value: '', label: 'All' }, ...Object.entries(STATUS_LABELS).map(([value, label]) => ({ value, label }))]} />
        }>
          <ResourceView handle={handle} label="batches" isEmpty={(rows) => rows.length === 0}
            empty={status ? `No batch is ${STATUS_LABELS[status].toLowerCase()}.` : 'No batch yet: cut the first one above.'}>
            {(rows) => (
              <DataTable caption="Batches, newest period first" rows={rows} rowKey={(b) => b.batchId} columns={[
                { header: 'Batch', render: (b) => <Link to={`/settlement/${b.batchId}`} aria-label={`Batch ${b.batchId}`}>{b.batchId.slice(0, 8)}…</Link> },
                { header: 'Period (UTC)', render: (b) => `${formatInstant(b.periodStart)} → ${formatInstant(b.periodEnd)}` },
                { header: 'Trades', render: (b) => b.tradeCount, align: 'end' },
                { header: 'Status', render: (b) => <StatusBadge batch={b} /> },
                { header: 'Content hash', render: (b) => <code title={b.contentHash}>{b.contentHash.slice(0, 12)}…</code> },
                { header: 'Created', render: (b) => formatInstant(b.createdAt) },
              ]} />
            )}
          </ResourceView>
        </Section>
      </div>
    </>
  );
}

const EXPORT_LABELS: Readonly<Record<ExportFormat, string>> = { csv: 'CSV', json: 'JSON', pain001: 'pain.001 (ISO 20022 XML)' };

function Exports({ operator, batch }: { readonly operator: OperatorApi; readonly batch: BatchDetail }) {
  const [state, run] = useAction(async (format: ExportFormat) => {
    const file = await operator.exportBatch(batch.batchId, format);
    const actual = await sha256Base64(await file.blob.arrayBuffer());
    const digestOk = file.declaredSha256 !== null && file.declaredSha256 === actual;
    const hashOk = file.contentHash === batch.contentHash;
    if (digestOk && hashOk) {
      const url = URL.createObjectURL(file.blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = file.fileName;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    }
    return { format, fileName: file.fileName, bytes: file.blob.size, digestOk, hashOk };
  });
  return (
    <>
      <p className="muted small">
        Each file is checked in this browser before it is saved: its SHA-256 against the digest the stack declared, and the content hash it carries against this batch&apos;s.
      </p>
      <div className="row">
        {(Object.keys(EXPORT_LABELS) as ExportFormat[]).map((format) => (
          <Button key={format} variant="secondary" busy={state.status === 'running'} onClick={() => void run(format)}>Download {EXPORT_LABELS[format]}</Button>
        ))}
      </div>
      {state.status === 'failed' ? <ErrorAlert error={state.error} /> : null}
      {state.status === 'done' ? (
        state.result.digestOk && state.result.hashOk ? (
          <Alert tone="success" title={`${EXPORT_LABELS[state.result.format]} export checked and saved`}>
            {state.result.fileName} ({state.result.bytes} bytes): its SHA-256 matches the stack&apos;s digest and it carries this batch&apos;s content hash.
          </Alert>
        ) : (
          <Alert tone="error" title="The export did not check out, so it was not saved">
            {state.result.digestOk ? null : <p>The file&apos;s SHA-256 differs from the digest the stack declared.</p>}
            {state.result.hashOk ? null : <p>The file carries another content hash than this batch.</p>}
          </Alert>
        )
      ) : null}
    </>
  );
}

function Approve({ operator, batch, onDone }: { readonly operator: OperatorApi; readonly batch: BatchDetail; readonly onDone: () => void }) {
  const [checked, setChecked] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [state, run] = useAction(async () => {
    await operator.approveBatch(batch.batchId, batch.contentHash);
    setChecked(false);
    onDone();
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!checked) return setError('Confirm that you checked the instructions and the content hash.');
    setError(undefined);
    return void run();
  };
  return (
    <form onSubmit={submit} noValidate>
      <p>Approving signs this text with your operator key, in this browser (PS256). The stack verifies it against your key; a second, different operator must approve too.</p>
      <p><code className="small">{approvalPayload(batch.batchId, batch.contentHash)}</code></p>
      <div className="field">
        <label className="check">
          <input type="checkbox" checked={checked} onChange={(e) => setChecked(e.target.checked)} /> I checked the instructions and the content hash of this batch
        </label>
      </div>
      {error ? <Alert tone="error">{error}</Alert> : null}
      {state.status === 'failed' ? <ErrorAlert error={state.error} /> : null}
      <Button type="submit" busy={state.status === 'running'}>Sign and approve</Button>
    </form>
  );
}

function Reject({ operator, batch, onDone }: { readonly operator: OperatorApi; readonly batch: BatchDetail; readonly onDone: () => void }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [state, run] = useAction(async (text: string) => {
    await operator.rejectBatch(batch.batchId, text);
    onDone();
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const text = reason.trim();
    if (text.length < REASON_CHARS_MIN || text.length > REASON_CHARS_MAX) return setError(`Give the reason in ${REASON_CHARS_MIN} to ${REASON_CHARS_MAX} characters.`);
    setError(undefined);
    return void run(text);
  };
  return (
    <form onSubmit={submit} noValidate>
      <Field label="Reason for rejecting" name="reject-reason" value={reason} error={error} maxLength={REASON_CHARS_MAX} onChange={(e) => setReason(e.target.value)}
        hint="Shown to the other operators and kept in the audit chain. The period can then be netted again." />
      {state.status === 'failed' ? <ErrorAlert error={state.error} /> : null}
      <Button type="submit" variant="danger" busy={state.status === 'running'}>Reject batch</Button>
    </form>
  );
}

function Release({ operator, batch, onDone }: { readonly operator: OperatorApi; readonly batch: BatchDetail; readonly onDone: () => void }) {
  const [reference, setReference] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [state, run] = useAction(async (text: string) => {
    await operator.releaseBatch(batch.batchId, text);
    onDone();
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const text = reference.trim();
    if (!BANK_REFERENCE.test(text)) return setError('1 to 35 letters, digits, "-", "/" or ".", as the bank gave it.');
    setError(undefined);
    return void run(text);
  };
  return (
    <form onSubmit={submit} noValidate>
      <p>Record the bank&apos;s reference once the payments of this batch are made. Nothing is paid from here.</p>
      <Field label="Bank reference" name="bank-reference" value={reference} error={error} maxLength={35} onChange={(e) => setReference(e.target.value)} />
      {state.status === 'failed' ? <ErrorAlert error={state.error} /> : null}
      <Button type="submit" busy={state.status === 'running'}>Release batch</Button>
    </form>
  );
}

function Actions({ operator, batch, onDone }: { readonly operator: OperatorApi; readonly batch: BatchDetail; readonly onDone: () => void }) {
  const [submitting, submit] = useAction(async () => {
    await operator.submitBatch(batch.batchId);
    onDone();
  });
  switch (batch.status) {
    case 'draft':
      return (
        <>
          <Section title="Submit for approval">
            <p>Check the instructions and the exports, then submit: two different operators must approve before anything is released.</p>
            {submitting.status === 'failed' ? <ErrorAlert error={submitting.error} /> : null}
            <Button busy={submitting.status === 'running'} onClick={() => void submit()}>Submit for approval</Button>
          </Section>
          <Section title="Reject"><Reject operator={operator} batch={batch} onDone={onDone} /></Section>
        </>
      );
    case 'pending_approval':
      return (
        <>
          <Section title={`Approve (${batch.approvals.length} of ${APPROVALS_REQUIRED})`}><Approve operator={operator} batch={batch} onDone={onDone} /></Section>
          <Section title="Reject"><Reject operator={operator} batch={batch} onDone={onDone} /></Section>
        </>
      );
    case 'approved':
      return <Section title="Release"><Release operator={operator} batch={batch} onDone={onDone} /></Section>;
    case 'released':
      return <Alert tone="success" title="Released">Paid under bank reference <code>{batch.bankReference}</code> on {formatInstant(batch.decidedAt)}.</Alert>;
    case 'rejected':
      return (
        <Alert tone="error" title="Rejected">
          <p>{batch.rejectionReason}</p>
          <p>The period can be netted again: <Link to="/settlement">cut a new batch</Link>.</p>
        </Alert>
      );
  }
}

export function BatchPage({ operator }: { readonly operator: OperatorApi }) {
  const { batchId = '' } = useParams();
  const handle = useResource((signal) => operator.batch(batchId, signal), [operator, batchId], REFRESH_MS);
  return (
    <>
      <PageTitle appName={APP_NAME}>Settlement batch</PageTitle>
      <p><Link to="/settlement">Back to the batches</Link></p>
      <ResourceView handle={handle} label="the batch">
        {(batch) => (
          <div className="stack">
            <Section title="Batch" actions={<StatusBadge batch={batch} />}>
              <KeyValues items={[
                ['Batch', <code key="b">{batch.batchId}</code>],
                ['Period (UTC)', `${formatInstant(batch.periodStart)} → ${formatInstant(batch.periodEnd)}`],
                ['Trades netted', String(batch.tradeCount)],
                ['Content hash (SHA-256)', <code key="h" className="small">{batch.contentHash}</code>],
                ['Cut by', <span key="c">operator {shortRef(batch.createdBy)} on {formatInstant(batch.createdAt)}</span>],
                ['Approvals', batch.approvals.length === 0 ? 'none yet' : (
                  <ul key="a">{batch.approvals.map((a) => <li key={a.operatorRef}>operator {shortRef(a.operatorRef)} on {formatInstant(a.approvedAt)}</li>)}</ul>
                )],
                ...(batch.tokenLegsQueued > 0 ? [['Token movements queued on chain', String(batch.tokenLegsQueued)] as const] : []),
              ]} />
            </Section>
            <Section title="Instructions">
              {batch.instructions.length === 0 ? <p className="muted">Nothing to settle: the period had no fill, fee or payout.</p> : (
                <DataTable caption="One instruction per counterparty and currency" rows={batch.instructions} rowKey={(i) => `${i.counterparty}/${i.currency}`} columns={[
                  { header: 'Counterparty', render: (i) => shortRef(i.counterparty) },
                  { header: 'Currency', render: (i) => i.currency },
                  { header: 'Bought', render: (i) => i.bought, align: 'end' },
                  { header: 'Sold', render: (i) => i.sold, align: 'end' },
                  { header: 'Fees', render: (i) => i.fees, align: 'end' },
                  { header: 'Payouts', render: (i) => i.payouts, align: 'end' },
                  { header: 'Net', render: (i) => i.netAmount, align: 'end' },
                  { header: 'Payment', render: (i) => i.paymentAmount, align: 'end' },
                ]} />
              )}
              <p className="muted small">Net = sold − bought − fees + payouts: positive, the platform pays the counterparty; negative, the counterparty pays.</p>
            </Section>
            <Section title="Exports"><Exports operator={operator} batch={batch} /></Section>
            <Actions operator={operator} batch={batch} onDone={handle.reload} />
          </div>
        )}
      </ResourceView>
    </>
  );
}
