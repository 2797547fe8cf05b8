export { createTijaraExpress, DEFAULT_DATABASE, type TijaraExpress } from './create-tijara-express.js';
export type {
  ActionPageContext,
  AdminOptions,
  CheckoutOptions,
  CheckoutResult,
  DeliveryOptions,
  GetOrder,
  LedgerPayment,
  LedgerRefund,
  PaymentEvent,
  PaymentEventHandler,
  PaymentEventHandlers,
  PaymentKind,
  ReconcileOptions,
  RefundRequest,
  RefundStatus,
  ReturnContext,
  StoreOrder,
  TijaraExpressOptions,
  WebhookOptions,
} from './types.js';
export type { LedgerSavedMethod } from '@tijara/ledger';
export type { TijaraRouter } from './router.js';
export { keepRawBody } from './raw-body.js';
export {
  NoPaymentError,
  OrderNotFoundError,
  RefundLimitError,
  StoreCallbackError,
  type RefundLimitDetails,
} from './errors.js';
