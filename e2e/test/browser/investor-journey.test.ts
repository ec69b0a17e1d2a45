// The investor's journey in a real browser against both real stacks: registration, sign-in,
// two-factor set-up and sign-in with the code, identity verification, balances and a live FX
// quote, then trading: the market view (live depth from the execution stack's public feed,
// candles), the order ticket (validation, the estimated cost with fee and FX, submit), the order
// in the history with its allocation, a cancel, a rejection with its coded reason, a good-till-date
// order with its expiry, payouts and a statement download. Keyboard only where a person could be,
// checked for accessibility on every screen and on a phone's width; no customer-stack cookie ever
// reaches the execution stack.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { decimal, roundMoney } from '@bulwark/shared-contracts';
import { OrderType, Side, StpMode, TimeInForce, priceToTicks } from '@bulwark/engine';
import { LedgerService } from '../../../customer-stack/api/src/ledger/ledger.service.js';
import { MarketService } from '../../../execution-stack/api/src/market/market.service.js';
import { REFERENCE_TENANT } from '../../../customer-stack/api/src/tenancy/reference-tenant.js';
import { TenantScope } from '../../../customer-stack/api/src/tenancy/tenant-scope.js';
import { TenantsService } from '../../../customer-stack/api/src/tenancy/tenants.service.js';
import { expectAccessible, openBrowser, pageProblems, screenshot, tabTo, type BrowserUser } from './support/browser.js';
import { startStacks, type RunningStacks } from './support/stacks.js';
import { Authenticator } from './support/totp.js';

let stacks: RunningStacks;
let investor: BrowserUser;
let page: Page;

beforeAll(async () => {
  stacks = await startStacks();
  investor = await openBrowser();
  page = investor.page;
}, 120_000);

afterAll(async () => {
  await investor?.close();
  await stacks?.stop();
});

const email = `investor-${Date.now()}@example.lk`;
const password = 'a long enough passphrase';
let authenticator: Authenticator;
let rain: { id: string };
/** USD the deposit credited (read from the screen: the rate is the provider's of the moment). */
let depositedUsd = '0';

