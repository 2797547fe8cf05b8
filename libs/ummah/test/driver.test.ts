import {
  ConfigurationError,
  drivers,
  InvalidRequestError,
  InvalidResponseError,
  UnsupportedOperationError,
} from '@tijara/core';
import { sendJson, startLoopbackServer, type LoopbackServer } from '@tijara/testkit';
import {
  createUmmahDriver,
  DEFAULT_BASE_URL,
  parseSecretKey,
  UmmahDriver,
  type UmmahDriverOptions,
} from '@tijara/ummah';
import { BRAND_ID, readFixture, TEST_SECRET_KEY } from './support/fixtures.js';

const P = 'd6c9e9e0-1b5a-4c6e-8b3a-0f1a2b3c4d5e';

function configError(make: () => unknown): ConfigurationError {
  let error: unknown;
  try {
    make();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigurationError);
  return error as ConfigurationError;
}

describe('configuration', () => {
  it('reads test or live mode from the key prefix', () => {
    expect(parseSecretKey('sk_test_abc123')).toBe('test');
    expect(parseSecretKey('sk_live_abc123')).toBe('live');
    expect(createUmmahDriver({ secretKey: TEST_SECRET_KEY, brandId: BRAND_ID }).testMode).toBe(true);
    expect(createUmmahDriver({ secretKey: 'sk_live_abc123def456', brandId: BRAND_ID }).testMode).toBe(false);
  });

  it('accepts an unprefixed CHIP-style key, live unless told otherwise', () => {
    const key = 'abc_Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg==';
    expect(createUmmahDriver({ secretKey: key, brandId: BRAND_ID }).testMode).toBe(false);
    expect(createUmmahDriver({ secretKey: key, brandId: BRAND_ID, mode: 'test' }).testMode).toBe(true);
  });

  it.each([
    ['a public key', 'pk_test_51HqLyjWDarjtT1zdp7dcdeadbeef', /public \(pk_…\) key/],
    [
      'a PEM key',
      '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A\n-----END PUBLIC KEY-----',
      /PEM key/,
    ],
    ['a pasted Bearer prefix', 'Bearer sk_test_51HqLyjWDarjtT1zdp7dc', /starts with "Bearer"/],
    ['another kind of key', 'rk_test_51HqLyjWDarjtT1zdp7dc', /not an API secret key/],
    ['an sk_ key of no known mode', 'sk_prod_51HqLyjWDarjtT1zdp7dc', /unknown mode/],
    ['whitespace inside', 'sk_test_51HqLy jWDarjtT1zdp7dc', /whitespace/],
    ['an empty string', '', /is missing/],
  ])('rejects %s at construction, without echoing it', (_what, key, message) => {
    const error = configError(() => createUmmahDriver({ secretKey: key, brandId: BRAND_ID }));
    expect(error.message).toMatch(message);
    if (key.length > 0) {
      const distinctive = key.replace(/^(Bearer |-----BEGIN PUBLIC KEY-----\n)/, '').slice(0, 20);
      for (const view of [error.message, JSON.stringify(error), String(error.stack)])
        expect(view).not.toContain(distinctive);
    }
  });

  it('needs a brand id and a creator agent within the documented 32 characters', () => {
    expect(
      configError(() => createUmmahDriver({ secretKey: TEST_SECRET_KEY } as UmmahDriverOptions)).message,
    ).toMatch(/brandId is missing/);
    expect(
      configError(() =>
        createUmmahDriver({ secretKey: TEST_SECRET_KEY, brandId: BRAND_ID, creatorAgent: 'x'.repeat(33) }),
      ).message,
    ).toMatch(/at most 32/);
  });

  it('defaults to the Ummah base URL and can point anywhere CHIP-compatible', () => {
    expect(createUmmahDriver({ secretKey: TEST_SECRET_KEY, brandId: BRAND_ID }).client.baseUrl).toBe(
      DEFAULT_BASE_URL,
    );
    expect(DEFAULT_BASE_URL).toBe('https://gate.ummah.com/api/v1/');
  });

  it('declares its capabilities, and refuses to narrow them to nothing', () => {
    const driver = createUmmahDriver({ secretKey: TEST_SECRET_KEY, brandId: BRAND_ID });
    expect(driver.capabilities).toEqual({
      captureModes: ['automatic', 'manual'],
      partialCapture: true,
      release: true,
      cancel: true,
      refund: true,
      partialRefund: true,
      multipleRefunds: true,
      savedMethods: true,
      customers: true,
      signedWebhooks: true,
      returnResolution: false,
      captureOnApproval: false,
      amountPolicy: 'exact',
      idempotencyKeys: true,
      currencies: 'any',
      testMode: true,
    });
    // What Ummah does not do cannot be declared on.
    expect(
      createUmmahDriver({
        secretKey: TEST_SECRET_KEY,
        brandId: BRAND_ID,
        capabilities: { captureOnApproval: true, returnResolution: true },
      }).capabilities,
    ).toMatchObject({ captureOnApproval: false, returnResolution: false });
    configError(() =>
      createUmmahDriver({
        secretKey: TEST_SECRET_KEY,
        brandId: BRAND_ID,
        capabilities: { captureModes: [] },
      }),
    );
  });

  it("is registered in core's driver registry under 'ummah'", () => {
    expect(drivers.has('ummah')).toBe(true);
    const driver = drivers.create('ummah', { secretKey: TEST_SECRET_KEY, brandId: BRAND_ID });
    expect(driver).toBeInstanceOf(UmmahDriver);
    expect(driver.name).toBe('ummah');
  });
});

