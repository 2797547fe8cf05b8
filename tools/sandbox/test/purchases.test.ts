import { purchaseSchema, refundSchema } from '@tijara/ummah';
import type { RunningSandbox } from '../src/index.js';
import {
  client,
  control,
  createPurchase,
  DECLINED_CARD,
  pay,
  purchaseBody,
  start,
  type Client,
  type Json,
} from './helpers.js';

const NOT_FOUND = { error: 'Not Found', detail: 'Object with this ID does not exist.' };

let sandbox: RunningSandbox;
let api: Client;

beforeAll(async () => {
  sandbox = await start();
  api = client(sandbox);
});
afterAll(() => sandbox.close());

async function purchaseCount(): Promise<number> {
  return (await control<{ results: Json[] }>(sandbox, 'GET', '/purchases')).body.results.length;
}

describe('authentication', () => {
  test.each([
    ['no Authorization header', {}],
    ['an unknown key', { authorization: 'Bearer sk_test_not_the_sandbox_key' }],
    ['a live key', { authorization: 'Bearer sk_live_whatever' }],
    ['a non-Bearer scheme', { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }],
  ])('%s is a 401 with the invalid_api_key body', async (_name, headers) => {
    const response = await fetch(`${sandbox.apiBase}purchases/`, { headers });
    expect(response.status).toBe(401);
    expect((await response.json()) as Json).toEqual({
      error: 'invalid_api_key',
      message: 'The API key is missing, malformed, or revoked.',
    });
  });

  test('the key is not echoed anywhere in an error body', async () => {
    const response = await api.post('/purchases/', { brand_id: sandbox.brandId });
    expect(response.text).not.toContain(sandbox.secretKey);
  });
});

describe('create and retrieve', () => {
  test('create answers 201 with the documented purchase shape', async () => {
    const response = await api.post('/purchases/', purchaseBody(sandbox.brandId, { reference: 'ORDER-1' }));
    expect(response.status).toBe(201);
    const purchase = purchaseSchema.parse(response.body);
    expect(purchase).toMatchObject({
      status: 'created',
      is_test: true,
      brand_id: sandbox.brandId,
      reference: 'ORDER-1',
      refundable_amount: 0,
      is_recurring_token: false,
      payment: null,
      client: { email: 'buyer@example.com', full_name: 'Amina Buyer' },
      purchase: { total: 2999, total_amount: 2999, currency: 'USD' },
    });
    expect(response.body.checkout_url).toBe(`${sandbox.url}/checkout/${purchase.id}/`);
    expect(response.body.invoice_url).toBe(`${sandbox.url}/invoice/${purchase.id}/`);
    expect(response.body.status_history).toEqual([{ status: 'created', timestamp: expect.any(Number) }]);
    const retrieved = await api.get(`/purchases/${purchase.id}/`);
    expect(retrieved.status).toBe(200);
    expect(retrieved.body).toEqual(response.body);
  });

  test('totals are integer minor units: quantity, discount, tax and total_override', async () => {
    const purchase = await createPurchase(api, sandbox.brandId, {
      purchase: {
        currency: 'KWD',
        products: [
          { name: 'A', price: 1250, quantity: 3, discount: 250 },
          { name: 'B', price: 1000, quantity: '1.5', tax_percent: 5 },
        ],
      },
    });
    // 1250×3−250 = 3500; 1000×1.5 = 1500 + 5% = 75 → 5075
    expect(purchase.purchase.total).toBe(5075);
    expect(purchase.purchase.products[1]).toMatchObject({ quantity: '1.5000', tax_percent: '5.00' });
    const overridden = await createPurchase(api, sandbox.brandId, {
      purchase: { products: [{ name: 'A', price: 100 }], total_override: 42 },
    });
    expect(overridden.purchase.total).toBe(42);
    expect(overridden.purchase.currency).toBe('USD');
  });

  test('fractional quantities and tax round exactly, half up, never by a binary fraction', async () => {
    const purchase = await createPurchase(api, sandbox.brandId, {
      purchase: {
        currency: 'KWD',
        products: [
          // 25 × 0.58 = 14.5 exactly (the float product is 14.499…): rounds to 15.
          { name: 'A', price: 25, quantity: '0.58' },
          // 45 × 0.7 = 31.5 exactly (float 31.499…): 32; tax 32 × 12.5 % = 4.
          { name: 'B', price: 45, quantity: '0.7', tax_percent: '12.50' },
          // 1000 × 1.0005 = 1000.5: 1001; tax 1001 × 0.05 % = 0.5005: 1.
          { name: 'C', price: 1000, quantity: '1.0005', tax_percent: '0.05' },
        ],
      },
    });
    expect(purchase.purchase.total).toBe(15 + 32 + 4 + 1001 + 1);
  });

  test('client_id copies the client into the purchase', async () => {
    const created = await api.post('/clients/', { email: 'khalid@example.com', full_name: 'Khalid' });
    const purchase = await createPurchase(api, sandbox.brandId, {
      client: undefined,
      client_id: created.body.id,
    });
    expect(purchase.client_id).toBe(created.body.id);
    expect(purchase.client).toMatchObject({ email: 'khalid@example.com', full_name: 'Khalid' });
  });
});

