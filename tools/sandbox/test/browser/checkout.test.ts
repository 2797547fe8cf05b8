import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, startLoopbackServer, withPage, type LoopbackServer } from '@tijara/testkit';
import { UmmahClient, type CreatePurchaseRequest, type Purchase } from '@tijara/ummah';
import { startSandbox, type RunningSandbox } from '../../src/index.js';

/**
 * A buyer in real Chromium on the sandbox's hosted checkout page. The shop is a loopback server: the page's
 * redirects land there, so the test sees exactly where the browser was sent; the purchase's outcome is read
 * back through the Ummah driver, as a shop would.
 */
// Each test drives a real browser through two or three page loads; leave room on a loaded machine.
jest.setTimeout(30_000);

let sandbox: RunningSandbox;
let ummah: UmmahClient;
let shop: LoopbackServer;
let browser: Browser;
let screenshots: string;

const EXPIRY = `12/${String((new Date().getUTCFullYear() + 3) % 100).padStart(2, '0')}`;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  ummah = new UmmahClient({ secretKey: sandbox.secretKey, baseUrl: sandbox.apiBase });
  shop = await startLoopbackServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><title>Shop</title><p id="landing">${request.path}</p>`);
  });
  // The store registers its brand name, as the example store does; the hosted page shows it.
  const named = await fetch(`${sandbox.url}/__sandbox/ummah/brand`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Souq Tijara' }),
  });
  if (!named.ok) throw new Error(`naming the merchant failed: ${named.status}`);
  browser = await launchChromium();
  screenshots = mkdtempSync(join(tmpdir(), 'tijara-checkout-'));
});

afterAll(async () => {
  await browser?.close();
  await shop?.close();
  await sandbox?.close();
  if (screenshots) rmSync(screenshots, { recursive: true, force: true });
});

async function createPurchase(overrides: Partial<CreatePurchaseRequest> = {}): Promise<Purchase> {
  const reference = `order-${Math.random().toString(36).slice(2, 10)}`;
  return ummah.purchases.create({
    brand_id: sandbox.brandId,
    client: { email: 'amina@example.com', full_name: 'Amina Buyer' },
    purchase: { currency: 'USD', products: [{ name: 'Medjool dates, 1 kg', price: 2999, quantity: 1 }] },
    reference,
    success_redirect: `${shop.url}/checkout/success?order=${reference}`,
    failure_redirect: `${shop.url}/checkout/failure?order=${reference}`,
    cancel_redirect: `${shop.url}/checkout/cancel?order=${reference}`,
    ...overrides,
  });
}

interface Card {
  number: string;
  cvc?: string;
  remember?: boolean;
}

async function fillCard(page: Page, card: Card): Promise<void> {
  await page.fill('#cardholder_name', 'Amina Buyer');
  await page.fill('#card_number', card.number);
  await page.fill('#expiry', EXPIRY);
  await page.fill('#cvc', card.cvc ?? '123');
  if (card.remember) await page.check('#remember_card');
}

/** Open the checkout page, pay with `card`, and return the URL the browser ends on. */
async function payOnCheckout(purchase: Purchase, card: Card, landing: RegExp): Promise<string> {
  return withPage(
    async (page) => {
      await page.goto(purchase.checkout_url!);
      await fillCard(page, card);
      await Promise.all([page.waitForURL(landing), page.click('#pay')]);
      return page.url();
    },
    { browser },
  );
}

const SUCCESS = new RegExp(`^http://127\\.0\\.0\\.1:\\d+/checkout/success\\?order=`);
const FAILURE = new RegExp(`^http://127\\.0\\.0\\.1:\\d+/checkout/failure\\?order=`);

test('4242 4242 4242 4242: the page shows the order, payment succeeds, the shop gets the success redirect', async () => {
  const purchase = await createPurchase();
  const landed = await withPage(
    async (page) => {
      await page.goto(purchase.checkout_url!);
      expect(await page.textContent('#total')).toBe('USD 29.99');
      expect(await page.textContent('#reference')).toBe(purchase.reference);
      expect(await page.textContent('#products')).toContain('Medjool dates, 1 kg');
      expect(await page.textContent('#test-mode')).toMatch(/test mode/i);
      await page.screenshot({ path: join(screenshots, 'checkout.png'), fullPage: true });
      await fillCard(page, { number: '4242 4242 4242 4242' });
      await Promise.all([page.waitForURL(SUCCESS), page.click('#pay')]);
      expect(await page.textContent('#landing')).toBe('/checkout/success');
      return page.url();
    },
    { browser },
  );
  expect(landed).toBe(purchase.success_redirect);
  expect(statSync(join(screenshots, 'checkout.png')).size).toBeGreaterThan(1000);

  const paid = await ummah.purchases.retrieve(purchase.id);
  expect(paid).toMatchObject({ status: 'paid', is_recurring_token: false });
  expect(paid.transaction_data?.extra).toMatchObject({
    masked_pan: expect.stringMatching(/4242$/),
    card_brand: 'visa',
  });
  expect(
    shop.requests.some((r) => r.path === '/checkout/success' && r.query.get('order') === purchase.reference),
  ).toBe(true);
});

