import {
  ApiClient,
  fieldDetailsFromIssues,
  type Endpoint,
  type ListResult,
  type Logger,
  type PathParams,
  type RequestOptions,
  type Resource,
  type Transport,
} from '@tijara/core';
import type { z } from 'zod';
import { parseCredentials, type PostpayMode } from './credentials.js';
import { ENDPOINTS, type Endpoints } from './endpoints.js';
import { postpayErrorFromResponse } from './error-mapping.js';
import { NON_FIELD_ERRORS, summarizeFieldDetails } from './schemas/index.js';

export type { ListResult, PathParams, RequestOptions, Resource };

export const LIVE_BASE_URL = 'https://api.postpay.io';
export const SANDBOX_BASE_URL = 'https://sandbox.postpay.io';
/** Seed 003's versioned media type: the only format and version this driver reads. */
export const POSTPAY_MEDIA_TYPE = 'application/vnd.postpay+json; version=v1';
const USER_AGENT = 'tijara-postpay/0.1.0';

export interface PostpayClientOptions {
  /** Your merchant id (dashboard → Settings → API keys). */
  readonly merchantId: string;
  /** `sk_test_…` (Postpay's sandbox) or `sk_live_…`. */
  readonly secretKey: string;
  /**
   * Default: `https://sandbox.postpay.io` for an `sk_test_` key, `https://api.postpay.io` for an `sk_live_` key.
   * Point it at the local sandbox's `/postpay` in development.
   */
  readonly baseUrl?: string;
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

/**
 * The whole Postpay API (seed 003): core's ApiClient over the endpoint table. HTTP Basic with the merchant id and
 * secret key, the versioned media type on every request, input validated before sending, lists iterable over
 * `next`, errors mapped onto core's hierarchy. Postpay has no idempotency keys, so none is sent and a POST is never
 * re-sent once it may have reached Postpay (see the driver for how capture and refund recover).
 */
export class PostpayClient {
  readonly mode: PostpayMode;
  readonly merchantId: string;
  readonly baseUrl: string;
  readonly api: ApiClient;
  /** Scrubbed from every error: the secret key, and each hook secret this client has sent or been given. */
  readonly #secrets: string[];

  readonly checkouts: Resource<Endpoints['checkouts']>;
  readonly orders: Resource<Endpoints['orders']>;
  readonly transactions: Resource<Endpoints['transactions']>;
  readonly hooks: Resource<Endpoints['hooks']>;

  constructor(options: PostpayClientOptions) {
    this.mode = parseCredentials(options);
    this.merchantId = options.merchantId;
    this.baseUrl = options.baseUrl ?? (this.mode === 'test' ? SANDBOX_BASE_URL : LIVE_BASE_URL);
    const secrets = (this.#secrets = [options.secretKey]);
    this.api = new ApiClient({
      baseUrl: this.baseUrl,
      gateway: 'postpay',
      gatewayName: 'Postpay',
      auth: { type: 'basic', username: options.merchantId, password: options.secretKey },
      accept: POSTPAY_MEDIA_TYPE,
      idempotencyKeys: false,
      secrets,
      mapError: (response) => postpayErrorFromResponse(response, secrets),
      // Postpay's 409s (invalid_status, conflict, limit_exceeded) are states a retry cannot change.
      isRetryableConflict: () => false,
      fieldDetails: (issues) => fieldDetailsFromIssues(issues, NON_FIELD_ERRORS),
      summarize: (details) => summarizeFieldDetails(details),
      userAgent: options.userAgent ?? USER_AGENT,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
      ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
      ...(options.backoffBaseMs !== undefined ? { backoffBaseMs: options.backoffBaseMs } : {}),
      ...(options.jitterMs !== undefined ? { jitterMs: options.jitterMs } : {}),
      ...(options.maxRetryAfterMs !== undefined ? { maxRetryAfterMs: options.maxRetryAfterMs } : {}),
    });
    this.checkouts = this.api.bind(ENDPOINTS.checkouts);
    this.orders = this.api.bind(ENDPOINTS.orders);
    this.transactions = this.api.bind(ENDPOINTS.transactions);
    const hooks = this.api.bind(ENDPOINTS.hooks);
    // A hook's secret travels in the body; a gateway that echoes it in an error must not put it in our errors.
    this.hooks = {
      ...hooks,
      create: (input, requestOptions) => {
        this.protectSecret(input?.secret);
        return hooks.create(input, requestOptions);
      },
      update: (hookId, input, requestOptions) => {
        this.protectSecret(input?.secret);
        return hooks.update(hookId, input, requestOptions);
      },
    };
  }

  /** Scrub `value` (a hook secret) from every error this client raises from now on. */
  protectSecret(value: unknown): void {
    if (typeof value === 'string' && value.length >= 8 && !this.#secrets.includes(value))
      this.#secrets.push(value);
  }

  get testMode(): boolean {
    return this.mode === 'test';
  }

  get transport(): Transport {
    return this.api.transport;
  }

  /** The one request path: every generated method ends here. */
  call<E extends Endpoint>(
    endpoint: E,
    params: PathParams = {},
    input?: unknown,
    options: RequestOptions<z.output<E['response']>> = {},
  ): Promise<z.output<E['response']>> {
    return this.api.call(endpoint, params, input, options);
  }
}
