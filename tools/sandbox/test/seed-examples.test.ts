/**
 * The reference's own examples (seed 000): each documented request is sent as written (curl bodies), and
 * each response must have the documented shape — every documented field present with the documented JSON
 * type (a documented `null` accepts anything). Where the reference elides a value (`"409eb80e-..."`) or
 * names an object that cannot exist yet (a client id), the test substitutes a real one and says so.
 */
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { RunningSandbox } from '../src/index.js';
import { DEFAULT_BRAND_ID } from '../src/index.js';
import { client, pay, start, type Client, type Json } from './helpers.js';

function mismatches(actual: unknown, documented: unknown, path = '$'): string[] {
  if (documented === null) return [];
  if (Array.isArray(documented)) {
    if (!Array.isArray(actual)) return [`${path}: expected an array`];
    return documented.length > 0 && actual.length > 0
      ? mismatches(actual[0], documented[0], `${path}[0]`)
      : [];
  }
  if (typeof documented === 'object') {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual))
      return [`${path}: expected an object`];
    return Object.entries(documented as Record<string, unknown>).flatMap(([key, value]) =>
      key in (actual as object)
        ? mismatches((actual as Record<string, unknown>)[key], value, `${path}.${key}`)
        : [`${path}.${key}: missing`],
    );
  }
  return typeof actual === typeof documented
    ? []
    : [`${path}: expected ${typeof documented}, got ${typeof actual}`];
}

function expectDocumented(actual: unknown, documented: unknown): void {
  expect(mismatches(actual, documented)).toEqual([]);
}

