import { timingSafeEqual, createHash } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from '@tijara/core';
import { MESSAGES, sendUhmiError, UhmiError } from './errors.js';
import type { PaymentService } from './payments.js';

const BOOLEAN_FIELDS = new Set(['pwyw', 'refundable', 'repeatable']);
const INTEGER_FIELDS = new Set(['interval_count', 'trial_days']);

/** Reads every body as bytes first: Uhmi answers 415 to a body that is not UTF-8, whatever its type. */
export const readApiBody = express.raw({ type: () => true, limit: '64kb' });

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The seed's examples send form fields (`-d 'price=0.25'`, `-d 'metadata[video_id]=8690'`) while its prose says
 * JSON: both are accepted. Form values are text, so booleans and counts are read as the seed writes them.
 */
function parseForm(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of new URLSearchParams(text)) {
    const nested = /^metadata\[([^\]]+)\]$/.exec(name);
    if (nested) {
      const metadata = (out.metadata ??= {}) as Record<string, string>;
      metadata[nested[1] as string] = value;
    } else if (BOOLEAN_FIELDS.has(name) && (value === 'true' || value === 'false'))
      out[name] = value === 'true';
    else if (INTEGER_FIELDS.has(name) && /^\d+$/.test(value)) out[name] = Number(value);
    else out[name] = value;
  }
  return out;
}

/** The parsed body, or a UhmiError: 415 for bytes that are not UTF-8, 400 for JSON that does not parse. */
export function decodeBody(req: Request): unknown {
  const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  if (raw.length === 0) return {};
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new UhmiError(415, MESSAGES[415]);
  }
  const type = String(req.headers['content-type'] ?? '');
  if (/application\/x-www-form-urlencoded/i.test(type)) return parseForm(text);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UhmiError(400, 'The request body is not valid JSON.');
  }
}

function sameKey(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * `/api/v1/`: Bearer authentication, the seed's five endpoints, 405 for other methods on their paths, 404 for
 * anything else, and every error in Uhmi's `{"error": {"code", "message"}}` shape.
 */
export function apiRouter(deps: { apiKey: string; payments: PaymentService; logger: Logger }): Router {
  const { apiKey, payments, logger } = deps;
  const router = express.Router();
  router.use(readApiBody);
  router.use((req, res, next) => {
    const match = /^Bearer\s+(\S+)$/.exec(String(req.headers.authorization ?? ''));
    if (!match || !sameKey(match[1] as string, apiKey)) return sendUhmiError(res, 401, MESSAGES[401]);
    next();
  });
  const handle =
    (status: number, run: (req: Request) => unknown) =>
    (req: Request, res: Response): void => {
      try {
        const result = run(req);
        if (typeof result === 'string') res.status(status).type('text/plain').send(result);
        else res.status(status).json(result);
      } catch (error) {
        if (error instanceof UhmiError) return sendUhmiError(res, error.status, error.message);
        logger.error({ err: error, path: req.path }, 'uhmi sandbox: unexpected error');
        sendUhmiError(res, 500, MESSAGES[500]);
      }
    };
  const id = (req: Request) => String(req.params['id']);

  router.post(
    '/payments',
    handle(201, (req) => payments.create(decodeBody(req))),
  );
  router.get(
    '/payments/:id',
    handle(200, (req) => payments.retrieve(id(req))),
  );
  router.patch(
    '/payments/:id',
    handle(200, (req) => payments.update(id(req), decodeBody(req))),
  );
  router.delete(
    '/payments/:id',
    handle(200, (req) => {
      payments.delete(id(req));
      return 'Payment deleted';
    }),
  );
  router.get(
    '/transactions/:id',
    handle(200, (req) => payments.transaction(id(req))),
  );
  for (const path of ['/payments', '/payments/:id', '/transactions/:id']) {
    router.all(path, (_req, res) => sendUhmiError(res, 405, MESSAGES[405]));
  }
  router.use((_req, res) => sendUhmiError(res, 404, MESSAGES[404]));
  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (error as { status?: number }).status;
    // A body over the limit, or one express could not read.
    sendUhmiError(
      res,
      status === 413 ? 413 : 400,
      status === 413 ? 'The request is too large.' : 'The request body could not be read.',
    );
  });
  return router;
}
