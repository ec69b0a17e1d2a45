// The operator admin: markets, post-trade and the chain, each screen on the execution stack's
// own API. It shows opaque references and USD amounts only; there is no personal data to show.
import { Link, Navigate, Route, Routes } from 'react-router';
import { AppShell, type NavItem } from '@bulwark/ui-kit';
import { APP_NAME } from './app-name';
import { InstrumentsPage } from './instruments.page';

const NAV: readonly NavItem[] = [{ to: '/instruments', label: 'Instruments' }];

export function AdminApp() {
  return (
    <AppShell appName={APP_NAME} brandName="Bulwark" nav={NAV}>
      <Routes>
        <Route path="/" element={<Navigate to="/instruments" replace />} />
        <Route path="/instruments" element={<InstrumentsPage />} />
        <Route path="*" element={<div className="card"><h1>Page not found</h1><p><Link to="/instruments">Go to the instruments</Link></p></div>} />
      </Routes>
    </AppShell>
  );
}
