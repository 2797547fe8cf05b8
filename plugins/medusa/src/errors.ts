import { MedusaError } from '@medusajs/framework/utils';
import { redactString, TijaraError, type TijaraErrorType } from '@tijara/core';

/**
 * Core's error types → Medusa's. Merchant-side problems (credentials, configuration, a gateway outage) are
 * `UNEXPECTED_STATE`, never `UNAUTHORIZED`/`FORBIDDEN`, which Medusa would answer to the buyer as their own
 * missing login.
 */
export const MEDUSA_ERROR_TYPE: Readonly<Record<TijaraErrorType, string>> = {
  invalid_request: MedusaError.Types.INVALID_DATA,
  money: MedusaError.Types.INVALID_DATA,
  amount_mismatch: MedusaError.Types.INVALID_DATA,
  signature_verification: MedusaError.Types.INVALID_DATA,
  idempotency: MedusaError.Types.INVALID_DATA,
  not_found: MedusaError.Types.NOT_FOUND,
  conflict: MedusaError.Types.NOT_ALLOWED,
  unsupported_operation: MedusaError.Types.NOT_ALLOWED,
  card: MedusaError.Types.PAYMENT_AUTHORIZATION_ERROR,
  invalid_saved_method: MedusaError.Types.PAYMENT_AUTHORIZATION_ERROR,
  authentication: MedusaError.Types.UNEXPECTED_STATE,
  permission: MedusaError.Types.UNEXPECTED_STATE,
  configuration: MedusaError.Types.UNEXPECTED_STATE,
  rate_limit: MedusaError.Types.UNEXPECTED_STATE,
  gateway: MedusaError.Types.UNEXPECTED_STATE,
  connection: MedusaError.Types.UNEXPECTED_STATE,
  invalid_response: MedusaError.Types.UNEXPECTED_STATE,
  lock_timeout: MedusaError.Types.UNEXPECTED_STATE,
  lock_lost: MedusaError.Types.UNEXPECTED_STATE,
};

/**
 * Any error from a driver or the plugin → a MedusaError that keeps the gateway's message, code and request id,
 * with every secret removed. A MedusaError passes through (redacted). `action` says what failed ("refund").
 */
export function toMedusaError(
  error: unknown,
  context: { readonly gateway: string; readonly action: string; readonly secrets?: readonly string[] },
): MedusaError {
  const secrets = context.secrets ?? [];
  if (MedusaError.isMedusaError(error)) {
    return new MedusaError(error.type, redactString(error.message, secrets), error.code);
  }
  if (error instanceof TijaraError) {
    const extras = [
      error.code ? `code ${error.code}` : undefined,
      error.requestId ? `request ${error.requestId}` : undefined,
      error.type === 'connection' && (error as { outcomeUnknown?: boolean }).outcomeUnknown
        ? 'the gateway may have acted: check it before retrying'
        : undefined,
    ].filter(Boolean);
    const message = `${context.gateway} ${context.action} failed: ${error.message}${
      extras.length ? ` (${extras.join(', ')})` : ''
    }`;
    return new MedusaError(MEDUSA_ERROR_TYPE[error.type], redactString(message, secrets), error.code);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new MedusaError(
    MedusaError.Types.UNEXPECTED_STATE,
    redactString(`${context.gateway} ${context.action} failed: ${message}`, secrets),
  );
}
