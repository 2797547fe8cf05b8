/**
 * Signatures cover the exact bytes the gateway sent, and a body parser that ran before the router has consumed
 * them. Three defences, in order: the router reads the stream itself when nothing parsed it; it uses raw bytes
 * an upstream parser kept (`keepRawBody`, or `express.raw()`); and at mount time it refuses to start behind
 * an `express.json()` that keeps nothing. It never verifies re-serialised JSON, which cannot match.
 */
import type { IncomingMessage } from 'node:http';
import { ConfigurationError } from '@tijara/core';
import { bodyConsumed, HttpError, readBody, type RequestLike } from './http.js';

export const DEFAULT_RAW_BODY_PROPERTY = 'rawBody';

/**
 * `verify` hook for body-parser: keeps the exact bytes on `req.rawBody` so the webhook can be verified even
 * though `express.json()` runs first: `app.use(express.json({ verify: keepRawBody }))`.
 */
export function keepRawBody(req: IncomingMessage, _res: unknown, buffer: Buffer): void {
  (req as unknown as Record<string, unknown>)[DEFAULT_RAW_BODY_PROPERTY] = Buffer.from(buffer);
}

export function rawBodyUnavailableMessage(webhookPath: string, property: string): string {
  return (
    `A JSON body parser consumed the webhook request at ${webhookPath} before the Tijara router and kept no raw ` +
    `bytes, so its signature cannot be verified (re-serialised JSON never matches). Fix one of: mount the Tijara ` +
    `router before express.json(): app.use('/payments', tijara.router) first; or keep the bytes with ` +
    `express.json({ verify: keepRawBody }) (import { keepRawBody } from '@tijara/express') and set ` +
    `webhook.rawBodyProperty: '${property}'.`
  );
}

/** The webhook's raw bytes, from the stream or from what an upstream parser kept. */
export async function webhookBytes(req: RequestLike, limitBytes: number, property: string): Promise<Buffer> {
  if (!bodyConsumed(req)) return readBody(req, limitBytes);
  const kept = (req as unknown as Record<string, unknown>)[property];
  const bytes = Buffer.isBuffer(kept) ? kept : kept instanceof Uint8Array ? Buffer.from(kept) : undefined;
  // express.raw() leaves the bytes themselves in req.body.
  const raw = bytes ?? (Buffer.isBuffer(req.body) ? req.body : undefined);
  if (raw === undefined) {
    throw new HttpError(
      500,
      'raw_body_unavailable',
      rawBodyUnavailableMessage(req.originalUrl ?? req.url ?? '', property),
    );
  }
  if (raw.length > limitBytes)
    throw new HttpError(413, 'body_too_large', `The request body is larger than ${limitBytes} bytes`);
  return raw;
}

interface LayerLike {
  name?: string;
  match?: (path: string) => boolean;
}

/** The app's middleware stack (Express 4 keeps it on `_router`, Express 5 on `router`). */
function stackOf(app: Record<string, unknown>): LayerLike[] | undefined {
  const router = (app._router ?? safeGet(app, 'router')) as { stack?: unknown } | undefined;
  return Array.isArray(router?.stack) ? (router.stack as LayerLike[]) : undefined;
}

/** Express 4 throws from its deprecated `app.router` getter. */
function safeGet(object: Record<string, unknown>, key: string): unknown {
  try {
    return object[key];
  } catch {
    return undefined;
  }
}

/**
 * At mount: find an `express.json()` (or `express.text()`) mounted earlier on a path covering the webhook.
 * Throws ConfigurationError with the fix unless the app said where it keeps the raw bytes.
 */
export function assertRawBodyReachable(
  parent: unknown,
  webhookPath: string,
  rawBodyConfigured: boolean,
): void {
  if (rawBodyConfigured || (typeof parent !== 'function' && typeof parent !== 'object') || parent === null)
    return;
  const stack = stackOf(parent as Record<string, unknown>);
  if (!stack) return;
  // The router's own layer was added just before the mount event: everything before it runs first.
  for (const layer of stack.slice(0, -1)) {
    if (layer.name !== 'jsonParser' && layer.name !== 'textParser') continue;
    let covers = true;
    try {
      covers = typeof layer.match === 'function' ? Boolean(layer.match.call(layer, webhookPath)) : true;
    } catch {
      covers = true;
    }
    if (covers)
      throw new ConfigurationError(rawBodyUnavailableMessage(webhookPath, DEFAULT_RAW_BODY_PROPERTY));
  }
}
