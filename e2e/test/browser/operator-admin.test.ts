// The operator admin in a real browser against the real execution stack: public market data
// without a key; then an operator signs in with their key file, lists an instrument, watches
// its book live over the feed, halts and resumes it, and finds both actions in the audit chain.
import { rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair } from 'jose';
import { MembersService } from '../../../execution-stack/api/src/members/members.service.js';
import { expectAccessible, openBrowser, pageProblems, screenshot, type BrowserUser } from './support/browser.js';
import { startStacks, type RunningStacks } from './support/stacks.js';

let stacks: RunningStacks;
let operator: BrowserUser;
let keyFile: string;
const keyPath = `${process.env.TMPDIR ?? '/tmp'}/bulwark-operator-key-${process.pid}.json`;

beforeAll(async () => {
  stacks = await startStacks();
  operator = await openBrowser();
  const { publicKey, privateKey } = await generateKeyPair('PS256', { extractable: true });
  const { keyId } = await stacks.execution.get(MembersService).createOperator('op-browser-1', await exportJWK(publicKey));
  keyFile = JSON.stringify({ keyId, privateJwk: await exportJWK(privateKey) });
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
    await screenshot(page, 'admin-05-resolve-refused-market-open');

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
    await screenshot(page, 'admin-06-resolved');
    expect(pageProblems(page)).toEqual([]);
  });
});
