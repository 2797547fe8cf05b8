import { drivers } from '@tijara/core';
import { createUhmiDriver } from './driver.js';

export * from './schemas.js';
export { ENDPOINTS, type Endpoints } from './endpoints.js';
export {
  DEFAULT_BASE_URL,
  UhmiClient,
  type RequestOptions,
  type Resource,
  type UhmiClientOptions,
} from './client.js';
export { readUhmiErrorBody, uhmiErrorFromResponse, type UhmiErrorInfo } from './error-mapping.js';
export { MAX_PRICE, MIN_PAID_PRICE, minorUnitsToPrice, priceToMinorUnits, UHMI_CURRENCY } from './price.js';
export {
  normalizePaymentStatus,
  normalizeTransactionStatus,
  PAYMENT_STATUS_MAP,
  TRANSACTION_STATUS_MAP,
  UNKNOWN_STATUS_FALLBACK,
} from './status-mapping.js';
export {
  DEFAULT_WIDGET_SCRIPT_URL,
  linkedTransactionId,
  METADATA_KEYS,
  paymentToPayment,
  toCreatePaymentRequest,
  transactionToPayment,
  widgetAction,
  type PaymentDefaults,
  type SubscriptionOptions,
  type WidgetOptions,
} from './transformers.js';
export { createUhmiDriver, UHMI_CAPABILITIES, UhmiDriver, type UhmiDriverOptions } from './driver.js';

// Importing the package makes `drivers.create('uhmi', options)` work, which is how plugins are configured.
if (!drivers.has('uhmi')) drivers.register('uhmi', createUhmiDriver);
