import {
  ConfigurationError,
  InvalidRequestError,
  Transport,
  type FieldDetails,
  type Logger,
  type TransportOptions,
} from '@tijara/core';
import type { z } from 'zod';
import { numipayEndpoints, type Endpoint, type NumipayEndpoints, type NumipayPaths } from './endpoints.js';
import { numipayErrorFromResponse } from './error-mapping.js';

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

export interface RequestOptions {
  readonly signal?: AbortSignal;
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

/**
 * Every Numipay operation, from the endpoint table: input checked before sending, the `{id}` encoded as one path
 * segment, responses validated, errors mapped onto core's hierarchy, the key never logged.
 */
export class NumipayClient {
  readonly baseUrl: string;
  readonly endpoints: NumipayEndpoints;
  readonly transport: Transport;
  readonly #secrets: readonly string[];

  constructor(options: NumipayClientOptions) {
    const apiKey = checkApiKey(options.apiKey);
    this.baseUrl = options.baseUrl ?? DEFAULT_BASE_URL;
    this.endpoints = numipayEndpoints(options.paths);
    this.#secrets = [apiKey];
    const transportOptions: TransportOptions = {
      baseUrl: this.baseUrl,
      gateway: 'numipay',
      headers: { 'x-api-key': apiKey },
      secrets: this.#secrets,
      mapError: (response) => numipayErrorFromResponse(response, this.#secrets),
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
  }

  /** The one request path. */
  async call<E extends Endpoint>(
    endpoint: E,
    params: Readonly<Record<string, string>>,
    input: unknown,
    options: RequestOptions = {},
  ): Promise<z.output<E['response']>> {
    const details: FieldDetails = {};
    const path = endpoint.path.replace(/\{([a-z_]+)\}/g, (_m, name: string) => {
      const value = params[name];
      if (typeof value !== 'string' || value.trim() === '' || value === '.' || value === '..') {
        details[name] = [`${name} is required`];
        return '';
      }
      return encodeURIComponent(value);
    });
    let payload: unknown;
    if (endpoint.request) {
      const result = endpoint.request.safeParse(input ?? {});
      if (!result.success) {
        for (const issue of result.error.issues) {
          (details[issue.path.map(String).join('.') || 'request'] ??= []).push(issue.message);
        }
      } else payload = result.data;
    }
    if (Object.keys(details).length > 0) {
      const summary = Object.values(details).flat().slice(0, 5).join('; ');
      throw new InvalidRequestError(`Numipay ${endpoint.method} ${endpoint.path} was not sent: ${summary}`, {
        gateway: 'numipay',
        code: 'invalid_request',
        details,
        secrets: this.#secrets,
      });
    }
    const isQuery = endpoint.method === 'GET';
    const response = await this.transport.request({
      method: endpoint.method,
      path,
      schema: endpoint.response,
      ...(payload === undefined
        ? {}
        : isQuery
          ? { query: payload as Record<string, string> }
          : { body: payload }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return response.data as z.output<E['response']>;
  }
}
