import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { control, start, startReceiver, type Json, type Receiver } from './helpers.js';
import type { RunningSandbox } from '../src/index.js';

/**
 * The Postpay emulation over raw HTTP, against seed 003: authentication, the versioned media type, the error
 * table, checkouts and the buyer's decision, capture and its window, refunds, lists with filters and pages,
 * settlement lines, hooks and their signed, retried deliveries, the control API and per-gateway faults.
 */
let sandbox: RunningSandbox;
let receiver: Receiver;

beforeAll(async () => {
  sandbox = await start();
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
  await sandbox.close();
});
beforeEach(async () => {
  await sandbox.reset();
  receiver.requests.length = 0;
  receiver.respondWith(200);
});

const MEDIA_TYPE = 'application/vnd.postpay+json; version=v1';

function basic(merchantId = sandbox.gateways.postpay.merchantId, key = sandbox.gateways.postpay.secretKey) {
  return `Basic ${Buffer.from(`${merchantId}:${key}`).toString('base64')}`;
}

async function pp(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${sandbox.url}/postpay${path}`, {
    method,
    headers: {
      authorization: basic(),
      accept: MEDIA_TYPE,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: (text ? JSON.parse(text) : undefined) as Json,
  };
}

const address = {
  first_name: 'John',
  last_name: 'Doe',
  phone: '+971 50 199 8853',
  line1: 'The Gate District, DIFC',
  city: 'Dubai',
  country: 'AE',
  postal_code: '00000',
};

/** Seed 003's checkout example, with the shop's own return URLs. */
function seedCheckout(orderId: string, extra: Record<string, unknown> = {}) {
  return structuredClone({
    order_id: orderId,
    total_amount: 81480,
    tax_amount: 3880,
    currency: 'AED',
    shipping: { id: 'shipping-01', name: 'Express Delivery', amount: 2000, address },
    billing_address: { ...address },
    customer: { id: 'customer-01', email: 'john@postpay.io', first_name: 'John', last_name: 'Doe' },
    items: [
      {
        reference: 'sku-01',
        name: 'Wild Flower Eau de Parfum (50ml)',
        url: 'https://www.example.ae/wild-flower.html',
        unit_price: 84000,
        qty: 1,
      },
    ],
    discounts: [{ code: 'return-10', name: 'Returning customer 10% discount', amount: 8400 }],
    merchant: {
      confirmation_url: 'https://www.example.ae/success',
      cancel_url: 'https://www.example.ae/cancel',
    },
    ...extra,
  });
}

async function checkout(orderId: string, extra: Record<string, unknown> = {}) {
  const created = await pp('POST', '/checkouts', seedCheckout(orderId, extra));
  expect(created.status).toBe(200);
  return created.body.token as string;
}

async function approved(orderId: string, extra: Record<string, unknown> = {}) {
  const token = await checkout(orderId, extra);
  const decision = await control(sandbox, 'POST', `/postpay/checkouts/${token}/approve`);
  expect(decision.status).toBe(200);
  return token;
}

async function captured(orderId: string, extra: Record<string, unknown> = {}) {
  await approved(orderId, extra);
  expect((await pp('POST', `/orders/${orderId}/capture`)).status).toBe(200);
}

describe('authentication, media type and the error table', () => {
  it('wants HTTP Basic merchant_id:secret_key', async () => {
    const none = await pp('GET', '/orders', undefined, { authorization: '' });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(none.body).toEqual({
      error: { code: 'authentication_failed', message: 'Authentication credentials were not provided.' },
    });
    const wrong = await pp('GET', '/orders', undefined, { authorization: basic(undefined, 'sk_test_wrong') });
    expect(wrong.body.error).toEqual({
      code: 'authentication_failed',
      message: 'Invalid authentication credentials.',
    });
    const bearer = await pp('GET', '/orders', undefined, {
      authorization: `Bearer ${sandbox.gateways.postpay.secretKey}`,
    });
    expect(bearer.status).toBe(401);
    expect((await pp('GET', '/orders')).status).toBe(200);
  });

  it('speaks application/vnd.postpay+json version v1, and answers 406 for what it cannot', async () => {
    const ok = await pp('GET', '/orders');
    expect(ok.headers.get('content-type')).toMatch(/^application\/vnd\.api\+json/);
    for (const accept of [
      'application/vnd.postpay+json',
      'application/json',
      '*/*',
      'text/html, */*;q=0.1',
    ]) {
      expect((await pp('GET', '/orders', undefined, { accept })).status).toBe(200);
    }
    for (const accept of ['application/vnd.postpay+json; version=v2', 'text/html', 'application/xml']) {
      const refused = await pp('GET', '/orders', undefined, { accept });
      expect(refused.status).toBe(406);
      expect(refused.body.error).toEqual({
        code: 'not_acceptable',
        message: 'Could not satisfy the request Accept header.',
      });
    }
  });

  it('answers malformed JSON, foreign media types, unknown methods and paths in the seed’s shapes', async () => {
    expect((await pp('POST', '/checkouts', '{"order_id":')).body.error).toEqual({
      code: 'parse_error',
      message: 'Malformed request.',
    });
    const form = await pp('POST', '/hooks', 'url=x', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    expect(form.body.error.code).toBe('unsupported_media_type');
    const put = await pp('PUT', '/orders/order-01', {});
    expect(put.status).toBe(405);
    expect(put.body.error.code).toBe('method_not_allowed');
    const missing = await pp('GET', '/invoices');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: { code: 'not_found', message: 'Not found.' } });
  });
});

describe('checkouts', () => {
  it('takes the seed’s example and answers token, expiry and redirect_url', async () => {
    const created = await pp('POST', '/checkouts', seedCheckout('order-01'));
    expect(created.status).toBe(200);
    expect(created.body).toEqual({
      token: expect.stringMatching(/^[0-9a-f]{32}$/),
      expires: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/),
      redirect_url: `${sandbox.url}/postpay/checkout/${created.body.token}`,
    });
    // One hour to complete it, as in the seed's example.
    const expiresIn = Date.parse(created.body.expires) - Date.now();
    expect(expiresIn).toBeGreaterThan(59 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(60 * 60_000);
    const order = await pp('GET', '/orders/order-01');
    expect(order.body).toMatchObject({
      order_id: 'order-01',
      status: 'pending',
      total_amount: 81480,
      tax_amount: 3880,
      currency: 'AED',
      shipping: { name: 'Express Delivery', address: { city: 'Dubai' } },
      items: [{ reference: 'sku-01', unit_price: 84000, qty: 1 }],
      discounts: [{ code: 'return-10', amount: 8400 }],
    });
  });

  it('refuses invalid checkouts with nested field errors', async () => {
    const body = seedCheckout('order-02', {
      total_amount: '814.80',
      currency: 'AEDX',
      items: [
        seedCheckout('x').items[0],
        { reference: 'sku-02', name: 'Soap', url: 'nope', unit_price: 100, qty: 0 },
      ],
    }) as Record<string, Json>;
    delete body.shipping.address.city;
    const refused = await pp('POST', '/checkouts', body);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toEqual({
      code: 'invalid',
      message: 'Invalid input.',
      fields: {
        total_amount: ['A valid integer is required.'],
        currency: ['"AEDX" is not a valid ISO 4217 currency code.'],
        shipping: { address: { city: ['This field is required.'] } },
        items: [
          {},
          { url: ['Enter a valid URL.'], qty: ['Ensure this value is greater than or equal to 1.'] },
        ],
      },
    });
  });

  it('refuses a total that is not items + shipping + tax − discounts', async () => {
    const refused = await pp('POST', '/checkouts', seedCheckout('order-03', { total_amount: 81481 }));
    expect(refused.body.error.fields).toEqual({
      total_amount: ['Ensure the total equals items + shipping + tax - discounts (81480).'],
    });
  });

  it('refuses a second checkout for an order id (409 conflict)', async () => {
    await checkout('order-04');
    const again = await pp('POST', '/checkouts', seedCheckout('order-04'));
    expect(again.status).toBe(409);
    expect(again.body.error).toEqual({
      code: 'conflict',
      message: 'There is already an order with this ID.',
    });
  });
});

describe('the buyer’s decision (control API)', () => {
  it('sends the buyer back with order_id and status: APPROVED, DENIED, CANCELLED', async () => {
    const approve = await control(sandbox, 'POST', `/postpay/checkouts/${await checkout('o-a')}/approve`);
    expect(approve.body).toEqual({
      redirect_url: 'https://www.example.ae/success?order_id=o-a&status=APPROVED',
      order_id: 'o-a',
      status: 'approved',
    });
    const deny = await control(sandbox, 'POST', `/postpay/checkouts/${await checkout('o-d')}/deny`);
    expect(deny.body.redirect_url).toBe('https://www.example.ae/cancel?order_id=o-d&status=DENIED');
    const cancel = await control(sandbox, 'POST', `/postpay/checkouts/${await checkout('o-c')}/cancel`);
    expect(cancel.body.redirect_url).toBe('https://www.example.ae/cancel?order_id=o-c&status=CANCELLED');
    expect((await pp('GET', '/orders?ordering=created')).body.results.map((o: Json) => o.status)).toEqual([
      'approved',
      'denied',
      'cancelled',
    ]);
  });

  it('decides once; an unknown card is denied; a checkout past its hour has expired', async () => {
    const token = await checkout('o-once');
    await control(sandbox, 'POST', `/postpay/checkouts/${token}/cancel`);
    const again = await control(sandbox, 'POST', `/postpay/checkouts/${token}/approve`);
    expect(again.status).toBe(409);
    const unknown = await control(sandbox, 'POST', `/postpay/checkouts/${await checkout('o-card')}/approve`, {
      card: '4242424242424242',
    });
    expect(unknown.body.status).toBe('denied');
    expect((await control(sandbox, 'POST', '/postpay/checkouts/nope/approve')).status).toBe(404);

    const late = await checkout('o-late');
    await sandbox.advanceClock(3601);
    expect((await pp('GET', '/orders/o-late')).body.status).toBe('expired');
    expect((await control(sandbox, 'POST', `/postpay/checkouts/${late}/approve`)).status).toBe(410);
  });
});

describe('capture', () => {
  it('finalises an approved order, once', async () => {
    await approved('o-cap');
    const capture = await pp('POST', '/orders/o-cap/capture');
    expect(capture.body).toMatchObject({ order_id: 'o-cap', status: 'captured', total_amount: 81480 });
    const again = await pp('POST', '/orders/o-cap/capture');
    expect(again.status).toBe(409);
    expect(again.body.error).toEqual({ code: 'invalid_status', message: 'Order status must be approved.' });
    expect((await pp('POST', '/orders/nope/capture')).status).toBe(404);
  });

  it('answers 409 invalid_status before approval, 410 expired after the window, 402 capture_error on decline', async () => {
    await checkout('o-pending');
    expect((await pp('POST', '/orders/o-pending/capture')).body.error.code).toBe('invalid_status');

    await approved('o-window');
    await sandbox.advanceClock(72 * 3600 + 1);
    const late = await pp('POST', '/orders/o-window/capture');
    expect(late.status).toBe(410);
    expect(late.body.error).toEqual({ code: 'expired', message: 'The capture has expired.' });
    expect((await pp('GET', '/orders/o-window')).body.status).toBe('expired');

    const token = await checkout('o-decline');
    await control(sandbox, 'POST', `/postpay/checkouts/${token}/approve`, { card: '4000 0000 0000 0341' });
    const declined = await pp('POST', '/orders/o-decline/capture');
    expect(declined.status).toBe(402);
    expect(declined.body.error).toEqual({ code: 'capture_error', message: 'Payment transaction declined.' });
    expect((await pp('GET', '/orders/o-decline')).body.status).toBe('denied');
  });
});

describe('refunds', () => {
  it('partial and multiple, up to what was captured, each under the merchant’s id', async () => {
    await captured('o-ref');
    // The seed's own request example spells the id `refundId`.
    const first = await pp('POST', '/orders/o-ref/refunds', {
      refundId: 'refund-01',
      amount: 12050,
      description: 'Item returned by user',
    });
    expect(first.body).toEqual({
      refund_id: 'refund-01',
      amount: 12050,
      full: false,
      description: 'Item returned by user',
      created: expect.any(String),
    });
    const reused = await pp('POST', '/orders/o-ref/refunds', { refund_id: 'refund-01', amount: 100 });
    expect(reused.body.error).toEqual({
      code: 'conflict',
      message: 'There is already a refund with this ID.',
    });
    const over = await pp('POST', '/orders/o-ref/refunds', { refund_id: 'refund-02', amount: 69431 });
    expect(over.body.error).toEqual({ code: 'limit_exceeded', message: 'The amount exceeds the limit.' });
    const rest = await pp('POST', '/orders/o-ref/refunds', { refund_id: 'refund-03' });
    expect(rest.body).toMatchObject({ amount: 69430, full: true });
    expect((await pp('POST', '/orders/o-ref/refunds', { refund_id: 'refund-04' })).body.error.code).toBe(
      'limit_exceeded',
    );

    expect((await pp('GET', '/orders/o-ref/refunds/refund-01')).body.amount).toBe(12050);
    expect((await pp('GET', '/orders/o-ref/refunds/refund-09')).status).toBe(404);
    const listed = await pp('GET', '/orders/o-ref/refunds?ordering=amount&description__icontains=RETURNED');
    expect(listed.body).toMatchObject({ count: 1, results: [{ refund_id: 'refund-01' }] });
  });

  it('wants a captured order and a refund id', async () => {
    await approved('o-norefund');
    const early = await pp('POST', '/orders/o-norefund/refunds', { refund_id: 'r-1' });
    expect(early.body.error).toEqual({ code: 'invalid_status', message: 'Order status must be captured.' });
    await pp('POST', '/orders/o-norefund/capture');
    const missing = await pp('POST', '/orders/o-norefund/refunds', { amount: 100 });
    expect(missing.body.error).toEqual({
      code: 'invalid',
      message: 'Invalid input.',
      fields: { refund_id: ['This field is required.'] },
    });
  });
});

describe('lists', () => {
  it('filters, orders and pages with absolute next links', async () => {
    for (let i = 1; i <= 5; i++)
      await checkout(`o-list-${i}`, { total_amount: 81480 + i, tax_amount: 3880 + i });
    const page = await pp('GET', '/orders?page_size=2&ordering=-total_amount&total_amount__gte=81482');
    expect(page.body.count).toBe(4);
    expect(page.body.results.map((o: Json) => o.order_id)).toEqual(['o-list-5', 'o-list-4']);
    expect(page.body.next).toBe(
      `${sandbox.url}/postpay/orders?page_size=2&ordering=-total_amount&total_amount__gte=81482&page=2`,
    );
    expect(page.body.previous).toBeNull();
    const next = await fetch(page.body.next, { headers: { authorization: basic(), accept: MEDIA_TYPE } });
    expect(((await next.json()) as Json).results.map((o: Json) => o.order_id)).toEqual([
      'o-list-3',
      'o-list-2',
    ]);
    expect((await pp('GET', '/orders?page=9')).body).toEqual({
      error: { code: 'not_found', message: 'Invalid page.' },
    });
    expect((await pp('GET', '/orders?page_size=500')).body.results).toHaveLength(5);
    expect((await pp('GET', '/orders?status__in=captured,denied')).body.count).toBe(0);
    const bad = await pp('GET', '/orders?total_amount__gt=lots');
    expect(bad.body.error).toEqual({
      code: 'invalid',
      message: 'Invalid input.',
      fields: { total_amount__gt: ['Enter a number.'] },
    });
  });
});

describe('settlement transactions', () => {
  it('adds a line per capture (after fees) and per refund, paid at the next payout cycle', async () => {
    await captured('o-tx');
    await pp('POST', '/orders/o-tx/refunds', { refund_id: 'r-1', amount: 12050, description: 'Returned' });
    const lines = await pp('GET', '/transactions?ordering=created');
    expect(lines.body.results).toEqual([
      expect.objectContaining({
        type: 'order',
        currency: 'AED',
        amount: 81480,
        fee_amount: 100,
        fee_rate: 450,
        fee_tax_rate: 500,
        total_amount: 77525,
        paid: null,
        order: expect.objectContaining({ order_id: 'o-tx', status: 'captured' }),
      }),
      expect.objectContaining({
        type: 'refund',
        amount: -12050,
        total_amount: -12050,
        description: 'Returned',
      }),
    ]);
    const id = lines.body.results[0].id as string;
    expect((await pp('GET', `/transactions/${id}`)).body.id).toBe(id);
    expect((await pp('GET', '/transactions?type=refund&amount__lt=0')).body.count).toBe(1);
    expect((await pp('GET', '/transactions?paid__isnull=true')).body.count).toBe(2);

    await sandbox.advanceClock(86_400);
    const paid = await pp('GET', '/transactions?paid__isnull=false');
    expect(paid.body.count).toBe(2);
    expect(paid.body.results[0].paid).toMatch(/T00:00:00\.000000Z$/);
  });

  it('pays out on demand through the control API', async () => {
    await captured('o-payout');
    expect((await control(sandbox, 'POST', '/postpay/settlements/pay')).body).toEqual({ paid: 1 });
    expect((await pp('GET', '/transactions?paid__isnull=true')).body.count).toBe(0);
  });
});

describe('hooks', () => {
  it('CRUD in the seed’s shapes; the secret is never shown back', async () => {
    const created = await pp('POST', '/hooks', {
      events: ['order'],
      url: 'https://www.example.ae/hooks',
      secret: 'dolphins',
    });
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      active: true,
      events: ['order'],
      url: 'https://www.example.ae/hooks',
      last_response: { code: null, status: 'unused' },
      created: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      modified: expect.any(String),
    });
    const id = created.body.id as string;
    const edited = await pp('PATCH', `/hooks/${id}`, { active: false, events: ['transaction'] });
    expect(edited.body).toMatchObject({ active: false, events: ['transaction'] });
    expect((await pp('GET', '/hooks?active=false&events__contains=transaction')).body.count).toBe(1);
    expect((await pp('GET', '/hooks?url__startswith=http:')).body.count).toBe(0);
    const invalid = await pp('POST', '/hooks', { events: ['refund'], url: 'nope' });
    expect(invalid.body.error.fields).toEqual({
      events: { '0': ['"refund" is not a valid choice.'] },
      url: ['Enter a valid URL.'],
      secret: ['This field is required.'],
    });
    expect((await pp('DELETE', `/hooks/${id}`)).status).toBe(204);
    expect((await pp('GET', `/hooks/${id}`)).status).toBe(404);
  });

  it('delivers order and transaction events, signed per attempt, retried until answered', async () => {
    const secret = 'hook-secret-for-the-sandbox-test';
    const hook = (
      await pp('POST', '/hooks', { events: ['order', 'transaction'], url: `${receiver.url}/hooks`, secret })
    ).body;
    receiver.respondWith(500, 200);
    await captured('o-hook');
    await sandbox.settle();
    await sandbox.advanceClock(60);
    await sandbox.settle();

    const byEvent = (name: string) =>
      receiver.requests.filter((r) => `${r.json.event}.${r.json.data.status ?? r.json.data.type}` === name);
    // approved (failed once, then retried), captured, and the settlement line of the capture.
    expect(byEvent('order.approved')).toHaveLength(2);
    expect(byEvent('order.captured')).toHaveLength(1);
    expect(byEvent('transaction.order')).toHaveLength(1);
    for (const request of receiver.requests) {
      const [timestamp, hex] = String(request.headers['x-postpay-signature']).split(':');
      const expected = createHmac('sha256', secret)
        .update(`${timestamp}:${request.body.toString('utf8')}`)
        .digest('hex');
      expect(hex).toBe(expected);
      expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThanOrEqual(300);
    }
    const [first, retry] = byEvent('order.approved');
    expect(retry!.body.equals(first!.body)).toBe(true);
    expect(first!.json).toMatchObject({
      id: expect.stringMatching(/^evt_/),
      event: 'order',
      data: { order_id: 'o-hook' },
    });
    expect((await pp('GET', `/hooks/${hook.id}`)).body.last_response).toEqual({
      code: 200,
      status: 'success',
    });
    const log = await control(sandbox, 'GET', '/deliveries?gateway=postpay');
    expect(log.body.results.length).toBe(3);
  });
});

describe('sandbox integration', () => {
  it('lists Postpay in /__sandbox/info', async () => {
    const info = await control(sandbox, 'GET', '/info');
    expect(info.body.gateways.postpay).toEqual({
      baseUrl: `${sandbox.url}/postpay`,
      merchantId: sandbox.gateways.postpay.merchantId,
      secretKey: sandbox.gateways.postpay.secretKey,
    });
    expect(sandbox.gateways.postpay.secretKey).toMatch(/^sk_test_/);
  });

  it('injects faults per gateway, in Postpay’s error shape', async () => {
    await control(sandbox, 'POST', '/postpay/faults', {
      type: 'rate_limit',
      path: '/postpay/orders',
      count: 1,
      retry_after: 2,
    });
    const throttled = await pp('GET', '/orders');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('2');
    expect(throttled.body).toEqual({ error: { code: 'throttled', message: 'Request was throttled.' } });
    expect((await pp('GET', '/orders')).status).toBe(200);

    await approved('o-fault');
    await control(sandbox, 'POST', '/postpay/faults', {
      type: 'error',
      status: 502,
      when: 'after',
      path: '/postpay/orders/*/capture',
      count: 1,
    });
    const lost = await pp('POST', '/orders/o-fault/capture');
    expect(lost.body).toEqual({ error: { code: 'error', message: 'Oops!!' } });
    // The capture happened: the answer was what got lost.
    expect((await pp('GET', '/orders/o-fault')).body.status).toBe('captured');
    await control(sandbox, 'DELETE', '/postpay/faults');
  });

  it('keeps the key out of the landing page served to browsers', async () => {
    const landing = await (await fetch(`${sandbox.url}/`)).text();
    expect(landing).toContain(sandbox.gateways.postpay.merchantId);
    expect(landing).not.toContain(sandbox.gateways.postpay.secretKey);
  });
});

describe('persistence', () => {
  it('keeps the merchant, its orders, hooks and settlement lines across a restart on one SQLite file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tijara-postpay-'));
    const dbFile = join(dir, 'sandbox.sqlite');
    try {
      const first = await start({ dbFile });
      const { merchantId, secretKey } = first.gateways.postpay;
      const credentials = { merchantId, secretKey };
      const headers = {
        authorization: `Basic ${Buffer.from(`${credentials.merchantId}:${credentials.secretKey}`).toString('base64')}`,
        accept: MEDIA_TYPE,
        'content-type': 'application/json',
      };
      const call = (base: string, method: string, path: string, body?: unknown) =>
        fetch(`${base}/postpay${path}`, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      try {
        const created = (await (
          await call(first.url, 'POST', '/checkouts', seedCheckout('o-kept'))
        ).json()) as Json;
        await control(first, 'POST', `/postpay/checkouts/${created.token}/approve`);
        await call(first.url, 'POST', '/orders/o-kept/capture');
        await call(first.url, 'POST', '/hooks', {
          events: ['order'],
          url: 'https://www.example.ae/hooks',
          secret: 'kept-secret',
        });
      } finally {
        await first.close();
      }
      const second = await start({ dbFile });
      try {
        expect(second.gateways.postpay).toMatchObject(credentials);
        expect(((await (await call(second.url, 'GET', '/orders/o-kept')).json()) as Json).status).toBe(
          'captured',
        );
        expect(((await (await call(second.url, 'GET', '/hooks')).json()) as Json).count).toBe(1);
        expect(
          ((await (await call(second.url, 'GET', '/transactions')).json()) as Json).results[0].total_amount,
        ).toBe(77525);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
