// The operator admin in a real browser against the real execution stack: public market data
// without a key; then an operator signs in with their key file, lists an instrument, watches
// its book live over the feed, halts and resumes it, and finds both actions in the audit chain;
// halts a market for a set time from the breakers screen; changes a member's limits, suspends
// and reinstates it; reads the pools, the reconciliation breaks and the chain status.
import { rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair } from 'jose';
import { MembersService } from '../../../execution-stack/api/src/members/members.service.js';
import { expectAccessible, openBrowser, pageProblems, screenshot, type BrowserUser } from './support/browser.js';
import { startStacks, type RunningStacks } from './support/stacks.js';

let stacks: RunningStacks;
let operator: BrowserUser;
let keyFile: string;
let makerId: string;
const keyPath = `${process.env.TMPDIR ?? '/tmp'}/bulwark-operator-key-${process.pid}.json`;

beforeAll(async () => {
  stacks = await startStacks();
  operator = await openBrowser();
  const { publicKey, privateKey } = await generateKeyPair('PS256', { extractable: true });
  const { keyId } = await stacks.execution.get(MembersService).createOperator('op-browser-1', await exportJWK(publicKey));
  keyFile = JSON.stringify({ keyId, privateJwk: await exportJWK(privateKey) });
  const maker = await generateKeyPair('PS256', { extractable: true });
  const { member } = await stacks.execution.get(MembersService).createMember('system:test', {
    kind: 'market_maker', orderQuantityMax: '1000', orderNotionalMax: '50000', openOrdersMax: 20, messagesPerSecond: 100, publicJwk: await exportJWK(maker.publicKey),
  });
  makerId = member.id;
}, 120_000);

afterAll(async () => {
  rmSync(keyPath, { force: true });
  await operator?.close();
  await stacks?.stop();
});