test('4000 0000 0000 0002: declined, sent to failure_redirect, purchase in error', async () => {
  const purchase = await createPurchase();
  expect(await payOnCheckout(purchase, { number: '4000 0000 0000 0002' }, FAILURE)).toBe(
    purchase.failure_redirect,
  );
  const failed = await ummah.purchases.retrieve(purchase.id);
  expect(failed.status).toBe('error');
  expect(failed.payment ?? null).toBeNull();
});

test('4000 0000 0000 3220: a 3-D Secure page asks for a code, then the payment succeeds', async () => {
  const purchase = await createPurchase();
  await withPage(
    async (page) => {
      await page.goto(purchase.checkout_url!);
      await fillCard(page, { number: '4000 0000 0000 3220' });
      await Promise.all([page.waitForURL(/\/3ds\//), page.click('#pay')]);
      expect(await page.textContent('#challenge-title')).toContain('3-D Secure');
      expect((await ummah.purchases.retrieve(purchase.id)).status).not.toBe('paid');
      await page.fill('#otp', '123456');
      await Promise.all([page.waitForURL(SUCCESS), page.click('#confirm')]);
    },
    { browser },
  );
  expect((await ummah.purchases.retrieve(purchase.id)).status).toBe('paid');
});

test('4000 0000 0000 3220 with a failed 3-D Secure step goes to failure_redirect', async () => {
  const purchase = await createPurchase();
  await withPage(
    async (page) => {
      await page.goto(purchase.checkout_url!);
      await fillCard(page, { number: '4000 0000 0000 3220' });
      await Promise.all([page.waitForURL(/\/3ds\//), page.click('#pay')]);
      await Promise.all([page.waitForURL(FAILURE), page.click('#fail')]);
    },
    { browser },
  );
  expect((await ummah.purchases.retrieve(purchase.id)).status).toBe('error');
});

test('4444 3333 2222 1111 (CVC 123): paid', async () => {
  const purchase = await createPurchase();
  await payOnCheckout(purchase, { number: '4444 3333 2222 1111', cvc: '123' }, SUCCESS);
  const paid = await ummah.purchases.retrieve(purchase.id);
  expect(paid.status).toBe('paid');
  expect(paid.transaction_data?.extra?.masked_pan).toMatch(/1111$/);
});

test('"Remember this card" makes the purchase a recurring token', async () => {
  const purchase = await createPurchase();
  await payOnCheckout(purchase, { number: '4242 4242 4242 4242', remember: true }, SUCCESS);
  expect(await ummah.purchases.retrieve(purchase.id)).toMatchObject({
    status: 'paid',
    is_recurring_token: true,
  });
});

test('the cancel link returns to cancel_redirect and the purchase stays unpaid', async () => {
  const purchase = await createPurchase();
  await withPage(
    async (page) => {
      await page.goto(purchase.checkout_url!);
      await Promise.all([page.waitForURL(/\/checkout\/cancel\?order=/), page.click('#cancel')]);
      expect(page.url()).toBe(purchase.cancel_redirect);
    },
    { browser },
  );
  const after = await ummah.purchases.retrieve(purchase.id);
  expect(after.status).toBe('viewed');
  expect(after.payment ?? null).toBeNull();
});

test('a skip_capture purchase is authorized on the page and ends in hold', async () => {
  const purchase = await createPurchase({ skip_capture: true });
  await withPage(
    async (page) => {
      await page.goto(purchase.checkout_url!);
      expect(await page.textContent('#pay')).toBe('Authorize USD 29.99');
      await fillCard(page, { number: '4242 4242 4242 4242' });
      await Promise.all([page.waitForURL(SUCCESS), page.click('#pay')]);
    },
    { browser },
  );
  expect((await ummah.purchases.retrieve(purchase.id)).status).toBe('hold');
});

test('malformed input is a form error on the page: no redirect, nothing charged', async () => {
  const purchase = await createPurchase();
  await withPage(
    async (page) => {
      await page.goto(purchase.checkout_url!);
      await fillCard(page, { number: '4242 4242', cvc: '1' });
      await Promise.all([page.waitForLoadState('load'), page.click('#pay')]);
      expect(await page.textContent('#error-card_number')).toBe('Enter a valid card number.');
      expect(await page.textContent('#error-cvc')).toBe('Enter the 3 or 4 digit security code.');
      // The card number is not sent back into the form.
      expect(await page.inputValue('#card_number')).toBe('');
      expect(new URL(page.url()).origin).toBe(sandbox.url);
    },
    { browser },
  );
  expect((await ummah.purchases.retrieve(purchase.id)).status).toBe('viewed');
});

test('the page names the merchant the store registered, and nothing it loads is missing (favicon included)', async () => {
  const purchase = await createPurchase();
  const problems: string[] = [];
  await withPage(
    async (page) => {
      page.on('response', (response) => {
        if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
      });
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      await page.goto(purchase.checkout_url!);
      expect(await page.textContent('#merchant')).toBe('Souq Tijara');
      expect(await page.title()).toContain('Souq Tijara');
      expect(await page.getAttribute('link[rel="icon"]', 'href')).toMatch(/^data:image\/svg\+xml,/);
      // What a browser asks for on its own when a page names no icon (JSON endpoints, the control API).
      const icon = await page.goto(`${sandbox.url}/favicon.ico`);
      expect(icon?.status()).toBe(200);
      expect(icon?.headers()['content-type']).toContain('image/svg+xml');
    },
    { browser },
  );
  expect(problems).toEqual([]);
});
