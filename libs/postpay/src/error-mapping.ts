import {
  CardError,
  ConflictError,
  errorFromHttpStatus,
  InvalidRequestError,
  type ErrorResponse,
  type FieldDetails,
  type TijaraError,
} from '@tijara/core';
import { NON_FIELD_ERRORS, summarizeFieldDetails } from './schemas/index.js';

/** What the driver reads out of a Postpay error body. */
export interface PostpayErrorInfo {
  readonly message: string;
  readonly code: string | undefined;
  readonly details: FieldDetails | undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `fields` nests the way the request did (`{"shipping": {"address": {"city": ["…"]}}}`); flatten to dotted paths. */
function collectFields(value: unknown, path: string, details: FieldDetails): void {
  if (typeof value === 'string') {
    (details[path || NON_FIELD_ERRORS] ??= []).push(value);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) =>
      collectFields(
        item,
        typeof item === 'string' ? path : path ? `${path}.${index}` : String(index),
        details,
      ),
    );
  } else if (isRecord(value)) {
    for (const [key, item] of Object.entries(value))
      collectFields(item, path ? `${path}.${key}` : key, details);
  }
}

/**
 * Reads seed 003's error body `{"error": {"code", "message", "fields"?}}`. Anything else (a proxy's HTML page, an
 * empty 502) still gives a message naming the status.
 */
export function readPostpayErrorBody(statusCode: number, body: unknown): PostpayErrorInfo {
  const fallback = `Postpay answered HTTP ${statusCode}`;
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  if (!error) {
    const text = typeof body === 'string' && body.trim() !== '' ? `: ${body.trim().slice(0, 200)}` : '';
    return { message: `${fallback}${text}`, code: undefined, details: undefined };
  }
  const code = typeof error.code === 'string' ? error.code : undefined;
  const headline = typeof error.message === 'string' && error.message !== '' ? error.message : fallback;
  const details: FieldDetails = {};
  collectFields(error.fields, '', details);
  const hasDetails = Object.keys(details).length > 0;
  const message = hasDetails ? `${headline} ${summarizeFieldDetails(details)}` : headline;
  return { message, code, details: hasDetails ? details : undefined };
}

/**
 * Seed 003's error table onto core's hierarchy. The status decides, with three Postpay-specific readings:
 * - 402 `capture_error` (the instalment payment was declined at capture) is a CardError with that decline code;
 * - 410 (`expired`: an approval never captured in time; `gone`) is a ConflictError: the order is in a state that
 *   forbids the action, which no retry changes — the same class as 409 `invalid_status`;
 * - 422 `unprocessable` is an InvalidRequestError (core reads 422 as an idempotency-key mismatch, which Postpay,
 *   having no keys, never reports).
 */
export function postpayErrorFromResponse(
  response: ErrorResponse,
  secrets: readonly string[] = [],
): TijaraError {
  const info = readPostpayErrorBody(response.statusCode, response.body);
  const context = {
    statusCode: response.statusCode,
    message: info.message,
    code: info.code,
    details: info.details,
    requestId: response.requestId,
    retryAfterMs: response.retryAfterMs,
    raw: response.body,
    gateway: 'postpay',
    secrets,
  };
  if (response.statusCode === 402) {
    return new CardError(info.message, { ...context, ...(info.code ? { declineCode: info.code } : {}) });
  }
  if (response.statusCode === 410)
    return new ConflictError(info.message, { ...context, code: info.code ?? 'gone' });
  if (response.statusCode === 422) return new InvalidRequestError(info.message, context);
  return errorFromHttpStatus(context);
}
