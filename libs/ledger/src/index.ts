export { DEFAULT_LEDGER_URL, Ledger, openLedger, type LedgerOptions } from './ledger.js';
export type { OutboxPolicy } from './context.js';
export type { CreatedPayment, Payments, UnsettledQuery } from './payments.js';
export type { OperationResolution, Operations } from './operations.js';
export type {
  ClaimOptions,
  DeliverOptions,
  FailOutcome,
  MessageHandler,
  Outbox,
  StreamClaim,
} from './outbox.js';
export type { DrainReport, OutboxWorker, OutboxWorkerOptions } from './outbox-worker.js';
export type { LedgerEvents } from './events.js';
export type { SavedMethods } from './saved-methods.js';
export type {
  JournalOptions,
  LedgerJournal,
  LedgerJournalRecord,
  Settlement,
  SettlementMessage,
} from './journal.js';
export { CaptureLimitError, RefundLimitError, type RefundLimitDetails } from './errors.js';
export { DEFAULT_LEDGER_TABLE_PREFIX, MIGRATIONS, type LedgerTables, type Migration } from './schema.js';
export type { PgPoolLike, PgQueryable } from './sql/postgres-executor.js';
export type * from './types.js';
