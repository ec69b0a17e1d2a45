// The operator admin in a real browser against the real execution stack.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InstrumentsService } from '../../../execution-stack/api/src/market/instruments.service.js';
import { expectAccessible, openBrowser, pageProblems, screenshot, type BrowserUser } from './support/browser.js';
import { startStacks, type RunningStacks } from './support/stacks.js';

let stacks: RunningStacks;
let operator: BrowserUser;

beforeAll(async () => {
  stacks = await startStacks();
  operator = await openBrowser();
}, 120_000);

afterAll(async () => {
  await operator?.close();
  await stacks?.stop();
});

describe('the operator admin', () => {
  it('is served by the execution stack and shows the listed instruments, live', async () => {
    const { page } = operator;
    await page.goto(`${stacks.executionUrl}/admin/`);
    await page.getByRole('heading', { name: 'Instruments', exact: true }).waitFor();
    await page.getByText('No instrument is listed yet.').waitFor();
    await expectAccessible(page);

    await stacks.execution.get(InstrumentsService).list({ symbol: 'LK-ELECTION-2027-YES', kind: 'event', tickSize: '0.01', lotSize: '1' });
    await page.getByRole('cell', { name: 'LK-ELECTION-2027-YES' }).waitFor({ timeout: 20_000 });
    await expectAccessible(page);
    await screenshot(page, 'admin-01-instruments');
    expect(pageProblems(page)).toEqual([]);
  });
});
