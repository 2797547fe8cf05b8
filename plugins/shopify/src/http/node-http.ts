import type { IncomingMessage, ServerResponse } from 'node:http';

/** A response the framework-neutral handlers return; bindings write it. */
export interface HandlerResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  readonly body?: string;
  /**
   * Runs once the response is written: Shopify must have the app's answer before a mutation about the session
   * is sent ("the response to start_payment_session request has not been received").
   */
  readonly afterResponse?: () => Promise<void>;
}

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
  }
}

type RequestWithBody = IncomingMessage & { body?: unknown; rawBody?: unknown; _body?: boolean };

/**
 * The request's exact bytes: read from the stream, or taken from what a body parser mounted earlier kept
 * (`req.rawBody`, or the Buffer `express.raw()` leaves). A body parsed into an object without its bytes cannot
 * be authenticated (an HMAC covers bytes, not re-serialised JSON), so it is refused loudly.
 */
export async function readRawBody(req: RequestWithBody, limitBytes: number): Promise<Buffer> {
  if (req.readableEnded || req._body === true) {
    const kept = Buffer.isBuffer(req.rawBody)
      ? req.rawBody
      : Buffer.isBuffer(req.body)
        ? req.body
        : undefined;
    if (kept) {
      if (kept.length > limitBytes)
        throw new HttpError(413, 'body_too_large', `Body larger than ${limitBytes} bytes`);
      return kept;
    }
    if (typeof req.body === 'object' && req.body !== null && !Buffer.isBuffer(req.body)) {
      throw new HttpError(
        500,
        'raw_body_unavailable',
        'A body parser consumed this request before the Shopify router and kept no raw bytes: mount the router before express.json()/express.urlencoded()',
      );
    }
    return Buffer.alloc(0);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) {
      req.resume();
      throw new HttpError(413, 'body_too_large', `Body larger than ${limitBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Write a HandlerResponse, then run its `afterResponse` once the bytes are out. */
export function writeResponse(
  res: ServerResponse,
  response: HandlerResponse,
  onAfterError: (error: unknown) => void,
): void {
  if (response.afterResponse) {
    const after = response.afterResponse;
    res.once('finish', () => {
      after().catch(onAfterError);
    });
  }
  const headers: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(response.headers ?? {})) {
    headers[key] = typeof value === 'string' ? value : [...value];
  }
  if (
    response.body !== undefined &&
    !Object.keys(headers).some((k) => k.toLowerCase() === 'content-length')
  ) {
    headers['content-length'] = String(Buffer.byteLength(response.body));
  }
  res.writeHead(response.status, headers);
  res.end(response.body);
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HandlerResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

export const HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // Not embedded in Shopify's admin: no one may frame these pages.
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

export function html(
  status: number,
  body: string,
  headers: Record<string, string | readonly string[]> = {},
): HandlerResponse {
  return { status, headers: { ...HTML_HEADERS, ...headers }, body };
}

export function redirect(
  location: string,
  headers: Record<string, string | readonly string[]> = {},
): HandlerResponse {
  return { status: 303, headers: { location, 'cache-control': 'no-store', ...headers } };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
