import { createUmmahDriver } from '@tijara/ummah';
import type { RunningSandbox } from '../src/index.js';
import {
  client,
  control,
  createPurchase,
  pay,
  start,
  startReceiver,
  SUCCESS_CARD,
  type Client,
  type Json,
  type Receiver,
} from './helpers.js';

/**
 * Ummah's later life (seed 004's status list): slow acquirer steps that pass through `pending_*` and complete on
 * the sandbox clock, clearing, settlement and chargebacks — each with its webhook, each readable by the driver.
 */
let sandbox: RunningSandbox;
let api: Client;
let receiver: Receiver;
let webhookKey: string;

beforeAll(async () => {
  // Real-time retries off the table: only the sandbox clock completes steps here.
  sandbox = await start({ webhookTimeScale: 1 });
  api = client(sandbox);
  receiver = await startReceiver();
  webhookKey = (await api.post('/webhooks/', { callback: `${receiver.url}/hooks`, all_events: true })).body
    .public_key;
});
afterAll(async () => {
  await receiver.close();
  await sandbox.close();
});

const ummah = (path: string, body: unknown = {}) => control(sandbox, 'POST', `/ummah/purchases${path}`, body);

/** Event types delivered to the webhook about one purchase, in order. */
async function eventsFor(id: string): Promise<string[]> {
  await sandbox.settle();
  return receiver.requests.filter((r) => r.json?.object?.id === id).map((r) => String(r.json.type));
}

async function paidPurchase(overrides: Record<string, unknown> = {}): Promise<Json> {
  const purchase = await createPurchase(api, sandbox.brandId, overrides);
  expect((await pay(sandbox, purchase.id)).status).toBe(200);
  return purchase;
}

const statusOf = async (id: string) => (await api.get(`/purchases/${id}/`)).body.status as string;

test('a delayed capture goes pending_capture, then completes on the clock', async () => {
  const purchase = await paidPurchase({ skip_capture: true });
  expect(await statusOf(purchase.id)).toBe('hold');
  const armed = await ummah(`/${purchase.id}/delay`, { action: 'capture', seconds: 120 });
  expect(armed.body).toEqual({ purchase_id: purchase.id, action: 'capture', seconds: 120 });

  const captured = await api.post(`/purchases/${purchase.id}/capture/`, { amount: 2000 });
  expect(captured.status).toBe(200);
  expect(captured.body.status).toBe('pending_capture');
  expect((await api.post(`/purchases/${purchase.id}/capture/`, {})).status).toBe(409);
  expect((await api.post(`/purchases/${purchase.id}/release/`, {})).status).toBe(409);
  expect((await api.get('/balance/')).body.balance).toEqual([]);

  await sandbox.advanceClock(119);
  expect(await statusOf(purchase.id)).toBe('pending_capture');
  await sandbox.advanceClock(2);
  const after = (await api.get(`/purchases/${purchase.id}/`)).body;
  expect(after).toMatchObject({ status: 'paid', refundable_amount: 2000, payment: { amount: 2000 } });
  expect(after.status_history.map((h: Json) => h.status)).toEqual([
    'created',
    'hold',
    'pending_capture',
    'paid',
  ]);
  expect(await eventsFor(purchase.id)).toEqual([
    'purchase.created',
    'purchase.hold',
    'purchase.pending_capture',
    'purchase.captured',
  ]);
  expect((await api.get('/balance/')).body.balance).toEqual([{ currency: 'USD', amount: 2000 }]);

  // Armed once: the next capture-able purchase captures at once again.
  const next = await paidPurchase({ skip_capture: true });
  expect((await api.post(`/purchases/${next.id}/capture/`, {})).body.status).toBe('paid');
});

test('a delayed release answers pending_release, then releases', async () => {
  const purchase = await paidPurchase({ skip_capture: true });
  await ummah(`/${purchase.id}/delay`, { action: 'release', seconds: 30 });
  expect((await api.post(`/purchases/${purchase.id}/release/`, {})).body).toEqual({
    status: 'pending_release',
  });
  await sandbox.advanceClock(30);
  expect(await statusOf(purchase.id)).toBe('released');
  expect((await eventsFor(purchase.id)).slice(-2)).toEqual(['purchase.pending_release', 'purchase.released']);
});