const DOC = {
  purchase: {
    id: 'd6c9e9e0-1b5a-4c6e-8b3a-0f1a2b3c4d5e',
    status: 'created',
    checkout_url: 'https://pay.ummah.com/checkout/d6c9...',
    invoice_url: 'https://pay.ummah.com/invoice/d6c9...',
    client: { email: 'customer@example.com', full_name: 'John Doe' },
    purchase: { total_amount: 2999, currency: 'USD' },
    created_on: 1700000000,
  },
  paidPurchase: {
    id: 'd6c9e9e0-1b5a-4c6e-8b3a-0f1a2b3c4d5e',
    status: 'paid',
    checkout_url: 'https://pay.ummah.com/checkout/d6c9...',
    purchase: { total_amount: 2999, currency: 'USD' },
    payment: { method: 'card', is_recurring_token: false },
    created_on: 1700000000,
  },
  coreObjectPurchase: {
    id: 'd6c9e9e0-1b5a-4c6e-8b3a-0f1a2b3c4d5e',
    status: 'created',
    checkout_url: 'https://pay.ummah.com/checkout/d6c9...',
    invoice_url: 'https://pay.ummah.com/invoice/d6c9...',
    client: {
      id: 'c1a2b3c4-d5e6-f7a8-b9c0-d1e2f3a4b5c6',
      email: 'customer@example.com',
      full_name: 'John Doe',
    },
    purchase: { total_amount: 2999, currency: 'USD' },
    recurring_token: 'tok-a1b2c3d4-e5f6-7890',
    created_on: 1700000000,
  },
  refund: {
    id: 'pay-r1b2c3d4-e5f6-7890-abcd-ef1234567890',
    status: 'refunded',
    amount: 1500,
    currency: 'USD',
    purchase: 'd6c9e9e0-1b5a-4c6e-8b3a-0f1a2b3c4d5e',
    method: 'card',
    created_on: 1700000000,
  },
  paymentMethods: {
    available_payment_methods: ['visa', 'mastercard'],
    by_country: { any: ['card'] },
    country_names: { any: 'Other' },
    names: { visa: 'Visa', mastercard: 'Mastercard' },
    logos: { visa: '/static/images/icon-visa.svg', mastercard: '/static/images/icon-mastercard.svg' },
    card_methods: ['visa', 'mastercard'],
  },
  payoutMethods: {
    available_payout_methods: ['visa', 'mastercard'],
    names: { visa: 'Visa', mastercard: 'Mastercard' },
    logos: { visa: '/static/images/icon-visa.svg', mastercard: '/static/images/icon-mastercard.svg' },
    card_methods: ['visa', 'mastercard'],
  },
  template: {
    id: 'bt-a1b2c3d4-e5f6-7890-abcd-ef1234567890',
    is_subscription: true,
    purchase: { currency: 'USD', total_amount: 999 },
    subscription_period: 1,
    subscription_period_units: 'months',
    brand_id: '409eb80e-3782-4b1d-afa8-b779759266a5',
    created_on: 1700000000,
  },
  addSubscriber: {
    billing_template_client: {
      id: 'btc-a1b2c3d4-e5f6-7890',
      client_id: 'b79d3df6-2f69-4426-acee-eda049d83e18',
      status: 'pending',
      created_on: 1700000000,
    },
    purchase: null,
  },
  subscriber: {
    id: 'btc-a1b2c3d4-e5f6-7890',
    client: { email: 'subscriber@example.com' },
    is_subscription: true,
    status: 'active',
    next_billing_on: 1703000000,
    created_on: 1700000000,
  },
  client: {
    id: 'c1a2b3c4-d5e6-f7a8-b9c0-d1e2f3a4b5c6',
    email: 'client@example.com',
    full_name: 'John Doe',
    phone: '+1234567890',
    country: 'US',
    type: 'personal',
    created_on: 1700000000,
  },
  recurringToken: {
    id: 'tok-a1b2c3d4-e5f6-7890',
    payment_method: 'card',
    description: 'Visa **** 4242',
    created_on: 1700000000,
  },
  balance: { balance: [{ currency: 'USD', amount: 125000 }] },
  turnover: { turnover: [{ currency: 'USD', paid_amount: 1250000, period: '2024-01' }] },
  statement: {
    id: 'stmt-a1b2c3d4-e5f6-7890-abcd-ef1234567890',
    type: 'company',
    format: 'csv',
    status: 'processing',
    download_url: null,
    timezone: 'UTC',
    created_on: 1700000000,
  },
  webhook: {
    id: 'wh-a1b2c3d4-e5f6-7890-abcd-ef1234567890',
    title: 'My Webhook',
    callback: 'https://mysite.com/webhook',
    events: ['purchase.paid', 'purchase.payment_failure'],
    all_events: false,
    public_key:
      '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA...\n-----END PUBLIC KEY-----',
    created_on: 1700000000,
  },
  delivery: {
    id: 'wh-delivery-a1b2',
    event: 'purchase.paid',
    status: 'delivered',
    response_code: 200,
    sent_at: 1700001234,
    // The reference shows `payload.event`; its own envelope example (and the body actually sent) says `type`.
    payload: { type: 'purchase.paid', object: { id: 'd6c9...' } },
  },
  envelope: {
    id: 'evt-a1b2c3d4-e5f6-7890',
    type: 'purchase.paid',
    created_on: 1700000000,
    object: {
      id: 'd6c9e9e0-1b5a-4c6e-8b3a-0f1a2b3c4d5e',
      status: 'paid',
      purchase: { total_amount: 2999, currency: 'USD' },
    },
  },
  list: { results: [], next: null, previous: null },
};

let sandbox: RunningSandbox;
let api: Client;

beforeAll(async () => {
  sandbox = await start();
  api = client(sandbox);
});
afterAll(() => sandbox.close());

test('the default brand is the one the examples use, so they run unchanged', () => {
  expect(sandbox.brandId).toBe(DEFAULT_BRAND_ID);
  expect(DEFAULT_BRAND_ID).toBe('409eb80e-3782-4b1d-afa8-b779759266a5');
});

