// The account's security, for everyone signed in: two-factor authentication (set up with any
// authenticator app, confirmed by a first code) and the sessions that are open.
import { useState, type FormEvent } from 'react';
import { Alert, ApiError, Badge, Button, DataTable, ErrorAlert, Field, PageTitle, ResourceView, Section, formatInstant, useAction, useResource } from '@bulwark/ui-kit';
import { auth } from './customer-api';
import { useSession } from './session';

const CODE = /^\d{6}$/;

function TwoFactor() {
  const [secret, setSecret] = useState<{ secret: string; otpauthUri: string } | undefined>();
  const { state } = useSession();
  const [enabled, setEnabled] = useState<boolean | undefined>(state.status === 'signed-in' && state.secondFactor === 'on' ? true : undefined);
  const [code, setCode] = useState('');
  const [codeError, setCodeError] = useState<string | undefined>();
  const [setup, runSetup] = useAction(async () => {
    try {
      setSecret(await auth.setupTotp());
    } catch (error) {
      if (error instanceof ApiError && error.code === 'mfa_already_enabled') return setEnabled(true);
      throw error;
    }
  });
  const [enable, runEnable] = useAction(async () => {
    await auth.enableTotp(code);
    setSecret(undefined);
    setEnabled(true);
    setCode('');
  });
  const [disable, runDisable] = useAction(async () => {
    await auth.disableTotp(code);
    setEnabled(false);
    setCode('');
  });

  const submit = (action: () => Promise<unknown>) => (event: FormEvent) => {
    event.preventDefault();
    if (!CODE.test(code)) return setCodeError('Enter the 6-digit code your authenticator app shows now.');
    setCodeError(undefined);
    void action();
  };
  const codeField = (
    <Field label="Code from your authenticator app" name="totp" inputMode="numeric" autoComplete="one-time-code" maxLength={6} value={code} error={codeError}
      onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))} />
  );

  return (
    <Section title="Two-factor authentication" actions={enabled ? <Badge tone="success">On</Badge> : enabled === false ? <Badge tone="warning">Off</Badge> : null}>
      {enabled ? (
        <form onSubmit={submit(runDisable)} noValidate>
          <p>Signing in, withdrawals and changes to your settings ask for a code from your authenticator app.</p>
          {codeField}
          {disable.status === 'failed' ? <ErrorAlert error={disable.error} /> : null}
          <Button type="submit" variant="danger" busy={disable.status === 'running'}>Turn off two-factor</Button>
        </form>
      ) : secret ? (
        <form onSubmit={submit(runEnable)} noValidate>
          <ol className="stack">
            <li>In your authenticator app, add an account with this setup key (or open the link on this device):
              <p><code data-testid="totp-secret">{secret.secret}</code></p>
              <p><a href={secret.otpauthUri}>Open in authenticator app</a></p>
            </li>
            <li>Enter the 6-digit code it shows, to prove it works.</li>
          </ol>
          {codeField}
          {enable.status === 'failed' ? <ErrorAlert error={enable.error} /> : null}
          <Button type="submit" busy={enable.status === 'running'}>Turn on two-factor</Button>
        </form>
      ) : (
        <>
          <p>Protect your account with a code from an authenticator app. Withdrawals need it.</p>
          {setup.status === 'failed' ? <ErrorAlert error={setup.error} /> : null}
          {enable.status === 'done' ? <Alert tone="success">Two-factor authentication is on.</Alert> : null}
          <Button onClick={() => void runSetup()} busy={setup.status === 'running'}>Set up two-factor authentication</Button>
        </>
      )}
    </Section>
  );
}

function Sessions() {
  const handle = useResource((signal) => auth.sessions(signal), []);
  const [revoking, runRevoke] = useAction(async (id: string) => {
    await auth.revokeSession(id);
    handle.reload();
  });
  return (
    <Section title="Where you are signed in">
      {revoking.status === 'failed' ? <ErrorAlert error={revoking.error} /> : null}
      <ResourceView handle={handle} label="sessions" isEmpty={(rows) => rows.length === 0} empty="No open sessions.">
        {(rows) => (
          <DataTable
            caption="Open sessions"
            rows={rows.filter((row) => !row.revokedAt)}
            rowKey={(row) => row.id}
            columns={[
              { header: 'Device', render: (row) => <>{row.userAgent.slice(0, 80)} {row.current ? <Badge tone="info">This device</Badge> : null}</> },
              { header: 'Signed in', render: (row) => formatInstant(row.createdAt) },
              { header: 'Last used', render: (row) => formatInstant(row.lastUsedAt) },
              { header: 'Action', render: (row) => (row.current ? '—' : <Button variant="secondary" onClick={() => void runRevoke(row.id)}>End session</Button>) },
            ]}
          />
        )}
      </ResourceView>
    </Section>
  );
}

export function SecurityPage({ appName }: { readonly appName: string }) {
  return (
    <>
      <PageTitle appName={appName}>Security</PageTitle>
      <div className="stack">
        <TwoFactor />
        <Sessions />
      </div>
    </>
  );
}
