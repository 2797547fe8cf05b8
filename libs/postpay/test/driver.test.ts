import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import {
  CardError,
  ConfigurationError,
  ConflictError,
  drivers,
  InvalidRequestError,
  NotFoundError,
  SIGNATURE_ERROR_CODES,
  SignatureVerificationError,
  UnsupportedOperationError,
} from '@tijara/core';
import {
  createPostpayDriver,
  orderIdFor,
  postpayTestWebhookHeaders,
  PostpayDriver,
  type PostpayDriverOptions,
} from '@tijara/postpay';
import { sendJson, startLoopbackServer, type LoopbackServer, type RecordedRequest } from '@tijara/testkit';
import {
  aedPayment,
  HOOK_SECRET,
  loadEndpointFixtures,
  MERCHANT_ID,
  readFixture,
  TEST_SECRET_KEY,
} from './support/fixtures.js';
import { startRecordedTarget, type RecordedTarget } from './support/recorded-target.js';

type Handler = (request: RecordedRequest, response: ServerResponse, socket: Socket) => void;

const fixtures = loadEndpointFixtures();
const seedOrder = fixtures.get('orders.retrieve')!.response.body as Record<string, unknown>;
const seedRefund = fixtures.get('orders.refunds.retrieve')!.response.body as Record<string, unknown>;
const error = (code: string, message: string) => ({ error: { code, message } });

let recorded: RecordedTarget;
let scripted: LoopbackServer;
let script: Handler | undefined;

beforeAll(async () => {
  recorded = await startRecordedTarget();
  scripted = await startLoopbackServer((request, response, socket) => {
    if (!script) return sendJson(response, 500, error('error', 'no script'));
    script(request, response, socket);
  });
});
afterAll(async () => {
  await recorded.close();
  await scripted.close();
});
beforeEach(() => {
  recorded.server.requests.length = 0;
  scripted.requests.length = 0;
  script = undefined;
});

function driverAt(baseUrl: string, extra: Partial<PostpayDriverOptions> = {}): PostpayDriver {
  return createPostpayDriver({
    merchantId: MERCHANT_ID,
    secretKey: TEST_SECRET_KEY,
    baseUrl,
    backoffBaseMs: 1,
    jitterMs: 0,
    webhooks: { secrets: [HOOK_SECRET] },
    ...extra,
  });
}

const sent = (server: LoopbackServer) => server.requests.map((r) => `${r.method} ${r.path}`);

const input = aedPayment('cart-7');

/** Answers JSON by route; an answer `'drop'` reads the request and closes the socket without answering. */
function routes(table: Record<string, Array<[number, unknown] | 'drop'>>): Handler {
  return (request, response, socket) => {
    const queue = table[`${request.method} ${request.path}`];
    const next = queue && (queue.length > 1 ? queue.shift() : queue[0]);
    if (!next) return sendJson(response, 404, error('not_found', 'Not found.'));
    if (next === 'drop') return void socket.destroy();
    sendJson(response, next[0], next[1]);
  };
}

