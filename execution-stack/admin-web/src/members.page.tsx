// Members of the exchange and their limits: market makers and one omnibus account per tenant,
// each under an opaque id. An operator changes a member's four limits (they bind from its next
// request) or suspends it (its open orders are cancelled) and reinstates it. Every change is in
// the operator audit chain.
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { Alert, Badge, Button, DataTable, ErrorAlert, Field, PageTitle, ResourceView, Section, useAction, useResource } from '@bulwark/ui-kit';
import { APP_NAME } from './app-name';
import type { MemberLimits, MemberView, OperatorApi } from './execution-api';

const REFRESH_MS = 15_000;
const DECIMAL = /^\d{1,20}(\.\d{1,18})?$/;
const INTEGER = /^\d{1,6}$/;
/** The bounds the stack enforces on the two counts (members.service.ts). */
const COUNT_MAX = 100_000;

type LimitsForm = Record<keyof MemberLimits, string>;
type LimitErrors = Partial<Record<keyof MemberLimits, string>>;

/** Checks the form as the stack will, so a mistake is shown beside its field before sending. */
export function checkLimits(form: LimitsForm): { ok: true; limits: MemberLimits } | { ok: false; errors: LimitErrors } {
  const errors: LimitErrors = {};
  const positiveDecimal = (value: string) => DECIMAL.test(value) && !/^0+(\.0+)?$/.test(value);
  const count = (value: string) => INTEGER.test(value) && Number.parseInt(value, 10) >= 1 && Number.parseInt(value, 10) <= COUNT_MAX;
  if (!positiveDecimal(form.orderQuantityMax)) errors.orderQuantityMax = 'A positive decimal, e.g. 1000.';
  if (!positiveDecimal(form.orderNotionalMax)) errors.orderNotionalMax = 'A positive amount in USD, e.g. 50000.';
  if (!count(form.openOrdersMax)) errors.openOrdersMax = `A whole number from 1 to ${COUNT_MAX}.`;
  if (!count(form.messagesPerSecond)) errors.messagesPerSecond = `A whole number from 1 to ${COUNT_MAX}.`;
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    limits: {
      orderQuantityMax: form.orderQuantityMax,
      orderNotionalMax: form.orderNotionalMax,
      openOrdersMax: Number.parseInt(form.openOrdersMax, 10),
      messagesPerSecond: Number.parseInt(form.messagesPerSecond, 10),
    },
  };
}

const kindLabel = (member: MemberView) => (member.kind === 'omnibus' ? 'Omnibus (tenant)' : 'Market maker');

function EditLimits({ operator, member, onDone, onCancel }: {
  readonly operator: OperatorApi;
  readonly member: MemberView;
  readonly onDone: (member: MemberView) => void;
  readonly onCancel: () => void;
}) {
  const [form, setForm] = useState<LimitsForm>({
    orderQuantityMax: member.orderQuantityMax,
    orderNotionalMax: member.orderNotionalMax,
    openOrdersMax: String(member.openOrdersMax),
    messagesPerSecond: String(member.messagesPerSecond),
  });
  const [errors, setErrors] = useState<LimitErrors>({});
  const [state, run] = useAction(async (limits: MemberLimits) => onDone(await operator.setMemberLimits(member.id, limits)));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const checked = checkLimits(form);
    setErrors(checked.ok ? {} : checked.errors);
    if (checked.ok) void run(checked.limits);
  };
  const field = (name: keyof MemberLimits, label: string) => (
    <Field label={label} name={name} value={form[name]} error={errors[name]} inputMode={name.endsWith('Max') && name.startsWith('order') ? 'decimal' : 'numeric'}
      onChange={(e) => setForm({ ...form, [name]: e.target.value.trim() })} />
  );
  return (
    <Section title={`Limits of member ${member.ownerNo}`}>
      <p className="muted small">Member <code>{member.id}</code>. New limits bind from the member&apos;s next request; orders already resting stay.</p>
      <form onSubmit={submit} noValidate>
        <div className="row">
          {field('orderQuantityMax', 'Largest order (units)')}
          {field('orderNotionalMax', 'Largest order notional (USD)')}
          {field('openOrdersMax', 'Open orders at most')}
          {field('messagesPerSecond', 'Messages per second')}
        </div>
        {state.status === 'failed' ? <ErrorAlert error={state.error} /> : null}
        <div className="row">
          <Button type="submit" busy={state.status === 'running'}>Save limits</Button>
          <Button variant="secondary" onClick={onCancel}>Cancel</Button>
        </div>
      </form>
    </Section>
  );
}

