import {
  errorFromHttpStatus,
  InvalidSavedMethodError,
  type ErrorResponse,
  type FieldDetails,
  type TijaraError,
} from '@tijara/core';
import { NON_FIELD_KEY, summarizeFieldDetails } from './schemas/index.js';

/** What the driver reads out of any of the gateway's error body shapes. */
export interface UmmahErrorInfo {
  readonly message: string;
  readonly code: string | undefined;
  readonly details: FieldDetails | undefined;
  readonly declineCode: string | undefined;
  /** Every machine-readable code found anywhere in the body. */
  readonly codes: readonly string[];
}

const MACHINE_CODE = /^[a-z][a-z0-9_]*$/;
const INVALID_RECURRING_TOKEN = 'invalid_recurring_token';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Field errors nest the way the request did (`{"client": {"email": ["…"]}}`) and items may be strings or CHIP's
 * `{code, message}`; flatten them to dotted paths and collect the codes on the way.
 */
function collectFieldErrors(value: unknown, path: string, details: FieldDetails, codes: string[]): boolean {
  if (typeof value === 'string') {
    (details[path || NON_FIELD_KEY] ??= []).push(value);
    return true;
  }
  if (Array.isArray(value)) {
    let found = false;
    value.forEach((item, index) => {
      if (typeof item === 'string') found = collectFieldErrors(item, path, details, codes) || found;
      else if (isRecord(item) && (typeof item.message === 'string' || typeof item.code === 'string')) {
        if (typeof item.code === 'string') codes.push(item.code);
        const text = typeof item.message === 'string' ? item.message : String(item.code);
        found = collectFieldErrors(text, path, details, codes) || found;
      } else {
        // A list of objects is a list of nested records (e.g. `purchase.products`), one per item.
        found = collectFieldErrors(item, path ? `${path}.${index}` : String(index), details, codes) || found;
      }
    });
    return found;
  }
  if (isRecord(value)) {
    let found = false;
    for (const [key, item] of Object.entries(value)) {
      found = collectFieldErrors(item, path ? `${path}.${key}` : key, details, codes) || found;
    }
    return found;
  }
  return false;
}

/**
 * Reads every documented error body:
 * - `{"error": "Bad Request", "details": {"client.email": ["This field is required."]}}` (400)
 * - `{"error": "Not Found", "detail": "Object with this ID does not exist."}` (404)
 * - `{"error": "card_declined", "message": "…", "details": {"decline_code": "…", "param": "…"}}` (402)
 * - CHIP's `{"__all__": [{"code": "…", "message": "…"}]}` and bare DRF field errors `{"brand_id": ["…"]}`
 */
export function readUmmahErrorBody(statusCode: number, body: unknown): UmmahErrorInfo {
  const fallback = `Ummah answered HTTP ${statusCode}`;
  if (!isRecord(body)) {
    const text = typeof body === 'string' && body.trim() !== '' ? `: ${body.trim().slice(0, 200)}` : '';
    return {
      message: `${fallback}${text}`,
      code: undefined,
      details: undefined,
      declineCode: undefined,
      codes: [],
    };
  }

  const codes: string[] = [];
  const details: FieldDetails = {};
  let declineCode: string | undefined;
  let headline: string | undefined;

  if (typeof body.error === 'string') {
    if (MACHINE_CODE.test(body.error)) codes.push(body.error);
    headline =
      typeof body.message === 'string'
        ? body.message
        : typeof body.detail === 'string'
          ? body.detail
          : body.error;
    if (isRecord(body.details)) {
      const { decline_code: decline, param: _param, ...fields } = body.details;
      if (typeof decline === 'string') declineCode = decline;
      collectFieldErrors(fields, '', details, codes);
    }
    if (typeof body.code === 'string') codes.push(body.code);
  } else {
    const { detail, message, code, ...fields } = body;
    if (typeof code === 'string') codes.push(code);
    headline = typeof message === 'string' ? message : typeof detail === 'string' ? detail : undefined;
    collectFieldErrors(fields, '', details, codes);
  }

  const hasDetails = Object.keys(details).length > 0;
  const summary = hasDetails ? summarizeFieldDetails(details) : '';
  let message: string;
  if (headline && summary) message = `${headline}: ${summary}`;
  else message = headline || summary || fallback;

  const code = codes.find((c) => c === INVALID_RECURRING_TOKEN) ?? codes[0];
  return { message, code, details: hasDetails ? details : undefined, declineCode, codes };
}

/**
 * Maps an error response onto core's hierarchy through `errorFromHttpStatus`, so the status decides the class,
 * except for a dead recurring token, which is always InvalidSavedMethodError whatever the status: the caller
 * must stop using the token, not retry.
 */
export function ummahErrorFromResponse(
  response: ErrorResponse,
  secrets: readonly string[] = [],
): TijaraError {
  const info = readUmmahErrorBody(response.statusCode, response.body);
  const context = {
    statusCode: response.statusCode,
    message: info.message,
    code: info.code,
    details: info.details,
    declineCode: info.declineCode,
    requestId: response.requestId,
    retryAfterMs: response.retryAfterMs,
    raw: response.body,
    gateway: 'ummah',
    secrets,
  };
  if (info.codes.includes(INVALID_RECURRING_TOKEN)) {
    return new InvalidSavedMethodError(info.message, { ...context, code: INVALID_RECURRING_TOKEN });
  }
  return errorFromHttpStatus(context);
}
