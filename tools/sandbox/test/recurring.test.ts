import { recurringTokenListSchema, recurringTokenSchema } from '@tijara/ummah';
import type { RunningSandbox } from '../src/index.js';
import {
  client,
  control,
  createPurchase,
  pay,
  start,
  startReceiver,
  type Client,
  type Json,
} from './helpers.js';

let sandbox: RunningSandbox;
let api: Client;

beforeAll(async () => {
  sandbox = await start();
  api = client(sandbox);
});
afterAll(() => sandbox.close());

async function savedCard(overrides: Record<string, unknown> = {}, card = '4242 4242 4242 4242') {
  const first = await createPurchase(api, sandbox.brandId, { force_recurring: true, ...overrides });
  const paid = await pay(sandbox, first.id, card, { cardholder_name: 'Fatima Zahra', expiry: '08/37' });
  expect(paid.body).toMatchObject({ status: 'paid', is_recurring_token: true });
  return first.id as string;
}

test('force_recurring saves the card; charge/ pays a new purchase with it, no buyer present', async () => {
  const token = await savedCard();
  const second = await createPurchase(api, sandbox.brandId, {
    purchase: { products: [{ name: 'Refill', price: 1500 }] },
  });
  const charged = await api.post(`/purchases/${second.id}/charge/`, { recurring_token: token });
  expect(charged.status).toBe(200);
  expect(charged.body).toMatchObject({
    id: second.id,
    status: 'paid',
    recurring_token: token,
    is_recurring_token: false,
    payment: { amount: 1500, is_recurring_token: true },
    transaction_data: {
      flow: 'recurring',
      extra: {
        masked_pan: '424242******4242',
        card_brand: 'visa',
        expiry_month: 8,
        expiry_year: 2037,
        cardholder_name: 'FATIMA ZAHRA',
      },
    },
  });
  // The token can be charged again for another purchase.
  const third = await createPurchase(api, sandbox.brandId);
  expect((await api.post(`/purchases/${third.id}/charge/`, { recurring_token: token })).body.status).toBe(
    'paid',
  );
  // But a paid purchase cannot be charged twice.
  expect((await api.post(`/purchases/${third.id}/charge/`, { recurring_token: token })).status).toBe(409);
});

test('charge/ with a skip_capture purchase puts the funds on hold', async () => {
  const token = await savedCard();
  const held = await createPurchase(api, sandbox.brandId, { skip_capture: true });
  expect((await api.post(`/purchases/${held.id}/charge/`, { recurring_token: token })).body.status).toBe(
    'hold',
  );
});

test.each([
  ['an unknown id', () => Promise.resolve('00000000-0000-4000-8000-000000000000')],
  ['a purchase that saved no card', async () => (await createPurchase(api, sandbox.brandId)).id as string],
])('charging with %s is invalid_recurring_token', async (_name, makeToken) => {
  const token = await makeToken();
  const purchase = await createPurchase(api, sandbox.brandId);
  const response = await api.post(`/purchases/${purchase.id}/charge/`, { recurring_token: token });
  expect(response.status).toBe(400);
  expect(response.body).toMatchObject({
    error: 'invalid_recurring_token',
    details: { recurring_token: ['Invalid recurring token.'] },
  });
  expect((await api.get(`/purchases/${purchase.id}/`)).body.status).toBe('created');
});

test('charge/ validates its body', async () => {
  const purchase = await createPurchase(api, sandbox.brandId);
  const response = await api.post(`/purchases/${purchase.id}/charge/`, {});
  expect(response.body).toEqual({
    error: 'Bad Request',
    details: { recurring_token: ['This field is required.'] },
  });
});

test('delete_recurring_token kills the token: later charges are invalid_recurring_token', async () => {
  const receiver = await startReceiver();
  try {
    await api.post('/webhooks/', { callback: receiver.url, events: ['purchase.recurring_token_deleted'] });
    const token = await savedCard();
    const deleted = await api.post(`/purchases/${token}/delete_recurring_token/`);
    expect(deleted.body).toEqual({ status: 'deleted' });
    expect((await api.get(`/purchases/${token}/`)).body.is_recurring_token).toBe(false);
    const purchase = await createPurchase(api, sandbox.brandId);
    const charge = await api.post(`/purchases/${purchase.id}/charge/`, { recurring_token: token });
    expect(charge.body.error).toBe('invalid_recurring_token');
    expect((await api.post(`/purchases/${token}/delete_recurring_token/`)).status).toBe(409);
    await sandbox.settle();
    expect(receiver.requests.map((r) => r.json.type)).toEqual(['purchase.recurring_token_deleted']);
  } finally {
    await receiver.close();
  }
});

