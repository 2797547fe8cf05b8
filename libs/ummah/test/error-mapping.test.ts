import {
  AuthenticationError,
  CardError,
  ConflictError,
  GatewayError,
  IdempotencyError,
  InvalidRequestError,
  InvalidSavedMethodError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  type TijaraError,
} from '@tijara/core';
import { sendJson, startLoopbackServer, type LoopbackServer } from '@tijara/testkit';
import { UmmahClient } from '@tijara/ummah';
import { TEST_SECRET_KEY } from './support/fixtures.js';

const P = 'd6c9e9e0-1b5a-4c6e-8b3a-0f1a2b3c4d5e';

let server: LoopbackServer;
let respond: { status: number; body: unknown; raw?: string; headers?: Record<string, string> };
let client: UmmahClient;

beforeAll(async () => {
  server = await startLoopbackServer((_request, response) => {
    if (respond.raw !== undefined) {
      response.writeHead(respond.status, { 'content-type': 'text/html', ...respond.headers });
      response.end(respond.raw);
      return;
    }
    sendJson(response, respond.status, respond.body, { 'x-request-id': 'req_ummah_1', ...respond.headers });
  });
  // Three attempts allowed, so "not retried" below is the policy speaking, not the configuration.
  client = new UmmahClient({
    secretKey: TEST_SECRET_KEY,
    baseUrl: `${server.url}/api/v1/`,
    backoffBaseMs: 1,
    jitterMs: 0,
  });
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

async function errorFor(
  status: number,
  body: unknown,
  call: () => Promise<unknown> = () => client.purchases.retrieve(P),
): Promise<TijaraError> {
  respond = { status, body };
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeDefined();
  return error as TijaraError;
}

describe('error bodies of every documented shape', () => {
  it('400 {"error","details"} → InvalidRequestError with field details', async () => {
    const error = await errorFor(400, {
      error: 'Bad Request',
      details: { 'client.email': ['This field is required.'] },
    });
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.details).toEqual({ 'client.email': ['This field is required.'] });
    expect(error.message).toBe('Bad Request: client.email: This field is required.');
    expect(error.statusCode).toBe(400);
    expect(error.requestId).toBe('req_ummah_1');
    expect(error.gateway).toBe('ummah');
    expect(server.requests).toHaveLength(1);
  });

  it('404 {"error","detail"} → NotFoundError with the detail as message', async () => {
    const error = await errorFor(404, { error: 'Not Found', detail: 'Object with this ID does not exist.' });
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toBe('Object with this ID does not exist.');
    expect(error.details).toBeUndefined();
  });

  it('402 {"error","message","details":{"decline_code"}} → CardError with the decline code', async () => {
    const error = await errorFor(402, {
      error: 'card_declined',
      message: 'The card was declined by the issuing bank.',
      details: { decline_code: 'insufficient_funds', param: 'payment_method' },
    });
    expect(error).toBeInstanceOf(CardError);
    expect(error).not.toBeInstanceOf(InvalidSavedMethodError);
    expect((error as CardError).declineCode).toBe('insufficient_funds');
    expect(error.code).toBe('card_declined');
    expect(error.message).toBe('The card was declined by the issuing bank.');
  });

  it('CHIP {"__all__":[{"code","message"}]} → code and message from the item', async () => {
    const error = await errorFor(400, {
      __all__: [{ code: 'purchase_not_paid', message: 'Purchase is not paid.' }],
    });
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.code).toBe('purchase_not_paid');
    expect(error.message).toBe('Purchase is not paid.');
    expect(error.details).toEqual({ __all__: ['Purchase is not paid.'] });
  });

  it('bare DRF field errors, nested and in lists → dotted field details', async () => {
    const error = await errorFor(400, {
      brand_id: ['This field is required.'],
      client: { email: ['Enter a valid email address.'] },
      purchase: { products: [{}, { price: ['A valid integer is required.'] }] },
    });
    expect(error.details).toEqual({
      brand_id: ['This field is required.'],
      'client.email': ['Enter a valid email address.'],
      'purchase.products.1.price': ['A valid integer is required.'],
    });
    expect(error.message).toContain('client.email: Enter a valid email address.');
  });

  it.each([
    [
      401,
      { error: 'invalid_api_key', message: 'The API key is missing, malformed, or revoked.' },
      AuthenticationError,
    ],
    [
      403,
      { error: 'Forbidden', detail: 'You do not have permission to perform this action.' },
      PermissionError,
    ],
    [409, { error: 'Conflict', detail: 'Purchase cannot be refunded in its current state.' }, ConflictError],
    [
      422,
      { error: 'idempotency_key_reused', message: 'Idempotency-Key reused with a different body.' },
      IdempotencyError,
    ],
  ] as const)('%i → %p, not retried', async (status, body, errorClass) => {
    const error = await errorFor(status, body);
    expect(error).toBeInstanceOf(errorClass);
    expect(server.requests).toHaveLength(1);
  });

  it('429 → RateLimitError carrying Retry-After, after the allowed retries', async () => {
    respond = {
      status: 429,
      body: { error: 'rate_limit_exceeded', message: 'Too many requests.' },
      headers: { 'retry-after': '0' },
    };
    const error = await client.purchases.retrieve(P).catch((e: unknown) => e as TijaraError);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(0);
    expect(error.code).toBe('rate_limit_exceeded');
    expect(server.requests).toHaveLength(3);
  });

  it('5xx with an HTML body → GatewayError naming the status', async () => {
    respond = { status: 502, body: undefined, raw: '<html>Bad Gateway</html>' };
    const error = await client.purchases.retrieve(P).catch((e: unknown) => e as TijaraError);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error.message).toBe('Ummah answered HTTP 502: <html>Bad Gateway</html>');
    expect(error.statusCode).toBe(502);
  });
});

