import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import gotImport, { RequestError, TimeoutError, type Got, type OptionsInit } from 'got';
import { z, type ZodSafeParseResult, type ZodType } from 'zod';
import { fieldDetailsFromIssues, summarizeFieldDetails } from './api/field-details.js';
import { ConfigurationError, ConnectionError, InvalidResponseError, type TijaraError } from './errors.js';
import { redactingLogger, silentLogger, type Logger } from './logger.js';
import { isSecretHeader, redact, redactFieldDetails, redactString } from './redact.js';
import {
  decideRetry,
  isNotSentCode,
  isRetryableNetworkCode,
  isRetryableStatus,
  parseRetryAfter,
  retryDelayMs,
  statusMayHaveBeenProcessed,
} from './retry-policy.js';
import type {
  ErrorResponse,
  HttpMethod,
  Recovery,
  TransportAuth,
  TransportOptions,
  TransportRequest,
  TransportResponse,
} from './transport-types.js';

/**
 * got itself. got is ESM only: in the CommonJS build (Medusa `require()`s providers) the bundler's interop hands
 * back got's module namespace as the default import, so its `default` is got.
 */
const got: Got =
  typeof (gotImport as Partial<Got>).extend === 'function'
    ? gotImport
    : (gotImport as unknown as { readonly default: Got }).default;

/** What `recover()` answers when the operation happened: its result. */
export function recovered<T>(data: T): Recovery<T> {
  return { happened: true, data };
}

/** What `recover()` answers when the operation did not happen, so a re-send is safe. */
export const NOT_DONE: Recovery<never> = Object.freeze({ happened: false });

/** The items of one page and the link to the next one (absolute, or relative to the page's URL). */
export interface PageSlice<Item> {
  readonly items: readonly Item[];
  readonly next: string | null | undefined;
}

export interface PaginateOptions<Page, Item> {
  /** Pulls the items and the next link out of one validated page; keeps paging independent of the body shape. */
  readonly extract: (page: Page) => PageSlice<Item>;
  /** Stop after this many pages even if the gateway keeps linking (default 1 000). */
  readonly maxPages?: number;
}

/** A list page shaped `{ results, next, previous, count }`, as Django REST Framework style gateways return. */
export interface ResultsPage<Item> {
  results: Item[];
  next?: string | null;
  previous?: string | null;
  count?: number;
  [key: string]: unknown;
}

/**
 * Schema and extractor for `{ results, next, previous, count }` pages:
 * `const page = resultsPage(Purchase); transport.paginate({ method: 'GET', path: 'purchases/', schema: page.schema }, page)`.
 */
export function resultsPage<Item>(item: ZodType<Item>): {
  schema: ZodType<ResultsPage<Item>>;
  extract: (page: ResultsPage<Item>) => PageSlice<Item>;
} {
  const schema = z.looseObject({
    results: z.array(item),
    next: z.string().nullish(),
    previous: z.string().nullish(),
    count: z.number().optional(),
  }) as unknown as ZodType<ResultsPage<Item>>;
  return { schema, extract: (page) => ({ items: page.results, next: page.next }) };
}

const DEFAULTS = {
  timeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  maxAttempts: 3,
  backoffBaseMs: 1_000,
  jitterMs: 200,
  maxRetryAfterMs: 60_000,
  idempotencyHeader: 'Idempotency-Key',
  userAgent: 'tijara-core',
} as const;

/** Methods that change state; each gets an idempotency key so a retry cannot do the work twice. */
const MUTATING: ReadonlySet<HttpMethod> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Methods whose repetition has the effect of one call (RFC 9110 §9.2.2), unless a request says otherwise. */
const IDEMPOTENT: ReadonlySet<HttpMethod> = new Set(['GET', 'PUT', 'DELETE']);

/** Request URLs kept per path (see #urlFor). */
const URL_CACHE_SIZE = 500;

/** Where a response schema's issues about the body as a whole are listed. */
const ROOT_KEY = '(root)';

/** `recover()` found the operation did not happen: a re-send is safe. */
const RESEND = Symbol('resend');

/** Timeouts in these phases fire before a connection exists, so nothing reached the gateway. */
const PRE_CONNECT_EVENTS = new Set(['lookup', 'connect', 'secureConnect']);

