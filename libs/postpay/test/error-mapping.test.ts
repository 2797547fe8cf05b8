import {
  AuthenticationError,
  CardError,
  ConflictError,
  GatewayError,
  InvalidRequestError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  TijaraError,
} from '@tijara/core';
import { postpayErrorFromResponse, readPostpayErrorBody } from '@tijara/postpay';

const response = (statusCode: number, body: unknown, extra: { retryAfterMs?: number } = {}) => ({
  statusCode,
  body,
  headers: {},
  requestId: 'req_1',
  retryAfterMs: extra.retryAfterMs,
});
const body = (code: string, message: string, fields?: unknown) => ({
  error: { code, message, ...(fields ? { fields } : {}) },
});

describe('Postpay errors onto core errors', () => {
  // Every row of seed 003's error tables (general, capture, refunds).
  it.each([
    [400, 'invalid', 'Invalid input.', InvalidRequestError],
    [400, 'parse_error', 'Malformed request.', InvalidRequestError],
    [401, 'authentication_failed', 'Invalid authentication credentials.', AuthenticationError],
    [402, 'payment_required', 'Payment required.', CardError],
    [402, 'capture_error', 'Payment transaction declined.', CardError],
    [403, 'permission_denied', 'You do not have permission to perform this action.', PermissionError],
    [404, 'not_found', 'Not found.', NotFoundError],
    [405, 'method_not_allowed', 'HTTP method not allowed.', InvalidRequestError],
    [406, 'not_acceptable', 'Could not satisfy the request Accept header.', InvalidRequestError],
    [409, 'conflict', 'There is already a refund with this ID.', ConflictError],
    [409, 'invalid_status', 'Order status must be approved.', ConflictError],
    [409, 'limit_exceeded', 'The amount exceeds the limit.', ConflictError],
    [410, 'expired', 'The capture has expired.', ConflictError],
    [410, 'gone', 'The target resource is no longer available.', ConflictError],
    [415, 'unsupported_media_type', 'Unsupported media type in request.', InvalidRequestError],
    [422, 'unprocessable', 'The requested information is okay, but invalid.', InvalidRequestError],
    [429, 'throttled', 'Request was throttled.', RateLimitError],
    [500, 'error', 'Oops!!', GatewayError],
    [503, 'error', 'Oops!!', GatewayError],
  ] as const)('%i %s → %p', (status, code, message, errorClass) => {
    const error = postpayErrorFromResponse(response(status, body(code, message)));
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toBeInstanceOf(TijaraError);
    expect(error).toMatchObject({
      statusCode: status,
      code,
      message,
      gateway: 'postpay',
      requestId: 'req_1',
    });
  });

  it('keeps a declined capture’s code as the decline code', () => {
    const error = postpayErrorFromResponse(
      response(402, body('capture_error', 'Payment transaction declined.')),
    );
    expect((error as CardError).declineCode).toBe('capture_error');
  });

  it('flattens `fields` into dotted field details and names them in the message', () => {
    const error = postpayErrorFromResponse(
      response(
        400,
        body('invalid', 'Invalid input.', {
          refund_id: ['This field is required.'],
          shipping: { address: { city: ['This field is required.'] } },
          items: [{}, { qty: ['Ensure this value is greater than or equal to 1.'] }],
        }),
      ),
    );
    expect(error.details).toEqual({
      refund_id: ['This field is required.'],
      'shipping.address.city': ['This field is required.'],
      'items.1.qty': ['Ensure this value is greater than or equal to 1.'],
    });
    expect(error.message).toBe(
      'Invalid input. refund_id: This field is required.; shipping.address.city: This field is required.; ' +
        'items.1.qty: Ensure this value is greater than or equal to 1.',
    );
  });

  it('carries Retry-After on throttling', () => {
    const error = postpayErrorFromResponse(
      response(429, body('throttled', 'Request was throttled.'), { retryAfterMs: 2000 }),
    );
    expect((error as RateLimitError).retryAfterMs).toBe(2000);
  });

  it('reads bodies that are not Postpay’s (a proxy page, nothing at all)', () => {
    expect(readPostpayErrorBody(502, '<html>Bad gateway</html>')).toEqual({
      message: 'Postpay answered HTTP 502: <html>Bad gateway</html>',
      code: undefined,
      details: undefined,
    });
    expect(postpayErrorFromResponse(response(502, undefined))).toBeInstanceOf(GatewayError);
    expect(postpayErrorFromResponse(response(404, { detail: 'Not found.' })).message).toBe(
      'Postpay answered HTTP 404',
    );
  });

  it('scrubs the credentials from an error that echoes them', () => {
    const secret = 'sk_test_8c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f';
    const error = postpayErrorFromResponse(
      response(401, body('authentication_failed', `Key ${secret} is not valid`, { key: [secret] })),
      [secret],
    );
    expect(JSON.stringify(error)).not.toContain(secret);
    expect(error.message).not.toContain(secret);
  });
});