describe('validation: 400 with field details', () => {
  const cases: Array<[string, (brand: string) => unknown, Record<string, string[]>]> = [
    [
      'missing client.email',
      (brand) => purchaseBody(brand, { client: {} }),
      { 'client.email': ['This field is required.'] },
    ],
    [
      'missing client and client_id',
      (brand) => purchaseBody(brand, { client: undefined }),
      { client: ['This field is required.'] },
    ],
    [
      'invalid email',
      (brand) => purchaseBody(brand, { client: { email: 'not-an-email' } }),
      { 'client.email': ['Enter a valid email address.'] },
    ],
    [
      'empty products',
      (brand) => purchaseBody(brand, { purchase: { products: [] } }),
      { 'purchase.products': ['This list may not be empty.'] },
    ],
    [
      'negative price',
      (brand) => purchaseBody(brand, { purchase: { products: [{ name: 'x', price: -1 }] } }),
      { 'purchase.products.0.price': ['Ensure this value is greater than or equal to 0.'] },
    ],
    [
      'unknown brand',
      () => purchaseBody('2b0e1f8e-0000-4000-8000-000000000000'),
      { brand_id: ['Object with this ID does not exist.'] },
    ],
    [
      'plain-HTTP success_callback to a public host',
      (brand) => purchaseBody(brand, { success_callback: 'http://shop.example/callback' }),
      { success_callback: ['Callback URLs must use HTTPS.'] },
    ],
    [
      'unknown client_id',
      (brand) =>
        purchaseBody(brand, { client: undefined, client_id: '2b0e1f8e-0000-4000-8000-000000000000' }),
      { client_id: ['Object with this ID does not exist.'] },
    ],
  ];
  test.each(cases)('%s', async (_name, body, details) => {
    const response = await api.post('/purchases/', body(sandbox.brandId));
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: 'Bad Request', details: expect.objectContaining(details) });
  });

  test('malformed JSON is a 400 too', async () => {
    const response = await fetch(`${sandbox.apiBase}purchases/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sandbox.secretKey}`, 'content-type': 'application/json' },
      body: '{"brand_id": ',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as Json).error).toBe('Bad Request');
  });
});

describe('404 and 405', () => {
  test.each([
    ['GET', 'purchases/00000000-0000-4000-8000-000000000000/'],
    ['POST', 'purchases/00000000-0000-4000-8000-000000000000/cancel/'],
    ['POST', 'purchases/00000000-0000-4000-8000-000000000000/release/'],
    ['POST', 'purchases/00000000-0000-4000-8000-000000000000/capture/'],
    ['POST', 'purchases/00000000-0000-4000-8000-000000000000/refund/'],
    ['POST', 'purchases/00000000-0000-4000-8000-000000000000/mark_as_paid/'],
    ['POST', 'purchases/00000000-0000-4000-8000-000000000000/resend_invoice/'],
    ['POST', 'purchases/00000000-0000-4000-8000-000000000000/delete_recurring_token/'],
    ['GET', 'purchases/not-even-a-uuid/'],
  ])('%s %s answers the documented 404 body', async (method, path) => {
    const response = await api.call(method, path, method === 'POST' ? {} : undefined);
    expect(response.status).toBe(404);
    expect(response.body).toEqual(NOT_FOUND);
  });

  test('unknown routes are 404, wrong methods 405', async () => {
    expect((await api.get('/nothing-here/')).status).toBe(404);
    const wrong = await api.del('/purchases/');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });
});

