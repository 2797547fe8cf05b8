import { drivers } from '@tijara/core';
import { createUmmahDriver } from './driver.js';

export * from './schemas/index.js';
export { ENDPOINTS, listEndpoints, type Endpoint, type Endpoints, type NamedEndpoint } from './endpoints.js';
export {
  DEFAULT_BASE_URL,
  UmmahClient,
  type ListResult,
  type PathParams,
  type RequestOptions,
  type Resource,
  type UmmahClientOptions,
} from './client.js';
export { parseSecretKey, type UmmahMode } from './secret-key.js';
export { readUmmahErrorBody, ummahErrorFromResponse, type UmmahErrorInfo } from './error-mapping.js';
export {
  isKnownPurchaseStatus,
  normalizePurchaseStatus,
  PURCHASE_STATUS_MAP,
  UNKNOWN_STATUS_FALLBACK,
} from './status-mapping.js';
export {
  eventTypeForStatus,
  normalizeEventType,
  purchaseTotal,
  savedMethodOf,
  toCreatePurchaseRequest,
  toPayment,
  toRefund,
} from './transformers.js';
export {
  normalizePem,
  parsePublicKey,
  UmmahWebhookVerifier,
  type PublicKeyInput,
  type UmmahWebhookKeyOptions,
} from './webhook-verifier.js';
export { parseUmmahEvent, ummahEventId } from './webhook-events.js';
export {
  generateUmmahTestKeys,
  signUmmahPayload,
  ummahTestWebhookHeaders,
  type UmmahTestKeys,
} from './webhook-signing.js';
export { createUmmahDriver, UMMAH_CAPABILITIES, UmmahDriver, type UmmahDriverOptions } from './driver.js';

// Importing the package makes `drivers.create('ummah', options)` work, which is how plugins are configured.
if (!drivers.has('ummah')) drivers.register('ummah', createUmmahDriver);