describe('createPayment', () => {
  it('creates a checkout for one attempt and hands back where to send the buyer', async () => {
    const driver = driverAt(recorded.baseUrl);
    const payment = await driver.createPayment(input, { idempotencyKey: 'attempt-1' });
    const orderId = orderIdFor('cart-7', 'attempt-1');
    expect(payment).toMatchObject({
      id: orderId,
      status: 'pending',
      amount: 2999,
      currency: 'AED',
      reference: 'cart-7',
      testMode: true,
      nextAction: {
        type: 'redirect',
        method: 'GET',
        url: 'https://checkout.postpay.io/c0nf1d3nt1a1t0k3n0000000000000001',
      },
    });
    const request = recorded.server.requests[0]!;
    expect(request.headers['idempotency-key']).toBeUndefined();
    expect(request.json).toMatchObject({
      order_id: orderId,
      total_amount: 2999,
      tax_amount: 143,
      currency: 'AED',
      merchant: { confirmation_url: 'https://shop.example/ok', cancel_url: 'https://shop.example/ko' },
    });
    // The same attempt again names the same order; another attempt, another order.
    await driver.createPayment(input, { idempotencyKey: 'attempt-1' });
    await driver.createPayment(input, { idempotencyKey: 'attempt-2' });
    const ids = recorded.server.requests.map((r) => (r.json as { order_id: string }).order_id);
    expect(ids).toEqual([orderId, orderId, orderIdFor('cart-7', 'attempt-2')]);
  });

  it('reports a second checkout for the same order as a lost redirect, never as a new payment', async () => {
    script = routes({ 'POST /checkouts': [[409, error('conflict', 'A conflict of data exists.')]] });
    const failure = await driverAt(scripted.url)
      .createPayment(input, { idempotencyKey: 'attempt-1' })
      .catch((e) => e);
    expect(failure).toBeInstanceOf(ConflictError);
    expect(failure).toMatchObject({ code: 'checkout_exists', statusCode: 409 });
    expect(failure.message).toMatch(/new idempotency key/);
  });

  it('re-sends a checkout whose answer was lost only after reading that no order was made', async () => {
    const orderId = orderIdFor('cart-7', 'attempt-3');
    script = routes({
      'POST /checkouts': ['drop', [200, fixtures.get('checkouts.create')!.response.body]],
      [`GET /orders/${orderId}`]: [[404, error('not_found', 'Not found.')]],
    });
    const payment = await driverAt(scripted.url).createPayment(input, { idempotencyKey: 'attempt-3' });
    expect(payment.id).toBe(orderId);
    expect(sent(scripted)).toEqual(['POST /checkouts', `GET /orders/${orderId}`, 'POST /checkouts']);
  });

  it('does not re-send a checkout whose order exists: the outcome is reported as unknown', async () => {
    const orderId = orderIdFor('cart-7', 'attempt-4');
    script = routes({
      'POST /checkouts': ['drop'],
      [`GET /orders/${orderId}`]: [[200, { ...seedOrder, order_id: orderId, status: 'pending' }]],
    });
    const failure = await driverAt(scripted.url)
      .createPayment(input, { idempotencyKey: 'attempt-4' })
      .catch((e) => e);
    expect(failure).toMatchObject({ outcomeUnknown: true });
    expect(sent(scripted)).toEqual(['POST /checkouts', `GET /orders/${orderId}`]);
  });

  it('refuses manual capture, saved methods and over-long references before sending', async () => {
    const driver = driverAt(recorded.baseUrl);
    await expect(driver.createPayment({ ...input, capture: 'manual' })).rejects.toBeInstanceOf(
      UnsupportedOperationError,
    );
    await expect(driver.createPayment({ ...input, saveMethod: true })).rejects.toBeInstanceOf(
      UnsupportedOperationError,
    );
    await expect(driver.createPayment({ ...input, reference: 'r'.repeat(101) })).rejects.toMatchObject({
      details: { reference: ['Ensure this field has no more than 100 characters.'] },
    });
    expect(recorded.server.requests).toHaveLength(0);
  });
});

