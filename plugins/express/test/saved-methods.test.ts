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

const customer = (id: string) => ({ id, email: `${id}@example.com`, name: 'Saver' });

async function firstOrderSavingCard(customerId: string) {
  const order = store.createOrder({ customer: customer(customerId) });
  await postForm(`${store.url}/payments/checkout`, { orderId: order.id, saveMethod: 'on' });
  const [payment] = await store.tijara.listPayments(order.id);
  expect(payment!.saveMethod).toBe(true);
  await payOnSandbox(sandbox, payment!.paymentId, CARDS.ok, { remember_card: true });
  await fetch(`${store.url}/payments/return/${order.id}/1/success`, { redirect: 'manual' });
  return eventually(async () => {
    const methods = await store.tijara.listSavedMethods(customerId);
    expect(methods).toHaveLength(1);
    return methods[0]!;
  });
}

test('a card saved on the first order pays the second in one click, without a redirect to the gateway', async () => {
  const method = await firstOrderSavingCard('cust-one-click');
  expect(method).toMatchObject({ customerKey: 'cust-one-click', last4: '4242' });

  const second = store.createOrder({ customer: customer('cust-one-click'), amount: 4200 });
  const response = await postForm(`${store.url}/payments/checkout`, {
    orderId: second.id,
    savedMethodId: method.id,
  });
  expect(response.status).toBe(303);
  expect(response.headers.get('location')).toBe(`${store.url}/orders/${second.id}`);
  const [payment] = await store.tijara.listPayments(second.id);
  expect(payment).toMatchObject({ kind: 'saved_method', status: 'paid', amount: 4200 });
  await sandbox.settle();
  await eventually(() =>
    expect(
      store.events.filter((e) => e.orderId === second.id).map((e) => [e.type, e.amount, e.kind]),
    ).toEqual([['payment.paid', 4200, 'saved_method']]),
  );
});

test("a customer cannot pay with someone else's saved card", async () => {
  const method = await firstOrderSavingCard('cust-owner');
  const thief = store.createOrder({ customer: customer('cust-thief') });
  const response = await postForm(`${store.url}/payments/checkout`, {
    orderId: thief.id,
    savedMethodId: method.id,
  });
  expect(response.status).toBe(404);
  expect(await store.tijara.listPayments(thief.id)).toEqual([]);
});

test('deleting a saved card detaches it at the gateway; a later one-click is refused', async () => {
  const method = await firstOrderSavingCard('cust-delete');
  const denied = await postForm(`${store.url}/payments/admin/saved-methods/${method.id}/delete`, {
    customerId: 'cust-other',
  });
  expect(denied.status).toBe(404);
  const deleted = await postForm(`${store.url}/payments/admin/saved-methods/${method.id}/delete`, {
    customerId: 'cust-delete',
  });
  expect(deleted.status).toBe(200);
  expect(await store.tijara.listSavedMethods('cust-delete')).toEqual([]);
  const token = await store.driver.retrievePayment(method.token);
  expect(token.savedMethod).toBeUndefined();

  const order = store.createOrder({ customer: customer('cust-delete') });
  const response = await postForm(`${store.url}/payments/checkout`, {
    orderId: order.id,
    savedMethodId: method.id,
  });
  expect(response.status).toBe(404);
});

test('guests (no customer id) never get a card saved', async () => {
  const order = store.createOrder({ customer: { email: 'guest@example.com' } });
  await postForm(`${store.url}/payments/checkout`, { orderId: order.id, saveMethod: 'on' });
  const [payment] = await store.tijara.listPayments(order.id);
  expect(payment!.saveMethod).toBe(false);
});
