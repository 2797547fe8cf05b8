import { errorFromHttpStatus, Transport, type ErrorResponse } from '@tijara/core';
import { runTransportBattery, type TransportBatteryContext } from '../src/transport-battery.js';

/** The battery's default error body: `{ error: { code, message } }`. */
function errorOf(response: ErrorResponse): { code?: string; message?: string } {
  const body = response.body as { error?: { code?: string; message?: string } } | undefined;
  return body?.error ?? {};
}

const coreTransport = (idempotencyKeys: boolean) => (baseUrl: string, context: TransportBatteryContext) =>
  new Transport({
    baseUrl,
    gateway: 'battery',
    idempotencyKeys,
    headers: { Authorization: `Bearer ${context.apiKey}` },
    timeoutMs: context.timeoutMs,
    backoffBaseMs: context.backoffBaseMs,
    jitterMs: context.jitterMs,
    logger: context.logger,
    isRetryableConflict: (response) => errorOf(response).code === 'locked',
    mapError: (response) => {
      const { code, message } = errorOf(response);
      return errorFromHttpStatus({
        statusCode: response.statusCode,
        message: message ?? `battery answered ${response.statusCode}`,
        code,
        raw: response.body,
        requestId: response.requestId,
        retryAfterMs: response.retryAfterMs,
        gateway: 'battery',
      });
    },
  });

runTransportBattery('core Transport', coreTransport(true));
runTransportBattery('core Transport', coreTransport(false), { idempotencyKeys: false });