describe('capture (capture on approval)', () => {
  it('finalises an approved order', async () => {
    const id = recorded.order('approved');
    expect(await driverAt(recorded.baseUrl).capture(id)).toMatchObject({
      id,
      status: 'paid',
      capturedAmount: 2999,
      refundableAmount: 2999,
    });
    expect(sent(recorded.server)).toEqual([`POST /orders/${id}/capture`]);
  });

  it('answers a captured order as captured (already done), reading its refunds', async () => {
    expect(await driverAt(recorded.baseUrl).capture('conf-captured')).toMatchObject({
      status: 'paid',
      capturedAmount: 5998,
    });
    expect(sent(recorded.server)).toEqual([
      'POST /orders/conf-captured/capture',
      'GET /orders/conf-captured',
      'GET /orders/conf-captured/refunds',
    ]);
  });

  it('reports an expired approval and a declined capture as what they are', async () => {
    const driver = driverAt(recorded.baseUrl);
    await expect(driver.capture('conf-expired')).rejects.toMatchObject({
      constructor: ConflictError,
      statusCode: 410,
      code: 'expired',
    });
    await expect(driver.capture('conf-denied')).rejects.toMatchObject({ code: 'invalid_status' });
    script = routes({
      'POST /orders/o-1/capture': [[402, error('capture_error', 'Payment transaction declined.')]],
    });
    await expect(driverAt(scripted.url).capture('o-1')).rejects.toBeInstanceOf(CardError);
  });

  it('takes no amount: Postpay captures the whole order', async () => {
    await expect(driverAt(recorded.baseUrl).capture('conf-approved', 1000)).rejects.toBeInstanceOf(
      UnsupportedOperationError,
    );
    expect(recorded.server.requests).toHaveLength(0);
  });

  it.each([
    ['a dropped connection', 'drop' as const],
    ['a 502 after the gateway acted', [502, error('error', 'Oops!!')] as [number, unknown]],
  ])('after %s, reads the order instead of capturing again', async (_what, failure) => {
    script = routes({
      'POST /orders/o-2/capture': [failure],
      'GET /orders/o-2': [[200, { ...seedOrder, order_id: 'o-2', status: 'captured' }]],
    });
    expect(await driverAt(scripted.url).capture('o-2')).toMatchObject({
      status: 'paid',
      capturedAmount: 81480,
    });
    expect(sent(scripted)).toEqual(['POST /orders/o-2/capture', 'GET /orders/o-2']);
  });

  it('re-sends a capture the order shows never happened', async () => {
    script = routes({
      'POST /orders/o-3/capture': ['drop', [200, { ...seedOrder, order_id: 'o-3' }]],
      'GET /orders/o-3': [[200, { ...seedOrder, order_id: 'o-3', status: 'approved' }]],
    });
    expect(await driverAt(scripted.url).capture('o-3')).toMatchObject({ status: 'paid' });
    expect(sent(scripted)).toEqual([
      'POST /orders/o-3/capture',
      'GET /orders/o-3',
      'POST /orders/o-3/capture',
    ]);
  });
});

describe('refund', () => {
  it('sends the merchant’s refund id: the reference, else the idempotency key', async () => {
    const driver = driverAt(recorded.baseUrl);
    const partial = await driver.refund('conf-captured', {
      amount: 1499,
      reference: 'return-1',
      reason: 'Too big',
    });
    expect(partial).toMatchObject({
      id: 'return-1',
      reference: 'return-1',
      amount: 1499,
      currency: 'AED',
      status: 'succeeded',
    });
    // No amount: the rest of the captured 59.98.
    const full = await driver.refund('conf-captured', {}, { idempotencyKey: 'refund-key-1' });
    expect(full).toMatchObject({ id: 'refund-key-1', amount: 4499 });
    const bodies = recorded.server.requests.filter((r) => r.method === 'POST').map((r) => r.json);
    expect(bodies).toEqual([
      { refund_id: 'return-1', amount: 1499, description: 'Too big' },
      { refund_id: 'refund-key-1' },
    ]);
  });

  it('answers the first refund when the same id comes again, and refuses the id for another refund', async () => {
    const refund = { ...seedRefund, refund_id: 'return-2', amount: 12050 };
    script = routes({
      'GET /orders/o-4': [[200, { ...seedOrder, order_id: 'o-4' }]],
      'POST /orders/o-4/refunds': [[409, error('conflict', 'There is already a refund with this ID.')]],
      'GET /orders/o-4/refunds/return-2': [[200, refund]],
    });
    const driver = driverAt(scripted.url);
    expect(await driver.refund('o-4', { amount: 12050, reference: 'return-2' })).toMatchObject({
      id: 'return-2',
      amount: 12050,
    });
    const other = await driver.refund('o-4', { amount: 100, reference: 'return-2' }).catch((e) => e);
    expect(other).toBeInstanceOf(ConflictError);
    expect(other.message).toMatch(/already used on order o-4 for a different refund \(12050\)/);
  });

  it('after a lost answer, reads the refund by its id instead of refunding again', async () => {
    script = routes({
      'GET /orders/o-5': [[200, { ...seedOrder, order_id: 'o-5' }]],
      'POST /orders/o-5/refunds': ['drop'],
      'GET /orders/o-5/refunds/return-3': [[200, { ...seedRefund, refund_id: 'return-3' }]],
    });
    expect(
      await driverAt(scripted.url).refund('o-5', { amount: 12050, reference: 'return-3' }),
    ).toMatchObject({
      id: 'return-3',
    });
    expect(sent(scripted).filter((r) => r.startsWith('POST'))).toHaveLength(1);
  });

  it('re-sends a refund that reading shows never happened (its id makes a double impossible)', async () => {
    script = routes({
      'GET /orders/o-6': [[200, { ...seedOrder, order_id: 'o-6' }]],
      'POST /orders/o-6/refunds': ['drop', [200, { ...seedRefund, refund_id: 'return-4' }]],
      'GET /orders/o-6/refunds/return-4': [[404, error('not_found', 'Not found.')]],
    });
    expect(
      await driverAt(scripted.url).refund('o-6', { amount: 12050, reference: 'return-4' }),
    ).toMatchObject({
      id: 'return-4',
    });
    expect(sent(scripted)).toEqual([
      'GET /orders/o-6',
      'POST /orders/o-6/refunds',
      'GET /orders/o-6/refunds/return-4',
      'POST /orders/o-6/refunds',
    ]);
  });

  it('fails before sending for an unknown order or a zero amount', async () => {
    const driver = driverAt(recorded.baseUrl);
    await expect(driver.refund('conf-captured', { amount: 0 })).rejects.toBeInstanceOf(InvalidRequestError);
    script = routes({});
    await expect(driverAt(scripted.url).refund('nope', { amount: 10 })).rejects.toBeInstanceOf(NotFoundError);
    expect(sent(scripted)).toEqual(['GET /orders/nope']);
  });
});

