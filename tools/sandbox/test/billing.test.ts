import { addSubscriberResponseSchema, billingTemplateSchema, subscriberSchema } from '@tijara/ummah';
import type { RunningSandbox } from '../src/index.js';
import {
  client,
  control,
  pay,
  start,
  startReceiver,
  type Client,
  type Json,
  type Receiver,
} from './helpers.js';

const DAY = 86_400;

let sandbox: RunningSandbox;
let api: Client;
let receiver: Receiver;

beforeAll(async () => {
  sandbox = await start();
  api = client(sandbox);
});
afterAll(() => sandbox.close());
beforeEach(async () => {
  await sandbox.reset();
  receiver = await startReceiver();
  await api.post('/webhooks/', { callback: receiver.url, all_events: true });
});
afterEach(() => receiver.close());

function monthly(overrides: Record<string, unknown> = {}) {
  return {
    brand_id: sandbox.brandId,
    is_subscription: true,
    title: 'Monthly box',
    purchase: { products: [{ name: 'Monthly Plan', price: 999 }], currency: 'USD' },
    subscription_period: 1,
    subscription_period_units: 'months',
    ...overrides,
  };
}

async function newClient(email = 'subscriber@example.com') {
  return (await api.post('/clients/', { email, full_name: 'Sub Scriber' })).body as Json;
}

async function purchases(): Promise<Json[]> {
  return (await control<{ results: Json[] }>(sandbox, 'GET', '/purchases')).body.results;
}

async function events(): Promise<string[]> {
  await sandbox.settle();
  return receiver.requests.map((r) => r.json.type);
}

/** Subscribe a client and pay the first purchase with `card`; returns template, subscriber and purchase. */
async function subscribe(card = '4242 4242 4242 4242', template: Record<string, unknown> = {}) {
  const plan = (await api.post('/billing_templates/', monthly(template))).body;
  const customer = await newClient();
  const added = await api.post(`/billing_templates/${plan.id}/add_subscriber/`, { client_id: customer.id });
  expect(added.status).toBe(201);
  const first = added.body.purchase;
  await pay(sandbox, first.id, card);
  return { plan, customer, subscriberId: added.body.billing_template_client.id as string, first };
}

describe('billing templates', () => {
  test('create, list, retrieve, replace, delete', async () => {
    const created = await api.post('/billing_templates/', monthly());
    expect(created.status).toBe(201);
    expect(billingTemplateSchema.parse(created.body)).toMatchObject({
      is_subscription: true,
      subscription_period: 1,
      subscription_period_units: 'months',
      brand_id: sandbox.brandId,
      purchase: { currency: 'USD', total: 999, total_amount: 999 },
    });
    const id = created.body.id;
    expect((await api.get('/billing_templates/')).body.results.map((t: Json) => t.id)).toEqual([id]);
    expect((await api.get(`/billing_templates/${id}/`)).body).toEqual(created.body);
    const put = await api.put(`/billing_templates/${id}/`, {
      purchase: { products: [{ name: 'Updated Plan', price: 1299 }], currency: 'USD' },
      is_subscription: true,
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      purchase: { total: 1299 },
      subscription_period: 1,
      subscription_period_units: 'months',
    });
    expect((await api.del(`/billing_templates/${id}/`)).status).toBe(204);
    expect((await api.get(`/billing_templates/${id}/`)).status).toBe(404);
  });

  test('validation', async () => {
    const missingPeriod = await api.post(
      '/billing_templates/',
      monthly({ subscription_period: undefined, subscription_period_units: undefined }),
    );
    expect(missingPeriod.body).toEqual({
      error: 'Bad Request',
      details: {
        subscription_period: ['This field is required.'],
        subscription_period_units: ['This field is required.'],
      },
    });
    const badUnits = await api.post(
      '/billing_templates/',
      monthly({ subscription_period_units: 'fortnights' }),
    );
    expect(badUnits.body.details).toEqual({
      subscription_period_units: ['"fortnights" is not a valid choice.'],
    });
    const noPurchase = await api.post('/billing_templates/', {
      brand_id: sandbox.brandId,
      is_subscription: false,
    });
    expect(noPurchase.body.details).toEqual({ purchase: ['This field is required.'] });
  });
});