describe('Accept Payments', () => {
  test('Quickstart: create a purchase', async () => {
    const response = await api.post('/purchases/', {
      brand_id: '409eb80e-3782-4b1d-afa8-b779759266a5',
      client: { email: 'user@example.com' },
      purchase: { products: [{ name: 'T-Shirt', price: 5000, quantity: 1 }], currency: 'USD' },
      success_redirect: 'https://yourapp.com/success',
      failure_redirect: 'https://yourapp.com/failure',
    });
    expect(response.status).toBe(201);
    expectDocumented(response.body, DOC.purchase);
    expect(response.body.purchase.total_amount).toBe(5000);
  });

  test('Create, retrieve, capture, refund, mark as paid, resend, detach', async () => {
    const createBody = {
      brand_id: '409eb80e-3782-4b1d-afa8-b779759266a5',
      client: { email: 'customer@example.com' },
      purchase: { products: [{ name: 'T-Shirt', price: 2999, quantity: 1 }], currency: 'USD' },
      success_redirect: 'https://myshop.com/success',
      failure_redirect: 'https://myshop.com/failed',
    };
    const created = await api.post('/purchases/', createBody);
    expectDocumented(created.body, DOC.purchase);

    await pay(sandbox, created.body.id);
    expectDocumented((await api.get(`/purchases/${created.body.id}/`)).body, DOC.paidPurchase);

    const refund = await api.post(`/purchases/${created.body.id}/refund/`, {
      amount: 1500,
      reference: 'REFUND-2024-001',
    });
    expectDocumented(refund.body, DOC.refund);

    const held = await api.post('/purchases/', { ...createBody, skip_capture: true });
    await pay(sandbox, held.body.id);
    const captured = await api.post(`/purchases/${held.body.id}/capture/`, { amount: 2999 });
    expectDocumented(captured.body, DOC.paidPurchase);

    const toCancel = await api.post('/purchases/', createBody);
    // Seed 000 answers cancel and release with the status alone.
    expect((await api.post(`/purchases/${toCancel.body.id}/cancel/`)).body).toEqual({ status: 'cancelled' });
    const toRelease = await api.post('/purchases/', { ...createBody, skip_capture: true });
    await pay(sandbox, toRelease.body.id);
    expect((await api.post(`/purchases/${toRelease.body.id}/release/`)).body).toEqual({ status: 'released' });

    const offline = await api.post('/purchases/', createBody);
    expect((await api.post(`/purchases/${offline.body.id}/resend_invoice/`)).body).toEqual({
      status: 'sent',
    });
    const marked = await api.post(`/purchases/${offline.body.id}/mark_as_paid/`, { paid_on: 1700000000 });
    expectDocumented(marked.body, DOC.paidPurchase);

    const saved = await api.post('/purchases/', { ...createBody, force_recurring: true });
    await pay(sandbox, saved.body.id);
    // The core-object example carries `client.id`, i.e. a purchase made for a Client (`client_id`).
    const customer = (await api.post('/clients/', { email: 'customer@example.com', full_name: 'John Doe' }))
      .body;
    const next = await api.post('/purchases/', { ...createBody, client: undefined, client_id: customer.id });
    const charged = await api.post(`/purchases/${next.body.id}/charge/`, { recurring_token: saved.body.id });
    expectDocumented(charged.body, DOC.coreObjectPurchase);
    expect((await api.post(`/purchases/${saved.body.id}/delete_recurring_token/`)).body).toEqual({
      status: 'deleted',
    });
  });

  test('List payment and payout methods', async () => {
    const methods = await api.get(`/payment_methods/?brand_id=${sandbox.brandId}&currency=USD`);
    expect(methods.body).toEqual(DOC.paymentMethods);
    const payouts = await api.get(`/payout_methods/?brand_id=${sandbox.brandId}&currency=USD`);
    expect(payouts.body).toEqual(DOC.payoutMethods);
  });

  test('the Common Patterns shorthand ({amount, currency, name}) is rejected per the parameter table', async () => {
    const response = await api.post('/purchases/', {
      amount: '59.99',
      currency: 'USD',
      name: 'Order #1001',
      force_recurring: true,
      success_redirect: 'https://yourapp.com/success',
      failure_redirect: 'https://yourapp.com/failure',
    });
    expect(response.status).toBe(400);
    expect(Object.keys(response.body.details)).toEqual(expect.arrayContaining(['brand_id', 'purchase']));
  });

  test('documented error bodies', async () => {
    const missingEmail = await api.post('/purchases/', {
      brand_id: sandbox.brandId,
      client: {},
      purchase: { products: [{ name: 'T-Shirt', price: 2999, quantity: 1 }] },
    });
    expect(missingEmail.body).toEqual({
      error: 'Bad Request',
      details: { 'client.email': ['This field is required.'] },
    });
    expect((await api.get('/purchases/d6c9e9e0-1b5a-4c6e-8b3a-0f1a2b3c4d5e/')).body).toEqual({
      error: 'Not Found',
      detail: 'Object with this ID does not exist.',
    });
  });
});

