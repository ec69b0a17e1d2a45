// The operator admin in a real browser against the real execution stack: public market data
// without a key; then an operator signs in with their key file, lists an instrument, watches
// its book live over the feed, halts and resumes it, and finds both actions in the audit chain;
// halts a market for a set time from the breakers screen; changes a member's limits, suspends
// and reinstates it; follows an omnibus pool filled against a market maker and allocated;
// runs the reconciliation checks; resolves the event (payouts to the two accounts); and settles
// the period: one batch rejected with its reason, the next approved by two operators, each
// signing in a browser of their own with their own key file, and released.
import { rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair } from 'jose';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { detectPii } from '@bulwark/shared-contracts';
import { MembersService } from '../../../execution-stack/api/src/members/members.service.js';
import { SettlementService } from '../../../execution-stack/api/src/settlement/settlement.service.js';
import { expectAccessible, openBrowser, pageProblems, screenshot, type BrowserUser } from './support/browser.js';
import { tradeThroughOmnibus } from './support/omnibus-trade.js';
import { startStacks, type RunningStacks } from './support/stacks.js';

let stacks: RunningStacks;
let operator: BrowserUser;
let keyFile: string;
let secondKeyFile: string;
let makerId: string;
const keyPath = `${process.env.TMPDIR ?? '/tmp'}/bulwark-operator-key-${process.pid}.json`;
const secondKeyPath = `${process.env.TMPDIR ?? '/tmp'}/bulwark-operator-key-2-${process.pid}.json`;
const tenantRef = randomUUID();
/** Every JSON answer of the execution stack's API that an admin page received, to prove none carries personal data. */
const answers: Promise<{ url: string; body: unknown }>[] = [];

function recordAnswers(page: Page): void {
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (!url.pathname.startsWith('/v1/') || !(response.headers()['content-type'] ?? '').includes('json')) return;
    answers.push(response.json().then((body: unknown) => ({ url: url.pathname, body }), () => ({ url: url.pathname, body: null })));
  });
}

/** An operator with a key file, authorised to approve settlement batches. */
async function newOperator(handle: string): Promise<string> {
  const { publicKey, privateKey } = await generateKeyPair('PS256', { extractable: true });
  const { keyId, operatorId } = await stacks.execution.get(MembersService).createOperator(handle, await exportJWK(publicKey));
  await stacks.execution.get(SettlementService).registerApprover(operatorId, 'system:test');
  return JSON.stringify({ keyId, privateJwk: await exportJWK(privateKey) });
}

beforeAll(async () => {
  stacks = await startStacks();
  operator = await openBrowser();
  recordAnswers(operator.page);
  keyFile = await newOperator('op-browser-1');
  secondKeyFile = await newOperator('op-browser-2');
  const makerKeys = await generateKeyPair('PS256', { extractable: true });
  const { member } = await stacks.execution.get(MembersService).createMember('system:test', {
    kind: 'market_maker', orderQuantityMax: '1000', orderNotionalMax: '50000', openOrdersMax: 20, messagesPerSecond: 100, publicJwk: await exportJWK(makerKeys.publicKey),
  });
  makerId = member.id;
}, 120_000);

