import type { ZodType } from 'zod';
import type { TijaraError } from './errors.js';
import type { Logger } from './logger.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a driver passes to turn an HTTP error response into a typed error. */
export interface ErrorResponse {
  readonly statusCode: number;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly requestId: string | undefined;
  readonly retryAfterMs: number | undefined;
}

/**
 * How the gateway authenticates a request. The transport sends it on every request and scrubs every form of it
 * (the token, the password, the encoded `Basic` credentials, the header value) from logs and errors.
 */
export type TransportAuth =
  /** `Authorization: Bearer <token>` (Ummah, Uhmi). */
  | { readonly type: 'bearer'; readonly token: string }
  /** `Authorization: Basic base64(<username>:<password>)` (Postpay: merchant id and secret key). */
  | { readonly type: 'basic'; readonly username: string; readonly password: string }
  /** A key in a header of its own (Numipay's `x-api-key`). */
  | { readonly type: 'header'; readonly name: string; readonly value: string };

export interface TransportOptions {
  /** e.g. `https://gate.ummah.com/api/v1/` (trailing slash optional). */
  readonly baseUrl: string;
  /** Driver name, put on every error. */
  readonly gateway: string;
  /** Credentials for every request; see TransportAuth. */
  readonly auth?: TransportAuth;
  /** Static headers, e.g. `{ Authorization: 'Bearer sk_…' }`. Never logged. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Literal secrets (API keys) scrubbed from every log line and error on top of the known shapes. */
  readonly secrets?: readonly string[];
  /** Total time per attempt (default 30 000 ms). */
  readonly timeoutMs?: number;
  /** Time to establish a connection (default 10 000 ms). */
  readonly connectTimeoutMs?: number;
  /** Attempts in all, including the first (default 3). */
  readonly maxAttempts?: number;
  /** Backoff base (default 1 000 ms): waits are base, 2×base, 4×base … each ± jitter. */
  readonly backoffBaseMs?: number;
  /** ± jitter added to each wait (default 200 ms). */
  readonly jitterMs?: number;
  /** Upper bound for an honoured `Retry-After` (default 60 000 ms). */
  readonly maxRetryAfterMs?: number;
  /** Map an error response to the hierarchy; the driver knows its body shapes. */
  readonly mapError: (response: ErrorResponse) => TijaraError;
  /** Whether a 409 is a transient lock (retry) rather than an invalid state (do not retry). */
  readonly isRetryableConflict?: (response: ErrorResponse) => boolean;
  /**
   * Whether an otherwise retryable response is final for this gateway (e.g. a 5xx that reports a dead
   * saved method): it is then mapped to an error at once instead of being retried.
   */
  readonly isFinal?: (response: ErrorResponse) => boolean;
  /**
   * Whether the gateway honours idempotency keys (default true). With keys, every mutating call carries one,
   * reused on each retry, so a retry after the gateway may have acted is safe. Without them no key is sent and a
   * non-idempotent call (POST, PATCH) is never re-sent once the gateway may have received it: only failures
   * that prove the gateway did not act are retried, and an unknown outcome goes to the request's `recover`.
   */
  readonly idempotencyKeys?: boolean;
  /** Header that carries the idempotency key (default `Idempotency-Key`). */
  readonly idempotencyHeader?: string;
  /** The `Accept` header sent with every request (default `application/json`). */
  readonly accept?: string;
  readonly userAgent?: string;
  readonly logger?: Logger;
}

/**
 * What `recover()` found: the operation happened (and this is its result), or it did not (a re-send is safe).
 * Build one with `recovered(data)` or `NOT_DONE`.
 */
export type Recovery<T> = { readonly happened: true; readonly data: T } | { readonly happened: false };

/** What `recover()` is told about the attempt whose outcome is unknown. */
export interface RecoveryContext {
  /** The attempt that may have been acted on (1 for the first). */
  readonly attempt: number;
  /** Why the outcome is unknown: a network code (`ECONNRESET`, `ETIMEDOUT`) or an HTTP status (`502`). */
  readonly reason: string;
  readonly signal: AbortSignal | undefined;
}

export interface TransportRequest<T> {
  readonly method: HttpMethod;
  /** Path relative to baseUrl, e.g. `purchases/abc/capture/`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** JSON body. */
  readonly body?: unknown;
  /** A form body (`application/x-www-form-urlencoded`), instead of `body`. */
  readonly form?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** Validates the success body; unknown fields pass through, a mismatch is an InvalidResponseError. */
  readonly schema?: ZodType<T>;
  /** For POSTs: the caller's key wins; otherwise one is created for this call and reused on each retry. */
  readonly idempotencyKey?: string;
  /**
   * Whether sending this request twice has the effect of sending it once (default: GET, PUT and DELETE are; POST
   * and PATCH are not). Idempotent requests are retried after any retryable failure, keys or not.
   */
  readonly idempotent?: boolean;
  /** Overrides TransportOptions.idempotencyKeys for this request (the odd endpoint that ignores keys). */
  readonly idempotencyKeys?: boolean;
  /**
   * For a non-idempotent request on a gateway without idempotency keys: when an attempt may have been acted on
   * (sent, then reset, timed out, 500, 502 or 504), re-read the gateway's state (list refunds by the merchant's
   * refund id, GET the order) and say whether the operation happened. It runs after the backoff wait, so a
   * gateway still finishing the request has time to show it. `happened: false` makes a re-send safe; it counts
   * as an attempt. Without `recover` such a failure is thrown at once with `outcomeUnknown: true`.
   */
  readonly recover?: (context: RecoveryContext) => Promise<Recovery<T>>;
  readonly signal?: AbortSignal;
  /** Extra headers for this request only. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface TransportResponse<T> {
  readonly statusCode: number;
  readonly data: T;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly requestId: string | undefined;
  /** Attempts it took (1 when the first one succeeded). */
  readonly attempts: number;
  /** The idempotency key that was sent, if any. */
  readonly idempotencyKey: string | undefined;
  /**
   * True when `data` comes from the request's `recover()` (the gateway had acted on an attempt whose answer was
   * lost); `statusCode` is then 200 and `headers` empty.
   */
  readonly recovered?: boolean;
}
