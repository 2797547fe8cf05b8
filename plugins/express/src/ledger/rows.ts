/**
 * Row ⇄ object mapping shared by the SQLite and PostgreSQL ledgers. Column names are the same in both; times are
 * stored as epoch milliseconds and amounts as integers (PostgreSQL returns BIGINT as a string, hence `int`).
 */
import { ConfigurationError, ConflictError, type CaptureMode, type PaymentStatus } from '@tijara/core';
import type { LedgerPayment, LedgerRefund, LedgerSavedMethod, PaymentKind, RefundStatus } from './types.js';

export type Row = Record<string, unknown>;

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

export const DEFAULT_LEDGER_TABLE_PREFIX = 'tijara_express_';

export interface LedgerTables {
  readonly payments: string;
  readonly refunds: string;
  readonly savedMethods: string;
  readonly deliveries: string;
}

/** Table names are spliced into SQL, so only plain lower-case identifiers are accepted. */
export function ledgerTables(prefix = DEFAULT_LEDGER_TABLE_PREFIX, schema?: string): LedgerTables {
  if (!IDENTIFIER.test(prefix) || prefix.length > 40) {
    throw new ConfigurationError(
      `Invalid ledger table prefix "${prefix}": use lower-case letters, digits and _`,
    );
  }
  if (schema !== undefined && !IDENTIFIER.test(schema)) {
    throw new ConfigurationError(`Invalid ledger schema "${schema}": use lower-case letters, digits and _`);
  }
  const q = (name: string) => (schema === undefined ? `${prefix}${name}` : `${schema}.${prefix}${name}`);
  return {
    payments: q('payments'),
    refunds: q('refunds'),
    savedMethods: q('saved_methods'),
    deliveries: q('deliveries'),
  };
}

const int = (value: unknown): number => Number(value);
const optionalString = (value: unknown): string | undefined =>
  value === null || value === undefined ? undefined : String(value);
const optionalInt = (value: unknown): number | undefined =>
  value === null || value === undefined ? undefined : Number(value);

export function paymentFromRow(row: Row): LedgerPayment {
  return {
    paymentId: String(row.payment_id),
    orderId: String(row.order_id),
    attempt: int(row.attempt),
    kind: String(row.kind) as PaymentKind,
    amount: int(row.amount),
    currency: String(row.currency),
    captureMode: String(row.capture_mode) as CaptureMode,
    saveMethod: Boolean(int(row.save_method)),
    customerKey: optionalString(row.customer_key),
    status: String(row.status) as PaymentStatus,
    capturedAmount: int(row.captured_amount),
    refundedAmount: int(row.refunded_amount),
    checkoutUrl: optionalString(row.checkout_url),
    idempotencyKey: String(row.idempotency_key),
    version: int(row.version),
    createdAt: new Date(int(row.created_at)),
    updatedAt: new Date(int(row.updated_at)),
  };
}

export function refundFromRow(row: Row): LedgerRefund {
  return {
    id: String(row.refund_id),
    paymentId: String(row.payment_id),
    orderId: String(row.order_id),
    amount: int(row.amount),
    currency: String(row.currency),
    status: String(row.status) as RefundStatus,
    gatewayRefundId: optionalString(row.gateway_refund_id),
    reason: optionalString(row.reason),
    failure: optionalString(row.failure),
    createdAt: new Date(int(row.created_at)),
    updatedAt: new Date(int(row.updated_at)),
  };
}

export function savedMethodFromRow(row: Row): LedgerSavedMethod {
  return {
    id: String(row.method_id),
    customerKey: String(row.customer_key),
    token: String(row.token),
    brand: optionalString(row.brand),
    last4: optionalString(row.last4),
    expiryMonth: optionalInt(row.expiry_month),
    expiryYear: optionalInt(row.expiry_year),
    holderName: optionalString(row.holder_name),
    sourcePaymentId: String(row.source_payment_id),
    createdAt: new Date(int(row.created_at)),
  };
}

/** Statuses the reconciler keeps asking the gateway about. */
export const UNSETTLED_STATUSES: readonly PaymentStatus[] = ['pending', 'processing'];

export function versionConflict(paymentId: string, version: number): ConflictError {
  return new ConflictError(
    `Payment ${paymentId} changed while it was being settled (expected version ${version}); settle it again`,
    { code: 'ledger_version_conflict' },
  );
}
