import { randomUUID } from 'node:crypto';
import { RefundLimitError } from '@tijara/express';
import type { RunningSandbox } from '@tijara/sandbox';
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

const eventsOf = (orderId: string) =>
  store.events.filter((e) => e.orderId === orderId).map((e) => [e.type, e.amount, e.refundedAmount]);

async function paidOrder(capture: 'automatic' | 'manual') {
  const order = store.createOrder({
    amount: 10_000,
    capture,
    lineItems: [{ name: 'Oud', price: 10_000, quantity: 1 }],
  });
  await postForm(`${store.url}/payments/checkout`, { orderId: order.id });
  const [payment] = await store.tijara.listPayments(order.id);
  await payOnSandbox(sandbox, payment!.paymentId, CARDS.ok);
  await fetch(`${store.url}/payments/return/${order.id}/1/success`, { redirect: 'manual' });
  return { order, paymentId: payment!.paymentId };
}

test('manual capture: hold → capture from admin → paid → two partial refunds → a third over the cap is refused', async () => {
  const { order, paymentId } = await paidOrder('manual');
  await eventually(() => expect(eventsOf(order.id)).toEqual([['payment.authorized', 10_000, 0]]));

  const captured = await postForm(`${store.url}/payments/admin/orders/${order.id}/capture`, {});
  expect(captured.status).toBe(200);
  expect(((await captured.json()) as { payment: { status: string } }).payment.status).toBe('paid');

  const refund = (fields: Record<string, string>) =>
    postForm(`${store.url}/payments/admin/orders/${order.id}/refund`, fields);
  expect((await refund({ amount: '3000' })).status).toBe(200);
  expect((await refund({ amountDecimal: '20.00', reason: 'damaged box' })).status).toBe(200);
  await sandbox.settle();
  await eventually(() =>
    expect(eventsOf(order.id)).toEqual([
      ['payment.authorized', 10_000, 0],
      ['payment.paid', 10_000, 0],
      ['payment.refunded', 3000, 3000],
      ['payment.refunded', 2000, 5000],
    ]),
  );

  const before = {
    refunds: await store.tijara.listRefunds(order.id),
    gateway: await store.driver.retrievePayment(paymentId),
  };
  const over = await refund({ amount: '6000' });
  expect(over.status).toBe(422);
  expect(await over.json()).toEqual({
    error: 'refund_exceeds_refundable',
    message: 'Cannot refund 60.00 MYR: only 50.00 MYR can still be refunded.',
    refundable: 5000,
    currency: 'MYR',
  });
  await expect(store.tijara.refund(order.id, { amount: 5001 })).rejects.toBeInstanceOf(RefundLimitError);
  // Nothing changed: no refund row, no gateway refund, no event.
  expect(await store.tijara.listRefunds(order.id)).toEqual(before.refunds);
  expect((await store.driver.retrievePayment(paymentId)).refundedAmount).toBe(before.gateway.refundedAmount);
  expect(eventsOf(order.id)).toHaveLength(4);

  // A form post with a redirect gets the message back on the page instead.
  const fromPage = await postForm(`${store.url}/payments/admin/orders/${order.id}/refund`, {
    amount: '6000',
    redirect: '/admin',
  });
  expect(fromPage.status).toBe(303);
  const location = new URL(fromPage.headers.get('location') ?? '');
  expect(location.pathname).toBe('/admin');
  expect(location.searchParams.get('error')).toBe('refund_exceeds_refundable');
  expect(location.searchParams.get('message')).toBe(
    'Cannot refund 60.00 MYR: only 50.00 MYR can still be refunded.',
  );
});