afterAll(async () => {
  rmSync(keyPath, { force: true });
  rmSync(secondKeyPath, { force: true });
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

  it('shows an omnibus pool filled against a market maker and allocated exactly, the reconciliation checks and the chain status', async () => {
    const { page } = operator;
    await page.getByRole('link', { name: 'Pools and allocations' }).click();
    await page.getByText('No omnibus order yet: they appear once customers place orders.').waitFor();

    // A market maker offers 50 units; two customer intents (opaque account references) for 30 and 20 are admitted into one pool.
    const instruments = (await (await fetch(`${stacks.executionUrl}/v1/instruments`)).json()) as { instruments: { id: string; symbol: string }[] };
    const instrumentId = instruments.instruments.find((i) => i.symbol === 'LK-ELECTION-2027-YES')?.id ?? '';
    await tradeThroughOmnibus(stacks.execution, stacks.executionUrl, {
      instrumentId, tenantRef, price: '0.60', accounts: [{ accountRef: randomUUID(), quantity: '30' }, { accountRef: randomUUID(), quantity: '20' }],
    });

    const order = page.getByRole('table', { name: 'Omnibus orders, newest first' }).getByRole('row', { name: /LK-ELECTION-2027-YES/ });
    await order.getByText('done', { exact: true }).waitFor();
    await order.getByRole('link', { name: /^Order / }).click();
    await page.getByRole('heading', { name: 'Omnibus order' }).waitFor();
    await page.getByText('Every filled unit is allocated to an intent: Σ allocations = 50.').waitFor();
    await expect(page.getByRole('table', { name: 'Allocations, round by round' }).getByRole('row').count()).resolves.toBe(3); // header + 2
    await expectAccessible(page);
    await screenshot(page, 'admin-07-omnibus-order-allocated');

    await page.getByRole('link', { name: 'Reconciliation' }).click();
    await page.getByRole('heading', { name: 'Reconciliation' }).waitFor();
    await page.getByRole('button', { name: 'Run the checks now' }).click();
    await page.getByText(/^The checks found /).waitFor();
    await page.getByRole('button', { name: 'Send statements' }).click();
    await page.getByText('Enter the start and the end of the period (UTC).').waitFor();
    await expectAccessible(page);
    await screenshot(page, 'admin-08-reconciliation');

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
    await screenshot(page, 'admin-09-resolve-refused-market-open');

    await page.getByRole('link', { name: 'Instruments' }).click();
    const row = page.getByRole('row', { name: /LK-ELECTION-2027-YES/ });
    await row.getByRole('button', { name: 'Close LK-ELECTION-2027-YES' }).click();
    await row.getByText('closed', { exact: true }).waitFor();

    await page.getByRole('link', { name: 'Resolution' }).click();
    await page.getByLabel('Instrument').selectOption({ label: 'LK-ELECTION-2027-YES (event)' });
    await page.getByLabel('I confirm LK-ELECTION-2027-YES resolves YES').check();
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.getByText('Resolved YES').waitFor();
    await page.getByText('2 payouts').waitFor();
    await page.getByRole('table', { name: 'Payouts by account reference' }).getByRole('cell', { name: '30', exact: true }).first().waitFor();
    await expectAccessible(page);
    await screenshot(page, 'admin-10-resolved');
    expect(pageProblems(page)).toEqual([]);
  });

  it('settles the period: a batch rejected with its reason, then one approved by two different operators (each signing in their own browser) and released', async () => {
    const { page } = operator;
    const periodStart = new Date(Date.now() - 3_600_000).toISOString().slice(0, 19);
    await page.getByRole('link', { name: 'Settlement' }).click();
    await page.getByRole('heading', { name: 'Settlement batches' }).waitFor();
    await page.getByText('No batch yet: cut the first one above.').waitFor();
    const cut = async () => {
      await page.getByRole('link', { name: 'Settlement' }).click();
      await page.getByLabel('Period start (UTC)').fill(periodStart);
      await page.getByLabel('Period end (UTC)').fill(new Date(Date.now() - 1_000).toISOString().slice(0, 19));
      await page.getByRole('button', { name: 'Net the period into a draft batch' }).click();
      await page.getByRole('heading', { name: 'Settlement batch' }).waitFor();
    };

    // A first batch is rejected with a reason, which frees its period.
    await cut();
    await page.getByRole('button', { name: 'Reject batch' }).click();
    await page.getByText('Give the reason in 3 to 500 characters.').waitFor();
    await page.getByLabel('Reason for rejecting').fill('Cut before the payouts were final');
    await page.getByRole('button', { name: 'Reject batch' }).click();
    await page.getByText('Cut before the payouts were final').waitFor();
    await page.getByText('Rejected', { exact: true }).first().waitFor();

    // The second batch: instructions for the tenant and the venue, the exports checked in the browser, submitted and signed once.
    await cut();
    const instructions = page.getByRole('table', { name: 'One instruction per counterparty and currency' });
    await instructions.getByRole('cell', { name: 'venue:internal' }).waitFor();
    await instructions.getByRole('cell', { name: '30', exact: true }).first().waitFor(); // 50 units at 0.60, bought by the tenant and sold by the venue
    await page.getByRole('button', { name: 'Download CSV' }).click();
    await page.getByText('CSV export checked and saved').waitFor();
    await page.getByRole('button', { name: 'Submit for approval' }).click();
    await page.getByText('Waiting for approval (0 of 2)').waitFor();
    const batchUrl = page.url();
    await page.getByRole('button', { name: 'Sign and approve' }).click();
    await page.getByText('Confirm that you checked the instructions and the content hash.').waitFor();
    await page.getByLabel('I checked the instructions and the content hash of this batch').check();
    await page.getByRole('button', { name: 'Sign and approve' }).click();
    await page.getByText('Waiting for approval (1 of 2)').waitFor();
    await expectAccessible(page);
    await screenshot(page, 'admin-11-batch-first-approval');
    // Four eyes: the same operator cannot approve twice.
    await page.getByLabel('I checked the instructions and the content hash of this batch').check();
    await page.getByRole('button', { name: 'Sign and approve' }).click();
    await page.getByText(/four eyes means two different people/).waitFor();
    await screenshot(page, 'admin-12-batch-same-operator-refused');

    // A second operator, in a browser of their own, signs in with their own key file and approves.
    const second = await openBrowser();
    try {
      const other = second.page;
      recordAnswers(other);
      await other.goto(`${stacks.executionUrl}/admin/sign-in`);
      writeFileSync(secondKeyPath, secondKeyFile, { mode: 0o600 });
      await other.getByLabel('Operator key file (JSON)').setInputFiles(secondKeyPath);
      await other.getByRole('button', { name: 'Sign in' }).click();
      await other.getByRole('link', { name: 'Settlement' }).click();
      await other.getByRole('link', { name: `Batch ${batchUrl.split('/').pop() ?? ''}` }).click();
      await other.getByText('Waiting for approval (1 of 2)').waitFor();
      await other.getByLabel('I checked the instructions and the content hash of this batch').check();
      await other.getByRole('button', { name: 'Sign and approve' }).click();
      await other.getByRole('heading', { name: 'Release' }).waitFor();
      await other.getByText('Approved', { exact: true }).first().waitFor();
      await expectAccessible(other);
      await screenshot(other, 'admin-13-batch-approved-by-second-operator');

      await other.getByLabel('Bank reference').fill('not a reference!');
      await other.getByRole('button', { name: 'Release batch' }).click();
      await other.getByText('1 to 35 letters, digits, "-", "/" or ".", as the bank gave it.').waitFor();
      await other.getByLabel('Bank reference').fill('BNK-2026-11-0001');
      await other.getByRole('button', { name: 'Release batch' }).click();
      await other.getByText('BNK-2026-11-0001').waitFor();
      await screenshot(other, 'admin-14-batch-released');
      expect(pageProblems(other)).toEqual([]);
    } finally {
      await second.close();
    }

    await page.getByRole('link', { name: 'Operator audit', exact: true }).click();
    for (const action of ['settlement.batch.rejected', 'settlement.batch.signed', 'settlement.batch.approved', 'settlement.batch.released']) {
      await page.getByRole('cell', { name: action }).first().waitFor();
    }
    expect(pageProblems(page)).toEqual([]);
  });

  it('shows no personal data: every API answer the admin pages received passes the PII guard', async () => {
    const received = await Promise.all(answers);
    expect(received.length).toBeGreaterThan(50);
    const paths = new Set(received.map((a) => a.url.replace(/[0-9a-f-]{36}/g, ':id')));
    const screens = ['/v1/operator/members', '/v1/operator/pools', '/v1/operator/pools/orders/:id', '/v1/operator/settlement/batches/:id', '/v1/operator/reconciliation/breaks'];
    for (const path of screens) expect([path, paths.has(path)]).toEqual([path, true]);
    const findings = received.flatMap((a) => detectPii(a.body).map((f) => ({ url: a.url, ...f })));
    expect(findings).toEqual([]);
  });
});
