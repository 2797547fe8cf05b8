import { ConfigurationError, drivers, InvalidRequestError, type Logger } from '@tijara/core';
import { sendJson, startLoopbackServer, type LoopbackServer } from '@tijara/testkit';
import { createUhmiDriver, METADATA_KEYS, UhmiDriver } from '@tijara/uhmi';
import { TEST_API_KEY } from './support/fixtures.js';

const P = 'Pq8LinkFailsQ8WrT5yU2iOp3AsZxc';
const T = 'LINKFAIL7TX3Q8LM2';
const payment = {
  payment_id: P,
  status: 'active',
  price: 2.5,
  metadata: { [METADATA_KEYS.reference]: 'o-1' },
};

describe('configuration', () => {
  it.each([
    [{ apiKey: '' }, 'missing_api_key'],
    [{ apiKey: `Bearer ${TEST_API_KEY}` }, 'invalid_api_key'],
    [{ apiKey: TEST_API_KEY, baseUrl: 'http://uhmi.io/api/v1/' }, 'insecure_base_url'],
    [{ apiKey: TEST_API_KEY, baseUrl: 'uhmi.io' }, 'invalid_base_url'],
    [
      { apiKey: TEST_API_KEY, payments: { subscription: { interval: 'month' }, refundable: true } },
      'invalid_payment_defaults',
    ],
  ] as const)('refuses %p', (options, code) => {
    let error: unknown;
    try {
      createUhmiDriver(options as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).code).toBe(code);
    expect(String((error as Error).message)).not.toContain(TEST_API_KEY);
  });

  it('accepts plain HTTP on loopback only (the sandbox)', () => {
    expect(
      createUhmiDriver({ apiKey: TEST_API_KEY, baseUrl: 'http://127.0.0.1:4010/uhmi/api/v1/' }),
    ).toBeInstanceOf(UhmiDriver);
  });

  it('registers itself in core’s registry', () => {
    expect(drivers.create('uhmi', { apiKey: TEST_API_KEY })).toBeInstanceOf(UhmiDriver);
  });

  it('declares at_least only for pay-what-you-want payments', () => {
    expect(createUhmiDriver({ apiKey: TEST_API_KEY }).capabilities.amountPolicy).toBe('exact');
    expect(
      createUhmiDriver({ apiKey: TEST_API_KEY, payments: { payWhatYouWant: true } }).capabilities
        .amountPolicy,
    ).toBe('at_least');
  });
});

