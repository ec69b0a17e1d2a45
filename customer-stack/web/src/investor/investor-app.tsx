// The investor SPA: signed out it offers sign-in and registration; signed in, the screens whose
// APIs the customer stack serves.
import { Link, Navigate, Route, Routes } from 'react-router';
import { AppShell, Button, ErrorAlert, Loading, type NavItem } from '@bulwark/ui-kit';
import { SecurityPage } from '../shared/security.page';
import { useSession } from '../shared/session';
import { SignIn } from '../shared/sign-in';
import { currentTenantId } from '../shared/tenant';
import { usePublicTenantBrand } from '../shared/use-tenant-brand';
import { APP_NAME } from './app-name';
import { HomePage } from './home.page';
import { KycPage } from './kyc.page';
import { MoneyPage } from './money.page';
import { OrdersPage } from './orders.page';
import { PaymentsPage } from './payments.page';
import { StatementsPage } from './statements.page';
import { TradePage } from './trade.page';
import { RegisterPage } from './register.page';

const NAV: readonly NavItem[] = [
  { to: '/', label: 'Account' },
  { to: '/money', label: 'Money' },
  { to: '/payments', label: 'Deposit and withdraw' },
  { to: '/trade', label: 'Trade' },
  { to: '/orders', label: 'Orders' },
  { to: '/statements', label: 'Payouts and statements' },
  { to: '/verify', label: 'Verify identity' },
  { to: '/security', label: 'Security' },
];

export function InvestorApp() {
  const { state, signOut, recheck } = useSession();
  const brandName = usePublicTenantBrand(state.status === 'signed-in' ? state.principal.tenantId : currentTenantId()).name;
  if (state.status === 'checking') return <AppShell appName={APP_NAME} brandName={brandName} nav={[]}><Loading label="Checking your session…" /></AppShell>;
  if (state.status === 'unreachable') {
    return (
      <AppShell appName={APP_NAME} brandName={brandName} nav={[]}>
        <ErrorAlert error={state.error} onRetry={() => void recheck()} />
      </AppShell>
    );
  }
  if (state.status === 'signed-out') {
    return (
      <AppShell appName={APP_NAME} brandName={brandName} nav={[]}>
        <Routes>
          <Route path="/register" element={<RegisterPage />} />
          <Route path="*" element={<SignIn appName={APP_NAME} reason={state.reason} footer={<p>New here? <Link to="/register">Open an account</Link></p>} />} />
        </Routes>
      </AppShell>
    );
  }
  if (!state.principal.roles.includes('investor')) {
    return (
      <AppShell appName={APP_NAME} brandName={brandName} nav={[]} onSignOut={() => void signOut()} who="Staff account">
        <ErrorAlert error={new Error('This is the investor app; staff accounts use the compliance console at /console/.')} />
        <Button variant="secondary" onClick={() => window.location.assign('/console/')}>Go to the compliance console</Button>
      </AppShell>
    );
  }
  return (
    <AppShell appName={APP_NAME} brandName={brandName} nav={NAV} who="Signed in" onSignOut={() => void signOut()}>
      <Routes>
        <Route path="/" element={<HomePage />} />
        <Route path="/money" element={<MoneyPage />} />
        <Route path="/payments" element={<PaymentsPage />} />
        <Route path="/trade" element={<TradePage />} />
        <Route path="/orders" element={<OrdersPage />} />
        <Route path="/statements" element={<StatementsPage />} />
        <Route path="/verify" element={<KycPage />} />
        <Route path="/security" element={<SecurityPage appName={APP_NAME} />} />
        <Route path="/register" element={<Navigate to="/" replace />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </AppShell>
  );
}

function NotFound() {
  return (
    <div className="card">
      <h1>Page not found</h1>
      <p>There is nothing at this address. <Link to="/">Go to your account</Link>.</p>
    </div>
  );
}
