import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger } from '@tijara/core';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { listEndpoints, type Endpoint as UmmahEndpoint } from '@tijara/ummah';
import { z } from 'zod';
import { fingerprint, type IdempotencyRecords } from '../../engine/idempotency.js';
import {
  ApiError,
  conflict,
  idempotencyMismatch,
  methodNotAllowed,
  nonFieldError,
  notFound,
  unauthorized,
  zodBadRequest,
} from './api-errors.js';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** A handler's answer when it is not a plain JSON body with the endpoint's success status. */
export class Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, body?: unknown, headers: Readonly<Record<string, string>> = {}) {
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

export const noContent = (): Reply => new Reply(204);

type Loose = Record<string, unknown>;

export interface HandlerContext<I = Loose> {
  params: Record<string, string>;
  /** The validated request: the JSON body, or the query string for GET. */
  input: I;
  req: Request;
  /** Public base URL of the gateway (no trailing slash), for the URLs objects carry. */
  baseUrl: string;
  /** `${baseUrl}/api/v1/`, for page links in listings. */
  apiBase: string;
}

/** What a documented endpoint's request schema parses to (a loose object when it has none). */
export type InputOf<S> = S extends { readonly request: infer R }
  ? R extends z.ZodType
    ? z.output<R>
    : Loose
  : Loose;

/** The sandbox's implementation of one endpoint of `@tijara/ummah`'s ENDPOINTS table. */
export interface Implementation {
  readonly spec: UmmahEndpoint;
  readonly summary: string;
  readonly tag: string;
  /** Status of a successful answer (201 for creations, 204 for deletions). */
  readonly status: number;
  readonly run: (ctx: HandlerContext<unknown>) => unknown;
}

/**
 * Implement a documented endpoint. Method, path and request/response schemas come from the driver's own
 * table (`ENDPOINTS` in `@tijara/ummah`), so the API is defined once: the router, the validation and the
 * OpenAPI description are generated from it, and the sandbox cannot drift from the driver.
 */
export function implement<S extends UmmahEndpoint>(
  spec: S,
  meta: { summary: string; tag: string; status?: number },
  handler: (ctx: HandlerContext<InputOf<S>>) => unknown,
): Implementation {
  const status = meta.status ?? (spec.method === 'DELETE' ? 204 : 200);
  return {
    spec,
    summary: meta.summary,
    tag: meta.tag,
    status,
    run: (ctx) => handler(ctx as HandlerContext<InputOf<S>>),
  };
}

/** An implementation joined with its place in the table. */
export interface Endpoint {
  readonly name: string;
  readonly method: HttpMethod;
  /** `/purchases/{id}/capture/`, relative to `/api/v1`. */
  readonly path: string;
  readonly request: z.ZodType | undefined;
  readonly response: z.ZodType;
  readonly summary: string;
  readonly tag: string;
  readonly status: number;
  readonly run: ((ctx: HandlerContext<unknown>) => unknown) | undefined;
}

/**
 * Every endpoint the driver knows, with the sandbox's implementation. An endpoint without one answers 501
 * (a test asserts there are none).
 */
export function resolveEndpoints(implementations: readonly Implementation[]): Endpoint[] {
  return listEndpoints().map(({ name, endpoint }) => {
    const impl = implementations.find((i) => i.spec === endpoint);
    return {
      name,
      method: endpoint.method.toLowerCase() as HttpMethod,
      path: `/${endpoint.path}`,
      request: endpoint.request,
      response: endpoint.response,
      summary: impl?.summary ?? name,
      tag: impl?.tag ?? 'Other',
      status: impl?.status ?? 200,
      run: impl?.run,
    };
  });
}

/** `{ results, next, previous }` for one page of a listing, with absolute page links as the gateway gives. */
export function listPage<T>(ctx: HandlerContext<unknown>, items: readonly T[]): Loose {
  const page = pageNumber(ctx.req);
  const perPage = perPageSize(ctx.req);
  const start = (page - 1) * perPage;
  const url = new URL(`${ctx.apiBase}${ctx.req.path.replace(/^\//, '')}`);
  for (const [key, value] of Object.entries(ctx.req.query)) {
    if (typeof value === 'string') url.searchParams.set(key, value);
  }
  const link = (n: number) => {
    url.searchParams.set('page', String(n));
    return url.toString();
  };
  return {
    results: items.slice(start, start + perPage),
    next: items.length > start + perPage ? link(page + 1) : null,
    previous: page > 1 ? link(page - 1) : null,
  };
}

function pageNumber(req: Request): number {
  const page = Number(req.query['page'] ?? 1);
  return Number.isSafeInteger(page) && page >= 1 ? page : 1;
}

function perPageSize(req: Request): number {
  const size = Number(req.query['per_page'] ?? 25);
  return Number.isSafeInteger(size) && size >= 1 ? Math.min(size, 100) : 25;
}

function placeholders(path: string): number {
  return (path.match(/\{/g) ?? []).length;
}

/** `/purchases/{id}/` → `/purchases/:id/` */
export function expressPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

/**
 * Query strings arrive as text; coerce a value to boolean or number only where the schema rejects the text
 * itself, so ids and codes that merely look numeric are left alone.
 */
function coerceQuery(schema: z.ZodType, raw: Loose): Loose {
  const shape = (schema as unknown as { shape?: Record<string, z.ZodType> }).shape;
  if (!shape) return raw;
  const out: Loose = { ...raw };
  for (const [key, value] of Object.entries(raw)) {
    const field = shape[key];
    if (!field || typeof value !== 'string' || field.safeParse(value).success) continue;
    if (value === 'true' || value === 'false') out[key] = value === 'true';
    else if (/^-?\d+(\.\d+)?$/.test(value)) out[key] = Number(value);
  }
  return out;
}

/** Parse with a request schema: any issue is a 400 naming the field, the way the gateway reports it. */
function validate(schema: z.ZodType, raw: unknown): unknown {
  const parsed = schema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new ValidationFailure(zodBadRequest(parsed.error));
  return parsed.data;
}

/** Schema failures are answered 400 and, like on Stripe, leave no idempotency record behind. */
class ValidationFailure extends Error {
  readonly apiError: ApiError;

  constructor(apiError: ApiError) {
    super(apiError.message);
    this.apiError = apiError;
  }
}

/** What the `/api/v1` router needs: the key it accepts, where idempotency records go, how to log, its URL. */
export interface ApiRouterDeps {
  readonly secretKey: string;
  readonly idempotency: IdempotencyRecords;
  readonly logger: Logger;
  readonly baseUrl: (req: Request) => string;
}

async function execute(deps: ApiRouterDeps, endpoint: Endpoint, req: Request): Promise<Reply> {
  if (!endpoint.run) {
    return new Reply(501, {
      error: 'not_implemented',
      message: `The sandbox does not emulate ${endpoint.name} yet.`,
    });
  }
  let input: unknown = endpoint.method === 'get' ? req.query : (req.body ?? {});
  if (endpoint.request) {
    const raw =
      endpoint.method === 'get' ? coerceQuery(endpoint.request, req.query as Loose) : (req.body ?? {});
    input = validate(endpoint.request, raw);
  }
  const baseUrl = deps.baseUrl(req);
  const result = await endpoint.run({
    params: req.params as Record<string, string>,
    input,
    req,
    baseUrl,
    apiBase: `${baseUrl}/api/v1/`,
  });
  return result instanceof Reply ? result : new Reply(endpoint.status, result);
}

export function errorReply(logger: Logger, error: unknown): Reply {
  if (error instanceof ValidationFailure) error = error.apiError;
  if (error instanceof ApiError) return new Reply(error.status, error.body, error.headers);
  if (error instanceof z.ZodError) {
    const api = zodBadRequest(error);
    return new Reply(api.status, api.body);
  }
  logger.error({ err: error instanceof Error ? error.message : String(error) }, 'sandbox: unexpected error');
  return new Reply(500, { error: 'server_error', message: 'Unexpected internal error.' });
}

export function sendReply(res: Response, reply: Reply): void {
  res.set(reply.headers);
  if (reply.body === undefined) res.status(reply.status).send();
  else res.status(reply.status).json(reply.body);
}

/**
 * `Idempotency-Key` on POST: the same key with the same body answers the first response again and
 * creates nothing; the same key with a different body (or on another endpoint) is a 422. Results are
 * kept for 24 hours of sandbox time; validation failures, 5xx and 429 are not kept.
 */
async function withIdempotency(
  deps: ApiRouterDeps,
  endpoint: Endpoint,
  req: Request,
  key: string,
): Promise<Reply> {
  const print = fingerprint([endpoint.method, endpoint.path, req.params, req.body ?? {}]);
  const outcome = await deps.idempotency.run(
    key,
    print,
    async () => {
      try {
        return { reply: await execute(deps, endpoint, req), keep: true };
      } catch (error) {
        return { reply: errorReply(deps.logger, error), keep: !(error instanceof ValidationFailure) };
      }
    },
    ({ reply, keep }) =>
      keep && reply.status < 500 && reply.status !== 429
        ? { status: reply.status, body: reply.body === undefined ? null : JSON.stringify(reply.body) }
        : undefined,
  );
  if (outcome.kind === 'mismatch') throw idempotencyMismatch();
  if (outcome.kind === 'in_use') {
    throw conflict('A request with this Idempotency-Key is still being processed.', 'idempotency_key_in_use');
  }
  if (outcome.kind === 'replayed') {
    const { status, body } = outcome.answer;
    return new Reply(status, body === null ? undefined : JSON.parse(body), { 'Idempotent-Replayed': 'true' });
  }
  return outcome.result.reply;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** `Authorization: Bearer <secret key>`; anything else is a 401. Compared in constant time. */
export function authenticate(secretKey: string, logger: Logger) {
  const expected = digest(secretKey);
  return (req: Request, res: Response, next: NextFunction): void => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    if (match && timingSafeEqual(digest(match[1]!), expected)) {
      next();
      return;
    }
    sendReply(res, errorReply(logger, unauthorized()));
  };
}

/**
 * The API's JSON body parser. Exported so the fault middleware can read a body before it injects latency:
 * a gateway that receives a whole request and then stalls still acts on it when the client gives up.
 */
export const parseApiBody = express.json({ limit: '1mb', type: ['application/json', 'application/*+json'] });

/** The `/api/v1` router for a table of endpoints: JSON bodies, auth, validation, idempotency, 404/405. */
export function buildApiRouter(deps: ApiRouterDeps, endpoints: readonly Endpoint[], open: Router): Router {
  const { logger } = deps;
  const router = express.Router();
  router.use(parseApiBody);
  router.use(open);
  router.use(authenticate(deps.secretKey, logger));
  // Static paths first, so `webhooks/deliveries/` is never taken for `webhooks/{id}/`.
  const ordered = [...endpoints].sort((a, b) => placeholders(a.path) - placeholders(b.path));
  for (const endpoint of ordered) {
    router[endpoint.method](expressPath(endpoint.path), (req: Request, res: Response) => {
      const key = req.get('idempotency-key');
      const work =
        endpoint.method === 'post' && key
          ? withIdempotency(deps, endpoint, req, key)
          : execute(deps, endpoint, req);
      work.then(
        (reply) => sendReply(res, reply),
        (error: unknown) => sendReply(res, errorReply(logger, error)),
      );
    });
  }
  const patterns = endpoints.map((e) => ({
    method: e.method,
    regex: new RegExp(`^${e.path.replace(/\{\w+\}/g, '[^/]+').replace(/\/$/, '')}/?$`),
  }));
  router.use((req: Request, res: Response) => {
    const allowed = patterns.filter((p) => p.regex.test(req.path));
    const error = allowed.length > 0 ? methodNotAllowed(req.method) : notFound('Not found.');
    if (allowed.length > 0)
      res.set('Allow', [...new Set(allowed.map((p) => p.method.toUpperCase()))].join(', '));
    sendReply(res, errorReply(logger, error));
  });
  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const parseFailed = (error as { type?: string }).type === 'entity.parse.failed';
    const reply = parseFailed
      ? errorReply(logger, nonFieldError(`JSON parse error - ${(error as Error).message}`))
      : errorReply(logger, error);
    sendReply(res, reply);
  });
  return router;
}
