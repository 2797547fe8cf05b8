/**
 * Ummah and Postpay in one app, on the sandbox: a Postpay checkout sends the buyer to Postpay's page, the buyer's
 * return (`?order_id&status`) is resolved by the driver, the approval is captured exactly once and the store hears
 * one payment.paid; Postpay's own hooks arrive at its webhook and change nothing more; a refund goes out under the
 * store's refund id. A denied checkout fails the order.
 */
import { createPostpayDriver, type PostpayDriver } from '@tijara/postpay';
import type { RunningSandbox } from '@tijara/sandbox';
import {
  eventually,
  postForm,
  startStore,
  startTestSandbox,
  ummahDriver,
  type StoreHarness,
} from './support/harness.js';

const HOOK_SECRET = 'express-postpay-test-hook-secret-01';
let sandbox: RunningSandbox;
let postpay: PostpayDriver;
let store: StoreHarness;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  const { merchantId, secretKey } = sandbox.gateways.postpay as { merchantId: string; secretKey: string };
  postpay = createPostpayDriver({
    merchantId,
    secretKey,
    baseUrl: `${sandbox.url}/postpay`,
    webhooks: { secrets: [HOOK_SECRET] },
  });
  const ummah = ummahDriver(sandbox);
  store = await startStore({
    sandbox,
    driver: ummah,
    plugin: { driver: undefined, gateways: { ummah, postpay } },
  });
  await postpay.client.hooks.create({
    events: ['order'],
    url: store.tijara.webhookUrls.postpay as string,
    secret: HOOK_SECRET,
  });
});
afterAll(async () => {
  await store.close();
  await sandbox.close();
});

const eventsOf = (orderId: string) =>
  store.events.filter((e) => e.orderId === orderId).map((e) => [e.type, e.gateway, e.amount]);

function aedOrder() {
  return store.createOrder({
    amount: 2_999,
    currency: 'AED',
    lineItems: undefined,
    taxAmount: 143,
    customer: {
      id: 'cust-ae',
      email: 'aisha@example.ae',
      name: 'Aisha Rahman',
      shippingAddress: { line1: 'Al Wasl Road 12', city: 'Dubai', country: 'AE' },
    },
  });
}

/** Check out on Postpay, decide on its page through the control API, and come back as the buyer's browser would. */
async function checkoutAndReturn(orderId: string, decision: 'approve' | 'deny') {
  const checkout = await postForm(`${store.url}/payments/checkout`, { orderId, gateway: 'postpay' });
  expect(checkout.status).toBe(303);
  const page = new URL(checkout.headers.get('location') as string);
  expect(page.origin).toBe(new URL(sandbox.url).origin);
  const token = page.pathname.split('/').filter(Boolean).pop();
  const decided = await fetch(`${sandbox.url}/__sandbox/postpay/checkouts/${token}/${decision}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  const { redirect_url: back } = (await decided.json()) as { redirect_url: string };
  expect(back.startsWith(`${store.url}/payments/return/${orderId}/1/`)).toBe(true);
  const returned = await fetch(back, { redirect: 'manual' });
  expect(returned.status).toBe(303);
  return returned.headers.get('location');
}

test('approve: the return is resolved, the approval captured once, one payment.paid; hooks change nothing; a refund goes out', async () => {
  const order = aedOrder();
  expect(await checkoutAndReturn(order.id, 'approve')).toBe(`${store.url}/orders/${order.id}`);
  expect(eventsOf(order.id)).toEqual([['payment.paid', 'postpay', 2_999]]);
  const [payment] = await store.tijara.listPayments(order.id);
  expect(payment).toMatchObject({ gateway: 'postpay', status: 'paid', capturedAmount: 2_999 });
  expect((await postpay.retrievePayment(payment!.paymentId)).status).toBe('paid');

  await sandbox.settle();
  await store.tijara.reconcile();
  expect(eventsOf(order.id)).toEqual([['payment.paid', 'postpay', 2_999]]);

  const refunded = await store.tijara.refund(order.id, { amount: 1_000, refundId: `re-${order.id}` });
  expect(refunded).toMatchObject({ status: 'succeeded', amount: 1_000 });
  await eventually(async () => {
    await sandbox.settle();
    expect(eventsOf(order.id)).toEqual([
      ['payment.paid', 'postpay', 2_999],
      ['payment.refunded', 'postpay', 1_000],
    ]);
  });
  const atPostpay = await postpay.client.orders.refunds.list(payment!.paymentId);
  expect(atPostpay.results.map((r) => [r.refund_id, r.amount])).toEqual([[`re-${order.id}`, 1_000]]);
});

test('deny: the buyer comes back to a failed order, and can pay again', async () => {
  const order = aedOrder();
  expect(await checkoutAndReturn(order.id, 'deny')).toBe(`${store.url}/orders/${order.id}`);
  expect(eventsOf(order.id)).toEqual([['payment.failed', 'postpay', 2_999]]);
  const again = await postForm(`${store.url}/payments/checkout`, { orderId: order.id, gateway: 'postpay' });
  expect(again.status).toBe(303);
  expect((await store.tijara.listPayments(order.id)).map((p) => [p.attempt, p.status])).toEqual([
    [1, 'failed'],
    [2, 'pending'],
  ]);
});
