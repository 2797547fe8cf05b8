import { drivers } from '@tijara/core';
import { createPostpayDriver } from './driver.js';

export * from './schemas/index.js';
export { parseCredentials, type PostpayCredentials, type PostpayMode } from './credentials.js';
export { postpayErrorFromResponse, readPostpayErrorBody, type PostpayErrorInfo } from './error-mapping.js';
export {
  isKnownOrderStatus,
  knownOrderStatus,
  normalizeOrderStatus,
  ORDER_STATUS_MAP,
  UNKNOWN_STATUS_FALLBACK,
} from './status-mapping.js';
export { MAX_REFERENCE_LENGTH, orderIdFor, referenceOf } from './order-ids.js';
export {
  checkoutPayment,
  NO_POSTAL_CODE,
  refundedTotal,
  toCheckoutRequest,
  toPayment,
  toRefund,
  type CheckoutOptions,
  type PaymentMappingOptions,
} from './transformers.js';
export { ORDER_EVENT_TYPES, parsePostpayEvent } from './webhook-events.js';
export { ENDPOINTS, listPostpayEndpoints, type Endpoints } from './endpoints.js';
export {
  LIVE_BASE_URL,
  PostpayClient,
  POSTPAY_MEDIA_TYPE,
  SANDBOX_BASE_URL,
  type ListResult,
  type PathParams,
  type PostpayClientOptions,
  type RequestOptions,
  type Resource,
} from './client.js';
export {
  postpayTestWebhookHeaders,
  PostpayWebhookVerifier,
  SIGNATURE_HEADER,
  type PostpayWebhookOptions,
} from './webhook-verifier.js';
export {
  createPostpayDriver,
  POSTPAY_CAPABILITIES,
  PostpayDriver,
  type PostpayDriverOptions,
} from './driver.js';

// Importing the package makes `drivers.create('postpay', options)` work, which is how plugins are configured.
if (!drivers.has('postpay')) drivers.register('postpay', createPostpayDriver);
