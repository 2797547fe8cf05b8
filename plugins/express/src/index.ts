export { createTijaraExpress, DEFAULT_DATABASE, type TijaraExpress } from './create-tijara-express.js';
export type {
  AdminOptions,
  CheckoutOptions,
  CheckoutResult,
  GetOrder,
  PaymentEvent,
  PaymentEventHandler,
  PaymentEventHandlers,
  ReconcileOptions,
  RefundRequest,
  ReturnContext,
  StoreOrder,
  TijaraExpressOptions,
  WebhookOptions,
} from './types.js';
export type { TijaraRouter } from './router.js';
export { keepRawBody } from './raw-body.js';
export {
  NoPaymentError,
  OrderNotFoundError,
  RefundLimitError,
  StoreCallbackError,
  type RefundLimitDetails,
} from './errors.js';
export * from './ledger/types.js';
export { SqliteLedger, type SqliteLedgerOptions } from './ledger/sqlite-ledger.js';
export {
  PostgresLedger,
  postgresLedgerSchemaSql,
  type PostgresLedgerOptions,
} from './ledger/postgres-ledger.js';
export { openBackends, type BackendOptions, type Backends } from './ledger/open-backends.js';
