import { drivers } from '@tijara/core';
import { createNumipayDriver } from './driver.js';

export * from './schemas.js';
export { DEFAULT_PATHS, numipayEndpoints, type NumipayEndpoints, type NumipayPaths } from './endpoints.js';
export { DEFAULT_BASE_URL, NumipayClient, type NumipayClientOptions, type RequestOptions } from './client.js';
export { numipayErrorFromResponse, readNumipayErrorBody, type NumipayErrorInfo } from './error-mapping.js';
export {
  DEPOSIT_STATUS_MAP,
  normalizeDepositStatus,
  normalizePayoutStatus,
  PAYOUT_STATUS_MAP,
  UNKNOWN_STATUS_FALLBACK,
  type PayoutStatus,
} from './status-mapping.js';
export { createTrackingId, parseTrackingId, type TrackingId } from './tracking-id.js';
export { formatNumipayDate, MAX_RANGE_DAYS, splitDateRange, type DateWindow } from './date-ranges.js';
export {
  cashierAction,
  defaultSettings,
  serverToServerToPayment,
  statusToPayment,
  toNumipayAmount,
  toNumipayCustomer,
  toTransaction,
  userIdFor,
  type NumipayPaymentExtras,
  type NumipayPaymentInput,
  type NumipayTransaction,
} from './transformers.js';
export { parseNumipayEvent } from './webhook-events.js';
export { createNumipayWebhookVerifier, SIGNATURE_HEADER, signNumipayPayload } from './webhook-verifier.js';
export {
  createNumipayDriver,
  DEFAULT_CASHIER_URL,
  NUMIPAY_CAPABILITIES,
  NumipayDriver,
  type CardPaymentResult,
  type NumipayDriverOptions,
  type NumipayWebhookOptions,
  type Payout,
  type PayoutInput,
  type PayoutSession,
} from './driver.js';

// Importing the package makes `drivers.create('numipay', options)` work, which is how plugins are configured.
if (!drivers.has('numipay')) drivers.register('numipay', createNumipayDriver);