describe('Subscriptions and invoicing', () => {
  test('templates, subscribers, invoices', async () => {
    // The reference elides the brand as "409eb80e-..."; the full id is used.
    const created = await api.post('/billing_templates/', {
      brand_id: sandbox.brandId,
      is_subscription: true,
      purchase: { products: [{ name: 'Monthly Plan', price: 999 }], currency: 'USD' },
      subscription_period: 1,
      subscription_period_units: 'months',
    });
    expect(created.status).toBe(201);
    expectDocumented(created.body, DOC.template);
    const id = created.body.id;
    expectDocumented((await api.get('/billing_templates/')).body, { ...DOC.list, results: [DOC.template] });
    expectDocumented((await api.get(`/billing_templates/${id}/`)).body, DOC.template);
    const updated = await api.put(`/billing_templates/${id}/`, {
      purchase: { products: [{ name: 'Updated Plan', price: 1299 }], currency: 'USD' },
      is_subscription: true,
    });
    expectDocumented(updated.body, DOC.template);

    // "b79d3df6-…" does not exist in a fresh sandbox; a client is created first.
    const customer = (await api.post('/clients/', { email: 'subscriber@example.com' })).body;
    const added = await api.post(`/billing_templates/${id}/add_subscriber/`, { client_id: customer.id });
    expectDocumented(added.body, DOC.addSubscriber);
    await pay(sandbox, added.body.purchase.id);
    expectDocumented((await api.get(`/billing_templates/${id}/clients/`)).body, {
      ...DOC.list,
      results: [DOC.subscriber],
    });
    expectDocumented(
      (await api.get(`/billing_templates/${id}/clients/${customer.id}/`)).body,
      DOC.subscriber,
    );
    const paused = await api.patch(`/billing_templates/${id}/clients/${customer.id}/`, {
      status: 'subscription_paused',
    });
    expectDocumented(paused.body, { ...DOC.subscriber, status: 'subscription_paused' });

    const invoices = await api.post('/billing/', {
      brand_id: sandbox.brandId,
      clients: [{ client_id: customer.id }],
      purchase: { products: [{ name: 'Consulting', price: 50000 }], currency: 'USD' },
    });
    expectDocumented(invoices.body, [DOC.purchase]);
    const fromTemplate = await api.post(`/billing_templates/${id}/send_invoice/`, { client_id: customer.id });
    expectDocumented(fromTemplate.body, DOC.purchase);

    const deleted = await api.del(`/billing_templates/${id}/`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
  });
});

describe('Customers & Cards', () => {
  test('clients and their saved payment methods', async () => {
    const created = await api.post('/clients/', {
      email: 'client@example.com',
      full_name: 'John Doe',
      phone: '+1234567890',
      country: 'US',
    });
    expectDocumented(created.body, DOC.client);
    const id = created.body.id;
    expectDocumented((await api.get('/clients/')).body, { ...DOC.list, results: [DOC.client] });
    expectDocumented((await api.get(`/clients/${id}/`)).body, DOC.client);
    expectDocumented(
      (
        await api.put(`/clients/${id}/`, {
          email: 'updated@example.com',
          full_name: 'Jane Doe',
          country: 'GB',
        })
      ).body,
      DOC.client,
    );
    expectDocumented((await api.patch(`/clients/${id}/`, { full_name: 'Updated Name' })).body, DOC.client);

    const purchase = await api.post('/purchases/', {
      brand_id: sandbox.brandId,
      client_id: id,
      force_recurring: true,
      purchase: { products: [{ name: 'T-Shirt', price: 2999 }] },
    });
    await pay(sandbox, purchase.body.id);
    const token = await api.get(`/clients/${id}/recurring_tokens/${purchase.body.id}/`);
    expectDocumented(token.body, DOC.recurringToken);
    expect(token.body.description).toBe('Visa **** 4242');
    expect((await api.del(`/clients/${id}/recurring_tokens/${purchase.body.id}/`)).status).toBe(204);
    expect((await api.del(`/clients/${id}/`)).status).toBe(204);
  });
});

describe('Reporting & Financials', () => {
  test('balance, turnover, statements', async () => {
    const purchase = await api.post('/purchases/', {
      brand_id: sandbox.brandId,
      client: { email: 'customer@example.com' },
      purchase: { products: [{ name: 'T-Shirt', price: 2999 }], currency: 'USD' },
    });
    await pay(sandbox, purchase.body.id);
    expectDocumented((await api.get('/balance/')).body, DOC.balance);
    expectDocumented((await api.get('/account/json/balance/')).body, DOC.balance);
    expectDocumented((await api.get('/account/json/turnover/')).body, DOC.turnover);

    const statement = await api.post('/company_statements/', { format: 'csv', timezone: 'UTC' });
    expectDocumented(statement.body, DOC.statement);
    const cancelled = await api.post(`/company_statements/${statement.body.id}/cancel/`);
    expect(cancelled.body).toEqual({ status: 'cancelled' });
    const second = await api.post('/company_statements/', { format: 'csv', timezone: 'UTC' });
    expectDocumented((await api.get('/company_statements/')).body, { ...DOC.list, results: [DOC.statement] });
    const ready = await api.get(`/company_statements/${second.body.id}/`);
    expectDocumented(ready.body, { ...DOC.statement, download_url: 'https://storage.ummah.com/stmt/...' });
  });
});

describe('Webhooks & Security', () => {
  test('webhook endpoints as documented', async () => {
    const created = await api.post('/webhooks/', {
      callback: 'https://mysite.com/webhook',
      title: 'Order Notifications',
      events: ['purchase.paid', 'purchase.payment_failure'],
    });
    expectDocumented(created.body, DOC.webhook);
    const id = created.body.id;
    expectDocumented((await api.get('/webhooks/')).body, { ...DOC.list, results: [DOC.webhook] });
    expectDocumented((await api.get(`/webhooks/${id}/`)).body, DOC.webhook);
    const put = await api.put(`/webhooks/${id}/`, {
      callback: 'https://mysite.com/new-webhook',
      title: 'Updated Webhook',
      all_events: true,
    });
    expectDocumented(put.body, DOC.webhook);
    expectDocumented((await api.patch(`/webhooks/${id}/`, { title: 'Renamed Webhook' })).body, DOC.webhook);
    expect((await api.del(`/webhooks/${id}/`)).status).toBe(204);
  });

  test("the Verification Guide's own Express handler accepts the sandbox's deliveries", async () => {
    // Step 1 — the public key of the webhook; steps 2–5 are the guide's handler, verbatim in substance.
    let PUBLIC_KEY_PEM = '';
    const received: Json[] = [];
    const app = express();
    app.post('/webhook', express.raw({ type: 'application/json' }), (req, res) => {
      const sigHeader = req.headers['x-signature'] || '';
      const rawBody = req.body as Buffer;
      const signature = Buffer.from(String(sigHeader || '').trim(), 'base64');
      const verifier = crypto.createVerify('RSA-SHA256');
      verifier.update(rawBody);
      verifier.end();
      const ok = verifier.verify(PUBLIC_KEY_PEM, signature);
      if (!ok) return res.status(403).json({ error: 'Invalid signature' });
      const event = JSON.parse(rawBody.toString('utf8'));
      // Replay protection from the copy-paste example: created_on within 10 minutes.
      const now = Math.floor(Date.now() / 1000);
      if (!event.created_on || Math.abs(now - Number(event.created_on)) > 10 * 60)
        return res.status(400).send('stale event');
      received.push(event);
      return res.sendStatus(200);
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
      const webhook = (await api.post('/webhooks/', { callback: url, events: ['purchase.paid'] })).body;
      PUBLIC_KEY_PEM = webhook.public_key;
      const purchase = await api.post('/purchases/', {
        brand_id: sandbox.brandId,
        client: { email: 'customer@example.com' },
        purchase: { products: [{ name: 'T-Shirt', price: 2999, quantity: 1 }], currency: 'USD' },
      });
      await pay(sandbox, purchase.body.id);
      await sandbox.settle();
      expect(received).toHaveLength(1);
      expectDocumented(received[0], DOC.envelope);
      const log = await api.get(`/webhooks/deliveries/?id=${purchase.body.id}&source_type=purchase`);
      expectDocumented(log.body, { ...DOC.list, results: [DOC.delivery] });
      expect(log.body.results[0].response_code).toBe(200);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('Get Callback Public Key: a JSON string of PEM by default, the documented object on request', async () => {
    const bare = await api.get('/public_key/');
    expect(typeof bare.body).toBe('string');
    expect(bare.body).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const other = await start({ publicKeyShape: 'object' });
    try {
      expectDocumented((await client(other).get('/public_key/')).body, {
        public_key:
          '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA...\n-----END PUBLIC KEY-----',
      });
    } finally {
      await other.close();
    }
  });
});