describe('the investor journey', () => {
  it('serves the SPA on the customer stack with immutable bundles and revalidated HTML', async () => {
    const html = await fetch(`${stacks.customerUrl}/app/portfolio/deep/link`, { headers: { Accept: 'text/html' } });
    expect(html.status).toBe(200);
    expect(html.headers.get('cache-control')).toBe('no-cache');
    expect(html.headers.get('content-security-policy')).toContain("default-src 'self'");
    const bundle = /src="(\/assets\/[^"]+\.js)"/.exec(await html.text())?.[1];
    expect(bundle).toBeDefined();
    const asset = await fetch(`${stacks.customerUrl}${bundle}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    // An API path is never shadowed by the UI, and a JSON client under /app gets no HTML.
    expect((await fetch(`${stacks.customerUrl}/health`)).headers.get('content-type')).toContain('json');
    expect((await fetch(`${stacks.customerUrl}/app/missing.js`)).status).toBe(404);
  });

  it('registers with validation, by keyboard', async () => {
    await page.goto(`${stacks.customerUrl}/app/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    // Branded from the tenant's public brand before anyone signs in.
    await page.locator('.brand-name', { hasText: 'Bulwark Lanka' }).waitFor();
    await expect(page.locator('.topbar').evaluate((bar) => getComputedStyle(bar).backgroundColor)).resolves.toBe('rgb(141, 21, 58)');
    await expectAccessible(page);
    await screenshot(page, 'investor-01-sign-in');

    await tabTo(page, page.getByRole('link', { name: 'Open an account' }));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Open an account' }).waitFor();
    await tabTo(page, page.getByLabel('Email'));
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    await page.keyboard.type('short');
    await page.keyboard.press('Tab');
    await page.keyboard.type('different');
    await page.keyboard.press('Enter');
    await expect(page.getByText('Use at least 12 characters.').isVisible()).resolves.toBe(true);
    await expect(page.getByText('The two passwords differ.').isVisible()).resolves.toBe(true);
    await expect(page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid')).resolves.toBe('true');
    await expectAccessible(page);
    await screenshot(page, 'investor-02-register-invalid');

    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Repeat the password').fill(password);
    await page.getByLabel('Repeat the password').press('Enter');
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'investor-03-signed-in');
  });

  it('takes another tenant\'s brand from ?tenant=, with text kept legible on its colours', async () => {
    const { id: _id, ...settings } = REFERENCE_TENANT;
    const tenant = await stacks.customer.get(TenantsService).create({ actor: 'system:browser-test', role: 'admin' }, {
      ...settings, slug: `harbour-${randomUUID().slice(0, 8)}`, brand: { name: 'Harbour Invest', primaryColour: '#f2c14e', accentColour: '#0b6e4f' },
    });
    const other = await openBrowser();
    try {
      await other.page.goto(`${stacks.customerUrl}/app/?tenant=${tenant.id}`);
      await other.page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await other.page.locator('.brand-name', { hasText: 'Harbour Invest' }).waitFor();
      // A light brand colour gets dark text: contrast stays at AA whatever the tenant picks.
      await expect(other.page.locator('.topbar').evaluate((bar) => getComputedStyle(bar).backgroundColor)).resolves.toBe('rgb(242, 193, 78)');
      await expectAccessible(other.page);
      await screenshot(other.page, 'investor-01b-other-tenant-brand');
    } finally {
      await other.close();
    }
  });

  it('refuses a second registration with the same email, saying why', async () => {
    const other = await openBrowser();
    try {
      await other.page.goto(`${stacks.customerUrl}/app/register`);
      await other.page.getByLabel('Email').fill(email);
      await other.page.getByLabel('Password', { exact: true }).fill(password);
      await other.page.getByLabel('Repeat the password').fill(password);
      await other.page.getByRole('button', { name: 'Open account' }).click();
      await other.page.getByText('An account with this email already exists.').waitFor();
    } finally {
      await other.close();
    }
  });

  it('sets up two-factor authentication with a first code', async () => {
    await page.getByRole('link', { name: 'Security' }).click();
    await page.getByRole('heading', { name: 'Security' }).waitFor();
    await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    const secret = (await page.getByTestId('totp-secret').textContent())?.trim() ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    authenticator = new Authenticator(secret);
    await screenshot(page, 'investor-04-2fa-setup');

    await page.getByLabel('Code from your authenticator app').fill('12345');
    await page.getByRole('button', { name: 'Turn on two-factor' }).click();
    await page.getByText('Enter the 6-digit code your authenticator app shows now.').waitFor();
    await page.getByLabel('Code from your authenticator app').fill(await authenticator.code());
    await page.getByRole('button', { name: 'Turn on two-factor' }).click();
    await page.getByRole('button', { name: 'Turn off two-factor' }).waitFor();
    await expectAccessible(page);
  });

  it('signs out, and signs in again with password and one-time code', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You have signed out.').waitFor();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('the wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('The email or password is wrong.').waitFor();
    await page.getByLabel('Password').fill(password);
    await page.getByLabel('Password').press('Enter');
    await page.getByRole('heading', { name: 'Enter your one-time code' }).waitFor();
    await expectAccessible(page);
    await page.getByLabel('One-time code').fill(await authenticator.code());
    await page.getByLabel('One-time code').press('Enter');
    // Back where they were, and the screen knows two-factor is on (this sign-in passed it).
    await page.getByRole('heading', { name: 'Security' }).waitFor();
    await page.getByRole('button', { name: 'Turn off two-factor' }).waitFor();
    // The session survives a reload (HttpOnly cookies), and a deep link lands on its screen.
    await page.goto(`${stacks.customerUrl}/app/security`);
    await page.getByRole('heading', { name: 'Security' }).waitFor();
    await page.getByText('This device').waitFor();
    await screenshot(page, 'investor-05-security');
  });

  it('verifies their identity: the form says what is missing, then the state is clear', async () => {
    await page.getByRole('link', { name: 'Verify identity' }).click();
    await page.getByRole('heading', { name: 'Verify your identity' }).waitFor();
    await page.getByText('Not started').waitFor();
    await page.getByRole('button', { name: 'Submit for verification' }).click();
    await page.getByText('Enter your given names as on your document.').waitFor();
    await expectAccessible(page);
    await screenshot(page, 'investor-06-kyc-form');
    await page.getByLabel('Given names').fill('Nimal');
    await page.getByLabel('Family name').fill('Perera');
    await page.getByLabel('Date of birth').fill('1985-12-05');
    await page.getByLabel('Address').fill('12 Galle Road');
    await page.getByLabel('City').fill('Colombo');
    await page.getByLabel('Document number').fill('853400937V');
    await page.getByRole('button', { name: 'Submit for verification' }).click();
    await page.getByText('You are verified. Your limits follow your tier.').waitFor();
    await expectAccessible(page);
    await screenshot(page, 'investor-07-kyc-verified');
  });

  it('sees their balances as the ledger holds them: available, reserved and positions', async () => {
    await page.getByRole('link', { name: 'Money' }).click();
    await page.getByRole('heading', { name: 'Money' }).waitFor();
    await page.getByText('There is no money in your account yet.').waitFor();

    // Money arrives the way the payments flow will book it: real postings through the ledger.
    const me = await page.evaluate(async () => (await fetch('/auth/me')).json() as Promise<{ tenantId: string; accountRef: string }>);
    const ledger = stacks.customer.get(LedgerService);
    const instrument = randomUUID();
    const booked = await Promise.all([
      ledger.submit(deposit(me.tenantId, me.accountRef, 'LKR', '30000.00')),
      ledger.submit(deposit(me.tenantId, me.accountRef, 'USD', '150')),
      ledger.submit({
        tenantId: me.tenantId, idempotencyKey: randomUUID(), kind: 'trade', reference: null,
        legs: [
          { account: { kind: 'omnibus', ownerRef: null, unit: instrument }, side: 'debit', amount: '2.5' },
          { account: { kind: 'customer_position', ownerRef: me.accountRef, unit: instrument }, side: 'credit', amount: '2.5' },
        ],
      }),
    ]);
    expect(booked.map((result) => result.status)).toEqual(['posted', 'posted', 'posted']);
    const reserved = await stacks.customer.get(TenantScope).run(me.tenantId, (tx) => ledger.reserve(tx, {
      tenantId: me.tenantId, ownerRef: me.accountRef, unit: 'USD', amount: '40', expiresAt: new Date(Date.now() + 3_600_000), reference: null, idempotencyKey: randomUUID(),
    }));
    expect(reserved.status).toBe('reserved');

    await page.getByRole('button', { name: 'Refresh' }).click();
    const cash = page.getByRole('table', { name: 'Cash' });
    await cash.waitFor();
    await expect(rowText(cash, 'LKR')).resolves.toEqual(['LKR', '30,000.00 LKR', '0.00 LKR', '30,000.00 LKR']);
    await expect(rowText(cash, 'USD')).resolves.toEqual(['USD', '110.00 USD', '40.00 USD', '150.00 USD']);
    await expect(rowText(page.getByRole('table', { name: 'Positions' }), instrument)).resolves.toEqual([instrument, '2.50000000', '0.00000000']);
    await expectAccessible(page);
    await screenshot(page, 'investor-08-balances');
  });

  it('gets a live FX quote: the rate is locked with a visible countdown, and an expired quote is refused', async () => {
    // The page's clock is under the test's control, so five minutes pass in an instant.
    await page.clock.install();
    await page.goto(`${stacks.customerUrl}/app/money`);
    await page.getByRole('heading', { name: 'Money' }).waitFor();
    await page.getByRole('button', { name: 'Get a quote' }).click();
    await page.getByText('Enter how much LKR to convert.').waitFor();
    await page.getByLabel('Amount to convert (LKR)').fill('30000.005');
    await page.getByRole('button', { name: 'Get a quote' }).click();
    await page.getByText('LKR has 2 decimal places at most.').waitFor();

    await page.getByLabel('Amount to convert (LKR)').fill('30000');
    await page.getByLabel('Amount to convert (LKR)').press('Enter');
    const quote = page.getByTestId('fx-quote');
    await quote.getByText('Rate locked').waitFor();
    await expect(quote.getByText('30,000.00 LKR').isVisible()).resolves.toBe(true);
    await expect(quote.getByText(/^1 USD = \d+\.\d+ LKR$/).isVisible()).resolves.toBe(true);
    await expect(quote.getByRole('timer').textContent()).resolves.toMatch(/^[45]:[0-5]\d$/);
    await expectAccessible(page);
    await screenshot(page, 'investor-09-fx-quote');

    await page.clock.fastForward('05:01');
    await quote.getByText('This quote has expired').waitFor();
    await expect(quote.getByText('Expired', { exact: true }).isVisible()).resolves.toBe(true);
    await expect(quote.getByText('Rate locked').count()).resolves.toBe(0);
    await expect(quote.getByRole('timer').count()).resolves.toBe(0);
    await expectAccessible(page);
    await screenshot(page, 'investor-10-fx-quote-expired');

    // Back to the real time: a new quote is locked again, with its own expiry.
    await page.clock.setSystemTime(new Date());
    await quote.getByRole('button', { name: 'Get a new quote' }).click();
    await quote.getByText('Rate locked').waitFor();
    await expect(quote.getByRole('timer').textContent()).resolves.toMatch(/^[45]:[0-5]\d$/);
  });

  it('deposits LKR at a locked rate: the countdown runs, an expired quote cannot be used, a live one is credited', async () => {
    // The page's clock is still the test's (installed by the quote test): five minutes pass in an instant.
    await page.getByRole('link', { name: 'Deposit and withdraw' }).click();
    await page.getByRole('heading', { name: 'Deposit and withdraw' }).waitFor();
    const form = page.getByRole('form', { name: 'Deposit' });
    await form.getByRole('button', { name: 'Get a rate' }).click();
    await form.getByText('Enter how much LKR to convert.').waitFor();
    await form.getByLabel('Amount to deposit (LKR)').fill('30000');
    await form.getByRole('button', { name: 'Get a rate' }).click();
    const quote = page.getByTestId('fx-quote');
    await quote.getByText('Rate locked').waitFor();
    await expect(quote.getByRole('timer').textContent()).resolves.toMatch(/^[45]:[0-5]\d$/);
    await quote.getByRole('button', { name: 'Deposit at this rate' }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'investor-10b-deposit-quote');
    await page.clock.fastForward('05:01');
    await quote.getByText('This quote has expired').waitFor();
    await expect(quote.getByRole('button', { name: 'Deposit at this rate' }).count()).resolves.toBe(0);
    await screenshot(page, 'investor-10c-deposit-quote-expired');

    await page.clock.setSystemTime(new Date());
    await quote.getByRole('button', { name: 'Get a new quote' }).click();
    await quote.getByText('Rate locked').waitFor();
    await quote.getByRole('button', { name: 'Deposit at this rate' }).click();
    const result = page.getByTestId('deposit-result');
    // The sandbox bank pays in and calls back (signed webhook): credited at exactly the locked rate.
    await result.getByText('Credited', { exact: true }).waitFor({ timeout: 30_000 });
    const credited = await keyValues(result);
    expect(credited['You pay']).toBe('30,000.00 LKR');
    expect(credited['Locked rate']).toMatch(/^1 USD = \d+(\.\d+)? LKR$/);
    depositedUsd = /^([\d.]+) USD$/.exec(credited['You get'] ?? '')?.[1] ?? '';
    expect(decimal(depositedUsd).gt(decimal('0'))).toBe(true);
    await page.getByRole('table', { name: 'Deposits, newest first' }).getByText('Credited', { exact: true }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'investor-10d-deposit-credited');

    // The balance shows it: 110 USD was available before.
    await page.getByRole('link', { name: 'Money' }).click();
    const cash = page.getByRole('table', { name: 'Cash' });
    await cash.waitFor();
    const total = usd2(decimal('150').plus(decimal(depositedUsd)));
    await page.getByRole('button', { name: 'Refresh' }).click();
    await cash.getByRole('cell', { name: total, exact: true }).waitFor();
    await expect(rowText(cash, 'USD')).resolves.toEqual(['USD', usd2(decimal('110').plus(decimal(depositedUsd))), '40.00 USD', total]);
  }, 60_000);

  it('watches a market: live depth from the execution stack\'s public feed, and candles', async () => {
    await page.clock.setSystemTime(new Date());
    const market = stacks.execution.get(MarketService);
    rain = await market.list({ symbol: 'LK-RAIN-2027', kind: 'event', tickSize: '0.01', lotSize: '1' });
    // A market maker's book on the internal CLOB: asks at 0.50 and 0.54, a bid at 0.45.
    for (const [side, price, lots] of [['sell', '0.50', 8], ['sell', '0.54', 5], ['buy', '0.45', 20]] as const) {
      expect(await rest(market, rain.id, side, price, lots)).toMatchObject({ ok: true });
    }
    await page.getByRole('link', { name: 'Trade' }).click();
    await page.getByRole('heading', { name: 'Trade' }).waitFor();
    await page.getByLabel('Instrument').selectOption({ label: 'LK-RAIN-2027 (event contract)' });
    const view = page.getByRole('region', { name: 'Market: LK-RAIN-2027' });
    await view.getByText('Live', { exact: true }).waitFor();
    const asks = page.getByRole('table', { name: 'Asks (sellers), best first' });
    await expect(rowText(asks, '0.50')).resolves.toEqual(['0.50', '8']);
    await expect(rowText(asks, '0.54')).resolves.toEqual(['0.54', '5']);
    await expect(rowText(page.getByRole('table', { name: 'Bids (buyers), best first' }), '0.45')).resolves.toEqual(['0.45', '20']);
    // Depth moves live: a new ask appears without a reload.
    expect(await rest(market, rain.id, 'sell', '0.58', 3)).toMatchObject({ ok: true });
    await asks.getByRole('cell', { name: '0.58', exact: true }).waitFor();
    await expect(page.getByText('No trades yet, so no candles.').isVisible()).resolves.toBe(true);
    await expectAccessible(page);
    await screenshot(page, 'investor-13-market');
  });

  it('places an order from the ticket: validation in words, the estimated cost with fee and FX, then filled', async () => {
    const ticket = page.getByRole('form', { name: 'Order ticket' });
    await ticket.getByLabel('Quantity').fill('2.5');
    await ticket.getByLabel('Limit price (USD per unit)').fill('0.555');
    await ticket.getByRole('button', { name: 'Review order' }).click();
    await ticket.getByText('LK-RAIN-2027 trades in lots of 1: try 2 or 3.').waitFor();
    await ticket.getByText('Prices move in steps of 0.01 USD: try 0.55 or 0.56.').waitFor();
    await expect(ticket.getByLabel('Quantity').getAttribute('aria-invalid')).resolves.toBe('true');
    // 110 USD (40 of the 150 booked is reserved) and the deposit are available: 500 at 0.55 is more, fee included.
    await ticket.getByLabel('Quantity').fill('500');
    await ticket.getByLabel('Limit price (USD per unit)').fill('0.55');
    await ticket.getByRole('button', { name: 'Review order' }).click();
    const available = decimal('110').plus(decimal(depositedUsd)).toString();
    await ticket.getByText(`This order holds up to 275.275 USD (the fee included) and ${available} USD is available.`, { exact: false }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'investor-14-ticket-invalid');

    await ticket.getByLabel('Quantity').fill('10');
    await ticket.getByLabel('Quantity').press('Enter');
    const review = page.getByTestId('order-review');
    await review.getByRole('heading', { name: 'Check your order' }).waitFor();
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Check your order');
    expect(await keyValues(review)).toMatchObject({
      'Order': 'Buy 10 LK-RAIN-2027', 'Limit price': '0.55 USD per unit', 'Trade value at your limit': '5.5 USD', 'Fee (at most 0.1%)': '0.0055 USD',
      'Held from your cash': '5.5055 USD',
    });
    // The investor holds LKR: the cost in LKR at a live quote, with the rate and where it comes from.
    await expect(review.getByTestId('ticket-fx').textContent()).resolves.toMatch(/^About [\d,]+\.\d{2} LKR at 1 USD = \d+\.\d+ LKR \(rate from \S+, our margin of/);
    await expectAccessible(page);
    await screenshot(page, 'investor-15-ticket-review');

    await review.getByRole('button', { name: 'Place order' }).click();
    const result = page.getByTestId('order-result');
    await result.getByRole('heading', { name: 'Your order was placed' }).waitFor();
    // Pooled, sent to the book, filled 8 at 0.50 and 2 at 0.54, allocated back across the wall.
    await result.getByText('Filled', { exact: true }).waitFor({ timeout: 45_000 });
    await expectAccessible(page);
    await screenshot(page, 'investor-16-order-filled');
    const view = page.getByRole('region', { name: 'Market: LK-RAIN-2027' });
    await view.locator('svg.candle-chart').waitFor();
    // The fill took 8 at 0.50 and 2 at 0.54 off the book: the feed shows what is left.
    const asks = page.getByRole('table', { name: 'Asks (sellers), best first' });
    await asks.getByRole('row').filter({ has: page.getByRole('cell', { name: '0.54', exact: true }) }).getByRole('cell', { name: '3', exact: true }).waitFor();
    await expect(asks.getByRole('cell', { name: '0.50', exact: true }).count()).resolves.toBe(0);
    await screenshot(page, 'investor-17-market-after-trade');
  }, 60_000);

  it('sees the order in the history with its allocation: filled quantity, average price, fee', async () => {
    await page.getByTestId('order-result').getByRole('link', { name: 'See it in your orders' }).click();
    await page.getByRole('heading', { name: 'Your orders' }).waitFor();
    const detail = page.getByTestId('order-detail');
    await detail.getByRole('heading', { name: 'Buy 10 LK-RAIN-2027' }).waitFor();
    expect(await keyValues(detail)).toMatchObject({ 'Filled': '10 of 10', 'Average price': '0.508 USD', 'Traded value': '5.08 USD', 'Fees': '0.00508 USD' });
    const fills = detail.getByRole('table', { name: 'Fills (allocations), oldest first' });
    await fills.waitFor();
    const quantities = (await fills.getByRole('row').allTextContents()).length - 1;
    expect(quantities).toBeGreaterThanOrEqual(1);
    await expect(detail.getByRole('button', { name: 'Cancel this order' }).count()).resolves.toBe(0);
    const history = page.getByRole('table', { name: 'Orders, newest first' });
    await expect(history.getByRole('row').nth(1).getByRole('cell').allTextContents()).resolves.toEqual(
      expect.arrayContaining(['Buy 10 LK-RAIN-2027', '0.55 USD', '10 of 10', '0.508 USD', '0.00508 USD', 'Filled']),
    );
    await expectAccessible(page);
    await screenshot(page, 'investor-18-order-history');
  });

  it('cancels a working order, and sees a rejected one with the market\'s coded reason', async () => {
    // A bid below the asks rests: working, then the investor cancels it. Its order rests in the
    // omnibus on the book, so the cancel is pending (the hold kept) until the market confirms.
    await page.getByRole('link', { name: 'Trade' }).click();
    const ticket = page.getByRole('form', { name: 'Order ticket' });
    await ticket.getByLabel('Quantity').fill('4');
    await ticket.getByLabel('Limit price (USD per unit)').fill('0.40');
    await ticket.getByRole('button', { name: 'Review order' }).click();
    await page.getByTestId('order-review').getByRole('button', { name: 'Place order' }).click();
    const result = page.getByTestId('order-result');
    await result.getByText('Working', { exact: true }).waitFor({ timeout: 30_000 });
    await result.getByRole('link', { name: 'See it in your orders' }).click();
    const detail = page.getByTestId('order-detail');
    await detail.getByRole('heading', { name: 'Buy 4 LK-RAIN-2027' }).waitFor();
    await tabTo(page, detail.getByRole('button', { name: 'Cancel this order' }));
    await page.keyboard.press('Enter');
    await page.getByText('Cancel requested: what has not filled is released once the market confirms it will not fill.').waitFor();
    await detail.getByText('Cancelling', { exact: true }).waitFor();
    await screenshot(page, 'investor-19-order-cancelled');

    // The market halts between the review and the submit: the stack takes the order, the market refuses it.
    const market = stacks.execution.get(MarketService);
    const hail = await market.list({ symbol: 'LK-HAIL-2027', kind: 'event', tickSize: '0.01', lotSize: '1' });
    await page.goto(`${stacks.customerUrl}/app/trade?instrument=${hail.id}`);
    await ticket.getByLabel('Quantity').fill('1');
    await ticket.getByLabel('Limit price (USD per unit)').fill('0.30');
    await ticket.getByRole('button', { name: 'Review order' }).click();
    await page.getByTestId('order-review').waitFor();
    expect(await market.execute(hail.id, { kind: 'halt', cooldownMs: null })).toMatchObject({ ok: true });
    await page.getByTestId('order-review').getByRole('button', { name: 'Place order' }).click();
    await result.getByRole('heading', { name: 'Your order was rejected' }).waitFor({ timeout: 30_000 });
    await result.getByText('The instrument was not trading (halted or closed) when the order arrived.').waitFor();
    await expect(result.locator('code', { hasText: 'instrument_not_trading' }).count()).resolves.toBe(1);
    await expectAccessible(page);
    await screenshot(page, 'investor-20-order-rejected');
  }, 60_000);

  it('places a good-till-date order: the expiry is checked in words, shown on review, sent, and the order history shows it', async () => {
    await page.goto(`${stacks.customerUrl}/app/trade?instrument=${rain.id}`);
    const ticket = page.getByRole('form', { name: 'Order ticket' });
    await ticket.getByLabel('Quantity').fill('3');
    await ticket.getByLabel('Limit price (USD per unit)').fill('0.41');
    await ticket.getByLabel('Time in force').selectOption('GTD');
    const openUntil = ticket.getByLabel('Open until (your local time)');
    await ticket.getByRole('button', { name: 'Review order' }).click();
    await ticket.getByText('Choose until when the order stays open.').waitFor();
    await expect(openUntil.getAttribute('aria-invalid')).resolves.toBe('true');
    await openUntil.fill('2020-01-01T10:00');
    await ticket.getByRole('button', { name: 'Review order' }).click();
    await ticket.getByText('Choose a time in the future.').waitFor();
    await expectAccessible(page);
    await screenshot(page, 'investor-20b-gtd-ticket-invalid');

    // Tomorrow at this minute, as the investor's browser reads its own local time; the instant it
    // names is what the stack must store, and the UTC text the screens show is the browser's own.
    const expiry = await page.evaluate(() => {
      const at = new Date(Date.now() + 86_400_000);
      at.setSeconds(0, 0);
      const two = (n: number) => String(n).padStart(2, '0');
      const shown = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' }).format(at);
      return {
        local: `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())}T${two(at.getHours())}:${two(at.getMinutes())}`,
        iso: at.toISOString(),
        shown: `${shown} UTC`,
      };
    });
    await openUntil.fill(expiry.local);
    await ticket.getByRole('button', { name: 'Review order' }).click();
    const review = page.getByTestId('order-review');
    await review.getByRole('heading', { name: 'Check your order' }).waitFor();
    expect(await keyValues(review)).toMatchObject({
      'Order': 'Buy 3 LK-RAIN-2027', 'Limit price': '0.41 USD per unit', 'Time in force': 'Good till date (open until the time you choose)', 'Open until': expiry.shown,
    });
    await expectAccessible(page);
    await screenshot(page, 'investor-20c-gtd-review');

    // Below the asks, it rests on the book until the time chosen.
    await review.getByRole('button', { name: 'Place order' }).click();
    const result = page.getByTestId('order-result');
    await result.getByText('Working', { exact: true }).waitFor({ timeout: 30_000 });
    await result.getByRole('link', { name: 'See it in your orders' }).click();
    const detail = page.getByTestId('order-detail');
    await detail.getByRole('heading', { name: 'Buy 3 LK-RAIN-2027' }).waitFor();
    expect(await keyValues(detail)).toMatchObject({ 'Time in force': 'GTD', 'Valid until': expiry.shown, 'Filled': '0 of 3' });
    const intentId = (await detail.locator('code').first().textContent())?.trim() ?? '';
    const stored = await page.evaluate(async (id) => (await fetch(`/v1/orders/intents/${id}`)).json() as Promise<{ timeInForce: string; expiresAt: string }>, intentId);
    expect(stored).toMatchObject({ timeInForce: 'GTD' });
    expect(Date.parse(stored.expiresAt)).toBe(Date.parse(expiry.iso));
    await expectAccessible(page);
    await screenshot(page, 'investor-20d-gtd-in-history');
  }, 60_000);

  it('lists payouts and downloads a statement of the period', async () => {
    await page.getByRole('link', { name: 'Payouts and statements' }).click();
    await page.getByRole('heading', { name: 'Payouts and statements' }).waitFor();
    await page.getByText('No payouts yet.').waitFor();
    await page.getByRole('button', { name: 'Show statement' }).click();
    const statement = page.getByTestId('statement');
    await statement.waitFor();
    const cash = (await statement.getByRole('row').allTextContents()).find((row) => row.startsWith('Available USD'));
    expect(cash).toBeDefined();
    await expectAccessible(page);
    await screenshot(page, 'investor-21-statement');
    const [download] = await Promise.all([page.waitForEvent('download'), statement.getByRole('button', { name: 'Download CSV' }).click()]);
    const csv = readFileSync(await download.path(), 'utf8').split('\r\n');
    expect(csv[0]).toBe('date,account,unit,description,reference,amount,balance');
    expect(csv.some((line) => /^[^,]+,Position,LK-RAIN-2027,[a-z_]+,[^,]*,10,10$/.test(line))).toBe(true);
    expect(download.suggestedFilename()).toMatch(/^statement-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/);
  });

  it('withdraws with two-factor: the form says what is missing, a wrong code is refused with its reason, the right one pays out', async () => {
    await page.getByRole('link', { name: 'Deposit and withdraw' }).click();
    const form = page.getByRole('form', { name: 'Withdraw' });
    await form.getByRole('button', { name: 'Withdraw' }).click();
    await form.getByText('Enter how many USD to withdraw.').waitFor();
    await form.getByText('Enter the 6-digit code your authenticator app shows now.').waitFor();
    await form.getByLabel('Amount (USD)').fill('20');
    await form.getByLabel('Account holder').fill('Nimal Perera');
    await form.getByLabel('Account number or IBAN').fill('8001 2345 6789');
    await form.getByLabel('Code from your authenticator app').fill('000000');
    await form.getByRole('button', { name: 'Withdraw' }).click();
    await form.locator('code', { hasText: 'step_up_failed' }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'investor-21b-withdraw-wrong-code');
    await form.getByLabel('Code from your authenticator app').fill(await authenticator.code());
    await form.getByRole('button', { name: 'Withdraw' }).click();
    const result = page.getByTestId('withdrawal-result');
    await result.getByRole('heading', { name: 'Your withdrawal' }).waitFor();
    // Below the approval threshold it is sent at once; the sandbox bank pays it out and says so.
    await result.locator('.badge', { hasText: /^Paid out$/ }).waitFor({ timeout: 30_000 });
    await result.getByText(/^20\.00 USD, [\d,]+\.\d{2} LKR\. Paid into your bank account\.$/).waitFor();
    await page.getByRole('table', { name: 'Withdrawals, newest first' }).locator('.badge', { hasText: /^Paid out$/ }).waitFor({ timeout: 15_000 });
    await expectAccessible(page);
    await screenshot(page, 'investor-21c-withdrawal-paid');
  }, 90_000);

  it('works at a phone\'s width: the menu opens by keyboard and every screen stays accessible', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto(`${stacks.customerUrl}/app/`);
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    const menu = page.getByRole('button', { name: 'Menu' });
    await tabTo(page, menu);
    await page.keyboard.press('Enter');
    await expect(menu.getAttribute('aria-expanded')).resolves.toBe('true');
    await expectAccessible(page);
    await screenshot(page, 'investor-11-phone-menu');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(375);
    await page.getByRole('link', { name: 'Money' }).click();
    await page.getByRole('table', { name: 'Cash' }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'investor-12-phone-money');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

    // The trading screens on a 390-pixel phone: nothing wider than the screen, still accessible.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${stacks.customerUrl}/app/trade?instrument=${rain.id}`);
    await page.getByRole('region', { name: 'Market: LK-RAIN-2027' }).getByText('Live', { exact: true }).waitFor();
    await page.getByRole('table', { name: 'Asks (sellers), best first' }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'investor-22-phone-trade');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.goto(`${stacks.customerUrl}/app/orders`);
    await page.getByRole('table', { name: 'Orders, newest first' }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'investor-23-phone-orders');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.goto(`${stacks.customerUrl}/app/payments`);
    await page.getByRole('table', { name: 'Withdrawals, newest first' }).waitFor();
    await expectAccessible(page);
    await screenshot(page, 'investor-24-phone-payments');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(pageProblems(page)).toEqual([]);
    // Public market data went from the browser to the execution stack without any session cookie.
    expect(stacks.executionRequestsWithCookies).toEqual([]);
  });
});