test('a delayed refund is pending, holds its amount, and completes with both refund webhooks', async () => {
  const purchase = await paidPurchase();
  await ummah(`/${purchase.id}/delay`, { action: 'refund', seconds: 60 });
  const refund = await api.post(`/purchases/${purchase.id}/refund/`, { amount: 500, reference: 'R-1' });
  expect(refund.status).toBe(200);
  expect(refund.body).toMatchObject({
    status: 'pending',
    amount: 500,
    reference: 'R-1',
    purchase: purchase.id,
  });
  const pending = (await api.get(`/purchases/${purchase.id}/`)).body;
  expect(pending).toMatchObject({ status: 'pending_refund', refundable_amount: 2499 });
  expect(pending.status_history.at(-1)).toMatchObject({
    status: 'pending_refund',
    related_object: { type: 'payment', id: refund.body.id },
  });
  expect((await api.post(`/purchases/${purchase.id}/refund/`, { amount: 1 })).status).toBe(409);

  await sandbox.advanceClock(60);
  expect((await api.get(`/purchases/${purchase.id}/`)).body).toMatchObject({
    status: 'refunded',
    refundable_amount: 2499,
  });
  await sandbox.settle();
  const refundEvent = receiver.requests.find(
    (r) => r.json?.type === 'payment.refunded' && r.json.object.id === refund.body.id,
  );
  expect(refundEvent?.json.object).toMatchObject({ status: 'refunded', amount: 500 });
  expect((await eventsFor(purchase.id)).slice(-2)).toEqual(['purchase.pending_refund', 'purchase.refunded']);
});

test('a delayed charge of a saved card answers pending_charge, then pays (or fails) on the clock', async () => {
  const saved = await paidPurchase({ force_recurring: true });
  const receiverCallback = `${receiver.url}/callback`;

  const ok = await createPurchase(api, sandbox.brandId, { success_callback: receiverCallback });
  await ummah(`/${ok.id}/delay`, { action: 'charge', seconds: 10 });
  const charged = await api.post(`/purchases/${ok.id}/charge/`, { recurring_token: saved.id });
  expect(charged.status).toBe(200);
  expect(charged.body).toMatchObject({ status: 'pending_charge', recurring_token: saved.id });
  await sandbox.advanceClock(10);
  expect(await statusOf(ok.id)).toBe('paid');
  expect(await eventsFor(ok.id)).toEqual(['purchase.created', 'purchase.pending_charge', 'purchase.paid']);
  expect(receiver.requests.filter((r) => r.path === '/callback' && r.json?.id === ok.id)).toHaveLength(1);

  const failing = await createPurchase(api, sandbox.brandId);
  await ummah(`/${failing.id}/delay`, { action: 'charge', seconds: 10, outcome: 'failure' });
  expect((await api.post(`/purchases/${failing.id}/charge/`, { recurring_token: saved.id })).status).toBe(
    200,
  );
  await sandbox.advanceClock(10);
  expect((await api.get(`/purchases/${failing.id}/`)).body).toMatchObject({
    status: 'error',
    transaction_data: { attempts: [{ type: 'recurring_execute', successful: false }] },
  });
  expect((await eventsFor(failing.id)).at(-1)).toBe('purchase.payment_failure');

  // Without a forced outcome, the saved card decides: this one declines every later charge.
  const renewal = await createPurchase(api, sandbox.brandId);
  const declineSource = await createPurchase(api, sandbox.brandId, { force_recurring: true });
  await pay(sandbox, declineSource.id, '4000 0000 0000 0341');
  await ummah(`/${renewal.id}/delay`, { action: 'charge', seconds: 5 });
  expect(
    (await api.post(`/purchases/${renewal.id}/charge/`, { recurring_token: declineSource.id })).status,
  ).toBe(200);
  await sandbox.advanceClock(5);
  expect(await statusOf(renewal.id)).toBe('error');
});

test('a delayed payment goes pending_execute; the buyer returns to the shop; it completes on the clock', async () => {
  const purchase = await createPurchase(api, sandbox.brandId);
  await ummah(`/${purchase.id}/delay`, { action: 'execute', seconds: 45 });
  const submitted = await fetch(purchase.checkout_url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      card_number: SUCCESS_CARD,
      expires: '12/39',
      cvc: '123',
      cardholder_name: 'Amina Buyer',
    }),
  });
  expect(submitted.status).toBe(303);
  expect(submitted.headers.get('location')).toBe('https://shop.example/success');
  expect(await statusOf(purchase.id)).toBe('pending_execute');
  expect(await (await fetch(purchase.checkout_url)).text()).toContain('being processed');
  expect((await pay(sandbox, purchase.id)).status).toBe(409);
  await sandbox.advanceClock(45);
  expect(await statusOf(purchase.id)).toBe('paid');
  // The form was posted without opening the page first, so no purchase.viewed.
  expect(await eventsFor(purchase.id)).toEqual([
    'purchase.created',
    'purchase.pending_execute',
    'purchase.paid',
  ]);

  const hold = await createPurchase(api, sandbox.brandId, { skip_capture: true });
  await ummah(`/${hold.id}/delay`, { action: 'execute', seconds: 5, outcome: 'failure' });
  expect((await pay(sandbox, hold.id)).body.status).toBe('pending_execute');
  await sandbox.advanceClock(5);
  expect(await statusOf(hold.id)).toBe('error');
  expect((await eventsFor(hold.id)).at(-1)).toBe('purchase.payment_failure');
});

