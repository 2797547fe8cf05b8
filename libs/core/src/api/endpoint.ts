import type { z } from 'zod';
import type { HttpMethod } from '../transport-types.js';

/** Where an endpoint's validated input travels: the query string, a JSON body, or a form body. */
export type InputEncoding = 'query' | 'json' | 'form';

/**
 * One documented endpoint, as data. `ApiClient` turns each into a method and sends every call through one request
 * path; nothing else in a driver knows a path.
 */
export interface Endpoint<
  Path extends string = string,
  Request extends z.ZodType | undefined = z.ZodType | undefined,
  Response extends z.ZodType = z.ZodType,
  Item = unknown,
> {
  readonly method: HttpMethod;
  /** Relative to the base URL; `{name}` placeholders are filled from the method's leading arguments. */
  readonly path: Path;
  /** Validates the method's input before anything is sent; its output is what travels (see `encoding`). */
  readonly request: Request;
  /** Validates the success body; unknown fields pass through. */
  readonly response: Response;
  /**
   * Sending the call twice has the effect of sending it once. On a gateway without idempotency keys a call that
   * is not idempotent is never re-sent after the gateway may have received it (see TransportRequest.recover);
   * on one with keys it carries the caller's key.
   */
  readonly idempotent: boolean;
  /** Where the input goes (default: the query for GET and DELETE, a JSON body otherwise). */
  readonly encoding: InputEncoding;
  /** Overrides the gateway's `idempotencyKeys` for this endpoint (one that ignores keys, or the one that has them). */
  readonly idempotencyKeys?: boolean;
  /** For list endpoints: the items of one page, so the method can iterate over every page. */
  readonly items?: (page: z.output<Response>) => readonly Item[];
  /** The link to the next page (absolute, or relative to the page's URL); default `page.next`. */
  readonly next?: (page: z.output<Response>) => string | null | undefined;
}

/** What `defineEndpoint` takes: everything but the flags that have defaults. */
export interface EndpointSpec<
  Path extends string,
  Request extends z.ZodType | undefined,
  Response extends z.ZodType,
  Item,
> {
  readonly method: HttpMethod;
  readonly path: Path;
  readonly request?: Request;
  readonly response: Response;
  /** Default: GET, PUT and DELETE are idempotent; POST and PATCH are not. */
  readonly idempotent?: boolean;
  readonly encoding?: InputEncoding;
  readonly idempotencyKeys?: boolean;
  readonly items?: (page: z.output<Response>) => readonly Item[];
  readonly next?: (page: z.output<Response>) => string | null | undefined;
}

const IDEMPOTENT_METHODS: ReadonlySet<HttpMethod> = new Set(['GET', 'PUT', 'DELETE']);

/** Declare an endpoint; the literal path type gives the generated method one argument per placeholder. */
export function defineEndpoint<
  const Path extends string,
  Request extends z.ZodType | undefined = undefined,
  Response extends z.ZodType = z.ZodType,
  Item = never,
>(spec: EndpointSpec<Path, Request, Response, Item>): Endpoint<Path, Request, Response, Item> {
  return Object.freeze({
    method: spec.method,
    path: spec.path,
    request: spec.request as Request,
    response: spec.response,
    idempotent: spec.idempotent ?? IDEMPOTENT_METHODS.has(spec.method),
    encoding: spec.encoding ?? (spec.method === 'GET' || spec.method === 'DELETE' ? 'query' : 'json'),
    ...(spec.idempotencyKeys !== undefined ? { idempotencyKeys: spec.idempotencyKeys } : {}),
    ...(spec.items ? { items: spec.items } : {}),
    ...(spec.next ? { next: spec.next } : {}),
  });
}

export function isEndpoint(value: unknown): value is Endpoint {
  return (
    typeof value === 'object' && value !== null && 'method' in value && 'path' in value && 'response' in value
  );
}

export interface NamedEndpoint {
  /** Dotted name, e.g. `purchases.capture` or `clients.recurringTokens.list`. */
  readonly name: string;
  readonly endpoint: Endpoint;
}

/** Every endpoint of a (nested) group with its dotted name, in declaration order. */
export function listEndpoints(group: object, prefix = ''): NamedEndpoint[] {
  const out: NamedEndpoint[] = [];
  for (const [key, value] of Object.entries(group)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (isEndpoint(value)) out.push({ name, endpoint: value });
    else if (typeof value === 'object' && value !== null) out.push(...listEndpoints(value, name));
  }
  return out;
}
