import { InvalidRequestError } from '@tijara/core';
import { PostpayClient } from '@tijara/postpay';
import { runTransportBattery } from '@tijara/testkit';
import { MERCHANT_ID } from './support/fixtures.js';

// Postpay's transport settings (Basic auth, the versioned media type, no idempotency keys, error mapping) held to
// core's retry, timeout and redaction policy for a gateway without keys, with errors in Postpay's shape.
runTransportBattery(
  'postpay',
  (baseUrl, context) =>
    new PostpayClient({
      merchantId: MERCHANT_ID,
      secretKey: context.apiKey,
      baseUrl,
      logger: context.logger,
      timeoutMs: context.timeoutMs,
      backoffBaseMs: context.backoffBaseMs,
      jitterMs: context.jitterMs,
    }).transport,
  {
    idempotencyKeys: false,
    errorBody: (status) => ({ error: { code: `http_${status}`, message: `Postpay answered ${status}.` } }),
    // Every Postpay 409 is a state (invalid_status, conflict, limit_exceeded): none is a lock to wait out.
    conflictBodies: {
      lock: null,
      invalidState: { error: { code: 'invalid_status', message: 'Order status must be approved.' } },
    },
    errorClasses: { 422: InvalidRequestError },
  },
);
