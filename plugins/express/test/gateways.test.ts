/**
 * Issue 10's plugin parts: a chargeback end to end on the sandbox, the return route (GET and POST, through the
 * driver's return resolution), several gateways in one app sharing one ledger, and every kind of next action at
 * checkout.
 */
import type { RunningSandbox } from '@tijara/sandbox';
import { ActionGateway } from './support/action-gateway.js';
import {
  CARDS,
  eventually,
  payOnSandbox,
  postForm,
  startStore,
  startTestSandbox,
  ummahDriver,
  type StoreHarness,
} from './support/harness.js';

let sandbox: RunningSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

const eventsOf = (store: StoreHarness, orderId: string) =>
  store.events.filter((e) => e.orderId === orderId).map((e) => [e.type, e.gateway, e.amount]);

describe('a chargeback', () => {
  let store: StoreHarness;
  beforeAll(async () => {
    store = await startStore({ sandbox });
  });
  afterAll(async () => {
    await store.close();
  });

  test('the bank takes a paid order back: the store hears payment.disputed once, and nothing is left to refund', async () => {
    const order = store.createOrder({
      amount: 8_000,
      lineItems: [{ name: 'Lamp', price: 8_000, quantity: 1 }],
    });
    await postForm(`${store.url}/payments/checkout`, { orderId: order.id });
    const [payment] = await store.tijara.listPayments(order.id);
    await payOnSandbox(sandbox, payment!.paymentId, CARDS.ok);
    await eventually(async () => {
      await sandbox.settle();
      expect(eventsOf(store, order.id)).toEqual([['payment.paid', 'ummah', 8_000]]);
    });

    const chargeback = await fetch(
      `${sandbox.url}/__sandbox/ummah/purchases/${payment!.paymentId}/chargeback`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      },
    );
    expect(chargeback.status).toBe(200);
    await eventually(async () => {
      await sandbox.settle();
      expect(eventsOf(store, order.id)).toEqual([
        ['payment.paid', 'ummah', 8_000],
        ['payment.disputed', 'ummah', 8_000],
      ]);
    });
    expect((await store.tijara.listPayments(order.id))[0]).toMatchObject({ status: 'disputed' });
    // The gateway's retries and the reconciler change nothing more.
    await store.tijara.settleOrder(order.id);
    await store.tijara.reconcile();
    expect(eventsOf(store, order.id)).toHaveLength(2);
    const refund = await postForm(`${store.url}/payments/admin/orders/${order.id}/refund`, {});
    expect(refund.status).toBe(409);
    expect(((await refund.json()) as { error: string }).error).toBe('nothing_to_refund');
  });
});

describe('several gateways in one app', () => {
  let store: StoreHarness;
  const actions = new ActionGateway();

  beforeAll(async () => {
    const ummah = ummahDriver(sandbox);
    store = await startStore({
      sandbox,
      driver: ummah,
      plugin: {
        driver: undefined,
        gateways: { ummah, actions: actions.driver },
        defaultGateway: 'ummah',
      },
    });
  });
  afterAll(async () => {
    await store.close();
  });

  test('each gateway has its own webhook URL; the default one keeps /webhook', () => {
    expect(store.tijara.webhookUrl).toBe(`${store.url}/payments/webhook`);
    expect(store.tijara.webhookUrls).toEqual({
      ummah: `${store.url}/payments/webhook/ummah`,
      actions: `${store.url}/payments/webhook/actions`,
    });
    expect(Object.keys(store.tijara.pipelines)).toEqual(['ummah', 'actions']);
  });

  test('checkout picks the gateway the form names, and the ledger records it on each attempt', async () => {
    actions.nextAction = (id) => ({
      type: 'redirect',
      method: 'GET',
      url: `https://pay.actions.example/${id}`,
    });
    const order = store.createOrder();
    const onActions = await postForm(`${store.url}/payments/checkout`, {
      orderId: order.id,
      gateway: 'actions',
    });
    expect(onActions.status).toBe(303);
    expect(onActions.headers.get('location')).toMatch(/^https:\/\/pay\.actions\.example\/act_/);
    // The buyer changes their mind: the open page on the first gateway is cancelled, the second attempt is Ummah.
    const onUmmah = await postForm(`${store.url}/payments/checkout`, { orderId: order.id });
    expect(onUmmah.headers.get('location')?.startsWith(`${sandbox.url}/checkout/`)).toBe(true);
    const payments = await store.tijara.listPayments(order.id);
    expect(payments.map((p) => [p.attempt, p.gateway, p.status])).toEqual([
      [1, 'actions', 'canceled'],
      [2, 'ummah', 'pending'],
    ]);
    await payOnSandbox(sandbox, payments[1]!.paymentId, CARDS.ok);
    await eventually(async () => {
      await sandbox.settle();
      expect(eventsOf(store, order.id)).toEqual([
        ['payment.canceled', 'actions', 12_500],
        ['payment.paid', 'ummah', 12_500],
      ]);
    });
    const unknown = await postForm(`${store.url}/payments/checkout`, { orderId: order.id, gateway: 'nope' });
    expect(unknown.status).toBe(400);
    expect((await fetch(`${store.url}/payments/webhook/nope`, { method: 'POST' })).status).toBe(404);
  });

  test('a return is resolved by its own gateway, by GET or POST, and one naming another payment settles nothing', async () => {
    actions.nextAction = (id) => ({
      type: 'redirect',
      method: 'GET',
      url: `https://pay.actions.example/${id}`,
    });
    const order = store.createOrder();
    await postForm(`${store.url}/payments/checkout`, { orderId: order.id, gateway: 'actions' });
    const [payment] = await store.tijara.listPayments(order.id);
    actions.pay(payment!.paymentId);

    const forged = await fetch(`${store.url}/payments/return/${order.id}/1/success?ref=act_999`, {
      redirect: 'manual',
    });
    expect(forged.status).toBe(303);
    expect((await store.tijara.listPayments(order.id))[0]?.status).toBe('pending');

    const posted = await fetch(`${store.url}/payments/return/${order.id}/1/success?from=widget`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ref: payment!.paymentId }).toString(),
    });
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe(`${store.url}/orders/${order.id}`);
    expect(actions.resolved.at(-1)).toEqual({
      query: { from: 'widget' },
      form: { ref: payment!.paymentId },
      paymentId: payment!.paymentId,
    });
    expect(eventsOf(store, order.id)).toEqual([['payment.paid', 'actions', 12_500]]);
    const again = await fetch(
      `${store.url}/payments/return/${order.id}/1/success?ref=${payment!.paymentId}`,
      {
        redirect: 'manual',
      },
    );
    expect(again.status).toBe(303);
    expect(eventsOf(store, order.id)).toHaveLength(1);
    expect(
      (await fetch(`${store.url}/payments/return/${order.id}/1/success`, { method: 'PUT' })).status,
    ).toBe(405);
  });

  test('a refund on a gateway that cannot refund is refused with the reason, and nothing is written', async () => {
    actions.nextAction = (id) => ({
      type: 'redirect',
      method: 'GET',
      url: `https://pay.actions.example/${id}`,
    });
    const order = store.createOrder();
    await postForm(`${store.url}/payments/checkout`, { orderId: order.id, gateway: 'actions' });
    const [payment] = await store.tijara.listPayments(order.id);
    actions.pay(payment!.paymentId);
    await fetch(`${store.url}/payments/return/${order.id}/1/success?ref=${payment!.paymentId}`, {
      redirect: 'manual',
    });
    expect((await store.tijara.listPayments(order.id))[0]?.status).toBe('paid');

    const refund = await postForm(`${store.url}/payments/admin/orders/${order.id}/refund`, {
      amount: '1000',
      refundId: `re-${order.id}`,
    });
    expect(refund.status).toBe(422);
    expect(await refund.json()).toMatchObject({
      error: 'unsupported_operation',
      message: 'actions does not support refund',
    });
    expect(await store.tijara.listRefunds(order.id)).toEqual([]);
    expect(await store.tijara.ledger.operations.get(`re-${order.id}`)).toBeUndefined();
    expect(eventsOf(store, order.id)).toEqual([['payment.paid', 'actions', 12_500]]);
  });
});

