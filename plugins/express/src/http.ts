/**
 * The little HTTP the router needs, on Node's own request and response objects so the same code runs under
 * Express 4, Express 5 or a bare `http.Server` (the router never depends on which Express the app uses).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What Express adds to Node's request, when it is there. */
export interface RequestLike extends IncomingMessage {
  body?: unknown;
  baseUrl?: string;
  originalUrl?: string;
  /** Set by body-parser once it has read the stream. */
  _body?: boolean;
}

export class HttpError extends Error {
  readonly status: number;
  /** Stable, machine-readable reason for API clients. */
  readonly code: string;
  readonly headers: Readonly<Record<string, string>>;
  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** Whether something upstream (a body parser) has already consumed the request stream. */
export function bodyConsumed(req: RequestLike): boolean {
  return req._body === true || req.readableEnded;
}

/** Read the request body up to `limitBytes`; 413 beyond it, without buffering the rest. */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    req.resume();
    return Promise.reject(tooLarge(limitBytes));
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error: Error | undefined, body?: Buffer) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      if (error) {
        // Drain what is left so the response can still be written on this connection.
        req.resume();
        reject(error);
      } else resolve(body as Buffer);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) finish(tooLarge(limitBytes));
      else chunks.push(chunk);
    };
    const onEnd = () => finish(undefined, Buffer.concat(chunks, size));
    const onError = (error: Error) =>
      finish(new HttpError(400, 'body_read_failed', `Could not read the body: ${error.message}`));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

function tooLarge(limitBytes: number): HttpError {
  return new HttpError(413, 'body_too_large', `The request body is larger than ${limitBytes} bytes`);
}

/** The media type of the request, lower case, without parameters. */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

export function isJsonType(type: string): boolean {
  return type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

/**
 * A form or JSON body as flat string fields. Uses what an upstream parser produced when there is one (these
 * routes need no signature, so a parsed body is fine); otherwise reads and parses the stream itself.
 */
export async function readFields(req: RequestLike, limitBytes: number): Promise<Record<string, string>> {
  if (bodyConsumed(req)) {
    if (req.body && typeof req.body === 'object' && !Buffer.isBuffer(req.body)) return flatten(req.body);
    if (Buffer.isBuffer(req.body)) return parseFields(req.body, mediaType(req));
    return {};
  }
  const type = mediaType(req);
  const length = req.headers['content-length'];
  const hasBody = (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody) return {};
  if (type !== 'application/x-www-form-urlencoded' && !isJsonType(type)) {
    throw new HttpError(
      415,
      'unsupported_media_type',
      'Send the fields as application/x-www-form-urlencoded or JSON',
    );
  }
  return parseFields(await readBody(req, limitBytes), type);
}

function parseFields(body: Buffer, type: string): Record<string, string> {
  if (body.length === 0) return {};
  if (isJsonType(type)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new HttpError(400, 'malformed_body', 'The body is not valid JSON');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new HttpError(400, 'malformed_body', 'The body must be a JSON object');
    }
    return flatten(parsed);
  }
  return Object.fromEntries(new URLSearchParams(body.toString('utf8')));
}

function flatten(body: object): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === 'string') out[key] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') out[key] = String(value);
  }
  return out;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** 303 See Other: after a POST the browser follows with a GET. */
export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { location, 'content-length': '0', 'cache-control': 'no-store' });
  res.end();
}

/** True when the client would rather have JSON than an HTML redirect. */
export function wantsJson(req: IncomingMessage): boolean {
  const accept = (req.headers.accept ?? '').toLowerCase();
  return accept.includes('application/json') && !accept.includes('text/html');
}

/**
 * Refuse state-changing requests a browser sent from another site (a cross-site form could otherwise make a
 * logged-in buyer pay with a saved card). Requests without these headers come from non-browser clients.
 */
export function assertSameOrigin(req: IncomingMessage, allowedOrigin: string): void {
  const fetchSite = req.headers['sec-fetch-site'];
  if (fetchSite === 'cross-site') {
    throw new HttpError(403, 'cross_site_request', 'Cross-site requests are not accepted here');
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== allowedOrigin) {
    throw new HttpError(403, 'cross_site_request', 'Cross-site requests are not accepted here');
  }
}

/** A same-site path (no scheme, no `//host`), so a redirect target taken from a form cannot leave the store. */
export function isLocalPath(target: string): boolean {
  return target.startsWith('/') && !target.startsWith('//') && !target.startsWith('/\\');
}
