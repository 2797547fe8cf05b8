import {
  AuthenticationError,
  CardError,
  ConflictError,
  ConnectionError,
  errorFromHttpStatus,
  GatewayError,
  IdempotencyError,
  InvalidRequestError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  TijaraError,
} from '../src/index.js';

const SECRET = 'sk_test_4f8a9c2e1b7d6a5f3e2c1b0a9f8e7d6c';

describe('errorFromHttpStatus', () => {
  it.each([
    [400, InvalidRequestError, 'invalid_request'],
    [401, AuthenticationError, 'authentication'],
    [402, CardError, 'card'],
    [403, PermissionError, 'permission'],
    [404, NotFoundError, 'not_found'],
    [409, ConflictError, 'conflict'],
    [422, IdempotencyError, 'idempotency'],
    [429, RateLimitError, 'rate_limit'],
    [418, InvalidRequestError, 'invalid_request'],
    [500, GatewayError, 'gateway'],
    [503, GatewayError, 'gateway'],
  ])('%i → %p', (status, cls, type) => {
    const error = errorFromHttpStatus({
      statusCode: status,
      message: 'x',
      requestId: 'req_1',
      gateway: 'ummah',
    });
    expect(error).toBeInstanceOf(cls);
    expect(error).toBeInstanceOf(TijaraError);
    expect(error.type).toBe(type);
    expect(error.statusCode).toBe(status);
    expect(error.requestId).toBe('req_1');
    expect(error.gateway).toBe('ummah');
  });

  it('keeps field details and the decline code', () => {
    const invalid = errorFromHttpStatus({
      statusCode: 400,
      message: 'Bad Request',
      details: { 'client.email': ['This field is required.'] },
    });
    expect(invalid.details).toEqual({ 'client.email': ['This field is required.'] });
    const card = errorFromHttpStatus({
      statusCode: 402,
      message: 'declined',
      declineCode: 'insufficient_funds',
    });
    expect((card as CardError).declineCode).toBe('insufficient_funds');
  });
});

describe('secrets never reach an error', () => {
  it('redacts sk_ keys and authorization from message, raw body and JSON', () => {
    const error = new GatewayError(`upstream said: key ${SECRET} is odd`, {
      raw: { headers: { Authorization: `Bearer ${SECRET}` }, echo: SECRET, nested: [{ secret_key: 'abc' }] },
      statusCode: 500,
    });
    const everything = [
      error.message,
      error.stack,
      JSON.stringify(error),
      JSON.stringify(error.toJSON()),
    ].join('\n');
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain('4f8a9c2e1b7d6a5f3e2c1b0a9f8e7d6c');
    expect(JSON.stringify(error.raw)).toContain('[REDACTED]');
  });

  it('scrubs literal secrets that have no recognizable shape', () => {
    const error = new AuthenticationError('bad key opaque-7f3e9a1c', { secrets: ['opaque-7f3e9a1c'] });
    expect(error.message).toBe('bad key [REDACTED]');
  });

  it('connection errors say whether the outcome is unknown', () => {
    const error = new ConnectionError('timed out after sending', { outcomeUnknown: true });
    expect(error.outcomeUnknown).toBe(true);
    expect(error.toJSON()).toMatchObject({ type: 'connection', outcomeUnknown: true });
  });
});
