export * from './schemas/index.js';
export {
  basicAuthorization,
  parseCredentials,
  type PostpayCredentials,
  type PostpayMode,
} from './credentials.js';
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