describe('retrievePayment', () => {
  it('adds up every page of a captured order’s refunds', async () => {
    script = (request, response) => {
      if (request.path === '/orders/o-7') return sendJson(response, 200, { ...seedOrder, order_id: 'o-7' });
      const page = request.query.get('page') ?? '1';
      sendJson(response, 200, {
        count: 2,
        next: page === '1' ? `${scripted.url}/orders/o-7/refunds?page=2&page_size=50` : null,
        previous: null,
        results: [{ ...seedRefund, refund_id: `r-${page}`, amount: page === '1' ? 12050 : 69430 }],
      });
    };
    expect(await driverAt(scripted.url).retrievePayment('o-7')).toMatchObject({
      status: 'refunded',
      refundedAmount: 81480,
      refundableAmount: 0,
    });
  });
});

describe('resolveReturn', () => {
  it('reads the order the return names; the status in the query is only a claim', async () => {
    const driver = driverAt(recorded.baseUrl);
    const id = recorded.order('approved');
    const approved = await driver.resolveReturn({ query: { order_id: id, status: 'APPROVED' } });
    expect(approved).toMatchObject({
      claimed: 'approved',
      payment: { id, status: 'authorized' },
    });
    // A forged APPROVED does not make a denied order approved.
    const forged = await driver.resolveReturn({ query: { order_id: 'conf-denied', status: 'APPROVED' } });
    expect(forged).toMatchObject({ claimed: 'approved', payment: { status: 'failed' } });
    const cancelled = await driver.resolveReturn({
      query: { status: 'CANCELLED' },
      paymentId: 'conf-denied',
    });
    expect(cancelled).toMatchObject({ claimed: 'canceled', payment: { id: 'conf-denied' } });
    const posted = await driver.resolveReturn({
      query: {},
      form: { order_id: 'conf-approved', status: 'DENIED' },
    });
    expect(posted.claimed).toBe('declined');
  });

  it('refuses a return that names another order than the one the buyer was sent to pay', async () => {
    const other = recorded.order('approved');
    await expect(
      driverAt(recorded.baseUrl).resolveReturn({
        query: { order_id: other, status: 'APPROVED' },
        paymentId: 'cart-7-0a1b2c3d4e5f',
      }),
    ).rejects.toMatchObject({ constructor: InvalidRequestError, code: 'return_payment_mismatch' });
    expect(recorded.server.requests).toHaveLength(0);
  });

  it('refuses a return that names no order', async () => {
    await expect(
      driverAt(recorded.baseUrl).resolveReturn({ query: { status: 'APPROVED' } }),
    ).rejects.toMatchObject({
      constructor: InvalidRequestError,
      details: { order_id: ['This field is required.'] },
    });
  });
});

