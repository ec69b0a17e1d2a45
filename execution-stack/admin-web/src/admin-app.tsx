// The operator admin: markets, post-trade and the chain, each screen on the execution stack's
// own API. It shows opaque references and USD amounts only; there is no personal data to show.
// Market data is public; operator actions need the operator's key (operator-session.tsx).
import type { ReactElement } from 'react';
import { Link, Navigate, Route, Routes } from 'react-router';
import { AppShell, type NavItem } from '@bulwark/ui-kit';
import { APP_NAME } from './app-name';
import { ChainPage } from './chain.page';
import type { OperatorApi } from './execution-api';
import { HaltsPage } from './halts.page';
import { InstrumentsPage } from './instruments.page';
import { MembersPage } from './members.page';
import { OperatorAuditPage } from './operator-audit.page';
import { OperatorSignIn, useOperator } from './operator-session';
import { OrderBookPage } from './order-book.page';
import { PoolOrderPage, PoolsPage } from './pools.page';
import { ReconciliationPage } from './reconciliation.page';
import { ResolutionPage } from './resolution.page';
import { BatchPage, SettlementPage } from './settlement.page';

/** Screens that need the operator's key, in navigation order. */
const OPERATOR_SCREENS: readonly { path: string; label?: string; render: (operator: OperatorApi) => ReactElement }[] = [
  { path: '/members', label: 'Members', render: (operator) => <MembersPage operator={operator} /> },
  { path: '/pools', label: 'Pools and allocations', render: (operator) => <PoolsPage operator={operator} /> },
  { path: '/pools/:orderRef', render: (operator) => <PoolOrderPage operator={operator} /> },
  { path: '/resolution', label: 'Resolution', render: (operator) => <ResolutionPage operator={operator} /> },
  { path: '/settlement', label: 'Settlement', render: (operator) => <SettlementPage operator={operator} /> },
  { path: '/settlement/:batchId', render: (operator) => <BatchPage operator={operator} /> },
  { path: '/reconciliation', label: 'Reconciliation', render: (operator) => <ReconciliationPage operator={operator} /> },
  { path: '/chain', label: 'Chain', render: (operator) => <ChainPage operator={operator} /> },
  { path: '/audit', label: 'Operator audit', render: (operator) => <OperatorAuditPage operator={operator} /> },
];

export function AdminApp() {
  const { key, operator, signOut } = useOperator();
  const nav: NavItem[] = [
    { to: '/instruments', label: 'Instruments' },
    { to: '/halts', label: 'Halts and breakers' },
    ...(operator
      ? OPERATOR_SCREENS.flatMap((screen) => (screen.label ? [{ to: screen.path, label: screen.label }] : []))
      : [{ to: '/sign-in', label: 'Operator sign-in' }]),
  ];
  return (
    <AppShell appName={APP_NAME} brandName="Bulwark" nav={nav} who={key ? `Operator key ${key.keyId.slice(0, 8)}` : undefined} onSignOut={key ? signOut : undefined}>
      <Routes>
        <Route path="/" element={<Navigate to="/instruments" replace />} />
        <Route path="/instruments" element={<InstrumentsPage />} />
        <Route path="/halts" element={<HaltsPage />} />
        <Route path="/books/:instrumentId" element={<OrderBookPage />} />
        <Route path="/sign-in" element={operator ? <Navigate to="/instruments" replace /> : <OperatorSignIn />} />
        {OPERATOR_SCREENS.map((screen) => (
          <Route key={screen.path} path={screen.path} element={operator ? screen.render(operator) : <Navigate to="/sign-in" replace />} />
        ))}
        <Route path="*" element={<div className="card"><h1>Page not found</h1><p><Link to="/instruments">Go to the instruments</Link></p></div>} />
      </Routes>
    </AppShell>
  );
}
