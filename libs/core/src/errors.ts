import { redact, redactString } from './redact.js';

/** Field errors as gateways report them: field path → messages. */
export type FieldDetails = Record<string, string[]>;

export type TijaraErrorType =
  | 'authentication'
  | 'permission'
  | 'invalid_request'
  | 'not_found'
  | 'conflict'
  | 'idempotency'
  | 'card'
  | 'invalid_saved_method'
  | 'rate_limit'
  | 'gateway'
  | 'connection'
  | 'invalid_response'
  | 'signature_verification'
  | 'unsupported_operation'
  | 'money'
  | 'amount_mismatch'
  | 'configuration'
  | 'lock_timeout';

export interface TijaraErrorOptions {
  /** HTTP status returned by the gateway, when there was a response. */
  statusCode?: number;
  /** The gateway's own error code (e.g. `card_declined`, `invalid_recurring_token`). */
  code?: string;
  /** Field-level details, e.g. `{ "client.email": ["This field is required."] }`. */
  details?: FieldDetails;
  /** The gateway's request id, for support tickets. */
  requestId?: string;
  /** The gateway's response body; stored redacted. */
  raw?: unknown;
  /** Which gateway driver raised it. */
  gateway?: string;
  cause?: unknown;
  /** Literal secrets to scrub from message and raw body in addition to the known shapes. */
  secrets?: readonly string[];
  /**
   * The gateway may have acted on the request before this error (a reset or a 502 after sending a non-idempotent
   * call): the operation may or may not have happened, so re-read before acting again.
   */
  outcomeUnknown?: boolean;
}

/** Root of every error Tijara throws on purpose. `type` is stable and safe to switch on. */
export class TijaraError extends Error {
  readonly type: TijaraErrorType = 'gateway';
  readonly statusCode: number | undefined;
  readonly code: string | undefined;
  readonly details: FieldDetails | undefined;
  readonly requestId: string | undefined;
  readonly raw: unknown;
  readonly gateway: string | undefined;
  /** True when the operation may have happened anyway (see TijaraErrorOptions.outcomeUnknown). */
  readonly outcomeUnknown: boolean;

  constructor(message: string, options: TijaraErrorOptions = {}) {
    super(
      redactString(message, options.secrets),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = new.target.name;
    this.statusCode = options.statusCode;
    this.code = options.code;
    this.details = options.details ? redact(options.details, options.secrets) : undefined;
    this.requestId = options.requestId;
    this.raw = options.raw === undefined ? undefined : redact(options.raw, options.secrets);
    this.gateway = options.gateway;
    this.outcomeUnknown = options.outcomeUnknown ?? false;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      type: this.type,
      message: this.message,
      statusCode: this.statusCode,
      code: this.code,
      details: this.details,
      requestId: this.requestId,
      gateway: this.gateway,
      raw: this.raw,
      ...(this.outcomeUnknown ? { outcomeUnknown: true } : {}),
    };
  }
}

/** 401: the API key is missing, malformed or revoked. */
export class AuthenticationError extends TijaraError {
  override readonly type = 'authentication' as const;
}
/** 403: the key is valid but may not do this. */
export class PermissionError extends TijaraError {
  override readonly type = 'permission' as const;
}
/** 400: the request was rejected; `details` names the fields. Also raised client-side before sending. */
export class InvalidRequestError extends TijaraError {
  override readonly type = 'invalid_request' as const;
}
/** 404: no such object. */
export class NotFoundError extends TijaraError {
  override readonly type = 'not_found' as const;
}
/** 409: the object is in a state that does not allow this action (e.g. refunding an unpaid payment). */
export class ConflictError extends TijaraError {
  override readonly type = 'conflict' as const;
}
/** 422: an idempotency key was reused with a different request body. */
export class IdempotencyError extends TijaraError {
  override readonly type = 'idempotency' as const;
}

export interface CardErrorOptions extends TijaraErrorOptions {
  declineCode?: string;
}
/** 402: the card or payment method was declined. */
export class CardError extends TijaraError {
  override readonly type: TijaraErrorType = 'card';
  readonly declineCode: string | undefined;
  constructor(message: string, options: CardErrorOptions = {}) {
    super(message, options);
    this.declineCode = options.declineCode;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), declineCode: this.declineCode };
  }
}
/** A saved method (recurring token) is dead: delete it and ask the buyer again. Never retry. */
export class InvalidSavedMethodError extends CardError {
  override readonly type = 'invalid_saved_method' as const;
}

export interface RateLimitErrorOptions extends TijaraErrorOptions {
  retryAfterMs?: number;
}
/** 429: too many requests. */
export class RateLimitError extends TijaraError {
  override readonly type = 'rate_limit' as const;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options: RateLimitErrorOptions = {}) {
    super(message, options);
    this.retryAfterMs = options.retryAfterMs;
  }
}
/** 5xx or an unexpected status from the gateway. */
export class GatewayError extends TijaraError {
  override readonly type = 'gateway' as const;
}

export interface ConnectionErrorOptions extends TijaraErrorOptions {
  /** True when the request may have reached the gateway: the operation may or may not have happened. */
  outcomeUnknown: boolean;
}
/** Network failure or timeout. Check `outcomeUnknown` before assuming nothing happened. */
export class ConnectionError extends TijaraError {
  override readonly type = 'connection' as const;
  constructor(message: string, options: ConnectionErrorOptions) {
    super(message, options);
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), outcomeUnknown: this.outcomeUnknown };
  }
}
/** The gateway answered with a body that does not match its documented schema. */
export class InvalidResponseError extends TijaraError {
  override readonly type = 'invalid_response' as const;
}
/** A webhook or callback failed authentication. */
export class SignatureVerificationError extends TijaraError {
  override readonly type = 'signature_verification' as const;
}
/** The driver does not declare this capability. */
export class UnsupportedOperationError extends TijaraError {
  override readonly type = 'unsupported_operation' as const;
}
/** An amount or currency is malformed, or cannot be represented exactly. */
export class MoneyError extends TijaraError {
  override readonly type = 'money' as const;
}
/** A gateway reported an amount or currency that differs from the order's. */
export class AmountMismatchError extends TijaraError {
  override readonly type = 'amount_mismatch' as const;
}
/** Missing or invalid configuration, found at start-up. */
export class ConfigurationError extends TijaraError {
  override readonly type = 'configuration' as const;
}

/** A lock could not be acquired in time; nothing was done. Safe to retry later. */
export class LockTimeoutError extends TijaraError {
  override readonly type = 'lock_timeout' as const;
}

export interface HttpErrorContext extends TijaraErrorOptions {
  statusCode: number;
  message: string;
  declineCode?: string;
  retryAfterMs?: number;
}

/** Map an HTTP error response onto the hierarchy. Drivers parse their body shape, then call this. */
export function errorFromHttpStatus(ctx: HttpErrorContext): TijaraError {
  const { statusCode: s, message } = ctx;
  if (s === 400) return new InvalidRequestError(message, ctx);
  if (s === 401) return new AuthenticationError(message, ctx);
  if (s === 402) return new CardError(message, ctx);
  if (s === 403) return new PermissionError(message, ctx);
  if (s === 404) return new NotFoundError(message, ctx);
  if (s === 409) return new ConflictError(message, ctx);
  if (s === 422) return new IdempotencyError(message, ctx);
  if (s === 429) return new RateLimitError(message, ctx);
  if (s >= 400 && s < 500) return new InvalidRequestError(message, ctx);
  return new GatewayError(message, ctx);
}
