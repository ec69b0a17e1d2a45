// The compliance console in a real browser against the real customer stack: staff sign in and
// see what their role allows; investors are turned away to their own app.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loginAs } from '../../../customer-stack/api/test/support/auth.js';
import { expectAccessible, openBrowser, pageProblems, screenshot, type BrowserUser } from './support/browser.js';
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
      // Branded from the tenant the auditor belongs to.
      await other.page.getByText('Bulwark Lanka').first().waitFor();
      await expectAccessible(other.page);
      await screenshot(other.page, 'console-02-audit-verify');
      expect(pageProblems(other.page)).toEqual([]);
    } finally {
      await other.close();
    }
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
