/**
 * What happens when things go wrong between the store and the gateway: lost answers, declined one-click cards,
 * a payment nobody told the store about, a payload for the wrong amount.
 */
import type { RunningSandbox } from '@tijara/sandbox';
import { generateUmmahTestKeys, ummahTestWebhookHeaders } from '@tijara/ummah';
import {
  CARDS,
  eventually,
  payOnSandbox,
  postForm,
  startStore,
  startTestSandbox,
  type StoreHarness,
} from './support/harness.js';

let sandbox: RunningSandbox;
let store: StoreHarness;
beforeAll(async () => {
  sandbox = await startTestSandbox();
  store = await startStore({ sandbox });
});
afterAll(async () => {
  await store.close();
  await sandbox.close();
});
afterEach(async () => {
  await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
});

async function fault(rule: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${sandbox.url}/__sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(rule),
  });
  expect(response.status).toBe(201);
}

async function purchasesFor(orderId: string): Promise<Array<{ id: string; status: string }>> {
  const { results } = (await (await fetch(`${sandbox.url}/__sandbox/purchases`)).json()) as {
    results: Array<{ id: string; status: string; reference: string }>;
  };
  return results.filter((p) => p.reference === orderId);
}

test('a checkout whose answer is lost writes no ledger row; the retry reuses the key and finds the same payment', async () => {
  const order = store.createOrder();
  // The gateway creates the purchase every time but the answer never arrives, past the driver's own retries.
  await fault({
    type: 'error',
    status: 503,
    when: 'after',
    method: 'POST',
    path: '/api/v1/purchases/',
    count: 3,
  });
  const failed = await postForm(`${store.url}/payments/checkout`, { orderId: order.id });
  expect(failed.status).toBe(502);
  expect(await store.tijara.listPayments(order.id)).toEqual([]);
  expect(await purchasesFor(order.id)).toHaveLength(1);

  const retried = await postForm(`${store.url}/payments/checkout`, { orderId: order.id });
  expect(retried.status).toBe(303);
  const payments = await store.tijara.listPayments(order.id);
  expect(payments).toHaveLength(1);
  expect(await purchasesFor(order.id)).toEqual([expect.objectContaining({ id: payments[0]!.paymentId })]);
});

test('a refund whose answer is lost stays pending; repeating it with the same refund id refunds once', async () => {
  const order = store.createOrder();
  await postForm(`${store.url}/payments/checkout`, { orderId: order.id });
  const [payment] = await store.tijara.listPayments(order.id);
  await payOnSandbox(sandbox, payment!.paymentId, CARDS.ok);
  await store.tijara.settleOrder(order.id);

  await fault({
    type: 'error',
    status: 503,
    when: 'after',
    method: 'POST',
    path: '/api/v1/purchases/*/refund/',
    count: 3,
  });
  await expect(
    store.tijara.refund(order.id, { amount: 2500, refundId: 're_lost_answer' }),
  ).rejects.toMatchObject({
    type: 'gateway',
  });
  expect((await store.tijara.listRefunds(order.id)).map((r) => [r.id, r.status])).toEqual([
    ['re_lost_answer', 'pending'],
  ]);
  // The next refund first drives the unresolved one to an answer, then counts it against what is left.
  await expect(store.tijara.refund(order.id, { amount: 10_001 })).rejects.toMatchObject({
    code: 'refund_exceeds_refundable',
  });

  const again = await store.tijara.refund(order.id, { amount: 2500, refundId: 're_lost_answer' });
  expect(again.status).toBe('succeeded');
  expect((await store.driver.retrievePayment(payment!.paymentId)).refundedAmount).toBe(2500);
  await eventually(() =>
    expect(
      store.events
        .filter((e) => e.orderId === order.id && e.type === 'payment.refunded')
        .map((e) => e.amount),
    ).toEqual([2500]),
  );
});

test('a declined one-click charge sends the buyer back to the order, which can still be paid on the page', async () => {
  const first = store.createOrder({ customer: { id: 'cust-decline', email: 'd@example.com' } });
  await postForm(`${store.url}/payments/checkout`, { orderId: first.id, saveMethod: 'on' });
  const [payment] = await store.tijara.listPayments(first.id);
  await payOnSandbox(sandbox, payment!.paymentId, CARDS.ok);
  await store.tijara.settleOrder(first.id);
  const [method] = await store.tijara.listSavedMethods('cust-decline');

  const second = store.createOrder({ customer: { id: 'cust-decline', email: 'd@example.com' } });
  await fault({
    type: 'error',
    status: 402,
    method: 'POST',
    path: '/api/v1/purchases/*/charge/',
    body: {
      error: 'card_declined',
      message: 'Your card was declined.',
      details: { decline_code: 'insufficient_funds' },
    },
    count: 1,
  });
  const declined = await postForm(`${store.url}/payments/checkout`, {
    orderId: second.id,
    savedMethodId: method!.id,
  });
  expect(declined.status).toBe(303);
  expect(declined.headers.get('location')).toBe(`${store.url}/orders/${second.id}`);
  expect(await store.tijara.listPayments(second.id)).toEqual([]);
  expect(await store.tijara.listSavedMethods('cust-decline')).toHaveLength(1);

  const hosted = await postForm(`${store.url}/payments/checkout`, { orderId: second.id });
  expect(hosted.headers.get('location')?.startsWith(`${sandbox.url}/checkout/`)).toBe(true);
});