describe('the operator admin', () => {
  it('is served by the execution stack and shows the market without a key', async () => {
    const { page } = operator;
    await page.goto(`${stacks.executionUrl}/admin/`);
    await page.getByRole('heading', { name: 'Instruments', exact: true }).waitFor();
    await page.getByText('No instrument is listed yet.').waitFor();
    await expect(page.getByRole('heading', { name: 'List an instrument' }).count()).resolves.toBe(0);
    await expectAccessible(page);
  });

  it('refuses a file that is not a key, then signs the operator in with their key', async () => {
    const { page } = operator;
    await page.getByRole('link', { name: 'Operator sign-in' }).click();
    await page.getByLabel('Operator key file (JSON)').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"keyId":"x"}') });
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('The file holds no RSA private key (privateJwk).').waitFor();
    await expectAccessible(page);
    writeFileSync(keyPath, keyFile, { mode: 0o600 });
    await page.getByLabel('Operator key file (JSON)').setInputFiles(keyPath);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'List an instrument' }).waitFor();
    await screenshot(page, 'admin-01-signed-in');
  });

  it('lists an instrument, halts and resumes its market, with a live book and an audit trail', async () => {
    const { page } = operator;
    await page.getByLabel('Symbol').fill('lk-election-2027-yes');
    await page.getByLabel('Tick size (USD)').fill('0');
    await page.getByRole('button', { name: 'List instrument' }).click();
    await page.getByText('A positive decimal, e.g. 0.01.').waitFor();
    await page.getByLabel('Tick size (USD)').fill('0.01');
    await page.getByRole('button', { name: 'List instrument' }).click();
    const row = page.getByRole('row', { name: /LK-ELECTION-2027-YES/ });
    await row.getByText('open', { exact: true }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'admin-02-instrument-listed');

    await row.getByRole('button', { name: 'Halt LK-ELECTION-2027-YES' }).click();
    await row.getByText('halted', { exact: true }).waitFor();

    await row.getByRole('link', { name: 'LK-ELECTION-2027-YES' }).click();
    await page.getByRole('heading', { name: 'Order book' }).waitFor();
    await page.getByText('Live', { exact: true }).waitFor();
    await page.getByText('halted', { exact: true }).waitFor();
    await page.getByText('No trade yet, so no candles.').waitFor();
    await expectAccessible(page);
    await screenshot(page, 'admin-03-book-halted');

    await page.getByRole('link', { name: 'Back to the instruments' }).click();
    await row.getByRole('button', { name: 'Resume LK-ELECTION-2027-YES' }).click();
    await row.getByText('open', { exact: true }).waitFor();

    await page.getByRole('link', { name: 'Operator audit' }).click();
    await page.getByRole('cell', { name: 'market.halt' }).waitFor();
    await page.getByRole('cell', { name: 'market.resume' }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'admin-04-operator-audit');
    expect(pageProblems(page)).toEqual([]);
  });

  it('halts a market for a set time from the breakers screen, showing when it resumes and the breaker settings', async () => {
    const { page } = operator;
    await page.getByRole('link', { name: 'Halts and breakers' }).click();
    await page.getByRole('heading', { name: 'Halts and circuit breakers' }).waitFor();
    await page.getByText('Every listed market is open.').waitFor();
    await page.getByRole('row', { name: /LK-ELECTION-2027-YES.*0\.01–/ }).waitFor(); // the breaker row: price range, band, volatility halt
    await page.getByLabel('Market', { exact: true }).selectOption({ label: 'LK-ELECTION-2027-YES' });
    await page.getByLabel('Resume after (minutes)').fill('0');
    await page.getByRole('button', { name: 'Halt market' }).click();
    await page.getByText('Minutes from 1 to 1440, or empty to halt until resumed by hand.').waitFor();
    await page.getByLabel('Resume after (minutes)').fill('30');
    await page.getByRole('button', { name: 'Halt market' }).click();
    const halted = page.getByRole('table', { name: 'Halted, closed or in auction' }).getByRole('row', { name: /LK-ELECTION-2027-YES/ });
    await halted.getByText('halted', { exact: true }).waitFor();
    await halted.getByText(/^in (30:00|29:\d\d) \(/).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'admin-05-halted-with-cooldown');

    await page.getByRole('link', { name: 'Instruments' }).click();
    const row = page.getByRole('row', { name: /LK-ELECTION-2027-YES/ });
    await row.getByRole('button', { name: 'Resume LK-ELECTION-2027-YES' }).click();
    await row.getByText('open', { exact: true }).waitFor();
    expect(pageProblems(page)).toEqual([]);
  });

  it('changes a member\'s limits (a bad value is refused beside its field), suspends it after a confirmation and reinstates it', async () => {
    const { page } = operator;
    await page.getByRole('link', { name: 'Members' }).click();
    await page.getByRole('heading', { name: 'Members and limits' }).waitFor();
    const row = page.getByRole('row', { name: new RegExp(makerId.slice(0, 8)) });
    await row.getByText('Market maker').waitFor();
    await row.getByRole('button', { name: /^Edit limits of member/ }).click();
    await page.getByLabel('Open orders at most').fill('0');
    await page.getByRole('button', { name: 'Save limits' }).click();
    await page.getByText('A whole number from 1 to 100000.').waitFor();
    await page.getByLabel('Open orders at most').fill('5');
    await page.getByLabel('Largest order (units)').fill('250');
    await page.getByRole('button', { name: 'Save limits' }).click();
    await page.getByText(/limits saved\./).waitFor();
    await row.getByRole('cell', { name: '250', exact: true }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'admin-06-member-limits');

    await row.getByRole('button', { name: /^Suspend member/ }).click();
    await page.getByText('Suspending refuses the member\'s requests and cancels all its open orders.').waitFor();
    await row.getByRole('button', { name: /^Confirm suspending member/ }).click();
    await row.getByText('suspended', { exact: true }).waitFor();
    await row.getByRole('button', { name: /^Reinstate member/ }).click();
    await row.getByText('active', { exact: true }).waitFor();

    await page.getByRole('link', { name: 'Operator audit', exact: true }).click();
    for (const action of ['member.limits_changed', 'member.suspended', 'member.reinstated']) await page.getByRole('cell', { name: action }).waitFor();
    expect(pageProblems(page)).toEqual([]);
  });

  it('shows the pools, the reconciliation checks and the chain status, each honest about having nothing yet', async () => {
    const { page } = operator;
    await page.getByRole('link', { name: 'Pools and allocations' }).click();
    await page.getByText('No intent is waiting: every accepted intent is in an omnibus order.').waitFor();
    await page.getByText('No omnibus order yet: they appear once customers place orders.').waitFor();
    await expectAccessible(page);

    await page.getByRole('link', { name: 'Reconciliation' }).click();
    await page.getByText('No open break: fills, omnibus orders, allocations and the chain agree.').waitFor();
    await page.getByRole('button', { name: 'Run the checks now' }).click();
    await page.getByText('The checks found no break.').waitFor();
    await page.getByRole('button', { name: 'Send statements' }).click();
    await page.getByText('Enter the start and the end of the period (UTC).').waitFor();
    await expectAccessible(page);
    await screenshot(page, 'admin-07-reconciliation');

    await page.getByRole('link', { name: 'Chain' }).click();
    await page.getByText('This stack runs without a chain').waitFor();
    await expectAccessible(page);
    expect(pageProblems(page)).toEqual([]);
  });

  it('resolves the event only once its market is closed, and shows the payouts', async () => {
    const { page } = operator;
    await page.getByRole('link', { name: 'Resolution' }).click();
    await page.getByRole('heading', { name: 'Resolution and distributions' }).waitFor();
    await page.getByLabel('Instrument').selectOption({ label: 'LK-ELECTION-2027-YES (event)' });
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.getByText('Confirm the outcome: a resolution cannot be undone.').waitFor();
    await page.getByLabel('I confirm LK-ELECTION-2027-YES resolves YES').check();
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.getByText('That did not work').waitFor(); // the market is still open
    await screenshot(page, 'admin-08-resolve-refused-market-open');

    await page.getByRole('link', { name: 'Instruments' }).click();
    const row = page.getByRole('row', { name: /LK-ELECTION-2027-YES/ });
    await row.getByRole('button', { name: 'Close LK-ELECTION-2027-YES' }).click();
    await row.getByText('closed', { exact: true }).waitFor();

    await page.getByRole('link', { name: 'Resolution' }).click();
    await page.getByLabel('Instrument').selectOption({ label: 'LK-ELECTION-2027-YES (event)' });
    await page.getByLabel('I confirm LK-ELECTION-2027-YES resolves YES').check();
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.getByText('Resolved YES').waitFor();
    await page.getByText('No account held this instrument at the record time, so nothing is paid.').waitFor();
    await expectAccessible(page);
    await screenshot(page, 'admin-09-resolved');
    expect(pageProblems(page)).toEqual([]);
  });
});
