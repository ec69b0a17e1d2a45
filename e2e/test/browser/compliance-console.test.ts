// The compliance console in a real browser against the real customer stack: staff sign in and
// see what their role allows; investors are turned away to their own app. A reconciliation break
// comes from a real statement: a trade on the execution stack for an account this tenant does not
// know crosses the wall in the period's statement, and an officer investigates and resolves it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { TransactionMonitor } from '../../../customer-stack/api/src/aml/transaction-monitor.js';
import { AuditAnchoringService } from '../../../customer-stack/api/src/audit-anchoring/audit-anchoring.service.js';
import { TenantScope } from '../../../customer-stack/api/src/tenancy/tenant-scope.js';
import { loginAs } from '../../../customer-stack/api/test/support/auth.js';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import { MembersService } from '../../../execution-stack/api/src/members/members.service.js';
import { ReconciliationService as ExecutionReconciliation } from '../../../execution-stack/api/src/reconciliation/reconciliation.service.js';
import { expectAccessible, openBrowser, pageProblems, screenshot, type BrowserUser } from './support/browser.js';
import { tradeThroughOmnibus } from './support/omnibus-trade.js';
import { startStacks, type RunningStacks } from './support/stacks.js';

const TENANT_ID = '8f0c6d3e-4b2a-4e71-9c5d-2a7b1e9f4c30';
let stacks: RunningStacks;
let officer: BrowserUser;

beforeAll(async () => {
  stacks = await startStacks();
  officer = await openBrowser();
}, 120_000);

afterAll(async () => {
  await officer?.close();
  await stacks?.stop();
});

async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto(`${stacks.customerUrl}/console/`);
  const signOut = page.getByRole('button', { name: 'Sign out' });
  await signOut.or(page.getByLabel('Email')).first().waitFor();
  if (await signOut.isVisible()) await signOut.click();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
}

