import {
  ConfigurationError,
  InvalidRequestError,
  Transport,
  type FieldDetails,
  type Logger,
  type TransportOptions,
} from '@tijara/core';
import type { z } from 'zod';
import { ENDPOINTS, type Endpoint } from './endpoints.js';
import { uhmiErrorFromResponse } from './error-mapping.js';

export const DEFAULT_BASE_URL = 'https://uhmi.io/api/v1/';
const USER_AGENT = 'tijara-uhmi/0.1.0';
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

export interface UhmiClientOptions {
  /** The API key of the sell account (dashboard); sent as `Authorization: Bearer <key>`. */
  readonly apiKey: string;
  /** Default `https://uhmi.io/api/v1/`. Must be HTTPS (Uhmi refuses plain HTTP), except on loopback (the sandbox). */
  readonly baseUrl?: string;
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

function configError(message: string, code: string): ConfigurationError {
  return new ConfigurationError(message, { gateway: 'uhmi', code });
}

/** Refuses what cannot be Uhmi's API key, without ever repeating the key. */
function checkApiKey(apiKey: unknown): string {
  if (typeof apiKey !== 'string' || apiKey.trim() === '') {
    throw configError('Uhmi apiKey is missing (dashboard → account → API key)', 'missing_api_key');
  }
  if (/^bearer\s/i.test(apiKey.trim())) {
    throw configError('Uhmi apiKey must be the bare key, without "Bearer "', 'invalid_api_key');
  }
  if (/\s/.test(apiKey.trim())) throw configError('Uhmi apiKey must not contain spaces', 'invalid_api_key');
  return apiKey.trim();
}

function checkBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw configError('Uhmi baseUrl is not an absolute URL', 'invalid_base_url');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    throw configError('Uhmi baseUrl must use HTTPS: Uhmi refuses plain HTTP calls', 'insecure_base_url');
  }
  return baseUrl;
}

function summarize(details: FieldDetails): string {
  return Object.values(details).flat().slice(0, 5).join(' ');
}

/**
 * Every Uhmi endpoint, generated from the endpoint table: input checked against the documented limits before
 * anything is sent, ids encoded into the path, responses validated, errors mapped onto core's hierarchy.
 */
export class UhmiClient {
  readonly baseUrl: string;
  readonly transport: Transport;
  readonly #secrets: readonly string[];

  readonly payments: {
    create(
      input: z.input<typeof ENDPOINTS.payments.create.request>,
      options?: RequestOptions,
    ): Promise<z.output<typeof ENDPOINTS.payments.create.response>>;
    retrieve(
      id: string,
      options?: RequestOptions,
    ): Promise<z.output<typeof ENDPOINTS.payments.retrieve.response>>;
    update(
      id: string,
      input: z.input<typeof ENDPOINTS.payments.update.request>,
      options?: RequestOptions,
    ): Promise<z.output<typeof ENDPOINTS.payments.update.response>>;
    delete(id: string, options?: RequestOptions): Promise<unknown>;
  };
  readonly transactions: {
    retrieve(
      id: string,
      options?: RequestOptions,
    ): Promise<z.output<typeof ENDPOINTS.transactions.retrieve.response>>;
  };

  constructor(options: UhmiClientOptions) {
    const apiKey = checkApiKey(options.apiKey);
    this.baseUrl = checkBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL);
    this.#secrets = [apiKey];
    const transportOptions: TransportOptions = {
      baseUrl: this.baseUrl,
      gateway: 'uhmi',
      headers: { Authorization: `Bearer ${apiKey}` },
      secrets: this.#secrets,
      mapError: (response) => uhmiErrorFromResponse(response, this.#secrets),
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
    const e = ENDPOINTS;
    this.payments = {
      create: (input, o) => this.call(e.payments.create, {}, input, o),
      retrieve: (id, o) => this.call(e.payments.retrieve, { id }, undefined, o),
      update: (id, input, o) => this.call(e.payments.update, { id }, input, o),
      delete: (id, o) => this.call(e.payments.delete, { id }, undefined, o),
    };
    this.transactions = { retrieve: (id, o) => this.call(e.transactions.retrieve, { id }, undefined, o) };
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
        details[name] = [`The '${name}' parameter is invalid or missing.`];
        return '';
      }
      return encodeURIComponent(value);
    });
    let body: unknown;
    if (endpoint.request) {
      const result = endpoint.request.safeParse(input ?? {});
      if (!result.success) {
        for (const issue of result.error.issues) {
          (details[issue.path.map(String).join('.') || 'request'] ??= []).push(issue.message);
        }
      } else body = result.data;
    }
    if (Object.keys(details).length > 0) {
      throw new InvalidRequestError(
        `Uhmi ${endpoint.method} ${endpoint.path} was not sent: ${summarize(details)}`,
        {
          gateway: 'uhmi',
          code: 'invalid_parameter',
          details,
          secrets: this.#secrets,
        },
      );
    }
    const response = await this.transport.request({
      method: endpoint.method,
      path,
      schema: endpoint.response,
      ...(body === undefined ? {} : { body }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return response.data as z.output<E['response']>;
  }
}