describe('dead recurring tokens', () => {
  const charge = () => client.purchases.charge(P, { recurring_token: 'b1c2d3e4-dead-token' });

  it.each([
    [
      'CHIP __all__',
      400,
      { __all__: [{ code: 'invalid_recurring_token', message: 'Invalid recurring_token.' }] },
    ],
    ['error code', 402, { error: 'invalid_recurring_token', message: 'Invalid recurring_token.' }],
    [
      'field error',
      400,
      { recurring_token: [{ code: 'invalid_recurring_token', message: 'Invalid recurring_token.' }] },
    ],
    ['on a 5xx', 500, { error: 'invalid_recurring_token', message: 'Invalid recurring_token.' }],
  ])('%s → InvalidSavedMethodError', async (_shape, status, body) => {
    const error = await errorFor(status, body, charge);
    expect(error).toBeInstanceOf(InvalidSavedMethodError);
    expect(error).toBeInstanceOf(CardError);
    expect(error.code).toBe('invalid_recurring_token');
    expect(error.message).toMatch(/^(recurring_token: )?Invalid recurring_token\.$/);
    // Never retried, not even on a 5xx: the token is dead.
    expect(server.requests).toHaveLength(1);
  });
});

describe('secrets in error bodies', () => {
  it('redacts a key the gateway echoes back', async () => {
    const error = await errorFor(401, {
      error: 'invalid_api_key',
      message: `Invalid API key: ${TEST_SECRET_KEY}`,
      details: { authorization: [`Bearer ${TEST_SECRET_KEY}`] },
    });
    for (const view of [error.message, JSON.stringify(error), String(error.stack)]) {
      expect(view).not.toContain(TEST_SECRET_KEY);
      expect(view).not.toContain(TEST_SECRET_KEY.slice('sk_test_'.length));
    }
  });

  it('redacts an unprefixed CHIP-style key too (a literal secret, not a known shape)', async () => {
    const chipKey = 'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg';
    const chip = new UmmahClient({ secretKey: chipKey, baseUrl: `${server.url}/api/v1/`, maxAttempts: 1 });
    const error = await errorFor(
      400,
      { __all__: [{ code: 'bad', message: `key ${chipKey} not allowed here` }] },
      () => chip.purchases.retrieve(P),
    );
    expect(JSON.stringify(error)).not.toContain(chipKey);
    expect(error.message).not.toContain(chipKey);
  });
});