describe('the compliance console', () => {
  it('signs a compliance officer in and shows their role', async () => {
    const staff = await loginAs(stacks.customer, { role: 'compliance_officer', tenantId: TENANT_ID });
    const { page } = officer;
    await page.goto(`${stacks.customerUrl}/console/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Email').fill(staff.email);
    await page.getByLabel('Password').fill(staff.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByText('Compliance officer').first().waitFor();
    await expectAccessible(page);
    await screenshot(page, 'console-01-overview');
    expect(pageProblems(page)).toEqual([]);
  });

  it('lets an auditor verify the whole audit chain from the browser', async () => {
    const auditor = await loginAs(stacks.customer, { role: 'auditor', tenantId: TENANT_ID });
    const other = await openBrowser();
    try {
      await other.page.goto(`${stacks.customerUrl}/console/`);
      await other.page.getByLabel('Email').fill(auditor.email);
      await other.page.getByLabel('Password').fill(auditor.password);
      await other.page.getByRole('button', { name: 'Sign in' }).click();
      await other.page.getByRole('link', { name: 'Audit chain' }).click();
      await other.page.getByText('The audit chain verifies').waitFor();
      // The batcher cuts a Merkle batch (the scheduler does so every few minutes); the browser proves entry 1 in it.
      await stacks.customer.get(AuditAnchoringService).cutBatch(new Date(), true);
      await other.page.getByLabel('Entry number').fill('1');
      await other.page.getByRole('button', { name: 'Verify in this browser' }).click();
      await other.page.getByText('Entry 1 is in the anchored tree').waitFor();
      // Without a chain in this test the anchor is requested, never shown as confirmed.
      await other.page.getByText('Anchoring requested, not yet confirmed on chain').waitFor();
      // Branded from the tenant the auditor belongs to.
      await other.page.getByText('Bulwark Lanka').first().waitFor();
      await expectAccessible(other.page);
      await screenshot(other.page, 'console-02-audit-verify');
      expect(pageProblems(other.page)).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('decides an alert with a freeze that only a second officer can approve (four eyes)', async () => {
    const customer = await loginAs(stacks.customer, { role: 'investor', tenantId: TENANT_ID });
    const customerId = customer.principal.userId;
    // A large deposit the ledger would report: monitoring raises an alert in the same transaction.
    const deposit = { tenantId: TENANT_ID, userId: customerId, kind: 'deposit', amountUsd: '50000', currency: 'USD', amount: '50000', at: new Date() } as const;
    await stacks.customer.get(TenantScope).run(TENANT_ID, (tx) => stacks.customer.get(TransactionMonitor).observe(tx, deposit));
    const first = await loginAs(stacks.customer, { role: 'compliance_officer', tenantId: TENANT_ID });
    const second = await loginAs(stacks.customer, { role: 'compliance_officer', tenantId: TENANT_ID });
    const secondBrowser = await openBrowser();
    try {
      const page = officer.page;
      await signIn(page, first.email, first.password);
      await page.getByRole('link', { name: 'Review queue' }).click();
      await page.getByLabel('Kind').selectOption('monitoring');
      const row = page.getByRole('row', { name: /large single transaction/ });
      await row.getByRole('button', { name: 'Assign to me' }).click();
      await row.getByText('You').waitFor();
      await expectAccessible(page);
      await screenshot(page, 'console-03-queue');
      await row.getByRole('link', { name: 'large single transaction' }).click();
      await page.getByRole('heading', { name: 'Case' }).waitFor();
      await page.getByLabel('Decision').selectOption('freeze');
      await page.getByLabel('Reason').fill('funds must not leave before source of funds is known');
      await page.getByRole('button', { name: 'Record decision' }).click();
      await page.getByText('A second officer must approve it').waitFor();
      await expectAccessible(page);
      await screenshot(page, 'console-04-freeze-requested');

      // The requester cannot approve their own freeze.
      await page.getByRole('link', { name: 'customer\'s page' }).click();
      await page.getByRole('heading', { name: 'Customer 360' }).waitFor();
      await page.getByText('by you: another officer must approve it.').waitFor();
      await page.getByRole('button', { name: 'Approve freeze' }).click();
      await page.getByRole('alert').filter({ hasText: 'That did not work' }).waitFor();
      await expect(page.getByText('No money can leave').count()).resolves.toBe(0);
      await screenshot(page, 'console-05-four-eyes-refused');

      // A second officer, in their own browser, approves it.
      await signIn(secondBrowser.page, second.email, second.password);
      await secondBrowser.page.goto(`${stacks.customerUrl}/console/customers/${customerId}`);
      await secondBrowser.page.getByRole('button', { name: 'Approve freeze' }).click();
      await secondBrowser.page.getByText('No money can leave this customer\'s account.').waitFor();
      await secondBrowser.page.getByText('frozen', { exact: true }).waitFor();
      // The audit trail names both steps, by two different officers.
      await secondBrowser.page.getByRole('cell', { name: 'aml.freeze.requested' }).waitFor();
      await secondBrowser.page.getByRole('cell', { name: 'aml.freeze.approved' }).waitFor();
      await expectAccessible(secondBrowser.page);
      await screenshot(secondBrowser.page, 'console-06-frozen-by-second-officer');

      // The tenant's audit trail, filtered to freezes: both steps, each provable in the browser, each opening the customer.
      const trail = secondBrowser.page;
      await trail.getByRole('link', { name: 'Audit trail' }).click();
      await trail.getByRole('heading', { name: 'Audit trail' }).waitFor();
      await trail.getByLabel('Action starts with').fill('AML freeze');
      await trail.getByRole('button', { name: 'Show', exact: true }).click();
      await trail.getByText('An action or its beginning, in lower case, e.g. aml.freeze or kyc.').waitFor();
      await trail.getByLabel('Action starts with').fill('aml.freeze');
      await trail.getByRole('button', { name: 'Show', exact: true }).click();
      const approved = trail.getByRole('row', { name: /aml\.freeze\.approved/ });
      await approved.waitFor();
      await trail.getByRole('row', { name: /aml\.freeze\.requested/ }).waitFor();
      await expect(trail.getByRole('table', { name: 'Audit entries, newest first' }).getByRole('row').count()).resolves.toBe(3); // header + 2
      await stacks.customer.get(AuditAnchoringService).cutBatch(new Date(), true);
      await approved.getByRole('button', { name: /^Prove entry/ }).click();
      await approved.getByText('Proved, anchoring pending').waitFor();
      await trail.getByText('This is the oldest entry with this action.').waitFor();
      await expectAccessible(trail);
      await screenshot(trail, 'console-09-audit-trail-freezes');
      await approved.getByRole('link', { name: new RegExp(customerId) }).click();
      await trail.getByRole('heading', { name: 'Customer 360' }).waitFor();
      expect(pageProblems(page)).toEqual([]);
      expect(pageProblems(secondBrowser.page)).toEqual([]);
    } finally {
      await secondBrowser.close();
    }
  });

  it('reviews a screening hit, sees why it matched, clears it and then approves the KYC', async () => {
    const applicant = await loginAs(stacks.customer, { role: 'investor', tenantId: TENANT_ID });
    // The fixture lists carry Thiruchelvam Pirapakaran, born 14 March 1961: onboarding must stop for a person.
    const submitted = await fetch(`${stacks.customerUrl}/kyc/submissions`, {
      method: 'POST',
      headers: { ...applicant.headers, 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
      body: JSON.stringify({
        givenNames: 'Thiruchelvam', familyName: 'Pirapakaran', dateOfBirth: '1961-03-14', residenceCountry: 'LK',
        address: { line1: '1 Temple Road', city: 'Jaffna', country: 'LK' }, document: { type: 'lk_nic', number: '610740123V', country: 'LK' }, requestedTier: 1,
      }),
    });
    expect(await submitted.json()).toMatchObject({ status: 'manual_review', reasons: ['sanctions_screening_hit'] });
    const reviewer = await loginAs(stacks.customer, { role: 'compliance_officer', tenantId: TENANT_ID });
    const page = officer.page;
    await signIn(page, reviewer.email, reviewer.password);
    await page.getByRole('link', { name: 'KYC reviews' }).click();
    const application = page.getByRole('row', { name: /sanctions_screening_hit/ });
    await application.getByLabel('Reason').fill('looks fine');
    await application.getByRole('button', { name: 'Approve' }).click();
    await application.getByRole('alert').waitFor(); // refused: the screening alert is still open
    await screenshot(page, 'console-07-kyc-refused-while-alert-open');

    await page.getByRole('link', { name: 'Review queue' }).click();
    await page.getByLabel('Kind').selectOption('screening');
    await page.getByRole('row', { name: /sanctions screening hit/ }).getByRole('link').click();
    await page.getByRole('heading', { name: 'Case' }).waitFor();
    const why = page.getByRole('table', { name: 'Why the name matched' }).first();
    await why.getByRole('cell', { name: 'thiruchelvam' }).first().waitFor();
    await expectAccessible(page);
    await screenshot(page, 'console-08-case-screening-hits');
    await page.getByLabel('Decision').selectOption('clear');
    await page.getByLabel('Reason').fill('different person: passport photo and place of birth differ');
    await page.getByRole('button', { name: 'Record decision' }).click();
    await page.getByText('cleared', { exact: true }).first().waitFor();

    await page.getByRole('link', { name: 'KYC reviews' }).click();
    await application.getByLabel('Reason').fill('screening alert cleared');
    await application.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('No application is waiting.').waitFor();
    expect(pageProblems(page)).toEqual([]);
  });

  it('shows a reconciliation break from a real execution statement, which an officer investigates and resolves with a note', async () => {
    // The execution side: a market maker's offer, an omnibus intent of this tenant for an account
    // the customer stack never registered, filled and allocated; then the period's statement.
    const execution = stacks.execution;
    const periodStart = new Date(Date.now() - 60_000).toISOString();
    const operatorKeys = await generateKeyPair('PS256', { extractable: true });
    const { operatorId } = await execution.get(MembersService).createOperator('op-console-recon', await exportJWK(operatorKeys.publicKey));
    const instrument = await execution.get(MembersService).listInstrument(operatorId, { symbol: 'CONSOLE-RECON', kind: 'event', tickSize: '0.01', lotSize: '1' });
    const accountRef = randomUUID();
    await tradeThroughOmnibus(execution, stacks.executionUrl, { instrumentId: instrument.id, tenantRef: TENANT_ID, price: '0.50', accounts: [{ accountRef, quantity: '10' }] });
    const sent = await execution.get(ExecutionReconciliation).sendStatements(periodStart, new Date().toISOString(), 'system:test');
    expect(sent.map((s) => s.tenantRef)).toEqual([TENANT_ID]);

    const page = officer.page;
    await page.getByRole('link', { name: 'Reconciliation' }).click();
    await page.getByRole('heading', { name: 'Reconciliation breaks' }).waitFor();
    const row = page.getByRole('row', { name: new RegExp(accountRef.slice(0, 8)) }).first();
    await row.waitFor({ timeout: 30_000 }); // the statement crosses the wall and is reconciled
    await row.getByText('Account unknown here').waitFor();
    await expectAccessible(page);
    await screenshot(page, 'console-10-reconciliation-break');

    await page.getByLabel('Status').selectOption({ label: 'All' });
    await row.getByRole('button', { name: /^Investigate break/ }).click();
    await row.getByText('investigating', { exact: true }).waitFor();
    await row.getByRole('button', { name: /^Resolve break/ }).click();
    await row.getByRole('button', { name: 'Resolve', exact: true }).click();
    await row.getByText(/^Say what was found and done/).waitFor();
    await row.getByLabel(/^Resolution note for break/).fill('Account belongs to a test allocation on the execution side; no customer funds involved');
    await row.getByRole('button', { name: 'Resolve', exact: true }).click();
    await row.getByText('resolved', { exact: true }).waitFor();
    await row.getByText('Account belongs to a test allocation on the execution side; no customer funds involved').waitFor();
    await expectAccessible(page);
    await screenshot(page, 'console-11-reconciliation-resolved');
    expect(pageProblems(page)).toEqual([]);
  });

  it('turns an investor away to the investor app', async () => {
    const investor = await loginAs(stacks.customer, { role: 'investor', tenantId: TENANT_ID });
    const other = await openBrowser();
    try {
      await other.page.goto(`${stacks.customerUrl}/console/`);
      await other.page.getByLabel('Email').fill(investor.email);
      await other.page.getByLabel('Password').fill(investor.password);
      await other.page.getByRole('button', { name: 'Sign in' }).click();
      await other.page.getByText('The compliance console is for staff.').waitFor();
    } finally {
      await other.close();
    }
  });
});
