import { runTransportBattery } from '@tijara/testkit';
import { UmmahClient } from '@tijara/ummah';

// Ummah's transport settings (error mapping, conflict handling, user agent) held to core's retry, idempotency,
// timeout and redaction policy, with error bodies in Ummah's own shape.
runTransportBattery(
  'ummah',
  (baseUrl, context) =>
    new UmmahClient({
      secretKey: context.apiKey,
      baseUrl,
      logger: context.logger,
      timeoutMs: context.timeoutMs,
      backoffBaseMs: context.backoffBaseMs,
      jitterMs: context.jitterMs,
    }).transport,
  {
    errorBody: (status) => ({ error: `http_${status}`, message: `Ummah answered ${status}.` }),
    conflictBodies: {
      lock: { error: 'locked', message: 'The purchase is locked by a concurrent request.' },
      invalidState: { error: 'Conflict', detail: 'Purchase cannot be refunded in its current state.' },
    },
  },
);
