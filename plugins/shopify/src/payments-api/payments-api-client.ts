import { createGraphQLClient, type ClientResponse } from '@shopify/graphql-client';
import {
  AuthenticationError,
  ConfigurationError,
  ConnectionError,
  GatewayError,
  InvalidRequestError,
  InvalidResponseError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  type TijaraError,
} from '@tijara/core';
import { assertApiVersion, assertShopDomain } from '../shop-domain.js';
import { MUTATIONS, type MutationName, type SessionStateCode } from './mutations.js';

export interface PaymentsApiClientOptions {
  /** `example.myshopify.com` */
  readonly shop: string;
  /** The shop's offline access token (from OAuth). */
  readonly accessToken: string;
  /** The version Shopify named in `Shopify-Api-Version` of the session request this call follows. */
  readonly apiVersion: string;
  /** Replaces global fetch (a proxy, or a local fake Shopify in tests). */
  readonly fetch?: typeof fetch;
  /** Per request (default 15 s). */
  readonly timeoutMs?: number;
}

export interface ShopifyUserError {
  readonly field: readonly string[] | null;
  readonly message: string;
  readonly code?: string | null;
}

/** What a session mutation answered, read into plain fields. */
export interface MutationResult {
  /** The session's state after the mutation, when Shopify returned the session. */
  readonly state: SessionStateCode | 'REDIRECTING' | 'BUYER_ACTION_REQUIRED' | 'CONFIRMING' | undefined;
  /** Rejection reason when `state` is REJECTED. */
  readonly reason: string | undefined;
  /** Where the buyer must be sent next (payment sessions). */
  readonly redirectUrl: string | undefined;
  readonly userErrors: readonly ShopifyUserError[];
  /** The mutation's effect is in place: no user errors, or the session already sits in the mutation's target state. */
  readonly done: boolean;
}

export interface PaymentsApiClient {
  readonly url: string;
  readonly apiVersion: string;
  /** Send one mutation. Transport, HTTP and top-level GraphQL errors throw typed errors; userErrors are returned. */
  mutate(
    name: MutationName,
    variables: Readonly<Record<string, unknown>>,
    signal?: AbortSignal,
  ): Promise<MutationResult>;
}

const GATEWAY = 'shopify';

/**
 * The Payments Apps GraphQL API: `https://{shop}/payments_apps/api/{version}/graphql.json` — not `/admin/api`,
 * which knows none of these mutations. `@shopify/shopify-api` has no client for it, so this is
 * `@shopify/graphql-client` with the errors mapped onto core's hierarchy: throttling (HTTP 429, or HTTP 200 with a
 * THROTTLED error) is a RateLimitError, 5xx a GatewayError, a lost connection a ConnectionError — all retryable by
 * the outbox; a refused document is an InvalidRequestError (a bug, never retried blindly).
 */
