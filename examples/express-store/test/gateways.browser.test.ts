/**
 * The store on Postpay (AED), Uhmi (EUR) and Numipay (GBP), as `TIJARA_GATEWAY=… npm start` runs it, driven by
 * Debian's Chromium through each gateway's pages on one shared sandbox: Postpay approve → captured once → refund
 * from the admin page, deny, cancel; Uhmi's widget → paid from the posted transaction id; Numipay's cashier →
 * paid, with its signed webhook. What a gateway cannot do is said, never offered as a button that fails.
 */
import type { Browser, Page } from 'playwright-core';
import type { PostpayDriver } from '@tijara/postpay';
import type { RunningSandbox } from '@tijara/sandbox';
import { launchChromium } from '@tijara/testkit';
import type { GatewayName } from '../src/gateways.js';
import {
  ADMIN_PASSWORD,
  capturedLogs,
  startExampleStore,
  startTestSandbox,
  type RunningStore,
} from './support/store-harness.js';
import { newBuyer, orderStatus } from './support/browser-buyer.js';

let sandbox: RunningSandbox;
let browser: Browser;
const stores: RunningStore[] = [];
/** Everything the stores sent to the browser, for the no-secrets check at the end. */
const seen: string[] = [];

beforeAll(async () => {
  sandbox = await startTestSandbox();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  for (const store of stores) await store.close();
  await sandbox?.close();
});

async function storeOn(gateway: GatewayName): Promise<RunningStore> {
  const store = await startExampleStore({ gateway, sandbox });
  stores.push(store);
  return store;
}

async function addToCart(page: Page, store: RunningStore, productId: string): Promise<void> {
  await page.goto(`${store.url}/`);
  await page.click(`#add-${productId}`);
  await page.waitForURL(`${store.url}/cart`);
}

async function fillBuyer(page: Page): Promise<void> {
  await page.fill('#name', 'Aisha Rahman');
  await page.fill('#email', 'aisha@example.com');
}

const timelineOf = async (page: Page) =>
  (await page.locator('#timeline li').allInnerTexts()).map((line) => line.replace(/^.* UTC: /, ''));