describe('status machine', () => {
  test('created → paid → partial refunds up to the captured total → refunded', async () => {
    const purchase = await createPurchase(api, sandbox.brandId);
    expect((await pay(sandbox, purchase.id)).body.status).toBe('paid');

    const first = await api.post(`/purchases/${purchase.id}/refund/`, { amount: 1000, reference: 'R1' });
    expect(first.status).toBe(200);
    expect(refundSchema.parse(first.body)).toMatchObject({
      status: 'refunded',
      amount: 1000,
      currency: 'USD',
      purchase: purchase.id,
      reference: 'R1',
    });
    let current = (await api.get(`/purchases/${purchase.id}/`)).body;
    expect(current).toMatchObject({
      status: 'refunded',
      refundable_amount: 1999,
      refund_availability: 'all',
    });

    expect((await api.post(`/purchases/${purchase.id}/refund/`, { amount: 1000 })).status).toBe(200);
    const over = await api.post(`/purchases/${purchase.id}/refund/`, { amount: 1000 });
    expect(over.status).toBe(400);
    expect(over.body.details).toEqual({ amount: ['Ensure this value is less than or equal to 999.'] });

    const rest = await api.post(`/purchases/${purchase.id}/refund/`, {});
    expect(rest.body.amount).toBe(999);
    current = (await api.get(`/purchases/${purchase.id}/`)).body;
    expect(current).toMatchObject({ status: 'refunded', refundable_amount: 0, refund_availability: 'none' });
    expect(current.status_history.map((h: Json) => h.status)).toEqual([
      'created',
      'paid',
      'refunded',
      'refunded',
      'refunded',
    ]);
    expect(current.status_history[2].related_object).toEqual({ type: 'payment', id: first.body.id });

    const again = await api.post(`/purchases/${purchase.id}/refund/`, {});
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: 'Conflict', code: 'already_refunded' });
  });

  test('actions in the wrong state are 409', async () => {
    const created = await createPurchase(api, sandbox.brandId);
    for (const action of ['refund', 'capture', 'release']) {
      const response = await api.post(`/purchases/${created.id}/${action}/`, {});
      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({ error: 'Conflict', code: 'invalid_status' });
    }
    await pay(sandbox, created.id);
    expect((await api.post(`/purchases/${created.id}/cancel/`)).status).toBe(409);
    expect((await api.post(`/purchases/${created.id}/mark_as_paid/`)).status).toBe(409);
    const payAgain = await pay(sandbox, created.id);
    expect(payAgain.status).toBe(409);
    expect(payAgain.body.code).toBe('purchase_not_payable');
  });

  test('hold: capture at most the held amount, partial allowed', async () => {
    const purchase = await createPurchase(api, sandbox.brandId, { skip_capture: true });
    expect((await pay(sandbox, purchase.id)).body).toMatchObject({ status: 'hold', refundable_amount: 0 });
    const tooMuch = await api.post(`/purchases/${purchase.id}/capture/`, { amount: 3000 });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.details).toEqual({ amount: ['Ensure this value is less than or equal to 2999.'] });
    const captured = await api.post(`/purchases/${purchase.id}/capture/`, { amount: 2000 });
    expect(captured.status).toBe(200);
    expect(captured.body).toMatchObject({
      status: 'paid',
      refundable_amount: 2000,
      payment: { amount: 2000 },
    });
    expect((await api.post(`/purchases/${purchase.id}/capture/`, {})).status).toBe(409);
    expect((await api.post(`/purchases/${purchase.id}/refund/`, { amount: 2001 })).status).toBe(400);
  });

  test('hold → release → released', async () => {
    const purchase = await createPurchase(api, sandbox.brandId, { skip_capture: true });
    await pay(sandbox, purchase.id);
    const released = await api.post(`/purchases/${purchase.id}/release/`);
    expect(released.status).toBe(200);
    expect(released.body).toEqual({ status: 'released' });
    expect((await api.get(`/purchases/${purchase.id}/`)).body).toMatchObject({ status: 'released' });
    expect((await api.post(`/purchases/${purchase.id}/capture/`, {})).status).toBe(409);
  });

  test('created → cancel → cancelled, and it can no longer be paid', async () => {
    const purchase = await createPurchase(api, sandbox.brandId);
    const cancelled = await api.post(`/purchases/${purchase.id}/cancel/`);
    expect(cancelled.body).toEqual({ status: 'cancelled' });
    expect((await api.get(`/purchases/${purchase.id}/`)).body).toMatchObject({ status: 'cancelled' });
    expect((await pay(sandbox, purchase.id)).status).toBe(409);
    expect((await api.post(`/purchases/${purchase.id}/resend_invoice/`)).status).toBe(409);
  });

  test('a declined attempt leaves the purchase in error, and it can still be paid', async () => {
    const purchase = await createPurchase(api, sandbox.brandId);
    const declined = await pay(sandbox, purchase.id, DECLINED_CARD);
    expect(declined.body.status).toBe('error');
    expect(declined.body.transaction_data.attempts[0]).toMatchObject({
      successful: false,
      error: { code: 'card_declined', decline_code: 'generic_decline' },
    });
    expect((await pay(sandbox, purchase.id)).body.status).toBe('paid');
  });

  test('mark_as_paid records an offline payment', async () => {
    const purchase = await createPurchase(api, sandbox.brandId);
    const marked = await api.post(`/purchases/${purchase.id}/mark_as_paid/`, { paid_on: 1700000000 });
    expect(marked.body).toMatchObject({
      status: 'paid',
      marked_as_paid: true,
      payment: { paid_on: 1700000000, method: 'offline' },
    });
    expect((await api.post(`/purchases/${purchase.id}/refund/`, {})).status).toBe(409);
  });

  test('resend_invoice answers {"status": "sent"} and marks a fresh purchase sent', async () => {
    const purchase = await createPurchase(api, sandbox.brandId);
    const response = await api.post(`/purchases/${purchase.id}/resend_invoice/`);
    expect(response.body).toEqual({ status: 'sent' });
    expect((await api.get(`/purchases/${purchase.id}/`)).body.status).toBe('sent');
    expect((await pay(sandbox, purchase.id)).body.status).toBe('paid');
  });

  test('zero-amount skip_capture is a preauthorization that saves the card', async () => {
    const purchase = await createPurchase(api, sandbox.brandId, {
      skip_capture: true,
      purchase: { products: [{ name: 'Card check', price: 0 }] },
    });
    const result = await pay(sandbox, purchase.id);
    expect(result.body).toMatchObject({
      status: 'preauthorized',
      is_recurring_token: true,
      refundable_amount: 0,
    });
  });

  test('due dates: overdue, or expired with due_strict (sandbox clock)', async () => {
    const now = sandbox.now();
    const soft = await createPurchase(api, sandbox.brandId, { due: now + 3600 });
    const strict = await createPurchase(api, sandbox.brandId, {
      due: now + 3600,
      purchase: { products: [{ name: 'x', price: 100 }], due_strict: true },
    });
    await sandbox.advanceClock(7200);
    expect((await api.get(`/purchases/${soft.id}/`)).body.status).toBe('overdue');
    expect((await api.get(`/purchases/${strict.id}/`)).body.status).toBe('expired');
    expect((await pay(sandbox, soft.id)).body.status).toBe('paid');
    expect((await pay(sandbox, strict.id)).status).toBe(409);
  });
});