test('cleared, then settled; a settled purchase still refunds', async () => {
  const purchase = await paidPurchase();
  const cleared = await ummah(`/${purchase.id}/clear`);
  expect(cleared.body.status).toBe('cleared');
  const scheduled = await ummah(`/${purchase.id}/settle`, { seconds: 86_400 });
  expect(scheduled.body).toEqual({
    scheduled: { purchase_id: purchase.id, action: 'settle', due_on: expect.any(Number) },
  });
  expect(await statusOf(purchase.id)).toBe('cleared');
  await sandbox.advanceClock(86_400);
  expect(await statusOf(purchase.id)).toBe('settled');
  expect((await eventsFor(purchase.id)).slice(-2)).toEqual(['purchase.cleared', 'purchase.settled']);
  const refund = await api.post(`/purchases/${purchase.id}/refund/`, { amount: 999 });
  expect(refund.body.status).toBe('refunded');
  expect(await statusOf(purchase.id)).toBe('refunded');

  const hold = await paidPurchase({ skip_capture: true });
  expect((await ummah(`/${hold.id}/clear`)).status).toBe(409);
  expect((await ummah(`/${hold.id}/settle`, { seconds: 10 })).status).toBe(409);
});

test('a chargeback takes back what is left, ends refunds, debits the balance, and the driver sees a dispute', async () => {
  const purchase = await paidPurchase({
    purchase: { currency: 'MYR', products: [{ name: 'Mat', price: 5000 }] },
  });
  await api.post(`/purchases/${purchase.id}/refund/`, { amount: 1000 });
  expect((await ummah(`/${purchase.id}/chargeback`, { amount: 4001 })).status).toBe(400);
  const disputed = await ummah(`/${purchase.id}/chargeback`);
  expect(disputed.body).toMatchObject({ status: 'chargeback', refundable_amount: 0 });
  expect((await api.post(`/purchases/${purchase.id}/refund/`, { amount: 1 })).status).toBe(409);
  expect((await ummah(`/${purchase.id}/chargeback`)).status).toBe(409);
  expect((await api.get('/balance/?currency=MYR')).body.balance).toEqual([{ currency: 'MYR', amount: 0 }]);
  const turnover = (await api.get('/account/json/turnover/?currency=MYR')).body.turnover;
  expect(turnover).toEqual([
    expect.objectContaining({
      paid_amount: 5000,
      refunded_amount: 1000,
      chargeback_amount: 4000,
      net_amount: 0,
      chargebacks_count: 1,
    }),
  ]);

  const delivery = await (async () => {
    await sandbox.settle();
    return receiver.requests.find(
      (r) => r.json?.type === 'purchase.chargeback' && r.json.object.id === purchase.id,
    );
  })();
  expect(delivery).toBeDefined();
  const driver = createUmmahDriver({
    secretKey: sandbox.secretKey,
    brandId: sandbox.brandId,
    baseUrl: sandbox.apiBase,
    webhooks: { publicKeys: [webhookKey] },
  });
  expect((await driver.retrievePayment(purchase.id)).status).toBe('disputed');
  const event = await driver.verifyWebhook(delivery!.body, delivery!.headers as Record<string, string>);
  expect(event.type).toBe('payment.disputed');
});

test('a scheduled chargeback that no longer applies is dropped', async () => {
  const purchase = await paidPurchase();
  expect((await ummah(`/${purchase.id}/chargeback`, { seconds: 60 })).status).toBe(200);
  await api.post(`/purchases/${purchase.id}/refund/`, {});
  await sandbox.advanceClock(60);
  expect(await statusOf(purchase.id)).toBe('refunded');
});

test('webhooks may subscribe to the cleared and chargeback events', async () => {
  const created = await api.post('/webhooks/', {
    callback: `${receiver.url}/only`,
    events: ['purchase.cleared', 'purchase.chargeback', 'purchase.pending_refund'],
  });
  expect(created.status).toBe(201);
  await api.del(`/webhooks/${created.body.id}/`);
});

test('the control actions check what they are given', async () => {
  const purchase = await createPurchase(api, sandbox.brandId);
  expect((await ummah(`/${purchase.id}/delay`, { action: 'capture', outcome: 'failure' })).body).toEqual({
    error: 'Bad Request',
    details: { outcome: ['Only a payment (execute or charge) can fail.'] },
  });
  expect((await ummah(`/${purchase.id}/delay`, { action: 'teleport' })).status).toBe(400);
  expect((await ummah('/00000000-0000-4000-8000-000000000000/delay', { action: 'refund' })).status).toBe(404);
  expect((await ummah('/00000000-0000-4000-8000-000000000000/clear')).status).toBe(404);
});
