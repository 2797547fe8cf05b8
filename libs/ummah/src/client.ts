import { InvalidRequestError, Transport, type Logger, type TransportOptions } from '@tijara/core';
import type { z } from 'zod';
import { ENDPOINTS, isEndpoint, type Endpoint, type Endpoints } from './endpoints.js';
import { readUmmahErrorBody, ummahErrorFromResponse } from './error-mapping.js';
import {
  fieldDetailsFromZodError,
  messages,
  summarizeFieldDetails,
  type FieldDetails,
} from './schemas/index.js';
import { parseSecretKey, type UmmahMode } from './secret-key.js';

export const DEFAULT_BASE_URL = 'https://gate.ummah.com/api/v1/';
const USER_AGENT = 'tijara-ummah/0.1.0';
const LOCK_CODES: ReadonlySet<string> = new Set(['locked', 'lock_timeout']);

export interface UmmahClientOptions {
  /** `sk_test_…` or `sk_live_…` (unprefixed keys of CHIP-compatible deployments are accepted too). */
  readonly secretKey: string;
  /** Default `https://gate.ummah.com/api/v1/`; point it at any CHIP-compatible deployment or the sandbox. */
  readonly baseUrl?: string;
  /** Mode for keys without an `sk_test_`/`sk_live_` prefix (default 'live', the safe assumption). */
  readonly mode?: UmmahMode;
  readonly logger?: Logger;
  /** Transport tuning: timeouts and the retry schedule (see core's TransportOptions). */
  readonly timeoutMs?: number;
  readonly connectTimeoutMs?: number;
  readonly maxAttempts?: number;
  readonly backoffBaseMs?: number;
  readonly jitterMs?: number;
  readonly maxRetryAfterMs?: number;
  readonly userAgent?: string;
}

export interface RequestOptions {
  /** Sent as `Idempotency-Key` on POSTs; reuse it when you retry the same logical operation yourself. */
  readonly idempotencyKey?: string;
  readonly signal?: AbortSignal;
}

/** A list call: `await` it for the first page, or `for await` over it for every item of every page. */
export interface ListResult<Item, Page> extends AsyncIterable<Item>, PromiseLike<Page> {}

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
        ...args: [...PathArgs<Path>, ...InputArgs<Request>, options?: RequestOptions]
      ) => [Item] extends [never] ? Promise<z.output<Response>> : ListResult<Item, z.output<Response>>
    : never;

/** The methods generated for a group of endpoints (nested groups stay nested). */
export type Resource<Group> = {
  readonly [K in keyof Group]: Group[K] extends Endpoint<any, any, any, any>
    ? MethodFor<Group[K]>
    : Resource<Group[K]>;
};
/* eslint-enable @typescript-eslint/no-explicit-any */

export type PathParams = Readonly<Record<string, string>>;

const PLACEHOLDER = /\{([a-z_]+)\}/g;

function placeholders(path: string): string[] {
  return [...path.matchAll(PLACEHOLDER)].map((match) => match[1] as string);
}

function invalid(what: string, details: FieldDetails, secrets: readonly string[]): InvalidRequestError {
  return new InvalidRequestError(`Ummah ${what} was not sent: ${summarizeFieldDetails(details)}`, {
    gateway: 'ummah',
    code: 'invalid_request',
    details,
    secrets,
  });
}

/**
 * The whole Ummah REST API. Every method is generated from the endpoint table and goes through `call`, the one
 * request path: input validated against the documented limits before sending, path parameters encoded,
 * idempotency keys on POSTs, responses validated, errors mapped onto core's hierarchy.
 */
export class UmmahClient {
  readonly mode: UmmahMode;
  readonly baseUrl: string;
  readonly transport: Transport;
  readonly #secrets: readonly string[];

  readonly purchases: Resource<Endpoints['purchases']>;
  readonly paymentMethods: Resource<Endpoints['paymentMethods']>;
  readonly payoutMethods: Resource<Endpoints['payoutMethods']>;
  readonly billingTemplates: Resource<Endpoints['billingTemplates']>;
  readonly billing: Resource<Endpoints['billing']>;
  readonly clients: Resource<Endpoints['clients']>;
  readonly balance: Resource<Endpoints['balance']>;
  readonly account: Resource<Endpoints['account']>;
  readonly companyStatements: Resource<Endpoints['companyStatements']>;
  readonly webhooks: Resource<Endpoints['webhooks']>;
  readonly publicKey: Resource<Endpoints['publicKey']>;

