import { errorFromHttpStatus, type ErrorResponse, type FieldDetails, type TijaraError } from '@tijara/core';

/** What the driver reads out of an error response. */
export interface UhmiErrorInfo {
  readonly message: string;
  /** A stable code for the status: Uhmi's own `code` is the HTTP status again. */
  readonly code: string;
  /** The parameter a 400 names (`The 'price' parameter is invalid or missing.`), as field details. */
  readonly details: FieldDetails | undefined;
}

/** The seed's status table, as codes a caller can switch on. */
const CODES: Readonly<Record<number, string>> = {
  400: 'invalid_parameter',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
};

/** Why a status happens, from the seed, for messages that say what to do. */
const HINTS: Readonly<Record<number, string>> = {
  401: 'check the API key',
  403: 'Uhmi refuses requests that do not use HTTPS',
  415: 'Uhmi accepts UTF-8 request bodies only',
};

const PARAMETER = /'([A-Za-z_][A-Za-z0-9_]*)' parameter/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads `{"error": {"code", "message"}}`, and anything else a proxy in front of Uhmi may answer. */
export function readUhmiErrorBody(statusCode: number, body: unknown): UhmiErrorInfo {
  const code = CODES[statusCode] ?? (statusCode >= 500 ? 'server_error' : `http_${statusCode}`);
  let message: string | undefined;
  if (isRecord(body) && isRecord(body.error) && typeof body.error.message === 'string') {
    message = body.error.message.trim() || undefined;
  } else if (isRecord(body) && typeof body.error === 'string') {
    message = body.error;
  } else if (typeof body === 'string' && body.trim() !== '') {
    message = body.trim().slice(0, 200);
  }
  const hint = HINTS[statusCode];
  const text = message ?? `Uhmi answered HTTP ${statusCode}`;
  const parameter = statusCode === 400 && message ? PARAMETER.exec(message)?.[1] : undefined;
  return {
    message: hint ? `${text} (${hint})` : text,
    code,
    details: parameter ? { [parameter]: [message as string] } : undefined,
  };
}

/** Maps an error response onto core's hierarchy by status (415 and 405 are invalid requests, never retried). */
export function uhmiErrorFromResponse(response: ErrorResponse, secrets: readonly string[] = []): TijaraError {
  const info = readUhmiErrorBody(response.statusCode, response.body);
  return errorFromHttpStatus({
    statusCode: response.statusCode,
    message: info.message,
    code: info.code,
    details: info.details,
    requestId: response.requestId,
    retryAfterMs: response.retryAfterMs,
    raw: response.body,
    gateway: 'uhmi',
    secrets,
  });
}