export function createPaymentsApiClient(options: PaymentsApiClientOptions): PaymentsApiClient {
  const problems: string[] = [];
  if (!options || typeof options !== 'object')
    throw new ConfigurationError('createPaymentsApiClient needs options');
  if (typeof options.accessToken !== 'string' || options.accessToken === '') problems.push('accessToken');
  if (typeof options.shop !== 'string' || options.shop === '') problems.push('shop');
  if (typeof options.apiVersion !== 'string' || options.apiVersion === '') problems.push('apiVersion');
  if (problems.length > 0) {
    throw new ConfigurationError(`createPaymentsApiClient is missing: ${problems.join(', ')}`);
  }
  const shop = assertShopDomain(options.shop);
  const apiVersion = assertApiVersion(options.apiVersion);
  const url = `https://${shop}/payments_apps/api/${apiVersion}/graphql.json`;
  const secrets = [options.accessToken];
  const timeoutMs = options.timeoutMs ?? 15_000;
  const client = createGraphQLClient({
    url,
    headers: { 'Content-Type': 'application/json', 'X-Shopify-Access-Token': options.accessToken },
    retries: 0,
    ...(options.fetch ? { customFetchApi: options.fetch } : {}),
  });

  return {
    url,
    apiVersion,
    async mutate(name, variables, signal) {
      const spec = MUTATIONS[name];
      const timeout = AbortSignal.timeout(timeoutMs);
      const response = await client.request(spec.document, {
        variables: { ...variables },
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      if (response.errors) throw toError(name, response.errors, secrets);
      return readResult(name, response.data);
    },
  };
}

function readResult(name: MutationName, data: unknown): MutationResult {
  const spec = MUTATIONS[name];
  const payload = (data as Record<string, unknown> | undefined)?.[name] as
    Record<string, unknown> | null | undefined;
  if (!payload || typeof payload !== 'object') {
    throw new InvalidResponseError(`Shopify answered ${name} without its payload`, { gateway: GATEWAY });
  }
  const userErrors = Array.isArray(payload.userErrors) ? (payload.userErrors as ShopifyUserError[]) : [];
  const session = payload[spec.payloadKey] as
    | {
        state?: { code?: string; reason?: string };
        nextAction?: { context?: { redirectUrl?: string } } | null;
      }
    | null
    | undefined;
  const state = session?.state?.code as MutationResult['state'];
  const done = userErrors.length === 0 || (spec.target !== undefined && state === spec.target);
  return {
    state,
    reason: session?.state?.reason,
    redirectUrl: session?.nextAction?.context?.redirectUrl ?? undefined,
    userErrors,
    done,
  };
}

interface ResponseErrorsShape {
  readonly networkStatusCode?: number;
  readonly message?: string;
  readonly graphQLErrors?: readonly { message?: string; extensions?: { code?: string } }[];
  readonly response?: Response;
}

function toError(
  name: MutationName,
  errors: NonNullable<ClientResponse['errors']>,
  secrets: string[],
): TijaraError {
  const shape = errors as ResponseErrorsShape;
  const status = shape.networkStatusCode;
  const requestId = shape.response?.headers.get('x-request-id') ?? undefined;
  const base = { gateway: GATEWAY, secrets, ...(requestId ? { requestId } : {}) };
  const gqlErrors = shape.graphQLErrors ?? [];
  if (status === undefined) {
    // fetch itself failed (refused, reset, timed out): Shopify may have applied the mutation; repeating it is safe.
    return new ConnectionError(`${name}: no answer from Shopify (${shape.message ?? 'network error'})`, {
      ...base,
      outcomeUnknown: true,
    });
  }
  const codes = gqlErrors.map((e) => e.extensions?.code).filter((c): c is string => typeof c === 'string');
  const messages = gqlErrors.map((e) => e.message ?? '').filter(Boolean);
  if (status === 429 || codes.includes('THROTTLED')) {
    const retryAfter = Number(shape.response?.headers.get('retry-after'));
    return new RateLimitError(`${name}: throttled by Shopify`, {
      ...base,
      statusCode: status,
      code: 'THROTTLED',
      ...(Number.isFinite(retryAfter) && retryAfter > 0
        ? { retryAfterMs: Math.ceil(retryAfter * 1000) }
        : {}),
    });
  }
  const detail = messages.length > 0 ? messages.join('; ') : (shape.message ?? `HTTP ${status}`);
  if (status === 401)
    return new AuthenticationError(`${name}: Shopify refused the access token`, {
      ...base,
      statusCode: status,
    });
  if (status === 403 || codes.includes('ACCESS_DENIED')) {
    return new PermissionError(`${name}: ${detail}`, { ...base, statusCode: status, code: 'ACCESS_DENIED' });
  }
  if (status === 404) return new NotFoundError(`${name}: ${detail}`, { ...base, statusCode: status });
  if (status >= 500)
    return new GatewayError(`${name}: Shopify answered ${status}`, { ...base, statusCode: status });
  if (status >= 400) return new InvalidRequestError(`${name}: ${detail}`, { ...base, statusCode: status });
  if (gqlErrors.length === 0) {
    return new InvalidResponseError(`${name}: ${detail}`, { ...base, statusCode: status });
  }
  if (codes.includes('INTERNAL_SERVER_ERROR')) {
    return new GatewayError(`${name}: ${detail}`, {
      ...base,
      statusCode: status,
      code: 'INTERNAL_SERVER_ERROR',
    });
  }
  return new InvalidRequestError(`${name}: ${detail}`, {
    ...base,
    statusCode: status,
    code: codes[0] ?? 'graphql_error',
  });
}
