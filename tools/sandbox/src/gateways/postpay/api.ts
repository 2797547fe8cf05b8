import { timingSafeEqual } from 'node:crypto';
import type { Logger } from '@tijara/core';
import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
  type Router,
} from 'express';
import { errors, PostpayApiError } from './api-errors.js';
import type { PostpayConfig } from './config.js';
import type { HookService } from './hooks.js';
import type { OrderService } from './orders.js';

/** What Postpay answers with (seed 003's responses say `application/vnd.api+json`). */
const RESPONSE_TYPE = 'application/vnd.api+json';

/**
 * The JSON body of API requests: `application/json` and any `+json` type. Also run early by the engine when a
 * latency fault holds a request.
 */
export const parseApiBody: RequestHandler = express.json({
  type: (req) => /^application\/(json|[\w.+-]+\+json)\b/i.test(String(req.headers['content-type'] ?? '')),
  limit: '1mb',
  strict: false,
});

function send(res: Response, status: number, body: unknown): void {
  if (status === 204) {
    res.status(204).end();
    return;
  }
  res.status(status).type(RESPONSE_TYPE).send(JSON.stringify(body));
}

function sendError(res: Response, error: PostpayApiError): void {
  res.set(error.headers);
  send(res, error.status, error.body);
}

/**
 * Content negotiation as seed 003 describes it: `Accept: application/vnd.postpay+{format}; version={version}`. The
 * sandbox speaks `json` in `v1`; a client that accepts only something else (another version, XML, HTML) gets 406.
 * No Accept header, a wildcard and plain JSON are served too, as a REST framework does.
 */
export function acceptable(header: string | undefined): boolean {
  if (!header || header.trim() === '') return true;
  return header.split(',').some((range) => {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const values = Object.fromEntries(
      params.map((param) => param.split('=').map((v) => v.trim().replace(/^"|"$/g, '')) as [string, string]),
    );
    if (values.q === '0') return false;
    if (type === 'application/vnd.postpay+json')
      return values.version === undefined || values.version === 'v1';
    return ['*/*', 'application/*', 'application/json', 'application/vnd.api+json'].includes(type);
  });
}

/** `Authorization: Basic base64(merchant_id:secret_key)`, compared in constant time. */
function authenticated(header: string | undefined, config: PostpayConfig): PostpayApiError | undefined {
  if (!header) return errors.unauthenticated('Authentication credentials were not provided.');
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) return errors.unauthenticated();
  const given = Buffer.from(match[1]!, 'base64');
  const expected = Buffer.from(`${config.merchantId}:${config.secretKey}`, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected)
    ? undefined
    : errors.unauthenticated();
}

/** What a handler answers for a 204. */
const NO_CONTENT = Symbol('no content');

type Handler = (req: Request) => unknown;

export interface ApiDeps {
  readonly config: PostpayConfig;
  readonly orders: OrderService;
  readonly hooks: HookService;
  readonly logger: Logger;
  /** The gateway's root URL for a request (`http://127.0.0.1:4010/postpay`). */
  readonly gatewayUrl: (req: Request) => string;
}

/** Seed 003's API: negotiation, authentication, the JSON body, then one handler per documented route. */
export function apiRouter(deps: ApiDeps): Router {
  const { config, orders, hooks, logger, gatewayUrl } = deps;
  const router = express.Router();
  const requestUrl = (req: Request) => new URL(`${gatewayUrl(req)}${req.url}`);
  const param = (req: Request, name: string) => String(req.params[name]);

  router.use((req: Request, res: Response, next: NextFunction) => {
    if (!acceptable(req.headers.accept)) return sendError(res, errors.notAcceptable());
    const refused = authenticated(req.headers.authorization, config);
    if (refused) return sendError(res, refused);
    if (req.method === 'POST' || req.method === 'PATCH' || req.method === 'PUT') {
      const type = req.headers['content-type'];
      const hasBody =
        Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
      if (hasBody && !/^application\/(json|[\w.+-]+\+json)\b/i.test(String(type ?? ''))) {
        return sendError(res, errors.unsupportedMediaType(String(type ?? '')));
      }
    }
    next();
  });
  router.use(parseApiBody);

  const routes: Array<[string, Partial<Record<'GET' | 'POST' | 'PATCH' | 'DELETE', Handler>>]> = [
    ['/checkouts', { POST: (req) => orders.createCheckout(req.body, gatewayUrl(req)) }],
    ['/orders', { GET: (req) => orders.list(requestUrl(req).searchParams, requestUrl(req)) }],
    ['/orders/:orderId', { GET: (req) => orders.detail(param(req, 'orderId')) }],
    ['/orders/:orderId/capture', { POST: (req) => orders.capture(param(req, 'orderId')) }],
    [
      '/orders/:orderId/refunds',
      {
        GET: (req) => orders.refunds(param(req, 'orderId'), requestUrl(req).searchParams, requestUrl(req)),
        POST: (req) => orders.createRefund(param(req, 'orderId'), req.body),
      },
    ],
    [
      '/orders/:orderId/refunds/:refundId',
      { GET: (req) => orders.refund(param(req, 'orderId'), param(req, 'refundId')) },
    ],
    ['/transactions', { GET: (req) => orders.transactions(requestUrl(req).searchParams, requestUrl(req)) }],
    ['/transactions/:id', { GET: (req) => orders.transaction(param(req, 'id')) }],
    [
      '/hooks',
      {
        GET: (req) => hooks.list(requestUrl(req).searchParams, requestUrl(req)),
        POST: (req) => hooks.create(req.body),
      },
    ],
    [
      '/hooks/:id',
      {
        GET: (req) => hooks.get(param(req, 'id')),
        PATCH: (req) => hooks.update(param(req, 'id'), req.body),
        DELETE: (req) => {
          hooks.delete(param(req, 'id'));
          return NO_CONTENT;
        },
      },
    ],
  ];

  for (const [path, methods] of routes) {
    router.all(path, (req: Request, res: Response) => {
      const handler = methods[req.method as keyof typeof methods];
      if (!handler) return sendError(res, errors.methodNotAllowed(req.method));
      try {
        const result = handler(req);
        send(res, result === NO_CONTENT ? 204 : 200, result);
      } catch (error) {
        if (error instanceof PostpayApiError) return sendError(res, error);
        logger.error({ err: String(error), path: req.path }, 'sandbox: postpay handler failed');
        sendError(res, errors.server());
      }
    });
  }

  router.use((req: Request, res: Response) => sendError(res, errors.notFound()));
  // Body parser failures: malformed JSON is the seed's 400 parse_error.
  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    const type = (error as { type?: string }).type;
    if (type === 'entity.parse.failed') return sendError(res, errors.parse());
    if (type === 'entity.too.large')
      return sendError(res, new PostpayApiError(413, 'invalid', 'Request too large.'));
    next(error);
  });
  return router;
}
