/**
 * The transport's retry policy as pure functions, so every rule (which failures, how long to wait) is testable
 * without a clock or a network.
 */

/** Statuses that say "try again later"; 409 is only retried when the driver recognises a lock. */
const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

/**
 * Network failures worth another attempt. Anything else (TLS certificate errors, malformed URLs) would fail the
 * same way again.
 */
const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_READING_RESPONSE_STREAM',
]);

/** Failures that happen before a connection exists, so the gateway cannot have seen the request. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
]);

export function isRetryableStatus(statusCode: number): boolean {
  return RETRYABLE_STATUS.has(statusCode);
}

export function isRetryableNetworkCode(code: string | undefined): boolean {
  return code !== undefined && RETRYABLE_NETWORK_CODES.has(code);
}

export function isNotSentCode(code: string | undefined): boolean {
  return code !== undefined && NOT_SENT_CODES.has(code);
}

/**
 * Whether a response means the gateway may have acted before failing. 429, 503 and a 409 lock are refusals;
 * 500/502/504 can come after the work was done (or from a proxy in front of a gateway that did it).
 */
export function statusMayHaveBeenProcessed(statusCode: number): boolean {
  return statusCode === 500 || statusCode === 502 || statusCode === 504;
}

/**
 * `Retry-After` in milliseconds: delta-seconds (`"120"`, `"1.5"`) or an HTTP date. Undefined when absent or
 * unparseable; a date in the past gives 0.
 */
export function parseRetryAfter(
  value: string | string[] | undefined,
  now: number = Date.now(),
): number | undefined {
  const raw = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1000);
  // Only accept things that look like an HTTP date: Date.parse is lenient and would read "5 s" as a year.
  if (!/[A-Za-z]{3}/.test(raw)) return undefined;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export interface BackoffOptions {
  readonly baseMs: number;
  readonly jitterMs: number;
  /** Uniform in [0, 1); injectable so the bounds can be tested exactly. */
  readonly random?: () => number;
}

/**
 * Wait before retry number `retry` (1 for the first retry): base × 2^(retry−1), ± jitter, never negative.
 * Jitter spreads clients that failed together so they do not come back in lockstep.
 */
export function backoffDelayMs(
  retry: number,
  { baseMs, jitterMs, random = Math.random }: BackoffOptions,
): number {
  const exponential = baseMs * 2 ** Math.max(0, retry - 1);
  const jitter = (random() * 2 - 1) * jitterMs;
  return Math.max(0, Math.round(exponential + jitter));
}

export interface RetryDelayOptions extends BackoffOptions {
  /** The server's `Retry-After`, when it sent one. */
  readonly retryAfterMs: number | undefined;
  readonly maxRetryAfterMs: number;
}

/**
 * The server knows best how long it needs, so its `Retry-After` replaces the backoff, capped so a hostile or
 * buggy value cannot park a checkout for an hour.
 */
export function retryDelayMs(retry: number, options: RetryDelayOptions): number {
  if (options.retryAfterMs !== undefined) return Math.min(options.retryAfterMs, options.maxRetryAfterMs);
  return backoffDelayMs(retry, options);
}

export interface RetryDecisionInput {
  /** The failure is of a kind worth another attempt (a retryable network code or status). */
  readonly retryable: boolean;
  /** This attempt may have been acted on: sent, then reset or timed out, or answered 500/502/504. */
  readonly mayHaveActed: boolean;
  /**
   * A re-send cannot act twice: the request is idempotent, or it carries an idempotency key the gateway honours.
   */
  readonly replaySafe: boolean;
  readonly attempt: number;
  readonly maxAttempts: number;
}

/**
 * What to do after a failed attempt: `retry` it, `recover` (the gateway may have acted and a blind re-send could
 * act twice: re-read the state first), or `fail`. Refusals (429, 503, a 409 lock, a connection never made) prove
 * the gateway did not act, so they are retried whatever the request.
 */
export function decideRetry(input: RetryDecisionInput): 'retry' | 'recover' | 'fail' {
  if (!input.retryable) return 'fail';
  if (input.mayHaveActed && !input.replaySafe) return 'recover';
  return input.attempt < input.maxAttempts ? 'retry' : 'fail';
}
