/**
 * The same buyer flow on Postpay, a capture-on-approval gateway: the buyer approves on Postpay's page → the app's
 * return route resolves the return at Postpay → the settlement pipeline captures the approval, once → Shopify
 * hears `paymentSessionResolve` → the buyer lands on the page Shopify named. Postpay cannot hold funds, so an
 * authorization is refused by capabilities.
 */
import type { RunningSandbox } from '@tijara/sandbox';
import { paymentKey } from '../../src/records.js';
import { useBrowser } from '../support/browser.js';
import {
  captureLogger,
  installShop,
  saveSettings,
  startApp,
  startTestSandbox,
  uniqueShop,
  type AppHarness,
} from '../support/harness.js';
import { postpayOnSandbox } from '../support/gateways.js';

let sandbox: RunningSandbox;
let harness: AppHarness;
const shop = uniqueShop('postpay');
const withPage = useBrowser();

beforeAll(async () => {
  sandbox = await startTestSandbox();
  harness = await startApp({
    gateways: [postpayOnSandbox(`${sandbox.url}/postpay`, captureLogger('postpay'))],
  });
  const { merchantId, secretKey } = sandbox.gateways.postpay;
  const jar = await installShop(harness, shop);
  const saved = await saveSettings(harness, jar, 'postpay', { merchantId, secretKey });
  expect(saved.status).toBe(200);
});
afterAll(async () => {
  await harness?.close();
  await sandbox?.close();
});

const postpayOrder = async (orderId: string) => {
  const { merchantId, secretKey } = sandbox.gateways.postpay;
  const response = await fetch(`${sandbox.url}/postpay/orders/${orderId}`, {
    headers: {
      authorization: `Basic ${Buffer.from(`${merchantId}:${secretKey}`).toString('base64')}`,
      accept: 'application/vnd.postpay+json; version=v1',
    },
  });
  return (await response.json()) as { status: string; total_amount: number };
};

it('approve on Postpay’s page → captured once → resolved → the buyer lands on the next action', async () => {
  const started = await harness.fake.startPaymentSession({
    shop,
    url: harness.app.urls.paymentSession,
    amount: '210.00',
    currency: 'AED',
  });
  expect(started.status).toBe(201);
  expect(started.redirectUrl).toContain('/postpay/checkout/');
  const landed = await withPage(async (page) => {
    await page.goto(started.redirectUrl as string);
    await page.fill('#phone', '+971501234567');
    await page.fill('#sms_code', '4567');
    await page.fill('#card_number', '4111 1111 1111 1111');
    await page.fill('#expiry', '12/30');
    await page.fill('#cvc', '123');
    await Promise.all([page.waitForURL(/\/thank-you$/), page.click('#approve')]);
    return page.getAttribute('#outcome', 'data-outcome');
  });
  expect(landed).toBe('thank-you');
  expect(harness.fake.mutationsFor(started.session.gid).map((m) => [m.name, m.accepted])).toEqual([
    ['paymentSessionResolve', true],
  ]);
  const record = await harness.app.ledger.payments.get(paymentKey(shop, started.session.id));
  expect(record).toMatchObject({ status: 'paid', amount: 21000, currency: 'AED', captureMode: 'automatic' });
  expect(await postpayOrder(record?.paymentId as string)).toMatchObject({
    status: 'captured',
    total_amount: 21000,
  });

  // A refund session on Postpay: the merchant's refund id is Shopify's.
  const refund = await harness.fake.startRefundSession({
    shop,
    url: harness.app.urls.refundSession,
    paymentId: started.session.id,
    amount: '60.00',
  });
  await harness.fake.waitForMutations(() =>
    harness.fake.mutationsFor(refund.session.gid).some((m) => m.accepted),
  );
  expect(harness.fake.mutationsFor(refund.session.gid).map((m) => m.name)).toEqual(['refundSessionResolve']);
});

it('a denied buyer is rejected with Shopify; one who cancels goes back to checkout', async () => {
  const denied = await harness.fake.startPaymentSession({
    shop,
    url: harness.app.urls.paymentSession,
    amount: '99.00',
    currency: 'AED',
  });
  const deniedLanding = await withPage(async (page) => {
    await page.goto(denied.redirectUrl as string);
    await page.fill('#phone', '+971501234567');
    await page.fill('#sms_code', '4567');
    await page.fill('#card_number', '4000 0000 0000 0002');
    await page.fill('#expiry', '12/30');
    await page.fill('#cvc', '123');
    await Promise.all([page.waitForURL(/\/(payment-failed|cancelled)$/), page.click('#approve')]);
    return page.url();
  });
  // Postpay sends a denial to the cancel URL: the app re-reads the order and rejects the session.
  expect(deniedLanding).toMatch(/\/payment-failed$/);
  expect(harness.fake.mutationsFor(denied.session.gid).map((m) => [m.name, m.accepted])).toEqual([
    ['paymentSessionReject', true],
  ]);

  const cancelled = await harness.fake.startPaymentSession({
    shop,
    url: harness.app.urls.paymentSession,
    amount: '98.00',
    currency: 'AED',
  });
  const cancelLanding = await withPage(async (page) => {
    await page.goto(cancelled.redirectUrl as string);
    await Promise.all([page.waitForURL(/\/cancelled$/), page.click('#cancel')]);
    return page.url();
  });
  expect(cancelLanding).toBe(`${harness.fake.url}/checkouts/${shop}/${cancelled.session.id}/cancelled`);
  await harness.app.deliverDue();
  expect(harness.fake.mutationsFor(cancelled.session.gid)).toEqual([]);
});

it('an authorization cannot be held on Postpay: INVALID_PURCHASE_TYPE, nothing created', async () => {
  const started = await harness.fake.startPaymentSession({
    shop,
    url: harness.app.urls.paymentSession,
    amount: '50.00',
    currency: 'AED',
    kind: 'authorization',
  });
  expect(started.status).toBe(201);
  await harness.fake.waitForMutations(() =>
    harness.fake.mutationsFor(started.session.gid).some((m) => m.accepted),
  );
  expect(harness.fake.mutationsFor(started.session.gid)[0]?.variables.reason).toMatchObject({
    code: 'INVALID_PURCHASE_TYPE',
  });
  expect(
    (await harness.app.ledger.payments.get(paymentKey(shop, started.session.id)))?.paymentId,
  ).toBeUndefined();
});