describe('invoices', () => {
  test('send_invoice creates a purchase from the template for a client', async () => {
    const plan = (await api.post('/billing_templates/', monthly({ is_subscription: false }))).body;
    const customer = await newClient('invoice@example.com');
    const response = await api.post(`/billing_templates/${plan.id}/send_invoice/`, {
      client_id: customer.id,
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      status: 'created',
      product: 'billing_invoices',
      billing_template_id: plan.id,
      client_id: customer.id,
      client: { email: 'invoice@example.com' },
      purchase: { total: 999 },
    });
    expect(response.body.invoice_url).toContain('/invoice/');
    const unknown = await api.post(`/billing_templates/${plan.id}/send_invoice/`, { client_id: 'nope' });
    expect(unknown.body.details).toEqual({ client_id: ['Object with this ID does not exist.'] });
  });

  test('POST /billing/ answers one purchase per client', async () => {
    const a = await newClient('a@example.com');
    const b = await newClient('b@example.com');
    const response = await api.post('/billing/', {
      brand_id: sandbox.brandId,
      clients: [{ client_id: a.id }, { client_id: b.id }],
      purchase: { products: [{ name: 'Consulting', price: 50000 }], currency: 'USD' },
    });
    expect(response.status).toBe(201);
    expect(response.body.map((p: Json) => p.client.email)).toEqual(['a@example.com', 'b@example.com']);
    expect(new Set(response.body.map((p: Json) => p.checkout_url)).size).toBe(2);
    const bad = await api.post('/billing/', {
      brand_id: sandbox.brandId,
      clients: [{ client_id: a.id }, { client_id: 'missing' }],
      purchase: { products: [{ name: 'x', price: 1 }] },
    });
    expect(bad.body.details).toEqual({ 'clients.1.client_id': ['Object with this ID does not exist.'] });
    expect((await purchases()).length).toBe(2);
  });
});