/** A TLS handshake that failed never carried the request. */
const TLS_FAILURE_CODE = /^(ERR_SSL_|ERR_TLS_)|CERT/;

/**
 * What is left of a got error once it is made safe: got's errors embed the full options, headers included, so
 * they are replaced in a `beforeError` hook and never leave this module.
 */
class AttemptFailure extends Error {
  readonly code: string | undefined;
  /** Whether the gateway may have received the request. */
  readonly sent: boolean;

  constructor(message: string, code: string | undefined, sent: boolean) {
    super(message);
    this.name = 'AttemptFailure';
    this.code = code;
    this.sent = sent;
  }

  static from(error: unknown): AttemptFailure {
    if (error instanceof AttemptFailure) return error;
    if (error instanceof RequestError)
      return new AttemptFailure(error.message, error.code, mayHaveBeenSent(error));
    const code =
      typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : undefined;
    const message = error instanceof Error ? error.message : String(error);
    return new AttemptFailure(message, code, !isNotSentCode(code));
  }
}

function mayHaveBeenSent(error: RequestError): boolean {
  if (isNotSentCode(error.code) || TLS_FAILURE_CODE.test(error.code)) return false;
  if (error instanceof TimeoutError && PRE_CONNECT_EVENTS.has(error.event)) return false;
  // got stamps `connect` for new and reused sockets alike; without it no byte went out.
  if (error.timings && error.timings.connect === undefined) return false;
  return true;
}

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** What one attempt brought back: status, headers and the body as text. */
interface Exchange {
  readonly statusCode: number;
  readonly headers: Headers;
  readonly body: string;
}

/** The part of got's response object an exchange reads. */
interface IncomingResponse {
  readonly statusCode?: number;
  readonly headers: Headers;
}

/** Methods got sends without a body, ending the request itself. */
const METHODS_WITHOUT_BODY: ReadonlySet<HttpMethod> = new Set<HttpMethod>(['GET']);

function utf8(chunks: readonly Uint8Array[]): string {
  if (chunks.length === 0) return '';
  const bytes = chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The header an auth option sends, and every form of its secret to scrub (the username is not secret). */
function authHeader(auth: TransportAuth | undefined): { headers: Record<string, string>; secrets: string[] } {
  if (!auth) return { headers: {}, secrets: [] };
  switch (auth.type) {
    case 'bearer':
      return { headers: { authorization: `Bearer ${auth.token}` }, secrets: [auth.token] };
    case 'basic': {
      const encoded = Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64');
      return { headers: { authorization: `Basic ${encoded}` }, secrets: [auth.password, encoded] };
    }
    case 'header':
      return { headers: { [auth.name]: auth.value }, secrets: [auth.value] };
  }
}

/**
 * The credentials a driver's headers carry, so every driver's key is scrubbed without the driver listing it: the
 * header value, the token after its scheme, and for HTTP Basic the decoded `user:password` and the password
 * (Postpay's `merchant_id:secret_key`).
 */
function secretsIn(headers: Readonly<Record<string, string>> | undefined): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!isSecretHeader(name) || !value) continue;
    found.push(value);
    const [, scheme, token] = /^(\S+)\s+(\S+)$/.exec(value) ?? [];
    if (!token) continue;
    found.push(token);
    if (scheme?.toLowerCase() !== 'basic') continue;
    const decoded = Buffer.from(token, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0) found.push(decoded, decoded.slice(colon + 1));
  }
  return found;
}

/**
 * Only what this request adds to the instance's defaults. got merges a per-request options object key by key,
 * with validation, which cost more CPU per call than the rest of a read (bench profiles); a plain GET passes none.
 */
function gotOptions(
  req: TransportRequest<unknown>,
  headers: Record<string, string> | undefined,
): OptionsInit | undefined {
  if (req.method === 'GET' && !headers && !req.signal && req.body === undefined && req.form === undefined) {
    return undefined;
  }
  const options: OptionsInit = {};
  if (req.method !== 'GET') options.method = req.method;
  if (headers) options.headers = headers;
  if (req.form !== undefined) options.form = definedFields(req.form);
  else if (req.body !== undefined) options.json = req.body;
  if (req.signal) options.signal = req.signal;
  return options;
}