describe('idempotency', () => {
  test('same key and body: the first response again, nothing created', async () => {
    const before = await purchaseCount();
    const headers = { 'Idempotency-Key': 'create-order-77' };
    const body = purchaseBody(sandbox.brandId, { reference: 'ORDER-77' });
    const first = await api.post('/purchases/', body, headers);
    // Same content, different key order and spacing.
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const second = await api.post('/purchases/', reordered, headers);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await purchaseCount()).toBe(before + 1);
  });

  test('same key, different body: 422, nothing created', async () => {
    const headers = { 'Idempotency-Key': 'create-order-78' };
    await api.post('/purchases/', purchaseBody(sandbox.brandId, { reference: 'ORDER-78' }), headers);
    const before = await purchaseCount();
    const conflicting = await api.post(
      '/purchases/',
      purchaseBody(sandbox.brandId, { reference: 'OTHER' }),
      headers,
    );
    expect(conflicting.status).toBe(422);
    expect(conflicting.body).toMatchObject({ error: 'Unprocessable Entity', code: 'idempotency_key_reused' });
    expect(await purchaseCount()).toBe(before);
  });

  test('a replayed refund refunds once', async () => {
    const purchase = await createPurchase(api, sandbox.brandId);
    await pay(sandbox, purchase.id);
    const headers = { 'Idempotency-Key': `refund-${purchase.id}` };
    const first = await api.post(`/purchases/${purchase.id}/refund/`, { amount: 500 }, headers);
    const second = await api.post(`/purchases/${purchase.id}/refund/`, { amount: 500 }, headers);
    expect(second.body.id).toBe(first.body.id);
    expect((await api.get(`/purchases/${purchase.id}/`)).body.refundable_amount).toBe(2499);
    const otherPurchase = await api.post(`/purchases/${purchase.id}/capture/`, {}, headers);
    expect(otherPurchase.status).toBe(422);
  });

  test('a validation failure leaves no record: the key can be reused with a fixed body', async () => {
    const headers = { 'Idempotency-Key': 'fix-and-retry' };
    const bad = await api.post('/purchases/', purchaseBody(sandbox.brandId, { client: {} }), headers);
    expect(bad.status).toBe(400);
    const good = await api.post('/purchases/', purchaseBody(sandbox.brandId), headers);
    expect(good.status).toBe(201);
  });
});
