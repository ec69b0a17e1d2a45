// The compliance console: staff only; each role sees the screens its permissions allow.
import type { ReactNode } from 'react';
import { Link, Route, Routes } from 'react-router';
import { AppShell, Badge, ErrorAlert, KeyValues, Loading, PageTitle, Section, type NavItem } from '@bulwark/ui-kit';
import { ROLE_LABELS, type Principal, type Role } from '../shared/customer-api';
import { SecurityPage } from '../shared/security.page';
import { usePrincipal, useSession } from '../shared/session';
import { SignIn } from '../shared/sign-in';
import { useTenantBrand } from '../shared/use-tenant-brand';
import { AlertCasePage } from './alert-case.page';
import { AlertsPage } from './alerts.page';
import { AuditTrailPage } from './audit-trail.page';
import { AuditVerifyPage } from './audit-verify.page';
import { CustomerPage } from './customer.page';
import { KycReviewsPage } from './kyc-reviews.page';
import { ReconciliationPage } from './reconciliation.page';
import { SarsPage } from './sars.page';
import { APP_NAME } from './app-name';

const STAFF_ROLES: readonly Role[] = ['compliance_officer', 'mlro', 'finance_ops', 'admin', 'auditor'];
/** The roles whose permissions include audit:read (customer-stack/api/src/auth/permissions.ts). */
const AUDIT_READERS: readonly Role[] = ['compliance_officer', 'mlro', 'admin', 'auditor'];
/** The roles whose permissions include reconciliation:read. */
const RECONCILIATION_READERS: readonly Role[] = ['compliance_officer', 'mlro', 'finance_ops', 'auditor'];

/** The console's navigation for a set of roles: a screen is listed only to roles that may use it. */
export function consoleNav(roles: readonly Role[]): NavItem[] {
  const has = (...wanted: Role[]) => wanted.some((role) => roles.includes(role));
  const nav: NavItem[] = [{ to: '/', label: 'Overview' }];
  if (has('compliance_officer', 'mlro')) nav.push({ to: '/alerts', label: 'Review queue' }, { to: '/kyc', label: 'KYC reviews' });
  if (has('mlro')) nav.push({ to: '/sars', label: 'SAR register' });
  if (has(...RECONCILIATION_READERS)) nav.push({ to: '/reconciliation', label: 'Reconciliation' });
  if (has(...AUDIT_READERS)) nav.push({ to: '/audit-trail', label: 'Audit trail' });
  if (has('auditor')) nav.push({ to: '/audit', label: 'Audit chain' });
  if (has(...STAFF_ROLES)) nav.push({ to: '/security', label: 'Security' });
  return nav;
}

export function ConsoleApp() {
  const { state, signOut, recheck } = useSession();
  const staff = state.status === 'signed-in' && state.principal.roles.some((role) => STAFF_ROLES.includes(role));
  const brandName = useTenantBrand(staff).name;
  const bare = (content: ReactNode) => <AppShell appName={APP_NAME} brandName={brandName} nav={[]}>{content}</AppShell>;
  if (state.status === 'checking') return bare(<Loading label="Checking your session…" />);
  if (state.status === 'unreachable') return bare(<ErrorAlert error={state.error} onRetry={() => void recheck()} />);
  if (state.status === 'signed-out') {
    return <AppShell appName={APP_NAME} brandName={brandName} nav={[]}><SignIn appName={APP_NAME} reason={state.reason} /></AppShell>;
  }
  const { roles } = state.principal;
  const who = roles.map((role) => ROLE_LABELS[role]).join(', ');
  const officer = roles.includes('compliance_officer') || roles.includes('mlro');
  if (!roles.some((role) => STAFF_ROLES.includes(role))) {
    return (
      <AppShell appName={APP_NAME} brandName={brandName} nav={[]} who={who} onSignOut={() => void signOut()}>
        <ErrorAlert error={new Error('The compliance console is for staff. Investors use the app at /app/.')} />
      </AppShell>
    );
  }
  return (
    <AppShell appName={APP_NAME} brandName={brandName} nav={consoleNav(roles)} who={who} onSignOut={() => void signOut()}>
      <Routes>
        <Route path="/" element={<Overview />} />
        <Route path="/security" element={<SecurityPage appName={APP_NAME} />} />
        {roles.includes('auditor') ? <Route path="/audit" element={<AuditVerifyPage />} /> : null}
        {roles.some((role) => AUDIT_READERS.includes(role)) ? <Route path="/audit-trail" element={<AuditTrailPage />} /> : null}
        {roles.some((role) => RECONCILIATION_READERS.includes(role)) ? <Route path="/reconciliation" element={<ReconciliationPage />} /> : null}
        {officer ? <Route path="/alerts" element={<AlertsPage />} /> : null}
        {officer ? <Route path="/alerts/:id" element={<AlertCasePage />} /> : null}
        {officer ? <Route path="/kyc" element={<KycReviewsPage />} /> : null}
        {officer ? <Route path="/customers/:userId" element={<CustomerPage />} /> : null}
        {roles.includes('mlro') ? <Route path="/sars" element={<SarsPage />} /> : null}
        <Route path="*" element={<div className="card"><h1>Page not found</h1><p><Link to="/">Back to the overview</Link></p></div>} />
      </Routes>
    </AppShell>
  );
}

function Overview() {
  const principal: Principal = usePrincipal();
  return (
    <>
      <PageTitle appName={APP_NAME}>Overview</PageTitle>
      <Section title="You">
        <KeyValues items={[
          ['Roles', principal.roles.map((role) => <Badge key={role} tone="info">{ROLE_LABELS[role]}</Badge>)],
          ['Tenant', <code key="t">{principal.tenantId}</code>],
        ]} />
      </Section>
    </>
  );
}