describe('next actions at checkout', () => {
  let store: StoreHarness;
  const actions = new ActionGateway();
  let customPage = false;

  beforeAll(async () => {
    store = await startStore({
      sandbox,
      registerWebhook: false,
      plugin: {
        driver: actions.driver,
        actionPage: ({ orderId, nextAction }) =>
          customPage ? `<p>Order ${orderId}: the store's own ${nextAction.type} page</p>` : undefined,
      },
    });
  });
  afterAll(async () => {
    await store.close();
  });

  async function checkout(accept = 'text/html') {
    const order = store.createOrder();
    const response = await fetch(`${store.url}/payments/checkout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept },
      body: new URLSearchParams({ orderId: order.id }).toString(),
    });
    return { order, response, text: await response.text() };
  }

  test('a form to post: an auto-submitting page with the fields, escaped', async () => {
    actions.nextAction = () => ({
      type: 'redirect',
      method: 'POST',
      url: 'https://pay.actions.example/form',
      fields: { token: 'tok"<1>', amount: '12500' },
    });
    const { response, text } = await checkout();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(text).toContain('<form id="tijara-pay" method="post" action="https://pay.actions.example/form">');
    expect(text).toContain('<input type="hidden" name="token" value="tok&quot;&lt;1&gt;">');
    expect(text).toContain('<input type="hidden" name="amount" value="12500">');
    expect(text).toContain('.submit()');
  });

  test('a widget with its own page is a redirect; without one, a page loading its script; JSON clients get the action', async () => {
    actions.nextAction = (id) => ({
      type: 'widget',
      script: 'https://widget.actions.example/w.js',
      url: `https://widget.actions.example/pay/${id}`,
      params: { payment_id: id },
    });
    const hosted = await checkout();
    expect(hosted.response.status).toBe(303);
    expect(hosted.response.headers.get('location')).toMatch(/^https:\/\/widget\.actions\.example\/pay\/act_/);

    actions.nextAction = (id) => ({
      type: 'widget',
      script: 'https://widget.actions.example/w.js',
      params: { payment_id: id },
    });
    const plain = await checkout();
    expect(plain.response.status).toBe(200);
    expect(plain.text).toMatch(/<div id="tijara-widget" data-payment-id="act_\d+"><\/div>/);
    expect(plain.text).toContain('<script src="https://widget.actions.example/w.js" async></script>');

    const json = await checkout('application/json');
    expect(json.response.status).toBe(200);
    const body = JSON.parse(json.text) as { nextAction: { type: string; params: Record<string, string> } };
    expect(body.nextAction).toMatchObject({
      type: 'widget',
      params: { payment_id: expect.stringMatching(/^act_/) },
    });

    customPage = true;
    try {
      const custom = await checkout();
      expect(custom.text).toBe(`<p>Order ${custom.order.id}: the store's own widget page</p>`);
    } finally {
      customPage = false;
    }
  });

  test('a gateway that answers a script: URL is refused rather than put in a page', async () => {
    actions.nextAction = () => ({ type: 'redirect', method: 'POST', url: 'javascript:alert(1)', fields: {} });
    const { response, text } = await checkout();
    expect(response.status).toBe(500);
    expect(text).not.toContain('javascript:');
  });
});
