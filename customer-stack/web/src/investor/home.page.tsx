// The investor's start page: the account and what to do next.
import { Link } from 'react-router';
import { Alert, KeyValues, PageTitle, Section } from '@bulwark/ui-kit';
import { usePrincipal } from '../shared/session';
import { APP_NAME } from './app-name';

export function HomePage() {
  const principal = usePrincipal();
  return (
    <>
      <PageTitle appName={APP_NAME}>Your account</PageTitle>
      <div className="stack">
        <Section title="Account">
          <KeyValues items={[['Account reference', <code key="ref">{principal.accountRef ?? '—'}</code>]]} />
        </Section>
        <Alert tone="info" title="Next steps">
          <p><Link to="/verify">Verify your identity</Link> to start investing.</p>
          <p>Protect your account: <Link to="/security">set up two-factor authentication</Link>. Withdrawals require it.</p>
        </Alert>
      </div>
    </>
  );
}
