import type { z } from 'zod';
import { NON_FIELD_ERRORS } from '@tijara/postpay';

/** Nested field errors the way Django REST framework reports them: objects by key, lists by index. */
export type Fields = { [key: string]: string[] | Fields | Fields[] };

/** An answer in seed 003's error shape: `{"error": {"code", "message", "fields"?}}`. */
export class PostpayApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: Fields | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    code: string,
    message: string,
    fields?: Fields,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.headers = headers;
  }

  get body(): Record<string, unknown> {
    return {
      error: { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}) },
    };
  }
}

/** The seed's error table, one constructor per row the sandbox answers. */
export const errors = {
  invalid: (fields: Fields) => new PostpayApiError(400, 'invalid', 'Invalid input.', fields),
  parse: () => new PostpayApiError(400, 'parse_error', 'Malformed request.'),
  unauthenticated: (message = 'Invalid authentication credentials.') =>
    new PostpayApiError(401, 'authentication_failed', message, undefined, {
      'WWW-Authenticate': 'Basic realm="api"',
    }),
  captureDeclined: () => new PostpayApiError(402, 'capture_error', 'Payment transaction declined.'),
  notFound: (message = 'Not found.') => new PostpayApiError(404, 'not_found', message),
  methodNotAllowed: (method: string) =>
    new PostpayApiError(405, 'method_not_allowed', `Method "${method}" not allowed.`),
  notAcceptable: () =>
    new PostpayApiError(406, 'not_acceptable', 'Could not satisfy the request Accept header.'),
  invalidStatus: (required: 'approved' | 'captured') =>
    new PostpayApiError(409, 'invalid_status', `Order status must be ${required}.`),
  conflict: (message: string) => new PostpayApiError(409, 'conflict', message),
  limitExceeded: () => new PostpayApiError(409, 'limit_exceeded', 'The amount exceeds the limit.'),
  expired: () => new PostpayApiError(410, 'expired', 'The capture has expired.'),
  unsupportedMediaType: (type: string) =>
    new PostpayApiError(415, 'unsupported_media_type', `Unsupported media type "${type}" in request.`),
  server: () => new PostpayApiError(500, 'error', 'Oops!!'),
};

/** The seed's body for a status an injected fault answers with (`throttled` for 429, `error` for 5xx …). */
export function faultError(status: number): PostpayApiError {
  const known: Record<number, [string, string]> = {
    400: ['invalid', 'Invalid input.'],
    401: ['authentication_failed', 'Invalid authentication credentials.'],
    402: ['payment_required', 'Payment required.'],
    403: ['permission_denied', 'You do not have permission to perform this action.'],
    404: ['not_found', 'Not found.'],
    409: ['conflict', 'A conflict of data exists, even with valid information.'],
    410: ['gone', 'The target resource is no longer available.'],
    422: ['unprocessable', 'The requested information is okay, but invalid.'],
    429: ['throttled', 'Request was throttled.'],
  };
  const [code, message] = known[status] ?? ['error', 'Oops!!'];
  return new PostpayApiError(status, code, message);
}

type Node = Record<string | number, unknown>;

/** Empty places of a list of objects become `{}`, as DRF reports the items that had no error. */
function fillHoles(node: unknown): void {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      if (node[i] === undefined) node[i] = {};
      else fillHoles(node[i]);
    }
  } else if (typeof node === 'object' && node !== null) {
    for (const value of Object.values(node)) fillHoles(value);
  }
}

/**
 * Zod issues as DRF's nested `fields`: `shipping.address.city` → `{shipping: {address: {city: [...]}}}`, a list of
 * objects as a list with `{}` for the valid items (`items.1.qty` → `{items: [{}, {qty: [...]}]}`), a list of
 * values by index (`events.0` → `{events: {"0": [...]}}`), and errors of no field under `non_field_errors`.
 */
export function nestedFields(issues: readonly z.core.$ZodIssue[]): Fields {
  const root: Node = {};
  for (const issue of issues) {
    const path: Array<string | number> =
      issue.path.length === 0 ? [NON_FIELD_ERRORS] : issue.path.map((part) => part as string | number);
    let node: Node = root;
    for (let i = 0; i < path.length - 1; i++) {
      const key = path[i] as string | number;
      // A list of objects (an index followed by a field) stays a list; any other container is an object.
      const list = typeof path[i + 1] === 'number' && i + 2 < path.length;
      if (typeof node[key] !== 'object' || node[key] === null || Array.isArray(node[key]) !== list) {
        node[key] = list ? [] : {};
      }
      node = node[key] as Node;
    }
    const leaf = path[path.length - 1] as string | number;
    const messages = Array.isArray(node[leaf]) ? (node[leaf] as string[]) : [];
    if (!messages.includes(issue.message)) messages.push(issue.message);
    node[leaf] = messages;
  }
  fillHoles(root);
  return root as Fields;
}
