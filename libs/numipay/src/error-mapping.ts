import { errorFromHttpStatus, type ErrorResponse, type FieldDetails, type TijaraError } from '@tijara/core';

export interface NumipayErrorInfo {
  readonly message: string;
  readonly code: string | undefined;
  readonly details: FieldDetails | undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function collect(value: unknown, path: string, details: FieldDetails): void {
  if (typeof value === 'string') (details[path || 'request'] ??= []).push(value);
  else if (Array.isArray(value)) for (const item of value) collect(item, path, details);
  else if (isRecord(value))
    for (const [key, item] of Object.entries(value)) collect(item, path ? `${path}.${key}` : key, details);
}

/**
 * The seed documents no error body, so every common shape is read: `{message}`, `{error: "…"}`,
 * `{error: {code, message}}`, `{errors: {field: ["…"]}}`, a `code` beside any of them, or plain text.
 */
export function readNumipayErrorBody(statusCode: number, body: unknown): NumipayErrorInfo {
  const fallback = `Numipay answered HTTP ${statusCode}`;
  if (!isRecord(body)) {
    const text = typeof body === 'string' && body.trim() !== '' ? `: ${body.trim().slice(0, 200)}` : '';
    return { message: `${fallback}${text}`, code: undefined, details: undefined };
  }
  const nested = isRecord(body.error) ? body.error : undefined;
  const message =
    (typeof body.message === 'string' && body.message) ||
    (typeof body.error === 'string' && body.error) ||
    (nested && typeof nested.message === 'string' && nested.message) ||
    (typeof body.rejected_reason === 'string' && body.rejected_reason) ||
    fallback;
  const rawCode = body.code ?? nested?.code;
  const details: FieldDetails = {};
  collect(body.errors, '', details);
  const hasDetails = Object.keys(details).length > 0;
  return {
    message,
    code: typeof rawCode === 'string' || typeof rawCode === 'number' ? String(rawCode) : undefined,
    details: hasDetails ? details : undefined,
  };
}

export function numipayErrorFromResponse(
  response: ErrorResponse,
  secrets: readonly string[] = [],
): TijaraError {
  const info = readNumipayErrorBody(response.statusCode, response.body);
  return errorFromHttpStatus({
    statusCode: response.statusCode,
    message: info.message,
    code: info.code,
    details: info.details,
    requestId: response.requestId,
    retryAfterMs: response.retryAfterMs,
    raw: response.body,
    gateway: 'numipay',
    secrets,
  });
}
