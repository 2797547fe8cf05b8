import type { Browser, Page } from 'playwright-core';
import { createPostpayDriver, type PostpayDriver } from '@tijara/postpay';
import { launchChromium, startLoopbackServer, withPage, type LoopbackServer } from '@tijara/testkit';
import type { CreatePaymentInput } from '@tijara/core';
import { startSandbox, type RunningSandbox } from '../src/index.js';

/**
 * A buyer in real Chromium on the sandbox's hosted Postpay checkout. The shop is a loopback server: the page sends
 * the browser back there with `order_id` and `status`, and the shop resolves the return through the driver, as a
 * store would (and captures the approval).
 */
jest.setTimeout(30_000);

let sandbox: RunningSandbox;
let postpay: PostpayDriver;
let shop: LoopbackServer;
let browser: Browser;
const EXPIRY = `12/${String((new Date().getUTCFullYear() + 3) % 100).padStart(2, '0')}`;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  const { merchantId, secretKey } = sandbox.gateways.postpay;
  postpay = createPostpayDriver({ merchantId, secretKey, baseUrl: `${sandbox.url}/postpay` });
  shop = await startLoopbackServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><title>Shop</title><p id="landing">${request.path}</p>`);
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await shop?.close();
  await sandbox?.close();
});

function cart(reference: string): CreatePaymentInput {
  return {
    amount: 21000,
    currency: 'AED',
    reference,
    taxAmount: 1000,
    shipping: { name: 'Express Delivery', amount: 2000 },
    customer: {
      email: 'aisha@example.ae',
      name: 'Aisha Rahman',
      phone: '+971 50 123 4567',
      shippingAddress: { line1: 'Al Wasl Road 12', city: 'Dubai', country: 'AE' },
    },
    lineItems: [{ name: 'Oud candle', price: 9000, quantity: 2, url: 'https://shop.example/oud' }],
    capture: 'automatic',
    returnUrls: {
      success: `${shop.url}/postpay/return`,
      failure: `${shop.url}/postpay/failed`,
      cancel: `${shop.url}/postpay/cancel`,
    },
  };
}

async function fill(page: Page, card: string, smsCode = '4567'): Promise<void> {
  await page.fill('#sms_code', smsCode);
  await page.fill('#card_number', card);
  await page.fill('#expiry', EXPIRY);
  await page.fill('#cvc', '123');
}

const query = (url: string) => Object.fromEntries(new URL(url).searchParams);

test('a buyer verifies the phone, pays with a seed test card and returns approved; the shop captures', async () => {
  const payment = await postpay.createPayment(cart('cart-b1'));
  const landed = await withPage(
    async (page) => {
      await page.goto((payment.nextAction as { url: string }).url);
      expect(await page.textContent('#total')).toBe('AED 210.00');
      expect(await page.textContent('#order-id')).toBe(payment.id);
      expect(await page.textContent('#order-lines')).toContain('Oud candle × 2');
      // Four instalments, the first carrying what does not divide: 210.00 = 52.50 × 4.
      expect(await page.locator('#instalments td.num').allTextContents()).toEqual(Array(4).fill('AED 52.50'));
      expect(await page.inputValue('#phone')).toBe('+971 50 123 4567');

      // The sandbox sends no SMS: the code is the phone's last 4 digits (seed 003); a wrong one is refused.
      await fill(page, '4111 1111 1111 1111', '0000');
      await page.click('#approve');
      expect(await page.textContent('#sms_code-error')).toMatch(/last 4 digits/);
      expect((await postpay.retrievePayment(payment.id)).status).toBe('pending');

      await fill(page, '4111 1111 1111 1111');
      await Promise.all([page.waitForURL(/\/postpay\/return\?/), page.click('#approve')]);
      expect(await page.textContent('#landing')).toBe('/postpay/return');
      return page.url();
    },
    { browser },
  );
  expect(query(landed)).toEqual({ order_id: payment.id, status: 'APPROVED' });

  const { payment: approved, claimed } = await postpay.resolveReturn({ query: query(landed) });
  expect(claimed).toBe('approved');
  expect(approved.status).toBe('authorized');
  expect(await postpay.capture(approved.id)).toMatchObject({ status: 'paid', capturedAmount: 21000 });
});

test('a denied buyer and a cancelling buyer go back to cancel_url with DENIED and CANCELLED', async () => {
  const denied = await postpay.createPayment(cart('cart-b2'));
  const deniedAt = await withPage(
    async (page) => {
      await page.goto((denied.nextAction as { url: string }).url);
      await fill(page, '4000 0000 0000 0002');
      await Promise.all([page.waitForURL(/\/postpay\/cancel\?/), page.click('#approve')]);
      return page.url();
    },
    { browser },
  );
  expect(query(deniedAt)).toEqual({ order_id: denied.id, status: 'DENIED' });
  expect((await postpay.retrievePayment(denied.id)).status).toBe('failed');

  const cancelled = await postpay.createPayment(cart('cart-b3'));
  await withPage(
    async (page) => {
      const url = (cancelled.nextAction as { url: string }).url;
      await page.goto(url);
      await Promise.all([page.waitForURL(/\/postpay\/cancel\?/), page.click('#cancel')]);
      expect(query(page.url())).toEqual({ order_id: cancelled.id, status: 'CANCELLED' });
      // Back on the checkout, the buyer is told it is over rather than offered the form again.
      await page.goto(url);
      expect(await page.textContent('#outcome')).toBe('This checkout is cancelled.');
      expect(await page.locator('form').count()).toBe(0);
    },
    { browser },
  );
  expect((await postpay.retrievePayment(cancelled.id)).status).toBe('canceled');
});