test.each([
  // 3 decimals: "1.234" KWD is 1234 fils; a fourth non-zero decimal is refused, never rounded.
  [
    'KWD',
    12_345,
    '1.234',
    1_234,
    '0.0005',
    '12.000',
    'Cannot refund 12.000 KWD: only 11.111 KWD can still be refunded.',
  ],
  // No minor unit: "500" JPY is 500 yen; "0.5" cannot be paid out.
  ['JPY', 1_500, '500', 500, '0.5', '1001', 'Cannot refund 1001 JPY: only 1000 JPY can still be refunded.'],
])(
  '%s: checkout charges the exact minor units and amountDecimal refunds use the ISO 4217 decimals',
  async (currency, amount, decimal, minor, tooPrecise, tooMuch, limitMessage) => {
    const order = store.createOrder({
      amount,
      currency,
      capture: 'automatic',
      lineItems: [{ name: 'Oud', price: amount, quantity: 1 }],
    });
    await postForm(`${store.url}/payments/checkout`, { orderId: order.id });
    const [payment] = await store.tijara.listPayments(order.id);
    expect(await store.driver.retrievePayment(payment!.paymentId)).toMatchObject({ amount, currency });
    await payOnSandbox(sandbox, payment!.paymentId, CARDS.ok);
    await fetch(`${store.url}/payments/return/${order.id}/1/success`, { redirect: 'manual' });
    await eventually(() => expect(eventsOf(order.id)).toEqual([['payment.paid', amount, 0]]));

    const refund = (amountDecimal: string) =>
      postForm(`${store.url}/payments/admin/orders/${order.id}/refund`, { amountDecimal });
    expect((await refund(decimal)).status).toBe(200);
    expect((await store.driver.retrievePayment(payment!.paymentId)).refundedAmount).toBe(minor);

    const refused = await refund(tooPrecise);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toBe('invalid_amount');
    const over = await refund(tooMuch);
    expect(over.status).toBe(422);
    expect(((await over.json()) as { message: string }).message).toBe(limitMessage);
    // Neither refused refund reached the gateway or the ledger.
    expect((await store.driver.retrievePayment(payment!.paymentId)).refundedAmount).toBe(minor);
    expect((await store.tijara.listRefunds(order.id)).map((r) => r.amount)).toEqual([minor]);
  },
);

test('a refund id makes a double submit refund once', async () => {
  const { order, paymentId } = await paidOrder('automatic');
  const refundId = `re_${randomUUID()}`;
  const results = await Promise.all([
    store.tijara.refund(order.id, { amount: 1500, refundId }),
    store.tijara.refund(order.id, { amount: 1500, refundId }),
  ]);
  expect(results.map((r) => r.id)).toEqual([refundId, refundId]);
  expect((await store.driver.retrievePayment(paymentId)).refundedAmount).toBe(1500);
  await expect(store.tijara.refund(order.id, { amount: 999, refundId })).rejects.toMatchObject({
    code: 'refund_id_reused',
  });
  await eventually(() =>
    expect(eventsOf(order.id).filter(([type]) => type === 'payment.refunded')).toEqual([
      ['payment.refunded', 1500, 1500],
    ]),
  );
});

test('release lets a hold go; capture and refund of an order without money are clear conflicts', async () => {
  const { order } = await paidOrder('manual');
  const released = await postForm(`${store.url}/payments/admin/orders/${order.id}/release`, {});
  expect(released.status).toBe(200);
  await eventually(() =>
    expect(eventsOf(order.id).map(([type]) => type)).toEqual(['payment.authorized', 'payment.canceled']),
  );
  const capture = await postForm(`${store.url}/payments/admin/orders/${order.id}/capture`, {});
  expect(capture.status).toBe(409);
  expect(((await capture.json()) as { error: string }).error).toBe('nothing_to_capture');
  const refund = await postForm(`${store.url}/payments/admin/orders/${order.id}/refund`, { amount: '1' });
  expect(refund.status).toBe(409);

  const state = await fetch(`${store.url}/payments/admin/orders/${order.id}`);
  expect(
    ((await state.json()) as { payments: Array<{ status: string }> }).payments.map((p) => p.status),
  ).toEqual(['canceled']);
});

test('admin routes answer only when the store authorizes the request', async () => {
  const guarded = await startStore({
    sandbox,
    registerWebhook: false,
    plugin: { admin: { authorize: (req) => req.headers['x-admin'] === 'yes' } },
  });
  try {
    const order = guarded.createOrder();
    expect((await postForm(`${guarded.url}/payments/admin/orders/${order.id}/capture`, {})).status).toBe(401);
    expect(
      (await postForm(`${guarded.url}/payments/admin/orders/${order.id}/capture`, {}, { 'x-admin': 'yes' }))
        .status,
    ).toBe(409);
  } finally {
    await guarded.close();
  }
  const noAdmin = await startStore({ sandbox, registerWebhook: false, plugin: { admin: undefined } });
  try {
    expect((await postForm(`${noAdmin.url}/payments/admin/orders/x/capture`, {})).status).toBe(404);
  } finally {
    await noAdmin.close();
  }
});
