// Opening an account: email and a password (checked here for what the stack requires, and
// again by the stack), then straight into the app signed in.
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { Button, ErrorAlert, Field, PageTitle, useAction } from '@bulwark/ui-kit';
import { PASSWORD_LENGTH_MAX, PASSWORD_LENGTH_MIN, auth } from '../shared/customer-api';
import { useSession } from '../shared/session';
import { currentTenantId } from '../shared/tenant';
import { APP_NAME } from './app-name';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function validateRegistration(email: string, password: string, confirm: string): Partial<Record<'email' | 'password' | 'confirm', string>> {
  const errors: Partial<Record<'email' | 'password' | 'confirm', string>> = {};
  if (!EMAIL.test(email.trim())) errors.email = 'Enter an email address like name@example.com.';
  if (password.length < PASSWORD_LENGTH_MIN) errors.password = `Use at least ${PASSWORD_LENGTH_MIN} characters.`;
  else if (password.length > PASSWORD_LENGTH_MAX) errors.password = `Use at most ${PASSWORD_LENGTH_MAX} characters.`;
  if (confirm !== password) errors.confirm = 'The two passwords differ.';
  return errors;
}

export function RegisterPage() {
  const { signedIn } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<ReturnType<typeof validateRegistration>>({});
  const [state, run] = useAction(async () => {
    const tenantId = currentTenantId();
    await auth.register(tenantId, email.trim(), password);
    const answer = await auth.login(tenantId, email.trim(), password);
    if ('principal' in answer) signedIn(answer.principal);
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = validateRegistration(email, password, confirm);
    setErrors(found);
    if (Object.keys(found).length === 0) void run();
  };

  return (
    <div className="narrow card">
      <PageTitle appName={APP_NAME}>Open an account</PageTitle>
      <form onSubmit={submit} noValidate>
        <Field label="Email" name="email" type="email" autoComplete="email" required value={email} error={errors.email} onChange={(e) => setEmail(e.target.value)} />
        <Field label="Password" name="new-password" type="password" autoComplete="new-password" required hint={`At least ${PASSWORD_LENGTH_MIN} characters.`}
          value={password} error={errors.password} onChange={(e) => setPassword(e.target.value)} />
        <Field label="Repeat the password" name="confirm-password" type="password" autoComplete="new-password" required value={confirm} error={errors.confirm}
          onChange={(e) => setConfirm(e.target.value)} />
        {state.status === 'failed' ? <ErrorAlert error={state.error} /> : null}
        <Button type="submit" busy={state.status === 'running'}>Open account</Button>
      </form>
      <p>Already have an account? <Link to="/">Sign in</Link></p>
    </div>
  );
}