test('a dead saved card is forgotten when the gateway says so', async () => {
  const first = store.createOrder({ customer: { id: 'cust-dead-card', email: 'e@example.com' } });
  await postForm(`${store.url}/payments/checkout`, { orderId: first.id, saveMethod: 'on' });
  const [payment] = await store.tijara.listPayments(first.id);
  await payOnSandbox(sandbox, payment!.paymentId, CARDS.ok);
  await store.tijara.settleOrder(first.id);
  const [method] = await store.tijara.listSavedMethods('cust-dead-card');
  // Deleted at the gateway behind the store's back.
  await store.driver.deleteSavedMethod(method!.token);

  const second = store.createOrder({ customer: { id: 'cust-dead-card', email: 'e@example.com' } });
  const response = await fetch(`${store.url}/payments/checkout`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ orderId: second.id, savedMethodId: method!.id }),
  });
  expect(response.status).toBe(402);
  expect(((await response.json()) as { error: string }).error).toBe('invalid_saved_method');
  expect(await store.tijara.listSavedMethods('cust-dead-card')).toEqual([]);
});

test('the reconcile sweep settles a payment the store never heard about', async () => {
  const quiet = await startStore({
    sandbox,
    registerWebhook: false,
    plugin: { reconcile: { intervalMs: 100, minAgeMs: 0 } },
  });
  try {
    const order = quiet.createOrder();
    await postForm(`${quiet.url}/payments/checkout`, { orderId: order.id });
    const [payment] = await quiet.tijara.listPayments(order.id);
    // Paid at the gateway; no webhook, and the buyer closed the tab before the return redirect.
    await payOnSandbox(sandbox, payment!.paymentId, CARDS.ok);
    await eventually(() =>
      expect(quiet.events.map((e) => [e.orderId, e.type])).toEqual([[order.id, 'payment.paid']]),
    );
    const report = await quiet.tijara.reconcile();
    expect(report.results.find((r) => r.payment?.id === payment!.paymentId)).toBeUndefined();
  } finally {
    await quiet.close();
  }
});

test('an event whose handler failed on the return redirect is delivered by the next reconcile sweep', async () => {
  const quiet = await startStore({ sandbox, registerWebhook: false });
  try {
    const order = quiet.createOrder();
    await postForm(`${quiet.url}/payments/checkout`, { orderId: order.id });
    const [payment] = await quiet.tijara.listPayments(order.id);
    await payOnSandbox(sandbox, payment!.paymentId, CARDS.ok);
    quiet.failNext('payment.paid');
    const back = await fetch(`${quiet.url}/payments/return/${order.id}/1/success`, { redirect: 'manual' });
    // The buyer still lands on the order page; the payment is recorded as paid, its event still queued.
    expect(back.status).toBe(303);
    expect((await quiet.tijara.listPayments(order.id))[0]!.status).toBe('paid');
    expect(quiet.events).toEqual([]);
    await quiet.tijara.reconcile();
    expect(quiet.events.map((e) => [e.orderId, e.type])).toEqual([[order.id, 'payment.paid']]);
    await quiet.tijara.reconcile();
    expect(quiet.events).toHaveLength(1);
  } finally {
    await quiet.close();
  }
});

test('a capture is reported done even when the store handler fails; the event follows once', async () => {
  const order = store.createOrder({ capture: 'manual' });
  await postForm(`${store.url}/payments/checkout`, { orderId: order.id });
  const [payment] = await store.tijara.listPayments(order.id);
  await payOnSandbox(sandbox, payment!.paymentId, CARDS.ok);
  await store.tijara.settleOrder(order.id);
  store.failNext('payment.paid');
  const captured = await postForm(`${store.url}/payments/admin/orders/${order.id}/capture`, {});
  expect(captured.status).toBe(200);
  expect(((await captured.json()) as { payment: { status: string } }).payment.status).toBe('paid');
  // The gateway's webhook for the capture (or the next sweep) hands the queued event over.
  await eventually(async () => {
    await sandbox.settle();
    await store.tijara.reconcile();
    expect(store.events.filter((e) => e.orderId === order.id).map((e) => e.type)).toEqual([
      'payment.authorized',
      'payment.paid',
    ]);
  });
});

test('a signed payload for another amount settles nothing', async () => {
  const keys = generateUmmahTestKeys();
  store.driver.webhookVerifier.addKey(keys.publicKey);
  const order = store.createOrder();
  await postForm(`${store.url}/payments/checkout`, { orderId: order.id });
  const [payment] = await store.tijara.listPayments(order.id);
  const purchase = (await store.driver.client.purchases.retrieve(payment!.paymentId)) as unknown as Record<
    string,
    unknown
  >;
  const tampered = {
    ...purchase,
    status: 'paid',
    purchase: { ...(purchase.purchase as object), total: 100 },
    payment: { amount: 100, currency: 'MYR', paid_on: Math.floor(Date.now() / 1000) },
  };
  const body = JSON.stringify({
    id: 'evt_wrong_amount',
    type: 'purchase.paid',
    created_on: Math.floor(Date.now() / 1000),
    object: tampered,
  });
  const response = await fetch(`${store.url}/payments/webhook`, {
    method: 'POST',
    headers: ummahTestWebhookHeaders(body, keys.privateKey),
    body,
  });
  expect(response.status).toBe(200);
  expect(((await response.json()) as { outcome: string }).outcome).toBe('amount_mismatch');
  expect(store.events.filter((e) => e.orderId === order.id)).toEqual([]);
  expect((await store.tijara.listPayments(order.id))[0]!.status).toBe('pending');
});