function deposit(tenantId: string, ownerRef: string, currency: string, amount: string) {
  return {
    tenantId, idempotencyKey: randomUUID(), kind: 'deposit' as const, reference: null,
    legs: [
      { account: { kind: 'bank_clearing' as const, ownerRef: null, unit: currency }, side: 'debit' as const, amount },
      { account: { kind: 'customer_cash' as const, ownerRef, unit: currency }, side: 'credit' as const, amount },
    ],
  };
}

/** The cells of the table row that starts with `first`. */
async function rowText(table: ReturnType<Page['getByRole']>, first: string): Promise<string[]> {
  const row = table.getByRole('row').filter({ has: table.page().getByRole('cell', { name: first, exact: true }) });
  // A reload (the Refresh button, the timer) shows the loading state for a moment: the table, and
  // the row, come back with it. allTextContents does not wait, so the row is waited for first.
  await row.waitFor();
  return (await row.getByRole('cell').allTextContents()).map((text) => text.trim());
}

/** A resting limit order on the internal book, as a market maker's (an owner number no member has). */
function rest(market: MarketService, instrumentId: string, side: 'buy' | 'sell', price: string, lots: number) {
  const ticks = priceToTicks(price, '0.01');
  if (!ticks.ok) throw new Error(`bad price ${price}`);
  return market.execute(instrumentId, {
    kind: 'submit',
    order: {
      ownerId: MARKET_MAKER_OWNER_NO, side: side === 'buy' ? Side.Buy : Side.Sell, type: OrderType.Limit, priceTicks: ticks.units, stopPriceTicks: 0, lots,
      tif: TimeInForce.GTC, expiryMs: 0, postOnly: false, stp: StpMode.CancelNewest,
    },
  });
}

const MARKET_MAKER_OWNER_NO = 990_001;

/** A KeyValues list as { term: definition }. */
async function keyValues(scope: ReturnType<Page['getByTestId']>): Promise<Record<string, string>> {
  return scope.locator('dl.key-values > div').evaluateAll((rows) =>
    Object.fromEntries(rows.map((row) => [row.querySelector('dt')?.textContent?.trim() ?? '', row.querySelector('dd')?.textContent?.trim() ?? ''])));
}

/** "209.36 USD", as the balances table shows an amount. */
function usd2(amount: ReturnType<typeof decimal>): string {
  return `${roundMoney(amount, 'USD', 'half_even')} USD`;
}
