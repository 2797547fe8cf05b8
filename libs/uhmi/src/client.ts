import {
  ApiClient,
  ConfigurationError,
  type Logger,
  type RequestOptions,
  type Resource,
  type Transport,
} from '@tijara/core';
import { ENDPOINTS, type Endpoints } from './endpoints.js';
import { uhmiErrorFromResponse } from './error-mapping.js';
import { invalidParameter } from './schemas.js';

export type { RequestOptions, Resource };

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

/**
 * Every Uhmi endpoint: core's ApiClient over the endpoint table. Input is checked against the documented limits
 * before anything is sent, ids are encoded into the path, responses validated, errors mapped onto core's hierarchy.
 */
export class UhmiClient {
  readonly baseUrl: string;
  readonly api: ApiClient;
  readonly payments: Resource<Endpoints['payments']>;
  readonly transactions: Resource<Endpoints['transactions']>;

  constructor(options: UhmiClientOptions) {
    const apiKey = checkApiKey(options.apiKey);
    this.baseUrl = checkBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL);
    const secrets = [apiKey];
    this.api = new ApiClient({
      baseUrl: this.baseUrl,
      gateway: 'uhmi',
      gatewayName: 'Uhmi',
      auth: { type: 'bearer', token: apiKey },
      secrets,
      mapError: (response) => uhmiErrorFromResponse(response, secrets),
      idempotencyKeys: false,
      // Uhmi's messages name their parameter already.
      summarize: (details) => Object.values(details).flat().slice(0, 5).join(' '),
      pathMessages: {
        required: invalidParameter('id'),
        blank: invalidParameter('id'),
        invalid: invalidParameter('id'),
      },
      userAgent: options.userAgent ?? USER_AGENT,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
      ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
      ...(options.backoffBaseMs !== undefined ? { backoffBaseMs: options.backoffBaseMs } : {}),
      ...(options.jitterMs !== undefined ? { jitterMs: options.jitterMs } : {}),
      ...(options.maxRetryAfterMs !== undefined ? { maxRetryAfterMs: options.maxRetryAfterMs } : {}),
    });
    this.payments = this.api.bind(ENDPOINTS.payments);
    this.transactions = this.api.bind(ENDPOINTS.transactions);
  }

  get transport(): Transport {
    return this.api.transport;
  }
}