describe('operations over HTTP', () => {
  let server: LoopbackServer;
  let answers: Array<{ status: number; body: unknown }>;
  const driver = () =>
    createUmmahDriver({
      secretKey: TEST_SECRET_KEY,
      brandId: BRAND_ID,
      baseUrl: `${server.url}/api/v1/`,
      maxAttempts: 1,
    });
  const paid = readFixture<Record<string, unknown>>('webhooks/success-callback.json');

  beforeAll(async () => {
    server = await startLoopbackServer((_request, response) => {
      const next = answers.shift() ?? { status: 500, body: { error: 'unscripted' } };
      sendJson(response, next.status, next.body);
    });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    answers = [];
  });

  it('derives distinct keys for the two POSTs of an off-session charge from one generated base', async () => {
    answers = [
      { status: 201, body: { ...paid, id: 'new-1', status: 'created', is_recurring_token: false } },
      { status: 200, body: { ...paid, id: 'new-1', status: 'paid', is_recurring_token: false } },
    ];
    const input = {
      amount: 2999,
      currency: 'MYR',
      reference: 'order-2',
      customer: { email: 'a@example.com' },
    };
    const payment = await driver().chargeSavedMethod(P, input);
    expect(payment).toMatchObject({ id: 'new-1', status: 'paid' });
    const [create, charge] = server.requests;
    expect(create!.path).toBe('/api/v1/purchases/');
    expect(charge!.path).toBe('/api/v1/purchases/new-1/charge/');
    expect(charge!.json).toEqual({ recurring_token: P });
    const createKey = String(create!.headers['idempotency-key']);
    const chargeKey = String(charge!.headers['idempotency-key']);
    expect(createKey).toMatch(/^[0-9a-f-]{36}:create$/);
    expect(chargeKey).toBe(createKey.replace(/:create$/, ':charge'));
  });

  it('reports a slow charge (pending_charge) as processing, from the charge answer alone', async () => {
    answers = [
      { status: 201, body: { ...paid, id: 'new-2', status: 'created' } },
      { status: 200, body: { ...paid, id: 'new-2', status: 'pending_charge', payment: null } },
    ];
    const input = {
      amount: 2999,
      currency: 'MYR',
      reference: 'order-3',
      customer: { email: 'a@example.com' },
    };
    expect(await driver().chargeSavedMethod(P, input, { idempotencyKey: 'k' })).toMatchObject({
      status: 'processing',
      rawStatus: 'pending_charge',
    });
    expect(server.requests).toHaveLength(2);
  });

  it('captures the whole hold with an empty body, and refuses a zero amount before sending', async () => {
    answers = [{ status: 200, body: paid }];
    await driver().capture(P);
    expect(server.requests[0]!.json).toEqual({});
    await expect(driver().capture(P, 0)).rejects.toBeInstanceOf(InvalidRequestError);
    expect(server.requests).toHaveLength(1);
  });

  it('completes a refund answer without a currency from the purchase, rather than guessing', async () => {
    answers = [
      { status: 200, body: { id: 'r-1', status: 'refunded', amount: 500 } },
      { status: 200, body: paid },
    ];
    expect(await driver().refund(P, { amount: 500 })).toMatchObject({
      amount: 500,
      currency: 'MYR',
      paymentId: P,
    });
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /api/v1/purchases/${P}/refund/`,
      `GET /api/v1/purchases/${P}/`,
    ]);
  });

  it("reads a purchase through the fields a Payment is made of, and keeps the gateway's object whole as raw", async () => {
    const sent = { ...paid, a_field_added_later: { nested: [1, 2] }, brand_id: BRAND_ID };
    answers = [{ status: 200, body: sent }];
    const payment = await driver().retrievePayment(P);
    expect(payment).toMatchObject({ id: paid.id, status: 'paid', currency: 'MYR' });
    expect(payment.raw).toEqual(sent);
  });

  it('reads past a malformed field the mapping never reads, as Ummah may change one the store does not use', async () => {
    answers = [{ status: 200, body: { ...paid, brand_id: 42, viewed_on: 'yesterday' } }];
    expect(await driver().retrievePayment(P)).toMatchObject({ id: paid.id, status: 'paid' });
  });

  it.each([
    ['a status that is not a string', { status: 42 }, 'status'],
    [
      'a total that is not a number',
      { purchase: { ...(paid.purchase as object), total: '10.00' } },
      'purchase.total',
    ],
    [
      'a status history entry without its status',
      { status_history: [{ timestamp: 1 }] },
      'status_history.0.status',
    ],
  ])('refuses a purchase with %s, naming the field', async (_what, change, field) => {
    answers = [{ status: 200, body: { ...paid, ...change } }];
    const error = await driver()
      .retrievePayment(P)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as InvalidResponseError).code).toBe('schema_mismatch');
    expect(Object.keys((error as InvalidResponseError).details ?? {})).toContain(field);
  });

  it('refuses what is not declared before sending anything', async () => {
    const narrowed = createUmmahDriver({
      secretKey: TEST_SECRET_KEY,
      brandId: BRAND_ID,
      baseUrl: `${server.url}/api/v1/`,
      capabilities: {
        captureModes: ['automatic'],
        savedMethods: false,
        partialRefund: false,
        currencies: ['MYR'],
      },
    });
    const input = {
      amount: 100,
      currency: 'MYR',
      reference: 'o',
      customer: { email: 'a@example.com' },
      returnUrls: { success: 'https://s.example/ok', failure: 'https://s.example/ko' },
    };
    await expect(narrowed.createPayment({ ...input, capture: 'manual' })).rejects.toBeInstanceOf(
      UnsupportedOperationError,
    );
    await expect(
      narrowed.createPayment({ ...input, capture: 'automatic', currency: 'USD' }),
    ).rejects.toBeInstanceOf(UnsupportedOperationError);
    await expect(narrowed.capture(P)).rejects.toBeInstanceOf(UnsupportedOperationError);
    await expect(narrowed.refund(P, { amount: 5 })).rejects.toBeInstanceOf(UnsupportedOperationError);
    await expect(narrowed.deleteSavedMethod(P)).rejects.toBeInstanceOf(UnsupportedOperationError);
    expect(server.requests).toHaveLength(0);
  });
});
