export {
  createShopifyPaymentsApp,
  DEFAULT_API_VERSION,
  DEFAULT_DATABASE,
  DEFAULT_PATHS,
  PAYMENTS_APP_SCOPES,
  type AppPaths,
  type OutboxOptions,
  type ShopifyPaymentsApp,
  type ShopifyPaymentsAppOptions,
} from './create-shopify-payments-app.js';
export type { ShopifyAlert } from './app-core.js';
export type { CredentialField, DriverContext, GatewayOption } from './gateways.js';
export {
  followUpProblem,
  purchaseTypeProblem,
  shopifyCapabilityProblems,
  shopifyLimitations,
} from './gateways.js';
export type { HandlerResponse } from './http/node-http.js';
export { createMtlsVerifier, mtlsServerOptions, type MtlsOptions, type MtlsResult } from './mtls.js';
export {
  createPaymentsApiClient,
  type MutationResult,
  type PaymentsApiClient,
  type PaymentsApiClientOptions,
  type ShopifyUserError,
} from './payments-api/payments-api-client.js';
export { MUTATIONS, type MutationName } from './payments-api/mutations.js';
export { rejectCodeFor, rejectReasonOf } from './outcomes.js';
export type { SessionHandler, SessionHandlers, SessionRequest } from './session-handlers.js';
export { SqliteSessionStorage, type SqliteSessionStorageOptions } from './merchant/sqlite-session-storage.js';
export {
  openPostgresSessionStorage,
  type PostgresSessionStorage,
  type PostgresSessionStorageOptions,
} from './merchant/postgres-session-storage.js';
export {
  fakeShopifyFetch,
  startFakeShopify,
  type FakeShopify,
  type FakeShopifyOptions,
  type RecordedMutation,
} from './testing/fake-shopify.js';
export { loadPaymentsSchema, PAYMENTS_SCHEMA_VERSION } from './testing/payments-schema.js';