  constructor(options: UmmahClientOptions) {
    this.mode = parseSecretKey(options.secretKey, options.mode);
    this.baseUrl = options.baseUrl ?? DEFAULT_BASE_URL;
    this.#secrets = [options.secretKey];
    const transportOptions: TransportOptions = {
      baseUrl: this.baseUrl,
      gateway: 'ummah',
      headers: { Authorization: `Bearer ${options.secretKey}` },
      secrets: this.#secrets,
      mapError: (response) => ummahErrorFromResponse(response, this.#secrets),
      // Ummah's 409 means "not allowed in this state", which a retry cannot change; only a 409 whose code says
      // the object is locked by a concurrent request is transient.
      isRetryableConflict: (response) =>
        readUmmahErrorBody(409, response.body).codes.some((c) => LOCK_CODES.has(c)),
      // A dead recurring token stays dead: never retry it, whatever the status.
      isFinal: (response) =>
        readUmmahErrorBody(response.statusCode, response.body).codes.includes('invalid_recurring_token'),
      userAgent: options.userAgent ?? USER_AGENT,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
      ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
      ...(options.backoffBaseMs !== undefined ? { backoffBaseMs: options.backoffBaseMs } : {}),
      ...(options.jitterMs !== undefined ? { jitterMs: options.jitterMs } : {}),
      ...(options.maxRetryAfterMs !== undefined ? { maxRetryAfterMs: options.maxRetryAfterMs } : {}),
    };
    this.transport = new Transport(transportOptions);

    this.purchases = this.#bind(ENDPOINTS.purchases);
    this.paymentMethods = this.#bind(ENDPOINTS.paymentMethods);
    this.payoutMethods = this.#bind(ENDPOINTS.payoutMethods);
    this.billingTemplates = this.#bind(ENDPOINTS.billingTemplates);
    this.billing = this.#bind(ENDPOINTS.billing);
    this.clients = this.#bind(ENDPOINTS.clients);
    this.balance = this.#bind(ENDPOINTS.balance);
    this.account = this.#bind(ENDPOINTS.account);
    this.companyStatements = this.#bind(ENDPOINTS.companyStatements);
    this.webhooks = this.#bind(ENDPOINTS.webhooks);
    this.publicKey = this.#bind(ENDPOINTS.publicKey);
  }

  get testMode(): boolean {
    return this.mode === 'test';
  }

  /** The one request path: every generated method ends here. */
  async call<E extends Endpoint>(
    endpoint: E,
    params: PathParams = {},
    input?: unknown,
    options: RequestOptions = {},
  ): Promise<z.output<E['response']>> {
    const response = await this.transport.request(this.#prepare(endpoint, params, input, options));
    return response.data as z.output<E['response']>;
  }

  /** Every item of a `{results, next}` list, following `next` links page by page. */
  iterate<Item>(
    endpoint: Endpoint<string, z.ZodType | undefined, z.ZodType, Item>,
    params: PathParams = {},
    input?: unknown,
    options: RequestOptions = {},
  ): AsyncIterable<Item> {
    const items = endpoint.items;
    if (!items) throw new TypeError(`Ummah ${endpoint.method} ${endpoint.path} is not a list`);
    return {
      [Symbol.asyncIterator]: () =>
        this.transport.paginate(this.#prepare(endpoint, params, input, options), {
          extract: (page) => ({ items: items(page), next: (page as { next?: string | null }).next }),
        }),
    };
  }

  #prepare(endpoint: Endpoint, params: PathParams, input: unknown, options: RequestOptions) {
    const path = this.#fillPath(endpoint, params);
    let payload: unknown;
    if (endpoint.request) {
      const result = endpoint.request.safeParse(input ?? {});
      if (!result.success) {
        throw invalid(
          `${endpoint.method} ${endpoint.path} request`,
          fieldDetailsFromZodError(result.error),
          this.#secrets,
        );
      }
      payload = result.data;
    }
    const isQuery = endpoint.method === 'GET';
    return {
      method: endpoint.method,
      path,
      schema: endpoint.response,
      ...(isQuery ? { query: toQuery(payload) } : payload === undefined ? {} : { body: payload }),
      // Keys belong to calls that could act twice; on a read the gateway would ignore one anyway.
      ...(options.idempotencyKey !== undefined && !endpoint.idempotent
        ? { idempotencyKey: options.idempotencyKey }
        : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    };
  }

  #fillPath(endpoint: Endpoint, params: PathParams): string {
    const details: FieldDetails = {};
    const path = endpoint.path.replace(PLACEHOLDER, (_match, name: string) => {
      const value = params[name];
      if (typeof value !== 'string' || value.trim() === '') {
        details[name] = [value === undefined ? messages.required : messages.blank];
        return '';
      }
      // URLs resolve `.`/`..` segments (even percent-encoded), which would send the call to another endpoint.
      if (value === '.' || value === '..') {
        details[name] = ['Not a valid id.'];
        return '';
      }
      return encodeURIComponent(value);
    });
    if (Object.keys(details).length > 0) {
      throw invalid(`${endpoint.method} ${endpoint.path} call`, details, this.#secrets);
    }
    return path;
  }

  #bind<Group extends object>(group: Group): Resource<Group> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(group)) {
      out[key] = isEndpoint(value) ? this.#method(value) : this.#bind(value as object);
    }
    return out as Resource<Group>;
  }

  #method(endpoint: Endpoint) {
    const names = placeholders(endpoint.path);
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

function toQuery(payload: unknown): Record<string, string | number | boolean> | undefined {
  if (payload === undefined || payload === null || typeof payload !== 'object') return undefined;
  const query: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (value === undefined || value === null) continue;
    query[key] = typeof value === 'object' ? JSON.stringify(value) : (value as string | number | boolean);
  }
  return query;
}