describe('Postpay (AED): checkout on Postpay’s page, captured on approval', () => {
  let store: RunningStore;
  beforeAll(async () => {
    store = await storeOn('postpay');
  });

  /** Cart → delivery details → Postpay's page (where the phone the store was given is already filled in). */
  async function toPostpay(page: Page, productId: string): Promise<void> {
    await addToCart(page, store, productId);
    await fillBuyer(page);
    await page.fill('#address_line1', 'Al Wasl Road 12');
    await page.fill('#address_city', 'Dubai');
    expect(await page.inputValue('#address_country')).toBe('AE');
    await page.fill('#phone', '+971 50 123 4567');
    expect(await page.locator('#save_card').count()).toBe(0);
    await page.click('#checkout');
    await page.waitForURL((url) => url.href.startsWith(`${sandbox.url}/postpay/checkout/`));
    expect(await page.inputValue('#phone')).toBe('+971 50 123 4567');
  }

  async function decide(page: Page, card: string): Promise<void> {
    await page.fill('#sms_code', '4567');
    await page.fill('#card_number', card);
    await page.fill('#expiry', '12/34');
    await page.fill('#cvc', '123');
    await page.click('#approve');
  }

  test('prices in AED; the made-to-order stand is explained, not offered', async () => {
    const { context, page } = await newBuyer(browser, seen);
    await page.goto(`${store.url}/`);
    expect(await page.innerText('#product-prayer-mat .price')).toBe('AED 89.00');
    expect(await page.isDisabled('#add-quran-stand')).toBe(true);
    expect(await page.innerText('#not-sold-quran-stand')).toBe(
      'Not sold on Postpay, which takes the payment at once and cannot hold it until the order ships.',
    );
    expect(await page.innerText('#test-hint')).toContain('4111 1111 1111 1111');
    // A form posted anyway puts nothing in the cart.
    const posted = await page.request.post(`${store.url}/cart/items`, {
      form: { productId: 'quran-stand' },
      maxRedirects: 0,
    });
    expect(posted.status()).toBe(303);
    await page.goto(`${store.url}/cart`);
    expect(await page.locator('#cart-empty').count()).toBe(1);
    await context.close();
  });

  test('approve: captured once, paid; the admin refunds part of it under the store’s refund id', async () => {
    const { context, page } = await newBuyer(browser, seen);
    await toPostpay(page, 'prayer-mat');
    expect(await page.innerText('#total')).toBe('AED 89.00');
    await decide(page, '4111 1111 1111 1111');
    const orderId = await orderStatus(page, 'paid');
    expect(await page.innerText('#order-total')).toBe('AED 89.00');

    const [payment] = await store.store.tijara.listPayments(orderId);
    expect(payment).toMatchObject({
      gateway: 'postpay',
      status: 'paid',
      amount: 8_900,
      currency: 'AED',
      capturedAmount: 8_900,
    });
    // Postpay's hooks arrive too, and the reconciler looks again: nothing more happens.
    await sandbox.settle();
    await store.store.tijara.reconcile();
    await page.reload();
    expect(await timelineOf(page)).toEqual(['Paid (AED 89.00)']);
    const postpay = store.gateway.driver as PostpayDriver;
    expect((await postpay.client.orders.retrieve(payment!.paymentId)).status).toBe('captured');
    // One settlement line per capture: captured once.
    const captures: string[] = [];
    for await (const line of postpay.client.transactions.list())
      if (line.order?.order_id === payment!.paymentId) captures.push(line.type);
    expect(captures).toEqual(['order']);

    const admin = await newBuyer(browser, seen, { admin: true });
    const row = `#admin-order-${orderId}`;
    await admin.page.goto(`${store.url}/admin`);
    expect(await admin.page.innerText('#admin-gateway')).toContain('Postpay (AED)');
    expect(await admin.page.locator(`${row} button[data-action=release]`).count()).toBe(0);
    await admin.page.fill(`${row} input[name=amountDecimal]`, '10.50');
    const refundId = await admin.page.inputValue(`${row} input[name=refundId]`);
    await admin.page.click(`${row} button[data-action=refund]`);
    await admin.page.waitForURL((url) => url.searchParams.get('done') === 'refund');
    expect(await admin.page.getAttribute(row, 'data-status')).toBe('partially_refunded');
    await admin.context.close();

    const refunds = await postpay.client.orders.refunds.list(payment!.paymentId);
    expect(refunds.results.map((r) => [r.refund_id, r.amount])).toEqual([[refundId, 1_050]]);
    await page.reload();
    expect(await page.innerText('#order-refunded')).toBe('AED 10.50');
    await context.close();
  });

  test('deny: back to a failed order that offers to try again', async () => {
    const { context, page } = await newBuyer(browser, seen);
    await toPostpay(page, 'ajwa-dates');
    await decide(page, '4000 0000 0000 0002');
    await orderStatus(page, 'payment_failed');
    expect(await page.innerText('#retry')).toBe('Try again');
    expect(await timelineOf(page)).toEqual(['Payment declined (AED 65.00)']);
    await context.close();
  });

  test('cancel: back to the cart with everything in it; the order is still open', async () => {
    const { context, page } = await newBuyer(browser, seen);
    await toPostpay(page, 'oud-oil');
    await page.click('#cancel');
    await page.waitForURL((url) => url.pathname === '/cart');
    expect(await page.innerText('#notice')).toContain('Payment canceled');
    expect(await page.innerText('#cart-count')).toBe('1');
    await page.goto(`${store.url}/orders`);
    expect(await page.locator('.status').allInnerTexts()).toEqual(['Awaiting payment']);
    await context.close();
  });
});

describe('Uhmi (EUR): the widget in the store’s page, settled from the transaction it posts back', () => {
  let store: RunningStore;
  beforeAll(async () => {
    store = await storeOn('uhmi');
  });

  test('pay in the widget: the order is paid; the admin is told refunds happen in Uhmi’s dashboard', async () => {
    const { context, page } = await newBuyer(browser, seen);
    await addToCart(page, store, 'oud-oil');
    expect(await page.innerText('#cart-total')).toBe('EUR 149.00');
    await fillBuyer(page);
    await page.click('#checkout');
    await page.waitForURL((url) => /^\/orders\/[^/]+\/pay$/.test(url.pathname));
    const widget = page.frameLocator('#gateway-widget');
    expect(await widget.locator('#price-shown').innerText()).toBe('EUR 149.00');
    await widget.locator('#pay').click();
    const orderId = await orderStatus(page, 'paid');

    const [payment] = await store.store.tijara.listPayments(orderId);
    expect(payment).toMatchObject({ gateway: 'uhmi', status: 'paid', amount: 14_900, currency: 'EUR' });
    expect(await page.innerText('#cart-count')).toBe('0');

    const admin = await newBuyer(browser, seen, { admin: true });
    const row = `#admin-order-${orderId}`;
    await admin.page.goto(`${store.url}/admin`);
    expect(await admin.page.locator(`${row} button`).count()).toBe(0);
    expect(await admin.page.innerText(`${row} [data-unsupported=refund]`)).toBe(
      "Uhmi has no refund API: refund this order from Uhmi's own dashboard.",
    );
    // The plugin's route, posted anyway: refused with the reason, and nothing is written.
    const refused = await admin.page.request.post(`${store.url}/payments/admin/orders/${orderId}/refund`, {
      form: { amountDecimal: '1.00' },
      headers: { origin: store.url },
    });
    expect(refused.status()).toBe(422);
    expect(await refused.json()).toMatchObject({ error: 'unsupported_operation' });
    expect(await store.store.tijara.listRefunds(orderId)).toEqual([]);
    await admin.context.close();
    await context.close();
  });

  test('a cart over Uhmi’s EUR 150.00 per payment says so and offers no checkout', async () => {
    const { context, page } = await newBuyer(browser, seen);
    await addToCart(page, store, 'prayer-mat');
    await addToCart(page, store, 'ajwa-dates');
    expect(await page.innerText('#cart-blocked')).toBe(
      'Uhmi takes at most EUR 150.00 in one payment, and this cart comes to EUR 154.00. Remove something to pay for the rest.',
    );
    expect(await page.locator('#checkout').count()).toBe(0);
    await context.close();
  });
});

