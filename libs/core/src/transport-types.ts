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

export interface TransportOptions {
  /** e.g. `https://gate.ummah.com/api/v1/` (trailing slash optional). */
  readonly baseUrl: string;
  /** Driver name, put on every error. */
  readonly gateway: string;
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
  /** Header that carries the idempotency key (default `Idempotency-Key`). */
  readonly idempotencyHeader?: string;
  readonly userAgent?: string;
  readonly logger?: Logger;
}

export interface TransportRequest<T> {
  readonly method: HttpMethod;
  /** Path relative to baseUrl, e.g. `purchases/abc/capture/`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** JSON body. */
  readonly body?: unknown;
  /** Validates the success body; unknown fields pass through, a mismatch is an InvalidResponseError. */
  readonly schema?: ZodType<T>;
  /** For POSTs: the caller's key wins; otherwise one is created for this call and reused on each retry. */
  readonly idempotencyKey?: string;
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
}