describe('resolveReturn', () => {
  let server: LoopbackServer;
  let patchStatus = 200;
  const warnings: string[] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (_o, msg) => void warnings.push(String(msg)),
    error() {},
  };

  beforeAll(async () => {
    server = await startLoopbackServer((request, response, socket) => {
      if (request.method === 'GET' && request.path === `/api/v1/transactions/${T}`) {
        return sendJson(response, 200, { ...payment, status: 'paid', transaction_id: T });
      }
      if (request.method === 'GET' && request.path === `/api/v1/payments/${P}`)
        return sendJson(response, 200, payment);
      if (request.method === 'PATCH' && request.path === `/api/v1/payments/${P}`) {
        return sendJson(
          response,
          patchStatus,
          patchStatus === 200
            ? { ...payment, metadata: request.json }
            : { error: { code: patchStatus, message: 'Down.' } },
        );
      }
      if (request.method === 'DELETE' && request.path === `/api/v1/payments/${P}`) {
        response.writeHead(200, { 'content-type': 'text/plain' });
        return void response.end('Payment deleted');
      }
      if (
        request.method === 'POST' &&
        request.path === '/api/v1/payments' &&
        request.json &&
        (request.json as { title?: string }).title === 'reset'
      ) {
        return void socket.destroy();
      }
      if (request.method === 'POST' && request.path === '/api/v1/payments') {
        return sendJson(response, 415, { error: { code: 415, message: 'Unsupported Media Type' } });
      }
      sendJson(response, 404, { error: { code: 404, message: 'Not found.' } });
    });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    warnings.length = 0;
    patchStatus = 200;
  });

  const driver = () =>
    createUhmiDriver({
      apiKey: TEST_API_KEY,
      baseUrl: `${server.url}/api/v1/`,
      logger,
      backoffBaseMs: 1,
      jitterMs: 0,
      maxAttempts: 1,
    });

  it.each([
    [{ query: {} }, 'missing_transaction_id'],
    [{ query: { transaction_id: '  ' } }, 'missing_transaction_id'],
    [{ query: { transaction_id: '../payments/x' } }, 'invalid_transaction_id'],
    [{ query: {}, form: { transaction_id: 'a'.repeat(129) } }, 'invalid_transaction_id'],
  ])('refuses %p without asking Uhmi', async (params, code) => {
    await expect(driver().resolveReturn(params)).rejects.toMatchObject({ code });
    expect(server.requests).toHaveLength(0);
  });

  it('prefers the posted form over the query', async () => {
    const { payment: resolved } = await driver().resolveReturn({
      query: { transaction_id: 'SOMETHINGELSE123' },
      form: { transaction_id: T },
    });
    expect(resolved).toMatchObject({ id: P, status: 'paid', reference: 'o-1' });
    expect(server.requests[0]!.path).toBe(`/api/v1/transactions/${T}`);
  });

  it('writes the link as metadata, keeping the merchant’s keys', async () => {
    await driver().resolveReturn({ query: { transaction_id: T }, paymentId: P });
    const patch = server.requests.find((r) => r.method === 'PATCH');
    expect(patch?.json).toEqual({
      metadata: { [METADATA_KEYS.reference]: 'o-1', [METADATA_KEYS.transaction]: T },
    });
  });

  it('a failed link still resolves the return (the next read or return tries again), and says so in the log', async () => {
    patchStatus = 503;
    const { payment: resolved } = await driver().resolveReturn({
      query: { transaction_id: T },
      paymentId: P,
    });
    expect(resolved.status).toBe('paid');
    expect(warnings).toContain('could not link the Uhmi transaction to its payment');
  });

  it('refuses a transaction of another payment', async () => {
    await expect(
      driver().resolveReturn({ query: { transaction_id: T }, paymentId: 'another' }),
    ).rejects.toBeInstanceOf(InvalidRequestError);
    expect(server.requests.map((r) => r.method)).toEqual(['GET']);
  });

  it('a create cut off after sending is not sent again (Uhmi has no idempotency keys): outcome unknown', async () => {
    const uhmi = createUhmiDriver({
      apiKey: TEST_API_KEY,
      baseUrl: `${server.url}/api/v1/`,
      backoffBaseMs: 1,
      jitterMs: 0,
      maxAttempts: 3,
    });
    const error = await uhmi.client.payments
      .create({ type: 'content', title: 'reset', price: 1 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ type: 'connection', outcomeUnknown: true });
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(server.requests[0]!.headers['idempotency-key']).toBeUndefined();
  });

  it("delete takes the seed's plain-text answer", async () => {
    expect(await driver().client.payments.delete(P)).toBe('Payment deleted');
  });

  it('a 415 from Uhmi is a clear invalid request, not retried', async () => {
    const uhmi = createUhmiDriver({
      apiKey: TEST_API_KEY,
      baseUrl: `${server.url}/api/v1/`,
      backoffBaseMs: 1,
      jitterMs: 0,
    });
    const error = await uhmi
      .createPayment({
        amount: 100,
        currency: 'EUR',
        reference: 'o-2',
        customer: { email: 'a@example.com' },
        capture: 'automatic',
        returnUrls: { success: 'https://shop.example/ok', failure: 'https://shop.example/ko' },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ statusCode: 415, code: 'unsupported_media_type' });
    expect((error as Error).message).toMatch(/UTF-8/);
    expect(server.requests).toHaveLength(1);
  });
});