/** A form without its undefined fields, which URLSearchParams would send as the text "undefined". */
function definedFields(
  form: Readonly<Record<string, string | number | boolean | undefined>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(form)) if (value !== undefined) out[name] = String(value);
  return out;
}

/** Every secret a transport's options carry (API keys, every form of the credentials), for redaction. */
export function credentialSecrets(options: Pick<TransportOptions, 'secrets' | 'auth' | 'headers'>): string[] {
  return [...(options.secrets ?? []), ...authHeader(options.auth).secrets, ...secretsIn(options.headers)];
}

const NOT_BLANK = /\S/;

function parseBody(text: string): { value: unknown; json: boolean } {
  // A test rather than trim(), which would copy every body to learn that it is not blank.
  if (!NOT_BLANK.test(text)) return { value: undefined, json: true };
  try {
    return { value: JSON.parse(text), json: true };
  } catch {
    return { value: text.length > 2_000 ? `${text.slice(0, 2_000)}…` : text, json: false };
  }
}

/**
 * Synchronous zod parsing: `safeParseAsync` costs ≈ 25 µs more per purchase response (bench profiles), and the
 * drivers' response schemas have no async refinements. A schema that does makes zod throw $ZodAsyncError; it is
 * then parsed asynchronously, so such a schema still works.
 */
function safeParse<T>(
  schema: ZodType<T>,
  value: unknown,
): ZodSafeParseResult<T> | Promise<ZodSafeParseResult<T>> {
  try {
    return schema.safeParse(value);
  } catch (error) {
    if (error instanceof z.core.$ZodAsyncError) return schema.safeParseAsync(value);
    throw error;
  }
}

interface Call {
  readonly method: HttpMethod;
  /** Path for messages and logs; never the query, which may carry tokens. */
  readonly label: string;
  readonly secrets: readonly string[];
  readonly signal: AbortSignal | undefined;
}

/**
 * One HTTP client per driver. Every request goes through `request()`, the single place where the retry policy,
 * idempotency keys, response validation, error mapping and redaction are applied, so a driver only declares
 * endpoints and schemas.
 */
export class Transport {
  readonly gateway: string;
  readonly #options: TransportOptions;
  readonly #baseUrl: string;
  readonly #origin: string;
  readonly #client: Got;
  readonly #secrets: readonly string[];
  readonly #logger: Logger;
  readonly #maxAttempts: number;
  readonly #keyed: boolean;
  readonly #idempotencyHeader: string;
  readonly #urls = new Map<string, URL>();