test('a card that saves fine but declines later charges (4000 0000 0000 0341) gives a 402', async () => {
  const token = await savedCard({}, '4000 0000 0000 0341');
  const purchase = await createPurchase(api, sandbox.brandId);
  const response = await api.post(`/purchases/${purchase.id}/charge/`, { recurring_token: token });
  expect(response.status).toBe(402);
  expect(response.body).toEqual({
    error: 'card_declined',
    message: 'The card was declined by the issuing bank.',
    details: { decline_code: 'generic_decline', param: 'payment_method' },
  });
  expect((await api.get(`/purchases/${purchase.id}/`)).body.status).toBe('error');
});

test('a saved card expires on the sandbox clock', async () => {
  const other = await (await import('./helpers.js')).start();
  try {
    const otherApi = client(other);
    const first = await createPurchase(otherApi, other.brandId, { force_recurring: true });
    const year = new Date(other.now() * 1000).getUTCFullYear() + 1;
    await pay(other, first.id, '4242 4242 4242 4242', { expiry: `12/${year % 100}` });
    await other.advanceClock(2 * 366 * 86_400);
    const purchase = await createPurchase(otherApi, other.brandId);
    const response = await otherApi.post(`/purchases/${purchase.id}/charge/`, { recurring_token: first.id });
    expect(response.status).toBe(402);
    expect(response.body.error).toBe('expired_card');
  } finally {
    await other.close();
  }
});

describe('client recurring tokens', () => {
  test('a card saved on a purchase with client_id is listed under the client, and can be deleted there', async () => {
    const customer = (await api.post('/clients/', { email: 'layla@example.com' })).body;
    const first = await createPurchase(api, sandbox.brandId, { client: undefined, client_id: customer.id });
    await pay(sandbox, first.id, '5555 5555 5555 4444', { remember_card: true });

    const list = await api.get(`/clients/${customer.id}/recurring_tokens/`);
    expect(list.status).toBe(200);
    const parsed = recurringTokenListSchema.parse(list.body);
    expect(parsed.results).toHaveLength(1);
    const token = await api.get(`/clients/${customer.id}/recurring_tokens/${first.id}/`);
    expect(recurringTokenSchema.parse(token.body)).toMatchObject({
      id: first.id,
      recurring_token: first.id,
      payment_method: 'card',
      description: 'Mastercard **** 4444',
    });
    expect(token.body).toMatchObject({ card_brand: 'mastercard', masked_pan: '555555******4444' });

    const purchase = await createPurchase(api, sandbox.brandId, {
      client: undefined,
      client_id: customer.id,
    });
    expect(
      (await api.post(`/purchases/${purchase.id}/charge/`, { recurring_token: first.id })).body.status,
    ).toBe('paid');

    expect((await api.del(`/clients/${customer.id}/recurring_tokens/${first.id}/`)).status).toBe(204);
    expect((await api.get(`/clients/${customer.id}/recurring_tokens/${first.id}/`)).status).toBe(404);
    expect((await api.get(`/purchases/${first.id}/`)).body.is_recurring_token).toBe(false);
    const later = await createPurchase(api, sandbox.brandId, { client: undefined, client_id: customer.id });
    expect((await api.post(`/purchases/${later.id}/charge/`, { recurring_token: first.id })).body.error).toBe(
      'invalid_recurring_token',
    );
  });

  test("another client's token is a 404 under this client", async () => {
    const a = (await api.post('/clients/', { email: 'a@example.com' })).body;
    const b = (await api.post('/clients/', { email: 'b@example.com' })).body;
    const purchase = await createPurchase(api, sandbox.brandId, {
      client: undefined,
      client_id: a.id,
      force_recurring: true,
    });
    await pay(sandbox, purchase.id);
    expect((await api.get(`/clients/${b.id}/recurring_tokens/${purchase.id}/`)).status).toBe(404);
    expect((await api.get(`/clients/00000000-0000-4000-8000-000000000000/recurring_tokens/`)).status).toBe(
      404,
    );
  });

  test('deleting a client deletes its saved cards', async () => {
    const customer = (await api.post('/clients/', { email: 'gone@example.com' })).body;
    const purchase = await createPurchase(api, sandbox.brandId, {
      client: undefined,
      client_id: customer.id,
      force_recurring: true,
    });
    await pay(sandbox, purchase.id);
    expect((await api.del(`/clients/${customer.id}/`)).status).toBe(204);
    expect((await api.get(`/purchases/${purchase.id}/`)).body.is_recurring_token).toBe(false);
    const events = await control<{ results: Json[] }>(sandbox, 'GET', '/events');
    expect(events.body.results.at(-1)).toMatchObject({
      type: 'purchase.recurring_token_deleted',
      object: { id: purchase.id },
    });
  });
});
