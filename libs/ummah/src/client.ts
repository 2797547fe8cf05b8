import {
  ApiClient,
  type Endpoint,
  type ListResult,
  type Logger,
  type PathParams,
  type RequestOptions,
  type Resource,
  type Transport,
} from '@tijara/core';
import type { z } from 'zod';
import { ENDPOINTS, type Endpoints } from './endpoints.js';
import { readUmmahErrorBody, ummahErrorFromResponse } from './error-mapping.js';
import { parseSecretKey, type UmmahMode } from './secret-key.js';

export type { ListResult, PathParams, RequestOptions, Resource };

export const DEFAULT_BASE_URL = 'https://gate.ummah.com/api/v1/';
const USER_AGENT = 'tijara-ummah/0.1.0';
const LOCK_CODES: ReadonlySet<string> = new Set(['locked', 'lock_timeout']);

export interface UmmahClientOptions {
  /** `sk_test_…` or `sk_live_…` (unprefixed keys of CHIP-compatible deployments are accepted too). */
  readonly secretKey: string;
  /** Default `https://gate.ummah.com/api/v1/`; point it at any CHIP-compatible deployment or the sandbox. */
  readonly baseUrl?: string;
  /** Mode for keys without an `sk_test_`/`sk_live_` prefix (default 'live', the safe assumption). */
  readonly mode?: UmmahMode;
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
 * The whole Ummah REST API: core's ApiClient over the endpoint table. Every method goes through one request
 * path: input validated against the documented limits before sending, path parameters encoded, idempotency keys
 * on POSTs, responses validated, errors mapped onto core's hierarchy.
 */
export class UmmahClient {
  readonly mode: UmmahMode;
  readonly baseUrl: string;
  readonly api: ApiClient;

  readonly purchases: Resource<Endpoints['purchases']>;
  readonly paymentMethods: Resource<Endpoints['paymentMethods']>;
  readonly payoutMethods: Resource<Endpoints['payoutMethods']>;
  readonly billingTemplates: Resource<Endpoints['billingTemplates']>;
  readonly billing: Resource<Endpoints['billing']>;
  readonly clients: Resource<Endpoints['clients']>;
  readonly balance: Resource<Endpoints['balance']>;
  readonly account: Resource<Endpoints['account']>;
  readonly companyStatements: Resource<Endpoints['companyStatements']>;
  readonly webhooks: Resource<Endpoints['webhooks']>;
  readonly publicKey: Resource<Endpoints['publicKey']>;

  constructor(options: UmmahClientOptions) {
    this.mode = parseSecretKey(options.secretKey, options.mode);
    this.baseUrl = options.baseUrl ?? DEFAULT_BASE_URL;
    const secrets = [options.secretKey];
    this.api = new ApiClient({
      baseUrl: this.baseUrl,
      gateway: 'ummah',
      gatewayName: 'Ummah',
      auth: { type: 'bearer', token: options.secretKey },
      secrets,
      mapError: (response) => ummahErrorFromResponse(response, secrets),
      // Ummah's 409 means "not allowed in this state", which a retry cannot change; only a 409 whose code says
      // the object is locked by a concurrent request is transient.
      isRetryableConflict: (response) =>
        readUmmahErrorBody(409, response.body).codes.some((c) => LOCK_CODES.has(c)),
      // A dead recurring token stays dead: never retry it, whatever the status.
      isFinal: (response) =>
        readUmmahErrorBody(response.statusCode, response.body).codes.includes('invalid_recurring_token'),
      // Core's field details and path messages are the DRF wording Ummah's schemas and 400s use.
      userAgent: options.userAgent ?? USER_AGENT,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
      ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
      ...(options.backoffBaseMs !== undefined ? { backoffBaseMs: options.backoffBaseMs } : {}),
      ...(options.jitterMs !== undefined ? { jitterMs: options.jitterMs } : {}),
      ...(options.maxRetryAfterMs !== undefined ? { maxRetryAfterMs: options.maxRetryAfterMs } : {}),
    });

    this.purchases = this.api.bind(ENDPOINTS.purchases);
    this.paymentMethods = this.api.bind(ENDPOINTS.paymentMethods);
    this.payoutMethods = this.api.bind(ENDPOINTS.payoutMethods);
    this.billingTemplates = this.api.bind(ENDPOINTS.billingTemplates);
    this.billing = this.api.bind(ENDPOINTS.billing);
    this.clients = this.api.bind(ENDPOINTS.clients);
    this.balance = this.api.bind(ENDPOINTS.balance);
    this.account = this.api.bind(ENDPOINTS.account);
    this.companyStatements = this.api.bind(ENDPOINTS.companyStatements);
    this.webhooks = this.api.bind(ENDPOINTS.webhooks);
    this.publicKey = this.api.bind(ENDPOINTS.publicKey);
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

  /** Every item of a `{results, next}` list, following `next` links page by page. */
  iterate<Item>(
    endpoint: Endpoint<string, z.ZodType | undefined, z.ZodType, Item>,
    params: PathParams = {},
    input?: unknown,
    options: RequestOptions = {},
  ): AsyncIterable<Item> {
    return this.api.iterate(endpoint, params, input, options);
  }
}
