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
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

const typesFor = (store: StoreHarness, orderId: string) =>
  store.events.filter((e) => e.orderId === orderId).map((e) => `${e.type}#${e.attempt}`);

describe.each([5, 4] as const)('checkout on Express %i', (expressVersion) => {
  let store: StoreHarness;
  beforeAll(async () => {
    store = await startStore({ sandbox, expressVersion });
  });
  afterAll(async () => {
    await store.close();
  });

  async function checkout(orderId: string, fields: Record<string, string> = {}) {
    const response = await postForm(`${store.url}/payments/checkout`, { orderId, ...fields });
    return { status: response.status, location: response.headers.get('location') ?? '' };
  }

  test('pays: 303 to the hosted page, then one payment.paid from webhook and return together', async () => {
    const order = store.createOrder();
    const { status, location } = await checkout(order.id);
    expect(status).toBe(303);
    expect(location.startsWith(`${sandbox.url}/checkout/`)).toBe(true);
    const [payment] = await store.tijara.listPayments(order.id);
    expect(payment).toMatchObject({
      attempt: 1,
      status: 'pending',
      amount: 12_500,
      currency: 'MYR',
      kind: 'hosted',
    });

    expect((await payOnSandbox(sandbox, payment!.paymentId, CARDS.ok)).status).toBe('paid');
    const back = await fetch(`${store.url}/payments/return/${order.id}/1/success`, { redirect: 'manual' });
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe(`${store.url}/orders/${order.id}`);
    await sandbox.settle();
    await eventually(() => expect(typesFor(store, order.id)).toEqual(['payment.paid#1']));
    expect(store.events.find((e) => e.orderId === order.id)).toMatchObject({
      amount: 12_500,
      currency: 'MYR',
    });
    // Paying again is refused without a second payment: the buyer goes to the order page.
    const again = await checkout(order.id);
    expect(again).toEqual({ status: 303, location: `${store.url}/orders/${order.id}` });
    expect(await store.tijara.listPayments(order.id)).toHaveLength(1);
  });

  test('a declined card fails the order, and the buyer can retry with a new payment', async () => {
    const order = store.createOrder();
    await checkout(order.id);
    const [first] = await store.tijara.listPayments(order.id);
    expect((await payOnSandbox(sandbox, first!.paymentId, CARDS.declined)).status).toBe('error');
    const back = await fetch(`${store.url}/payments/return/${order.id}/1/failure`, { redirect: 'manual' });
    expect(back.headers.get('location')).toBe(`${store.url}/orders/${order.id}`);
    await sandbox.settle();
    expect(typesFor(store, order.id)).toEqual(['payment.failed#1']);

    const retry = await checkout(order.id);
    expect(retry.location.startsWith(`${sandbox.url}/checkout/`)).toBe(true);
    const attempts = await store.tijara.listPayments(order.id);
    expect(attempts.map((p) => [p.attempt, p.status])).toEqual([
      [1, 'canceled'],
      [2, 'pending'],
    ]);
    await payOnSandbox(sandbox, attempts[1]!.paymentId, CARDS.ok);
    await fetch(`${store.url}/payments/return/${order.id}/2/success`, { redirect: 'manual' });
    await sandbox.settle();
    await eventually(() =>
      expect(typesFor(store, order.id)).toEqual(['payment.failed#1', 'payment.canceled#1', 'payment.paid#2']),
    );
  });

  test('3-D Secure: the challenge passes and the order is paid', async () => {
    const order = store.createOrder();
    await checkout(order.id);
    const [payment] = await store.tijara.listPayments(order.id);
    expect(
      (await payOnSandbox(sandbox, payment!.paymentId, CARDS.threeDs, { challenge: 'pass' })).status,
    ).toBe('paid');
    await fetch(`${store.url}/payments/return/${order.id}/1/success`, { redirect: 'manual' });
    await eventually(() => expect(typesFor(store, order.id)).toEqual(['payment.paid#1']));
  });

  test('cancel on the hosted page goes back to the cart; the order is not failed and checkout reuses the page', async () => {
    const order = store.createOrder();
    const first = await checkout(order.id);
    const back = await fetch(`${store.url}/payments/return/${order.id}/1/cancel`, { redirect: 'manual' });
    expect(back.headers.get('location')).toBe(`${store.url}/cart`);
    await sandbox.settle();
    expect(typesFor(store, order.id)).toEqual([]);
    const again = await checkout(order.id);
    expect(again.location).toBe(first.location);
    expect(await store.tijara.listPayments(order.id)).toHaveLength(1);
  });

  test('a double-clicked checkout creates one payment', async () => {
    const order = store.createOrder();
    const results = await Promise.all([checkout(order.id), checkout(order.id), checkout(order.id)]);
    expect(new Set(results.map((r) => r.location)).size).toBe(1);
    expect(await store.tijara.listPayments(order.id)).toHaveLength(1);
  });

  test('checkout refuses unknown orders, other sites, and bodies it does not understand', async () => {
    expect((await checkout('no-such-order')).status).toBe(404);
    const order = store.createOrder();
    const crossSite = await postForm(
      `${store.url}/payments/checkout`,
      { orderId: order.id },
      { origin: 'https://evil.example' },
    );
    expect(crossSite.status).toBe(403);
    const text = await fetch(`${store.url}/payments/checkout`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: `orderId=${order.id}`,
    });
    expect(text.status).toBe(415);
    const huge = await postForm(`${store.url}/payments/checkout`, {
      orderId: order.id,
      pad: 'x'.repeat(64 * 1024),
    });
    expect(huge.status).toBe(413);
    const get = await fetch(`${store.url}/payments/checkout`);
    expect(get.status).toBe(405);
    expect(await store.tijara.listPayments(order.id)).toEqual([]);
  });

  test('API clients get JSON instead of redirects', async () => {
    const order = store.createOrder();
    const response = await fetch(`${store.url}/payments/checkout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ orderId: order.id }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { redirectUrl: string; payment: Record<string, unknown> };
    expect(body.redirectUrl.startsWith(`${sandbox.url}/checkout/`)).toBe(true);
    expect(body.payment).toMatchObject({ orderId: order.id, status: 'pending', amount: 12_500 });
  });
});