  constructor(options: TransportOptions) {
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch {
      throw new ConfigurationError(`${options.gateway}: baseUrl is not an absolute URL`, {
        gateway: options.gateway,
        code: 'invalid_base_url',
      });
    }
    this.gateway = options.gateway;
    this.#options = options;
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#origin = base.origin;
    const auth = authHeader(options.auth);
    this.#secrets = credentialSecrets(options);
    this.#logger = redactingLogger(options.logger ?? silentLogger, this.#secrets);
    this.#maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? DEFAULTS.maxAttempts));
    this.#keyed = options.idempotencyKeys ?? true;
    this.#idempotencyHeader = options.idempotencyHeader ?? DEFAULTS.idempotencyHeader;
    this.#client = got.extend({
      headers: {
        'user-agent': options.userAgent ?? DEFAULTS.userAgent,
        accept: options.accept ?? 'application/json',
        ...auth.headers,
        ...options.headers,
        // There is no cookie jar: an explicitly omitted cookie spares got an awaited cookie lookup per request.
        cookie: undefined,
      },
      // Gateway answers are small JSON: inflating them costs more CPU than the bytes saved (and no payment SDK
      // asks for it), so no Accept-Encoding is sent and nothing is decompressed.
      decompress: false,
      timeout: {
        request: options.timeoutMs ?? DEFAULTS.timeoutMs,
        connect: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      },
      // Retrying lives in request(): got cancels instead of capping a long Retry-After, cannot tell a 409 lock
      // from a 409 state conflict, and does not retry POST.
      retry: { limit: 0 },
      throwHttpErrors: false,
      // A redirect would replay a payment call somewhere else (and POST → GET); report it instead.
      followRedirect: false,
      hooks: { beforeError: [(error) => AttemptFailure.from(error)] },
    });
  }

  /**
   * Every literal secret this transport scrubs: the `secrets` option and the credentials in its headers. For a
   * driver's own errors and log lines (`redact(x, transport.secrets)`), so it need not keep its key itself.
   */
  get secrets(): readonly string[] {
    return this.#secrets;
  }

  async request<T>(req: TransportRequest<T>): Promise<TransportResponse<T>> {
    return this.#send(this.#urlFor(req.path, req.query), req);
  }

  /**
   * Every item of a paged list, following the gateway's `next` links. Links may be absolute or relative; one that
   * leaves the gateway's origin is refused, since it would carry the API key elsewhere.
   */
  async *paginate<Page, Item>(
    req: TransportRequest<Page>,
    options: PaginateOptions<Page, Item>,
  ): AsyncIterableIterator<Item> {
    const maxPages = options.maxPages ?? 1_000;
    const visited = new Set<string>();
    let url = this.#urlFor(req.path, req.query);
    for (let pages = 1; ; pages++) {
      visited.add(url.href);
      const response = await this.#send(url, req);
      const { items, next } = options.extract(response.data);
      yield* items;
      if (!next) return;
      let nextUrl: URL;
      try {
        nextUrl = new URL(next, url);
      } catch {
        throw this.#badPage(`an unparseable next link`, response.statusCode, response.requestId, next);
      }
      if (nextUrl.origin !== this.#origin) {
        throw this.#badPage(`a next link to another origin`, response.statusCode, response.requestId, next);
      }
      if (visited.has(nextUrl.href) || pages >= maxPages) {
        throw this.#badPage(`a next link that does not end`, response.statusCode, response.requestId, next);
      }
      url = nextUrl;
    }
  }

  #badPage(
    what: string,
    statusCode: number,
    requestId: string | undefined,
    next: string,
  ): InvalidResponseError {
    return new InvalidResponseError(`${this.gateway} returned ${what}: ${next}`, {
      statusCode,
      requestId,
      gateway: this.gateway,
      code: 'invalid_pagination',
      secrets: this.#secrets,
    });
  }

  /**
   * Joins with exactly one slash and keeps the path's own trailing slash, which some gateways require. URLs
   * without a query are kept per path (got copies what it is given), so a repeated read parses no URL of ours.
   */
  #urlFor(path: string, query: TransportRequest<unknown>['query']): URL {
    const hasQuery = query !== undefined && Object.values(query).some((value) => value !== undefined);
    if (!hasQuery) {
      let cached = this.#urls.get(path);
      if (!cached) {
        cached = new URL(`${this.#baseUrl}/${path.replace(/^\/+/, '')}`);
        // Paths carry ids, so the cache is bounded; starting over is cheaper than tracking recency.
        if (this.#urls.size >= URL_CACHE_SIZE) this.#urls.clear();
        this.#urls.set(path, cached);
      }
      return cached;
    }
    const url = new URL(`${this.#baseUrl}/${path.replace(/^\/+/, '')}`);
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.append(name, String(value));
    }
    return url;
  }

  async #send<T>(url: URL, req: TransportRequest<T>): Promise<TransportResponse<T>> {
    const keyed = req.idempotencyKeys ?? this.#keyed;
    const idempotent = req.idempotent ?? IDEMPOTENT.has(req.method);
    // With keys the gateway answers a re-send with the first result; without, only a request that is harmless
    // twice may be sent again once the gateway may have received it.
    const replaySafe = idempotent || keyed;
    const headerName = this.#idempotencyHeader;
    let headers: Record<string, string> | undefined;
    let headerKey: string | undefined;
    if (req.headers) {
      headers = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (name.toLowerCase() === headerName.toLowerCase()) headerKey = value;
        else headers[name] = value;
      }
    }
    // Created once per call, so every retry of this call is the same operation to the gateway. A gateway without
    // keys gets none: some refuse unknown headers, and a key it ignores would only suggest a safety that is not there.
    const idempotencyKey = keyed
      ? (req.idempotencyKey ?? headerKey ?? (MUTATING.has(req.method) ? randomUUID() : undefined))
      : undefined;
    if (idempotencyKey !== undefined) (headers ??= {})[headerName] = idempotencyKey;

    const call: Call = {
      method: req.method,
      label: url.pathname,
      secrets: req.headers ? [...this.#secrets, ...secretsIn(req.headers)] : this.#secrets,
      signal: req.signal,
    };
    const logger =
      call.secrets.length > this.#secrets.length ? redactingLogger(this.#logger, call.secrets) : this.#logger;
    const sendOptions = gotOptions(req, headers);

    // Whether an earlier attempt may have been acted on: a later refusal does not undo it.
    let earlierMayHaveActed = false;
    for (let attempt = 1; ; attempt++) {
      if (req.signal?.aborted) throw this.#aborted(call, earlierMayHaveActed);
      const started = performance.now();
      const base = { gateway: this.gateway, method: req.method, path: call.label, attempt, idempotencyKey };

      let response: Exchange;
      try {
        response = await this.#exchange(url, req.method, sendOptions);
      } catch (error) {
        const failure = AttemptFailure.from(error);
        const mayHaveActed: boolean = earlierMayHaveActed || failure.sent;
        if (req.signal?.aborted) throw this.#aborted(call, mayHaveActed);
        const durationMs = Math.round(performance.now() - started);
        const decision = decideRetry({
          retryable: isRetryableNetworkCode(failure.code),
          mayHaveActed: failure.sent,
          replaySafe,
          attempt,
          maxAttempts: this.#maxAttempts,
        });
        if (decision === 'recover') {
          logger.warn({ ...base, code: failure.code, durationMs }, 'gateway request failed after sending');
          const unknown = (outcomeUnknown: boolean) =>
            this.#connectionError(call, failure, attempt, outcomeUnknown);
          const outcome = await this.#recover(req, call, logger, attempt, failure.code ?? 'network', unknown);
          if (outcome !== RESEND) return { ...outcome, attempts: attempt };
          earlierMayHaveActed = false;
          continue;
        }
        if (decision === 'retry') {
          const waitMs = this.#retryDelay(attempt, undefined);
          logger.warn(
            { ...base, code: failure.code, durationMs, retryInMs: waitMs },
            'gateway request failed, retrying',
          );
          earlierMayHaveActed = mayHaveActed;
          if (!(await this.#pause(waitMs, req.signal))) throw this.#aborted(call, mayHaveActed);
          continue;
        }
        logger.warn({ ...base, code: failure.code, durationMs }, 'gateway request failed');
        throw this.#connectionError(call, failure, attempt, mayHaveActed);
      }

      const durationMs = Math.round(performance.now() - started);
      const statusCode = response.statusCode;
      const responseHeaders = response.headers;
      const requestId = header(responseHeaders, 'x-request-id') ?? header(responseHeaders, 'request-id');
      const body = parseBody(response.body);

      if (statusCode >= 200 && statusCode < 300) {
        // Built only when written: on the success path the line is usually off, and the bench counts every object.
        if (logger.isLevelEnabled?.('debug') ?? true) {
          logger.debug({ ...base, status: statusCode, durationMs, requestId }, 'gateway request');
        }
        const validated = this.#validate(req, call, statusCode, requestId, body);
        const data = validated instanceof Promise ? await validated : validated;
        return { statusCode, data, headers: responseHeaders, requestId, attempts: attempt, idempotencyKey };
      }
      const entry = { ...base, status: statusCode, durationMs, requestId };

      const errorResponse: ErrorResponse = {
        statusCode,
        body: body.value,
        headers: responseHeaders,
        requestId,
        retryAfterMs: parseRetryAfter(responseHeaders['retry-after']),
      };
      const retryable =
        (isRetryableStatus(statusCode) ||
          (statusCode === 409 && (this.#options.isRetryableConflict?.(errorResponse) ?? false))) &&
        !(this.#options.isFinal?.(errorResponse) ?? false);
      const processed = statusMayHaveBeenProcessed(statusCode);
      const decision = decideRetry({
        retryable,
        mayHaveActed: processed,
        replaySafe,
        attempt,
        maxAttempts: this.#maxAttempts,
      });
      if (decision === 'recover') {
        logger.warn(entry, 'gateway request failed after sending');
        const unknown = (outcomeUnknown: boolean) =>
          this.#mapError(errorResponse, call.secrets, outcomeUnknown);
        const outcome = await this.#recover(req, call, logger, attempt, String(statusCode), unknown);
        if (outcome !== RESEND) return { ...outcome, attempts: attempt };
        earlierMayHaveActed = false;
        continue;
      }
      if (decision === 'retry') {
        const waitMs = this.#retryDelay(attempt, errorResponse.retryAfterMs);
        logger.warn({ ...entry, retryInMs: waitMs }, 'gateway request failed, retrying');
        earlierMayHaveActed ||= processed;
        if (!(await this.#pause(waitMs, req.signal))) throw this.#aborted(call, earlierMayHaveActed);
        continue;
      }
      if (statusCode >= 500 || statusCode === 429) logger.warn(entry, 'gateway request failed');
      else logger.info(entry, 'gateway request refused');
      throw this.#mapError(errorResponse, call.secrets, !idempotent && (earlierMayHaveActed || processed));
    }
  }

  /**
   * One attempt through got's stream interface, the body read once as UTF-8 text. got's promise interface reads the
   * same stream through an async iterator, a cancelable promise and its own retry bookkeeping (all unused here:
   * retries live in #send); bench profiles put that at about a third of got's CPU per call. Timeouts, the
   * `beforeError` hook and the abort signal act on the stream as they do on the promise.
   */
  #exchange(url: URL, method: HttpMethod, options: OptionsInit | undefined): Promise<Exchange> {
    return new Promise<Exchange>((resolve, reject) => {
      const stream = this.#client.stream(url, options);
      let response: IncomingResponse | undefined;
      const chunks: Uint8Array[] = [];
      stream.once('response', (answer: IncomingResponse) => {
        response = answer;
      });
      stream.on('data', (chunk: Uint8Array) => chunks.push(chunk));
      stream.once('error', reject);
      stream.once('end', () => {
        if (!response) {
          reject(
            new AttemptFailure('the gateway closed the connection without an answer', 'ECONNRESET', true),
          );
          return;
        }
        resolve({ statusCode: response.statusCode ?? 0, headers: response.headers, body: utf8(chunks) });
      });
      // A stream waits for its body to be written; json and form bodies got writes and ends itself.
      if (!METHODS_WITHOUT_BODY.has(method) && options?.json === undefined && options?.form === undefined) {
        stream.end();
      }
    });
  }

  /**
   * An attempt of a request that must not be re-sent blindly may have been acted on. Without `recover`, that is
   * the caller's to resolve: throw at once with an unknown outcome. With it, wait the backoff (a gateway still
   * finishing the request then shows it), ask, and answer what happened: the operation's result, or RESEND
   * when a re-send is safe and an attempt is left. `unknown(flag)` builds the error to throw.
   */
  async #recover<T>(
    req: TransportRequest<T>,
    call: Call,
    logger: Logger,
    attempt: number,
    reason: string,
    unknown: (outcomeUnknown: boolean) => TijaraError,
  ): Promise<Omit<TransportResponse<T>, 'attempts'> | typeof RESEND> {
    if (!req.recover) throw unknown(true);
    const base = { gateway: this.gateway, method: req.method, path: call.label, attempt, reason };
    if (!(await this.#pause(this.#retryDelay(attempt, undefined), req.signal)))
      throw this.#aborted(call, true);
    let recovery: Recovery<T>;
    try {
      recovery = await req.recover({ attempt, reason, signal: req.signal });
    } catch (error) {
      logger.warn({ ...base, error }, 'gateway request outcome unknown; re-reading the state failed');
      throw unknown(true);
    }
    if (recovery.happened) {
      logger.info(base, 'gateway request had been acted on; result recovered');
      return {
        statusCode: 200,
        data: recovery.data,
        headers: {},
        requestId: undefined,
        idempotencyKey: undefined,
        recovered: true,
      };
    }
    if (attempt >= this.#maxAttempts) {
      logger.warn(base, 'gateway request was not acted on; no attempt left');
      throw unknown(false);
    }
    logger.warn(base, 'gateway request was not acted on; sending it again');
    return RESEND;
  }

  #retryDelay(attempt: number, retryAfterMs: number | undefined): number {
    return retryDelayMs(attempt, {
      baseMs: this.#options.backoffBaseMs ?? DEFAULTS.backoffBaseMs,
      jitterMs: this.#options.jitterMs ?? DEFAULTS.jitterMs,
      retryAfterMs,
      maxRetryAfterMs: this.#options.maxRetryAfterMs ?? DEFAULTS.maxRetryAfterMs,
    });
  }

  /** Resolves false when the caller aborted during the wait. */
  async #pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal });
      return true;
    } catch {
      return false;
    }
  }

  /** The validated body; synchronous unless the schema has async refinements (one await less per call). */
  #validate<T>(
    req: TransportRequest<T>,
    call: Call,
    statusCode: number,
    requestId: string | undefined,
    body: { value: unknown; json: boolean },
  ): T | Promise<T> {
    if (!req.schema) return body.value as T;
    const context = () => ({
      statusCode,
      requestId,
      gateway: this.gateway,
      raw: body.value,
      secrets: call.secrets,
    });
    if (!body.json) {
      // A gateway that answers plain text (Uhmi's `Payment deleted`) is fine where the endpoint's schema takes text.
      const notJson = (result: ZodSafeParseResult<T>): T => {
        if (result.success) return result.data;
        throw new InvalidResponseError(
          `${this.gateway} ${call.method} ${call.label} returned a body that is not JSON`,
          { ...context(), code: 'invalid_json' },
        );
      };
      const text = safeParse(req.schema, body.value);
      return text instanceof Promise ? text.then(notJson) : notJson(text);
    }
    const checked = (result: ZodSafeParseResult<T>): T => {
      if (result.success) return result.data;
      const details = fieldDetailsFromIssues(result.error.issues, ROOT_KEY);
      const summary = summarizeFieldDetails(details, 5, ROOT_KEY);
      throw new InvalidResponseError(
        `${this.gateway} ${call.method} ${call.label} returned a body that does not match the expected shape (${summary})`,
        { ...context(), code: 'schema_mismatch', details },
      );
    };
    const result = safeParse(req.schema, body.value);
    return result instanceof Promise ? result.then(checked) : checked(result);
  }

  #mapError(response: ErrorResponse, secrets: readonly string[], outcomeUnknown: boolean): TijaraError {
    const error = this.#options.mapError(response);
    // The driver's key is scrubbed whether or not its mapError passed it on (a gateway may echo it back).
    Object.assign(error, {
      message: redactString(error.message, secrets),
      raw: error.raw === undefined ? undefined : redact(error.raw, secrets),
      details: error.details === undefined ? undefined : redactFieldDetails(error.details, secrets),
      ...(error.stack === undefined ? {} : { stack: redactString(error.stack, secrets) }),
    });
    if (outcomeUnknown) Object.assign(error, { outcomeUnknown });
    // Drivers should set these, but a support ticket without them is useless, so fill the gaps.
    if (error.gateway === undefined) Object.assign(error, { gateway: this.gateway });
    if (error.requestId === undefined && response.requestId !== undefined) {
      Object.assign(error, { requestId: response.requestId });
    }
    return error;
  }

  #connectionError(
    call: Call,
    failure: AttemptFailure,
    attempts: number,
    outcomeUnknown: boolean,
  ): ConnectionError {
    const outcome = outcomeUnknown
      ? 'the request may have reached the gateway, so its outcome is unknown'
      : 'the request never reached the gateway';
    return new ConnectionError(
      `${this.gateway} ${call.method} ${call.label} failed after ${attempts} attempt(s): ${failure.message}; ${outcome}`,
      { code: failure.code, outcomeUnknown, gateway: this.gateway, secrets: call.secrets },
    );
  }

  #aborted(call: Call, outcomeUnknown: boolean): ConnectionError {
    const reason = call.signal?.reason;
    const why = reason instanceof Error ? reason.message : String(reason);
    const outcome = outcomeUnknown
      ? 'after the request was sent, so its outcome is unknown'
      : 'before the gateway could act on the request';
    return new ConnectionError(
      `${this.gateway} ${call.method} ${call.label} aborted by the caller ${outcome} (${why})`,
      {
        code: 'ABORTED',
        outcomeUnknown,
        gateway: this.gateway,
        secrets: call.secrets,
        cause: reason,
      },
    );
  }
}