function StatusButton({ operator, member, onDone }: { readonly operator: OperatorApi; readonly member: MemberView; readonly onDone: (member: MemberView) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [state, run] = useAction(async (action: 'suspend' | 'reinstate') => {
    onDone(await operator.setMemberStatus(member.id, action));
    setConfirming(false);
  });
  if (member.status === 'suspended') {
    return (
      <>
        <Button variant="secondary" aria-label={`Reinstate member ${member.ownerNo}`} busy={state.status === 'running'} onClick={() => void run('reinstate')}>Reinstate</Button>
        {state.status === 'failed' ? <ErrorAlert error={state.error} /> : null}
      </>
    );
  }
  return confirming ? (
    <div className="stack">
      <Alert tone="warning">Suspending refuses the member&apos;s requests and cancels all its open orders.</Alert>
      <div className="row">
        <Button variant="danger" aria-label={`Confirm suspending member ${member.ownerNo}`} busy={state.status === 'running'} onClick={() => void run('suspend')}>
          Suspend now
        </Button>
        <Button variant="secondary" onClick={() => setConfirming(false)}>Keep active</Button>
      </div>
      {state.status === 'failed' ? <ErrorAlert error={state.error} /> : null}
    </div>
  ) : (
    <Button variant="danger" aria-label={`Suspend member ${member.ownerNo}`} onClick={() => setConfirming(true)}>Suspend</Button>
  );
}

export function MembersPage({ operator }: { readonly operator: OperatorApi }) {
  const handle = useResource((signal) => operator.members(signal), [operator], REFRESH_MS);
  const [editing, setEditing] = useState<MemberView | undefined>();
  const [saved, setSaved] = useState<string | undefined>();
  const changed = (member: MemberView, what: string) => {
    setSaved(`Member ${member.ownerNo}: ${what}.`);
    setEditing(undefined);
    handle.reload();
  };
  return (
    <>
      <PageTitle appName={APP_NAME}>Members and limits</PageTitle>
      <div className="stack">
        <Alert tone="info">Members are institutions under opaque ids: market makers, and one omnibus account per customer-stack tenant. No personal data is held here.</Alert>
        {saved ? <Alert tone="success">{saved} The change is in the <Link to="/audit">operator audit</Link>.</Alert> : null}
        {editing ? <EditLimits key={editing.id} operator={operator} member={editing} onDone={(m) => changed(m, 'limits saved')} onCancel={() => setEditing(undefined)} /> : null}
        <Section title="Members">
          <ResourceView handle={handle} label="members" isEmpty={(rows) => rows.length === 0}
            empty="No member yet. Market makers are registered with their public key; an omnibus member appears with its tenant's first order.">
            {(rows) => (
              <DataTable caption="Members by number, with their limits" rows={rows} rowKey={(m) => m.id} columns={[
                { header: 'Member', render: (m) => (
                  <>
                    <strong>No. {m.ownerNo}</strong> {kindLabel(m)}
                    <br /><code className="small" title={m.id}>{m.id.slice(0, 8)}…</code>
                    {m.tenantRef ? <> tenant <code className="small" title={m.tenantRef}>{m.tenantRef.slice(0, 8)}…</code></> : null}
                  </>
                ) },
                { header: 'Status', render: (m) => <Badge tone={m.status === 'active' ? 'success' : 'error'}>{m.status}</Badge> },
                { header: 'Max order', render: (m) => m.orderQuantityMax, align: 'end' },
                { header: 'Max notional (USD)', render: (m) => m.orderNotionalMax, align: 'end' },
                { header: 'Open orders max', render: (m) => m.openOrdersMax, align: 'end' },
                { header: 'Msgs/s', render: (m) => m.messagesPerSecond, align: 'end' },
                { header: 'Actions', render: (m) => (
                  <div className="row">
                    <Button variant="secondary" aria-label={`Edit limits of member ${m.ownerNo}`} onClick={() => { setSaved(undefined); setEditing(m); }}>Edit limits</Button>
                    <StatusButton operator={operator} member={m}
                      onDone={(after) => changed(after, after.status === 'suspended' ? 'suspended, open orders cancelled' : 'reinstated')} />
                  </div>
                ) },
              ]} />
            )}
          </ResourceView>
        </Section>
      </div>
    </>
  );
}
