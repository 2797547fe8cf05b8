import type { z } from 'zod';
import { InvalidRequestError, type FieldDetails } from '../errors.js';
import { credentialSecrets, Transport } from '../transport.js';
import type { Recovery, RecoveryContext, TransportOptions, TransportRequest } from '../transport-types.js';
import type { Endpoint } from './endpoint.js';
import { isEndpoint } from './endpoint.js';
import { fieldDetailsFromIssues, summarizeFieldDetails, type IssueLike } from './field-details.js';

/** Options every generated method takes last. */
export interface RequestOptions<T = never> {
  /**
   * On gateways with idempotency keys: sent with a call that is not idempotent; reuse it when you retry the
   * same logical operation yourself. Ignored by gateways without keys.
   */
  readonly idempotencyKey?: string;
  readonly signal?: AbortSignal;
  /**
   * For a call that is not idempotent on a gateway without keys: re-read the state when the outcome of an
   * attempt is unknown (see TransportRequest.recover).
   */
  readonly recover?: (context: RecoveryContext) => Promise<Recovery<T>>;
}

/** A list call: `await` it for the first page, or `for await` over it for every item of every page. */
export interface ListResult<Item, Page> extends AsyncIterable<Item>, PromiseLike<Page> {}

export type PathParams = Readonly<Record<string, string>>;

/** One string argument per `{placeholder}` of the path, in order. */
type PathArgs<S extends string> = S extends `${string}{${string}}${infer Rest}`
  ? [string, ...PathArgs<Rest>]
  : [];
/** The input may be left out exactly when every field of it is optional. */
type InputArgs<R> = R extends z.ZodType
  ? Partial<z.input<R>> extends z.input<R>
    ? [input?: z.input<R>]
    : [input: z.input<R>]
  : [];

/* eslint-disable @typescript-eslint/no-explicit-any -- conditional types over every endpoint's generics */
type MethodFor<E> =
  E extends Endpoint<infer Path, infer Request, infer Response, infer Item>
    ? (
        ...args: [...PathArgs<Path>, ...InputArgs<Request>, options?: RequestOptions<z.output<Response>>]
      ) => [Item] extends [never] ? Promise<z.output<Response>> : ListResult<Item, z.output<Response>>
    : never;

/** The methods generated for a group of endpoints (nested groups stay nested). */
export type Resource<Group> = {
  readonly [K in keyof Group]: Group[K] extends Endpoint<any, any, any, any>
    ? MethodFor<Group[K]>
    : Resource<Group[K]>;
};
/* eslint-enable @typescript-eslint/no-explicit-any */

export interface ApiClientOptions extends TransportOptions {
  /** How messages name the gateway (default: `gateway`). */
  readonly gatewayName?: string;
  /** Turns request validation issues into field details (default: dotted paths, `__all__` for the root). */
  readonly fieldDetails?: (issues: readonly IssueLike[]) => FieldDetails;
  /** One line out of field details, for the error message. */
  readonly summarize?: (details: FieldDetails) => string;
  /** What a bad path parameter is told, in the gateway's own words. */
  readonly pathMessages?: { readonly required?: string; readonly blank?: string; readonly invalid?: string };
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** A path split once around its placeholders: `segments[i]` comes before `names[i]`. */
interface CompiledPath {
  readonly segments: readonly string[];
  readonly names: readonly string[];
}

const compiled = new Map<string, CompiledPath>();

function compilePath(path: string): CompiledPath {
  let found = compiled.get(path);
  if (!found) {
    const segments: string[] = [];
    const names: string[] = [];
    let last = 0;
    for (const match of path.matchAll(PLACEHOLDER)) {
      segments.push(path.slice(last, match.index));
      names.push(match[1] as string);
      last = match.index + match[0].length;
    }
    segments.push(path.slice(last));
    found = { segments, names };
    compiled.set(path, found);
  }
  return found;
}

/** Flat `name → text` for a query or a form; nested values travel as JSON, absent ones not at all. */
function flatten(payload: unknown): Record<string, string | number | boolean> | undefined {
  if (payload === undefined || payload === null || typeof payload !== 'object') return undefined;
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (value === undefined || value === null) continue;
    out[key] = typeof value === 'object' ? JSON.stringify(value) : (value as string | number | boolean);
  }
  return out;
}

/**
 * A gateway's whole REST API from a table of endpoints. Every generated method ends in `call`, the one request
 * path: input validated before anything is sent (errors name the field), path parameters checked and encoded as
 * one segment each, GET input as the query, idempotency per endpoint, responses validated, errors mapped by the
 * driver's `mapError`, secrets redacted — all by the core `Transport` underneath.
 */
export class ApiClient {
  readonly transport: Transport;
  readonly gateway: string;
  readonly #name: string;
  readonly #secrets: readonly string[];
  readonly #fieldDetails: (issues: readonly IssueLike[]) => FieldDetails;
  readonly #summarize: (details: FieldDetails) => string;
  readonly #pathMessages: { readonly required: string; readonly blank: string; readonly invalid: string };