describe('subscriptions on the sandbox clock', () => {
  test('first payment activates; renewals charge the saved card every period', async () => {
    const plan = (await api.post('/billing_templates/', monthly())).body;
    const customer = await newClient();
    const added = await api.post(`/billing_templates/${plan.id}/add_subscriber/`, { client_id: customer.id });
    const parsed = addSubscriberResponseSchema.parse(added.body);
    expect(parsed.billing_template_client).toMatchObject({
      status: 'pending',
      client_id: customer.id,
      next_billing_on: null,
    });
    expect(parsed.purchase).toMatchObject({
      status: 'created',
      force_recurring: true,
      product: 'billing_subscriptions',
    });

    const paidAt = sandbox.now();
    await pay(sandbox, parsed.purchase!.id);
    const subscriber = (
      await api.get(`/billing_templates/${plan.id}/clients/${parsed.billing_template_client.id}/`)
    ).body;
    expect(subscriberSchema.parse(subscriber)).toMatchObject({
      status: 'active',
      recurring_token: parsed.purchase!.id,
      number_of_billing_cycles_passed: 1,
    });
    const expectedNext = new Date(paidAt * 1000);
    expectedNext.setUTCMonth(expectedNext.getUTCMonth() + 1);
    expect(Math.abs(subscriber.next_billing_on - expectedNext.getTime() / 1000)).toBeLessThanOrEqual(2);
    // The subscriber can also be addressed by its client id.
    expect((await api.get(`/billing_templates/${plan.id}/clients/${customer.id}/`)).body.id).toBe(
      subscriber.id,
    );
    expect(await events()).toEqual(
      expect.arrayContaining(['purchase.created', 'purchase.paid', 'billing_template.client_activated']),
    );

    await sandbox.advanceClock(3 * 31 * DAY);
    const all = await purchases();
    const renewals = all.filter((p) => p.id !== parsed.purchase!.id);
    expect(renewals).toHaveLength(3);
    for (const renewal of renewals) {
      expect(renewal).toMatchObject({
        status: 'paid',
        product: 'billing_subscriptions',
        billing_template_id: plan.id,
        recurring_token: parsed.purchase!.id,
        client_id: customer.id,
        purchase: { total: 999 },
      });
    }
    // Each renewal happened at its own instant, a month apart.
    const times = renewals.map((p) => p.created_on).sort();
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(28 * DAY);
    const after = (await api.get(`/billing_templates/${plan.id}/clients/${subscriber.id}/`)).body;
    expect(after.number_of_billing_cycles_passed).toBe(4);
    expect(after.next_billing_on).toBeGreaterThan(sandbox.now());
    expect((await events()).filter((t) => t === 'purchase.paid')).toHaveLength(4);
  });

  test('pause stops renewals; resume bills the missed period once and re-anchors', async () => {
    const { plan, subscriberId } = await subscribe();
    const paused = await api.patch(`/billing_templates/${plan.id}/clients/${subscriberId}/`, {
      status: 'subscription_paused',
    });
    expect(paused.body.status).toBe('subscription_paused');
    await sandbox.advanceClock(70 * DAY);
    expect(await purchases()).toHaveLength(1);

    const resumed = await api.patch(`/billing_templates/${plan.id}/clients/${subscriberId}/`, {
      status: 'active',
    });
    expect(resumed.body.status).toBe('active');
    expect(await purchases()).toHaveLength(2);
    expect(resumed.body.next_billing_on).toBeGreaterThan(sandbox.now() + 27 * DAY);
    const invalid = await api.patch(`/billing_templates/${plan.id}/clients/${subscriberId}/`, {
      status: 'cancelled',
    });
    expect(invalid.body.details).toEqual({ status: ['"cancelled" is not a valid choice.'] });
  });

  test('a failed renewal emits purchase.subscription_charge_failure and marks the subscriber failed', async () => {
    // 4000 0000 0000 0341: the first payment succeeds, every later charge of the saved card is declined.
    const { plan, subscriberId } = await subscribe('4000 0000 0000 0341');
    await sandbox.advanceClock(32 * DAY);
    const subscriber = (await api.get(`/billing_templates/${plan.id}/clients/${subscriberId}/`)).body;
    expect(subscriber.status).toBe('failed');
    const renewal = (await purchases()).find((p) => p.id === subscriber.last_purchase_id);
    expect(renewal).toMatchObject({ status: 'error', product: 'billing_subscriptions' });
    await sandbox.settle();
    const failures = receiver.requests.filter((r) => r.json.type === 'purchase.subscription_charge_failure');
    expect(failures).toHaveLength(1);
    expect(failures[0]!.json.object).toMatchObject({ id: renewal.id, status: 'error' });

    // The buyer pays the failed renewal by hand with a good card: the subscription is active again.
    await pay(sandbox, renewal.id, '4242 4242 4242 4242');
    const healed = (await api.get(`/billing_templates/${plan.id}/clients/${subscriberId}/`)).body;
    expect(healed).toMatchObject({ status: 'active', number_of_billing_cycles_passed: 2 });
  });

  test('a deleted saved card makes the next renewal fail', async () => {
    const { plan, subscriberId, first } = await subscribe();
    await api.post(`/purchases/${first.id}/delete_recurring_token/`);
    await sandbox.advanceClock(32 * DAY);
    expect((await api.get(`/billing_templates/${plan.id}/clients/${subscriberId}/`)).body.status).toBe(
      'failed',
    );
    expect(await events()).toContain('purchase.subscription_charge_failure');
  });

  test('number_of_billing_cycles ends the subscription', async () => {
    const { plan, subscriberId } = await subscribe('4242 4242 4242 4242', { number_of_billing_cycles: 2 });
    await sandbox.advanceClock(100 * DAY);
    const subscriber = (await api.get(`/billing_templates/${plan.id}/clients/${subscriberId}/`)).body;
    expect(subscriber).toMatchObject({
      status: 'completed',
      number_of_billing_cycles_passed: 2,
      next_billing_on: null,
    });
    expect(await purchases()).toHaveLength(2);
  });

  test('trial: a client with a saved card is active at once with purchase null; billing starts after the trial', async () => {
    const customer = await newClient('trial@example.com');
    const cardPurchase = await api.post('/purchases/', {
      brand_id: sandbox.brandId,
      client_id: customer.id,
      force_recurring: true,
      purchase: { products: [{ name: 'Signup', price: 100 }] },
    });
    await pay(sandbox, cardPurchase.body.id);
    const plan = (
      await api.post(
        '/billing_templates/',
        monthly({
          subscription_period: 1,
          subscription_period_units: 'weeks',
          subscription_trial_periods: 2,
        }),
      )
    ).body;
    const added = await api.post(`/billing_templates/${plan.id}/add_subscriber/`, { client_id: customer.id });
    expect(added.body.purchase).toBeNull();
    expect(added.body.billing_template_client.status).toBe('active');
    expect(added.body.billing_template_client.next_billing_on - sandbox.now()).toBeGreaterThanOrEqual(
      14 * DAY - 2,
    );
    await sandbox.advanceClock(13 * DAY);
    expect(await purchases()).toHaveLength(1);
    await sandbox.advanceClock(2 * DAY);
    expect(
      (await purchases()).filter((p) => p.product === 'billing_subscriptions' && p.status === 'paid'),
    ).toHaveLength(1);
  });

  test('trial without a saved card: a zero-amount preauthorization saves it', async () => {
    const plan = (await api.post('/billing_templates/', monthly({ subscription_charge_period_end: true })))
      .body;
    const customer = await newClient('preauth@example.com');
    const added = await api.post(`/billing_templates/${plan.id}/add_subscriber/`, { client_id: customer.id });
    expect(added.body.purchase).toMatchObject({ skip_capture: true, purchase: { total: 0 } });
    const preauth = await pay(sandbox, added.body.purchase.id);
    expect(preauth.body.status).toBe('preauthorized');
    const subscriber = (await api.get(`/billing_templates/${plan.id}/clients/${customer.id}/`)).body;
    expect(subscriber).toMatchObject({
      status: 'active',
      number_of_billing_cycles_passed: 0,
      recurring_token: added.body.purchase.id,
    });
    await sandbox.advanceClock(32 * DAY);
    expect((await purchases()).filter((p) => p.status === 'paid' && p.purchase.total === 999)).toHaveLength(
      1,
    );
  });

  test('add_subscriber errors', async () => {
    const invoiceOnly = (await api.post('/billing_templates/', monthly({ is_subscription: false }))).body;
    const customer = await newClient();
    const notSub = await api.post(`/billing_templates/${invoiceOnly.id}/add_subscriber/`, {
      client_id: customer.id,
    });
    expect(notSub.body).toEqual({
      error: 'Bad Request',
      details: { __all__: ['This billing template is not a subscription.'] },
    });
    const plan = (await api.post('/billing_templates/', monthly())).body;
    expect((await api.post(`/billing_templates/${plan.id}/add_subscriber/`, {})).body.details).toEqual({
      client_id: ['This field is required.'],
    });
    await api.post(`/billing_templates/${plan.id}/add_subscriber/`, { client_id: customer.id });
    const twice = await api.post(`/billing_templates/${plan.id}/add_subscriber/`, { client_id: customer.id });
    expect(twice.status).toBe(400);
    expect((await api.get(`/billing_templates/${plan.id}/clients/`)).body.results).toHaveLength(1);
    expect((await api.get(`/billing_templates/${plan.id}/clients/nobody/`)).status).toBe(404);
  });

  test('deleting the template does not cancel the subscription', async () => {
    const { plan } = await subscribe();
    await api.del(`/billing_templates/${plan.id}/`);
    await sandbox.advanceClock(32 * DAY);
    expect((await purchases()).filter((p) => p.status === 'paid')).toHaveLength(2);
  });
});