describe('verifyWebhook', () => {
  const body = Buffer.from(JSON.stringify(readFixture('webhooks/order-approved.json')));

  it('verifies X-Postpay-Signature over the raw body and parses the event', async () => {
    const event = await driverAt(recorded.baseUrl).verifyWebhook(
      body,
      postpayTestWebhookHeaders(body, HOOK_SECRET),
    );
    expect(event).toMatchObject({ type: 'payment.authorized', paymentId: 'order-01' });
  });

  it('accepts any configured secret (rotation) and refuses others', async () => {
    const driver = driverAt(recorded.baseUrl, { webhooks: { secrets: ['old-secret-123456', HOOK_SECRET] } });
    await expect(
      driver.verifyWebhook(body, postpayTestWebhookHeaders(body, 'old-secret-123456')),
    ).resolves.toBeDefined();
    await expect(
      driver.verifyWebhook(body, postpayTestWebhookHeaders(body, 'another-secret-0000')),
    ).rejects.toBeInstanceOf(SignatureVerificationError);
  });

  it('refuses a signature outside ±300 s, in either direction', async () => {
    // The verifier's clock is fixed, so the edges of the window are exact.
    const nowMs = Date.UTC(2026, 11, 1, 12, 0, 0);
    const now = nowMs / 1000;
    const driver = driverAt(recorded.baseUrl, { webhooks: { secrets: [HOOK_SECRET], now: () => nowMs } });
    for (const timestamp of [now - 301, now + 301]) {
      await expect(
        driver.verifyWebhook(body, postpayTestWebhookHeaders(body, HOOK_SECRET, timestamp)),
      ).rejects.toMatchObject({
        constructor: SignatureVerificationError,
        code: SIGNATURE_ERROR_CODES.expired,
      });
    }
    for (const timestamp of [now - 300, now + 300]) {
      await expect(
        driver.verifyWebhook(body, postpayTestWebhookHeaders(body, HOOK_SECRET, timestamp)),
      ).resolves.toBeDefined();
    }
  });

  it('says what to configure when no secret is', async () => {
    const driver = driverAt(recorded.baseUrl, { webhooks: {} });
    await expect(driver.verifyWebhook(body, postpayTestWebhookHeaders(body, HOOK_SECRET))).rejects.toThrow(
      /webhooks\.secrets/,
    );
  });
});

describe('configuration', () => {
  it('is what drivers.create("postpay") makes', () => {
    const driver = drivers.create('postpay', { merchantId: MERCHANT_ID, secretKey: TEST_SECRET_KEY });
    expect(driver).toBeInstanceOf(PostpayDriver);
    expect(driver.capabilities).toMatchObject({
      captureModes: ['automatic'],
      captureOnApproval: true,
      returnResolution: true,
      idempotencyKeys: false,
      savedMethods: false,
      partialRefund: true,
      multipleRefunds: true,
    });
  });

  it.each([
    [{ merchantId: '' }, 'missing_merchant_id'],
    [{ merchantId: 'a:b' }, 'invalid_merchant_id'],
    [{ secretKey: 'pk_test_123' }, 'invalid_secret_key'],
    [{ secretKey: 'Basic sk_test_123' }, 'invalid_secret_key'],
    [{ secretKey: 'secret' }, 'invalid_secret_key'],
    [{ storeUrl: 'shop' }, 'invalid_store_url'],
    [{ numInstalments: 0 }, 'invalid_instalments'],
    [{ captureWindowMs: -1 }, 'invalid_capture_window'],
    [{ capabilities: { currencies: [] } }, 'invalid_capabilities'],
  ])('refuses %j with %s, without echoing the key', (bad, code) => {
    let thrown: unknown;
    try {
      createPostpayDriver({
        merchantId: MERCHANT_ID,
        secretKey: TEST_SECRET_KEY,
        ...bad,
      } as PostpayDriverOptions);
    } catch (caught) {
      thrown = caught;
    }
    expect(thrown).toBeInstanceOf(ConfigurationError);
    expect(thrown).toMatchObject({ code });
    expect(JSON.stringify(thrown)).not.toContain(TEST_SECRET_KEY);
  });

  it('reports the approval’s expiry when the capture window is configured', async () => {
    const driver = driverAt(recorded.baseUrl, { captureWindowMs: 24 * 3_600_000 });
    expect((await driver.retrievePayment(recorded.order('approved'))).authorizationExpiresAt).toEqual(
      new Date('2026-12-02T10:05:00.000Z'),
    );
  });
});