  constructor(options: ApiClientOptions) {
    this.transport = new Transport(options);
    this.gateway = options.gateway;
    this.#name = options.gatewayName ?? options.gateway;
    this.#secrets = credentialSecrets(options);
    this.#fieldDetails = options.fieldDetails ?? ((issues) => fieldDetailsFromIssues(issues));
    this.#summarize = options.summarize ?? ((details) => summarizeFieldDetails(details));
    this.#pathMessages = {
      required: options.pathMessages?.required ?? 'This field is required.',
      blank: options.pathMessages?.blank ?? 'This field may not be blank.',
      invalid: options.pathMessages?.invalid ?? 'Not a valid id.',
    };
  }

  /** The one request path: every generated method ends here. */
  async call<E extends Endpoint>(
    endpoint: E,
    params: PathParams = {},
    input?: unknown,
    options: RequestOptions<z.output<E['response']>> = {},
  ): Promise<z.output<E['response']>> {
    const response = await this.transport.request(this.prepare(endpoint, params, input, options));
    return response.data;
  }

  /** Every item of a list endpoint, following the gateway's next links page by page. */
  iterate<Item>(
    endpoint: Endpoint<string, z.ZodType | undefined, z.ZodType, Item>,
    params: PathParams = {},
    input?: unknown,
    options: RequestOptions = {},
  ): AsyncIterable<Item> {
    const { items, next } = endpoint;
    if (!items) throw new TypeError(`${this.#name} ${endpoint.method} ${endpoint.path} is not a list`);
    const nextOf = next ?? ((page: unknown) => (page as { next?: string | null }).next);
    return {
      [Symbol.asyncIterator]: () =>
        this.transport.paginate(this.prepare(endpoint, params, input, options), {
          extract: (page) => ({ items: items(page), next: nextOf(page) }),
        }),
    };
  }

  /** Methods for every endpoint of a (nested) group, with one argument per path placeholder. */
  bind<Group extends object>(group: Group): Resource<Group> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(group)) {
      out[key] = isEndpoint(value) ? this.#method(value) : this.bind(value as object);
    }
    return out as Resource<Group>;
  }

  /** The transport request a call sends, validated; throws InvalidRequestError before anything is sent. */
  prepare<T>(
    endpoint: Endpoint,
    params: PathParams,
    input: unknown,
    options: RequestOptions<T>,
  ): TransportRequest<T> {
    const path = this.#fillPath(endpoint, params);
    let payload: unknown;
    if (endpoint.request) {
      const result = endpoint.request.safeParse(input ?? {});
      if (!result.success) {
        throw this.#invalid(
          `${endpoint.method} ${endpoint.path} request`,
          this.#fieldDetails(result.error.issues),
        );
      }
      payload = result.data;
    }
    const request: {
      -readonly [K in keyof TransportRequest<T>]: TransportRequest<T>[K];
    } = {
      method: endpoint.method,
      path,
      schema: endpoint.response as z.ZodType<T>,
      idempotent: endpoint.idempotent,
    };
    if (payload !== undefined) {
      if (endpoint.encoding === 'query') request.query = flatten(payload);
      else if (endpoint.encoding === 'form') request.form = flatten(payload);
      else request.body = payload;
    }
    if (endpoint.idempotencyKeys !== undefined) request.idempotencyKeys = endpoint.idempotencyKeys;
    // Keys belong to calls that could act twice; on a read the gateway would ignore one anyway.
    if (options.idempotencyKey !== undefined && !endpoint.idempotent) {
      request.idempotencyKey = options.idempotencyKey;
    }
    if (options.signal) request.signal = options.signal;
    if (options.recover) request.recover = options.recover;
    return request;
  }

  #fillPath(endpoint: Endpoint, params: PathParams): string {
    const { segments, names } = compilePath(endpoint.path);
    if (names.length === 0) return endpoint.path;
    let details: FieldDetails | undefined;
    let path = segments[0] as string;
    names.forEach((name, index) => {
      const value = params[name];
      let problem: string | undefined;
      if (typeof value !== 'string' || value.trim() === '') {
        problem = value === undefined ? this.#pathMessages.required : this.#pathMessages.blank;
      } else if (value === '.' || value === '..') {
        // URLs resolve `.`/`..` segments (even percent-encoded), which would send the call to another endpoint.
        problem = this.#pathMessages.invalid;
      }
      if (problem) (details ??= {})[name] = [problem];
      else path += encodeURIComponent(value as string);
      path += segments[index + 1] as string;
    });
    if (details) throw this.#invalid(`${endpoint.method} ${endpoint.path} call`, details);
    return path;
  }

  #invalid(what: string, details: FieldDetails): InvalidRequestError {
    return new InvalidRequestError(`${this.#name} ${what} was not sent: ${this.#summarize(details)}`, {
      gateway: this.gateway,
      code: 'invalid_request',
      details,
      secrets: this.#secrets,
    });
  }

  #method(endpoint: Endpoint) {
    const names = compilePath(endpoint.path).names;
    const takesInput = endpoint.request !== undefined;
    return (...args: unknown[]) => {
      const params: Record<string, string> = {};
      names.forEach((name, index) => {
        params[name] = args[index] as string;
      });
      const input = takesInput ? args[names.length] : undefined;
      const options = (args[names.length + (takesInput ? 1 : 0)] ?? {}) as RequestOptions;
      if (!endpoint.items) return this.call(endpoint, params, input, options);
      let firstPage: Promise<unknown> | undefined;
      const list: ListResult<unknown, unknown> = {
        // Lazy, so iterating does not also fetch the first page a second time.
        then: (onFulfilled, onRejected) => {
          firstPage ??= this.call(endpoint, params, input, options);
          return firstPage.then(onFulfilled, onRejected);
        },
        [Symbol.asyncIterator]: () => this.iterate(endpoint, params, input, options)[Symbol.asyncIterator](),
      };
      return list;
    };
  }
}
