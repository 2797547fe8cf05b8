import { MedusaError } from '@medusajs/framework/utils';
import {
  AuthenticationError,
  CardError,
  ConflictError,
  ConnectionError,
  GatewayError,
  InvalidRequestError,
  MoneyError,
  NotFoundError,
  RateLimitError,
  UnsupportedOperationError,
} from '@tijara/core';
import { MEDUSA_ERROR_TYPE, toMedusaError } from '../src/errors.js';

const context = { gateway: 'ummah', action: 'refund', secrets: ['brand-secret-token-xyz'] };

describe('errors → MedusaError', () => {
  it.each([
    [new InvalidRequestError('amount: too large', { code: 'invalid' }), MedusaError.Types.INVALID_DATA],
    [new MoneyError('more precision than MYR allows'), MedusaError.Types.INVALID_DATA],
    [new NotFoundError('Object with this ID does not exist.'), MedusaError.Types.NOT_FOUND],
    [new ConflictError('Purchase is not paid', { code: 'invalid_status' }), MedusaError.Types.NOT_ALLOWED],
    [new UnsupportedOperationError('postpay does not support release'), MedusaError.Types.NOT_ALLOWED],
    [
      new CardError('Card declined', { declineCode: 'insufficient_funds' }),
      MedusaError.Types.PAYMENT_AUTHORIZATION_ERROR,
    ],
    [new AuthenticationError('Invalid API key'), MedusaError.Types.UNEXPECTED_STATE],
    [new RateLimitError('Slow down'), MedusaError.Types.UNEXPECTED_STATE],
    [new GatewayError('Internal error', { statusCode: 502 }), MedusaError.Types.UNEXPECTED_STATE],
  ])('%s', (error, type) => {
    const mapped = toMedusaError(error, context);
    expect(MedusaError.isMedusaError(mapped)).toBe(true);
    expect(mapped.type).toBe(type);
    expect(mapped.message).toContain(`ummah refund failed: ${error.message}`);
  });

  it('has a Medusa type for every error type core raises', () => {
    for (const type of Object.values(MEDUSA_ERROR_TYPE))
      expect(Object.values(MedusaError.Types)).toContain(type);
  });

  it("keeps the gateway's code and request id, and says when the outcome is unknown", () => {
    const mapped = toMedusaError(
      new ConflictError('Refund exceeds what is left', { code: 'limit_exceeded', requestId: 'req_123' }),
      context,
    );
    expect(mapped.message).toBe(
      'ummah refund failed: Refund exceeds what is left (code limit_exceeded, request req_123)',
    );
    expect(mapped.code).toBe('limit_exceeded');
    const lost = toMedusaError(new ConnectionError('socket hang up', { outcomeUnknown: true }), context);
    expect(lost.message).toMatch(/the gateway may have acted: check it before retrying/);
  });

  it('redacts secrets from every message', () => {
    const leaky = [
      new GatewayError('Bearer sk_live_abcdefghijklmnop1234 was refused for brand-secret-token-xyz'),
      new Error('card 4242 4242 4242 4242 and brand-secret-token-xyz'),
      new MedusaError(MedusaError.Types.INVALID_DATA, 'key sk_test_abcdefghijklmnop1234'),
    ];
    for (const error of leaky) {
      const message = toMedusaError(error, context).message;
      expect(message).not.toMatch(/sk_(live|test)_abcdefghijklmnop1234/);
      expect(message).not.toContain('brand-secret-token-xyz');
      expect(message).not.toContain('4242 4242 4242 4242');
    }
  });
});
