// The operator admin: markets, post-trade and the chain, each screen on the execution stack's
// own API. It shows opaque references and USD amounts only; there is no personal data to show.
// Market data is public; operator actions need the operator's key (operator-session.tsx).
import { Link, Navigate, Route, Routes } from 'react-router';
import { AppShell, type NavItem } from '@bulwark/ui-kit';
import { APP_NAME } from './app-name';
import { InstrumentsPage } from './instruments.page';
import { OperatorAuditPage } from './operator-audit.page';
import { OperatorSignIn, useOperator } from './operator-session';
import { OrderBookPage } from './order-book.page';
import { ResolutionPage } from './resolution.page';

export function AdminApp() {
  const { key, operator, signOut } = useOperator();
  const nav: NavItem[] = [
    { to: '/instruments', label: 'Instruments' },
    ...(operator ? [{ to: '/resolution', label: 'Resolution' }, { to: '/audit', label: 'Operator audit' }] : [{ to: '/sign-in', label: 'Operator sign-in' }]),
  ];
  return (
    <AppShell appName={APP_NAME} brandName="Bulwark" nav={nav} who={key ? `Operator key ${key.keyId.slice(0, 8)}` : undefined} onSignOut={key ? signOut : undefined}>
      <Routes>
        <Route path="/" element={<Navigate to="/instruments" replace />} />
        <Route path="/instruments" element={<InstrumentsPage />} />
        <Route path="/books/:instrumentId" element={<OrderBookPage />} />
        <Route path="/sign-in" element={operator ? <Navigate to="/instruments" replace /> : <OperatorSignIn />} />
        <Route path="/resolution" element={operator ? <ResolutionPage operator={operator} /> : <Navigate to="/sign-in" replace />} />
        <Route path="/audit" element={operator ? <OperatorAuditPage operator={operator} /> : <Navigate to="/sign-in" replace />} />
        <Route path="*" element={<div className="card"><h1>Page not found</h1><p><Link to="/instruments">Go to the instruments</Link></p></div>} />
      </Routes>
    </AppShell>
  );
}