describe('Numipay (GBP): the hosted cashier, then the signed webhook', () => {
  let store: RunningStore;
  beforeAll(async () => {
    store = await storeOn('numipay');
  });

  async function toCashier(page: Page, productId: string): Promise<void> {
    await addToCart(page, store, productId);
    await fillBuyer(page);
    await page.click('#checkout');
    await page.waitForURL((url) => url.href.startsWith(`${sandbox.url}/numipay/cashier`));
  }

  test('pay at the cashier: paid on return; the signed webhook reaches the store and changes nothing more', async () => {
    const { context, page } = await newBuyer(browser, seen);
    await toCashier(page, 'ajwa-dates');
    expect(await page.innerText('#amount')).toMatch(/65\.00/);
    await page.click('#pay');
    const orderId = await orderStatus(page, 'paid');
    const [payment] = await store.store.tijara.listPayments(orderId);
    expect(payment).toMatchObject({ gateway: 'numipay', status: 'paid', amount: 6_500, currency: 'GBP' });

    await sandbox.settle();
    const { results } = (await (
      await fetch(`${sandbox.url}/__sandbox/deliveries?gateway=numipay`)
    ).json()) as {
      results: Array<{
        callback: string;
        status: string;
        response_code: number;
        payload: { tracking_id: string };
      }>;
    };
    const delivery = results.find((d) => d.payload.tracking_id === payment!.paymentId);
    expect(delivery).toMatchObject({
      callback: store.store.tijara.webhookUrl,
      status: 'delivered',
      response_code: 200,
    });
    await page.reload();
    expect(await timelineOf(page)).toEqual(['Paid (GBP 65.00)']);
    await context.close();
  });

  test('the buyer pays and closes the tab: the webhook alone marks the order paid', async () => {
    const { context, page } = await newBuyer(browser, seen);
    await toCashier(page, 'prayer-mat');
    const token = new URL(page.url()).searchParams.get('token')!;
    await page.close();
    const paid = await fetch(`${sandbox.url}/__sandbox/numipay/sessions/${token}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ outcome: 'success' }),
    });
    expect(paid.status).toBe(200);
    const [order] = store.store.db.allOrders();
    for (let i = 0; i < 100 && store.store.db.order(order!.id)?.status !== 'paid'; i += 1) {
      await sandbox.settle();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(store.store.db.order(order!.id)).toMatchObject({ status: 'paid', amount: 8_900, currency: 'GBP' });
    await context.close();
  });

  test('decline at the cashier: the order failed and can be tried again', async () => {
    const { context, page } = await newBuyer(browser, seen);
    await toCashier(page, 'oud-oil');
    await page.click('#decline');
    await orderStatus(page, 'payment_failed');
    expect(await page.innerText('#retry')).toBe('Try again');
    await context.close();
  });
});

test('no gateway key, hook secret or signature password in any page, header, cookie or log line', async () => {
  const secrets = [ADMIN_PASSWORD, sandbox.secretKey, ...stores.flatMap((store) => store.gateway.secrets)];
  expect(secrets.length).toBeGreaterThanOrEqual(7);
  const cookies = await Promise.all(browser.contexts().map((c) => c.cookies()));
  const everything = [...seen, JSON.stringify(cookies), ...capturedLogs];
  expect(seen.length).toBeGreaterThan(20);
  for (const text of everything) {
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/sk_(test|live)_[A-Za-z0-9]|uhmi_test_|npk_dev_|spg_test_/);
  }
});
