import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '@tijara/testkit';
import {
  ADMIN_PASSWORD,
  capturedLogs,
  startExampleStore,
  type RunningStore,
} from './support/store-harness.js';
import { newBuyer, orderStatus } from './support/browser-buyer.js';

const SCREENSHOT = fileURLToPath(new URL('../../../docs/images/express-store.png', import.meta.url));
const CARDS = { ok: '4242 4242 4242 4242', declined: '4000 0000 0000 0002', threeDs: '4000 0000 0000 3220' };

let running: RunningStore;
let browser: Browser;
/** Everything the store sent to the browser, for the no-secrets check at the end. */
const seen: string[] = [];

beforeAll(async () => {
  running = await startExampleStore();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await running?.close();
});

async function addToCart(page: Page, productId: string): Promise<void> {
  await page.goto(`${running.url}/`);
  await page.click(`#add-${productId}`);
  await page.waitForURL(`${running.url}/cart`);
}

async function checkout(page: Page, options: { saveCard?: boolean } = {}): Promise<void> {
  await page.fill('#name', 'Aisha Rahman');
  await page.fill('#email', 'aisha@example.com');
  if (options.saveCard) await page.check('#save_card');
  await page.click('#checkout');
  await page.waitForURL((url) => url.href.startsWith(`${running.sandbox.url}/checkout/`));
}

async function payOnHostedPage(page: Page, card: string): Promise<void> {
  await page.fill('#cardholder_name', 'Aisha Rahman');
  await page.fill('#card_number', card);
  await page.fill('#expiry', '12/34');
  await page.fill('#cvc', '123');
  await page.click('#pay');
}

