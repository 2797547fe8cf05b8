import type { z } from 'zod';
import { fieldDetailsFromZodError, NON_FIELD_KEY } from '@tijara/ummah';

export type FieldDetails = Record<string, string[]>;

/**
 * An error answer of the emulated API. Bodies follow the seed's shapes:
 * 400 `{"error":"Bad Request","details":{field:[…]}}`, 404 `{"error":"Not Found","detail":…}`, coded errors
 * `{"error":"card_declined","message":…,"details":{…}}`.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) {
    super(String(body['detail'] ?? body['message'] ?? body['error'] ?? `HTTP ${status}`));
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

export const NOT_FOUND_DETAIL = 'Object with this ID does not exist.';

export function notFound(detail = NOT_FOUND_DETAIL): ApiError {
  return new ApiError(404, { error: 'Not Found', detail });
}

export function badRequest(details: FieldDetails): ApiError {
  return new ApiError(400, { error: 'Bad Request', details });
}

/** 400 for one field, e.g. `fieldError('amount', 'Ensure this value is less than or equal to 100.')`. */
export function fieldError(field: string, message: string): ApiError {
  return badRequest({ [field]: [message] });
}

export function nonFieldError(message: string): ApiError {
  return badRequest({ [NON_FIELD_KEY]: [message] });
}

export function zodBadRequest(error: z.ZodError): ApiError {
  return badRequest(fieldDetailsFromZodError(error));
}

/** 409: the object's state does not allow the action (e.g. refunding an unpaid purchase). */
export function conflict(detail: string, code = 'invalid_status'): ApiError {
  return new ApiError(409, { error: 'Conflict', detail, code });
}

export function unauthorized(): ApiError {
  return new ApiError(
    401,
    { error: 'invalid_api_key', message: 'The API key is missing, malformed, or revoked.' },
    { 'WWW-Authenticate': 'Bearer' },
  );
}

/** 402 card errors, with the seed's `details.decline_code`. */
export function cardError(code: string, message: string, declineCode?: string): ApiError {
  const body: Record<string, unknown> = { error: code, message };
  if (declineCode) body['details'] = { decline_code: declineCode, param: 'payment_method' };
  return new ApiError(402, body);
}

export function idempotencyMismatch(): ApiError {
  return new ApiError(422, {
    error: 'Unprocessable Entity',
    code: 'idempotency_key_reused',
    detail: 'This Idempotency-Key was already used with a different request.',
  });
}

export function methodNotAllowed(method: string): ApiError {
  return new ApiError(405, { error: 'Method Not Allowed', detail: `Method "${method}" not allowed.` });
}
