import {
  AuthenticationError,
  GatewayError,
  InvalidRequestError,
  NotFoundError,
  PermissionError,
  RateLimitError,
} from '@tijara/core';
import { readUhmiErrorBody, uhmiErrorFromResponse } from '@tijara/uhmi';

const response = (statusCode: number, body: unknown) => ({
  statusCode,
  body,
  headers: {},
  requestId: 'req_1',
  retryAfterMs: statusCode === 429 ? 2000 : undefined,
});

describe("Uhmi's error body", () => {
  it("reads the seed's example and names the parameter", () => {
    const info = readUhmiErrorBody(400, {
      error: { code: 400, message: "The 'price' parameter is invalid or missing." },
    });
    expect(info).toEqual({
      message: "The 'price' parameter is invalid or missing.",
      code: 'invalid_parameter',
      details: { price: ["The 'price' parameter is invalid or missing."] },
    });
  });

  it.each([
    [400, InvalidRequestError, 'invalid_parameter'],
    [401, AuthenticationError, 'unauthorized'],
    [403, PermissionError, 'forbidden'],
    [404, NotFoundError, 'not_found'],
    [405, InvalidRequestError, 'method_not_allowed'],
    [415, InvalidRequestError, 'unsupported_media_type'],
    [429, RateLimitError, 'too_many_requests'],
    [503, GatewayError, 'server_error'],
  ])('%i → %p with code %s', (status, errorClass, code) => {
    const error = uhmiErrorFromResponse(response(status, { error: { code: status, message: 'Nope.' } }));
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toMatchObject({ code, statusCode: status, gateway: 'uhmi', requestId: 'req_1' });
  });

  it('says what a 415, 401 and 403 mean', () => {
    expect(
      readUhmiErrorBody(415, { error: { code: 415, message: 'Unsupported Media Type' } }).message,
    ).toMatch(/UTF-8/);
    expect(readUhmiErrorBody(401, {}).message).toMatch(/API key/);
    expect(readUhmiErrorBody(403, 'Forbidden').message).toMatch(/Forbidden \(.*HTTPS/);
  });

  it('keeps a body it cannot read, redacted', () => {
    const error = uhmiErrorFromResponse(response(502, '<html>Bad gateway, Bearer abcdefgh12345678</html>'));
    expect(error).toBeInstanceOf(GatewayError);
    expect(JSON.stringify(error)).not.toContain('abcdefgh12345678');
  });
});