test('the product page (saved as the README screenshot)', async () => {
  const { context, page } = await newBuyer(browser, seen);
  await page.goto(`${running.url}/`);
  expect(await page.locator('.product').count()).toBe(4);
  mkdirSync(dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  await context.close();
});

test('buy with 4242 4242 4242 4242: the order is paid', async () => {
  const { context, page } = await newBuyer(browser, seen);
  await addToCart(page, 'prayer-mat');
  await checkout(page);
  await payOnHostedPage(page, CARDS.ok);
  await orderStatus(page, 'paid');
  expect(await page.innerText('#cart-count')).toBe('0');
  await context.close();
});

test('a declined card fails the order; the buyer tries again and pays', async () => {
  const { context, page } = await newBuyer(browser, seen);
  await addToCart(page, 'ajwa-dates');
  await checkout(page);
  await payOnHostedPage(page, CARDS.declined);
  await orderStatus(page, 'payment_failed');
  await page.click('#retry');
  await page.waitForURL((url) => url.href.startsWith(`${running.sandbox.url}/checkout/`));
  await payOnHostedPage(page, CARDS.ok);
  await orderStatus(page, 'paid');
  expect(await page.locator('#payment-attempts li').allInnerTexts()).toEqual([
    'Attempt 1: payment page, canceled',
    'Attempt 2: payment page, paid',
  ]);
  await context.close();
});

test('3-D Secure: the challenge is confirmed and the order is paid', async () => {
  const { context, page } = await newBuyer(browser, seen);
  await addToCart(page, 'oud-oil');
  await checkout(page);
  await payOnHostedPage(page, CARDS.threeDs);
  await page.waitForSelector('#otp');
  await page.fill('#otp', '123456');
  await page.click('#confirm');
  await orderStatus(page, 'paid');
  await context.close();
});

test('cancel on the payment page: back to the cart, nothing charged, the order is not failed', async () => {
  const { context, page } = await newBuyer(browser, seen);
  await addToCart(page, 'prayer-mat');
  await checkout(page);
  await page.click('#cancel');
  await page.waitForURL((url) => url.pathname === '/cart');
  expect(await page.innerText('#notice')).toContain('Payment canceled');
  expect(await page.innerText('#cart-count')).toBe('1');
  await page.goto(`${running.url}/orders`);
  expect(await page.locator('.status').allInnerTexts()).toEqual(['Awaiting payment']);
  await context.close();
});

test('made to order: card held → captured from admin → paid → two partial refunds → a third over the cap is refused', async () => {
  const { context, page } = await newBuyer(browser, seen);
  await addToCart(page, 'quran-stand');
  await checkout(page);
  await payOnHostedPage(page, CARDS.ok);
  const orderId = await orderStatus(page, 'authorized');
  const row = `#admin-order-${orderId}`;

  // The buyer is no admin: the admin page asks for credentials and shows nothing.
  // (Asked with the page's own cookies; a headless browser turns a 401 navigation into an error page.)
  const refused = await page.request.get(`${running.url}/admin`);
  expect(refused.status()).toBe(401);
  expect(refused.headers()['www-authenticate']).toMatch(/^Basic /);
  expect(await refused.text()).not.toContain(orderId);

  // The admin, in a browser of their own, captures and refunds.
  const admin = await newBuyer(browser, seen, { admin: true });
  await admin.page.goto(`${running.url}/admin`);
  await flowAsAdmin(admin.page, row);
  // Being the admin widens nothing on the buyer's pages: someone else's order is found under /admin only.
  expect((await admin.page.goto(`${running.url}/orders/${orderId}`))?.status()).toBe(404);
  expect((await admin.page.goto(`${running.url}/admin/orders/${orderId}`))?.status()).toBe(200);
  expect(await admin.page.innerText('#order-id')).toBe(orderId);
  expect(await admin.page.locator('#retry').count()).toBe(0);
  await admin.context.close();

  expect((await running.store.tijara.listRefunds(orderId)).map((r) => [r.amount, r.status])).toEqual([
    [1000, 'succeeded'],
    [2000, 'succeeded'],
  ]);
  await page.goto(`${running.url}/orders/${orderId}`);
  expect(await page.innerText('#order-refunded')).toBe('MYR 30.00');
  await context.close();
});

async function flowAsAdmin(page: Page, row: string): Promise<void> {
  await page.click(`${row} button[data-action=capture]`);
  await page.waitForURL((url) => url.searchParams.get('done') === 'capture');
  expect(await page.getAttribute(row, 'data-status')).toBe('paid');

  for (const amount of ['10.00', '20.00']) {
    await page.fill(`${row} input[name=amountDecimal]`, amount);
    await page.click(`${row} button[data-action=refund]`);
    await page.waitForURL((url) => url.searchParams.get('done') === 'refund');
  }
  expect(await page.getAttribute(row, 'data-status')).toBe('partially_refunded');

  await page.fill(`${row} input[name=amountDecimal]`, '300.00');
  await page.click(`${row} button[data-action=refund]`);
  await page.waitForURL((url) => url.searchParams.get('error') === 'refund_exceeds_refundable');
  expect(await page.innerText('#notice')).toBe(
    'Cannot refund 300.00 MYR: only 290.00 MYR can still be refunded.',
  );
  expect(await page.getAttribute(row, 'data-status')).toBe('partially_refunded');
}

test('save the card on the first order; the second order is one click, with no redirect to the gateway', async () => {
  const { context, page } = await newBuyer(browser, seen);
  await addToCart(page, 'ajwa-dates');
  await checkout(page, { saveCard: true });
  await payOnHostedPage(page, CARDS.ok);
  await orderStatus(page, 'paid');

  await addToCart(page, 'oud-oil');
  const gatewayRequests: string[] = [];
  page.on('request', (request) => {
    if (request.url().startsWith(running.sandbox.url)) gatewayRequests.push(request.url());
  });
  await page.click('button.one-click');
  await orderStatus(page, 'paid');
  expect(gatewayRequests).toEqual([]);
  expect(await page.locator('#payment-attempts li').allInnerTexts()).toEqual(['Attempt 1: saved card, paid']);
  await context.close();
});

test('no secret key in any page, response header, cookie or log line', async () => {
  const secret = running.sandbox.secretKey;
  expect(secret).toMatch(/^sk_test_/);
  const cookies = await Promise.all(browser.contexts().map((c) => c.cookies()));
  const everything = [...seen, JSON.stringify(cookies), ...capturedLogs];
  expect(seen.length).toBeGreaterThan(20);
  expect(capturedLogs.length).toBeGreaterThan(10);
  for (const text of everything) {
    expect(text).not.toContain(secret);
    expect(text).not.toContain(ADMIN_PASSWORD);
    expect(text).not.toMatch(/sk_(test|live)_[A-Za-z0-9]/);
  }
});
