import {
  ApiClient,
  ConfigurationError,
  type Logger,
  type RequestOptions,
  type Transport,
} from '@tijara/core';
import type { z } from 'zod';
import { numipayEndpoints, type NumipayEndpoints, type NumipayPaths } from './endpoints.js';
import { numipayErrorFromResponse } from './error-mapping.js';

export type { RequestOptions };

/** Unconfirmed: the seed names no host. */
export const DEFAULT_BASE_URL = 'https://api.numipay.co/';
const USER_AGENT = 'tijara-numipay/0.1.0';

export interface NumipayClientOptions {
  /** The merchant API key (back office → Settings → Credentials); sent as `x-api-key`. */
  readonly apiKey: string;
  /** Default `https://api.numipay.co/` (unconfirmed). */
  readonly baseUrl?: string;
  /** Where each operation lives (defaults unconfirmed, see the README). */
  readonly paths?: Partial<NumipayPaths>;
  readonly logger?: Logger;
  readonly timeoutMs?: number;
  readonly connectTimeoutMs?: number;
  readonly maxAttempts?: number;
  readonly backoffBaseMs?: number;
  readonly jitterMs?: number;
  readonly maxRetryAfterMs?: number;
  readonly userAgent?: string;
}

function checkApiKey(apiKey: unknown): string {
  if (typeof apiKey !== 'string' || apiKey.trim() === '') {
    throw new ConfigurationError('Numipay apiKey is missing (back office → Settings → Credentials)', {
      gateway: 'numipay',
      code: 'missing_api_key',
    });
  }
  if (/\s/.test(apiKey.trim())) {
    throw new ConfigurationError('Numipay apiKey must be the bare key (no spaces, no scheme)', {
      gateway: 'numipay',
      code: 'invalid_api_key',
    });
  }
  return apiKey.trim();
}

type Output<
  K extends keyof NumipayEndpoints,
  N extends keyof NumipayEndpoints[K],
> = NumipayEndpoints[K][N] extends { response: infer R extends z.ZodType } ? z.output<R> : never;
type Input<
  K extends keyof NumipayEndpoints,
  N extends keyof NumipayEndpoints[K],
> = NumipayEndpoints[K][N] extends { request: infer R extends z.ZodType } ? z.input<R> : never;

/**
 * Every Numipay operation: core's ApiClient over the endpoint table, whose paths are options. Input is checked
 * before sending, the `{id}` is encoded as one path segment, responses are validated, errors mapped onto core's
 * hierarchy, and the key is sent as `x-api-key` and never logged. Numipay has no idempotency keys: a call that acts
 * is never re-sent once Numipay may have received it.
 */
export class NumipayClient {
  readonly baseUrl: string;
  readonly endpoints: NumipayEndpoints;
  readonly api: ApiClient;

  constructor(options: NumipayClientOptions) {
    const apiKey = checkApiKey(options.apiKey);
    this.baseUrl = options.baseUrl ?? DEFAULT_BASE_URL;
    this.endpoints = numipayEndpoints(options.paths);
    const secrets = [apiKey];
    this.api = new ApiClient({
      baseUrl: this.baseUrl,
      gateway: 'numipay',
      gatewayName: 'Numipay',
      auth: { type: 'header', name: 'x-api-key', value: apiKey },
      secrets,
      mapError: (response) => numipayErrorFromResponse(response, secrets),
      idempotencyKeys: false,
      userAgent: options.userAgent ?? USER_AGENT,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
      ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
      ...(options.backoffBaseMs !== undefined ? { backoffBaseMs: options.backoffBaseMs } : {}),
      ...(options.jitterMs !== undefined ? { jitterMs: options.jitterMs } : {}),
      ...(options.maxRetryAfterMs !== undefined ? { maxRetryAfterMs: options.maxRetryAfterMs } : {}),
    });
  }

  get transport(): Transport {
    return this.api.transport;
  }

  readonly payments = {
    cashier: (input: Input<'payments', 'cashier'>, options?: RequestOptions<Output<'payments', 'cashier'>>) =>
      this.api.call(this.endpoints.payments.cashier, {}, input, options),
    direct: (input: Input<'payments', 'direct'>, options?: RequestOptions<Output<'payments', 'direct'>>) =>
      this.api.call(this.endpoints.payments.direct, {}, input, options),
    serverToServer: (
      input: Input<'payments', 'serverToServer'>,
      options?: RequestOptions<Output<'payments', 'serverToServer'>>,
    ) => this.api.call(this.endpoints.payments.serverToServer, {}, input, options),
  };

  readonly payouts = {
    cashier: (input: Input<'payouts', 'cashier'>, options?: RequestOptions<Output<'payouts', 'cashier'>>) =>
      this.api.call(this.endpoints.payouts.cashier, {}, input, options),
    approve: (input: Input<'payouts', 'approve'>, options?: RequestOptions<Output<'payouts', 'approve'>>) =>
      this.api.call(this.endpoints.payouts.approve, {}, input, options),
    reject: (input: Input<'payouts', 'reject'>, options?: RequestOptions<Output<'payouts', 'reject'>>) =>
      this.api.call(this.endpoints.payouts.reject, {}, input, options),
  };

  readonly transactions = {
    status: (id: string, options?: RequestOptions<Output<'transactions', 'status'>>) =>
      this.api.call(this.endpoints.transactions.status, { id }, undefined, options),
    list: (query: Input<'transactions', 'list'>, options?: RequestOptions<Output<'transactions', 'list'>>) =>
      this.api.call(this.endpoints.transactions.list, {}, query, options),
  };
}
