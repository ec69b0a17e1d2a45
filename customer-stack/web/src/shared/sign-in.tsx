// Signing in: email and password, then the one-time code when the account has two-factor on.
import { useState, type FormEvent, type ReactNode } from 'react';
import { Alert, Button, ErrorAlert, Field, PageTitle, useAction } from '@bulwark/ui-kit';
import { auth } from './customer-api';
import { useSession } from './session';
import { currentTenantId } from './tenant';

const CODE = /^\d{6}$/;

export function SignIn({ appName, reason, footer }: { readonly appName: string; readonly reason?: string; readonly footer?: ReactNode }) {
  const { signedIn } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [mfaToken, setMfaToken] = useState<string | undefined>();
  const [code, setCode] = useState('');
  const [codeError, setCodeError] = useState<string | undefined>();

  const [login, runLogin] = useAction(async () => {
    const answer = await auth.login(currentTenantId(), email.trim(), password);
    if ('mfaRequired' in answer) setMfaToken(answer.mfaToken);
    else signedIn(answer.principal);
  });
  const [verify, runVerify] = useAction(async () => {
    if (!mfaToken) return;
    signedIn((await auth.verifyMfa(mfaToken, code)).principal, 'on');
  });

  const submitPassword = (event: FormEvent) => {
    event.preventDefault();
    void runLogin();
  };
  const submitCode = (event: FormEvent) => {
    event.preventDefault();
    if (!CODE.test(code)) return setCodeError('Enter the 6-digit code from your authenticator app.');
    setCodeError(undefined);
    void runVerify();
  };

  return (
    <div className="narrow card">
      <PageTitle appName={appName}>{mfaToken ? 'Enter your one-time code' : 'Sign in'}</PageTitle>
      {reason ? <Alert tone="info">{reason}</Alert> : null}
      {!mfaToken ? (
        <form onSubmit={submitPassword} noValidate>
          <Field label="Email" name="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
          <Field label="Password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
          {login.status === 'failed' ? <ErrorAlert error={login.error} /> : null}
          <Button type="submit" busy={login.status === 'running'}>Sign in</Button>
        </form>
      ) : (
        <form onSubmit={submitCode} noValidate>
          <p>Two-factor authentication is on for this account. Open your authenticator app and enter the current code.</p>
          <Field
            label="One-time code"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            required
            value={code}
            error={codeError}
            onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
          />
          {verify.status === 'failed' ? <ErrorAlert error={verify.error} /> : null}
          <div className="row">
            <Button type="submit" busy={verify.status === 'running'}>Verify</Button>
            <Button variant="secondary" onClick={() => { setMfaToken(undefined); setCode(''); }}>Start again</Button>
          </div>
        </form>
      )}
      {footer}
    </div>
  );
}
