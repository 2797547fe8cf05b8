/**
 * Row ⇄ object mapping, the same for both backends: column names are shared, times are epoch milliseconds, JSON is
 * text, and PostgreSQL's BIGINT (returned as a string) goes through `Number`. Amounts are integers far below
 * 2^53 (`assertMinorUnits` in core refuses anything else).
 */
import type { CaptureMode, NextAction, PaymentStatus } from '@tijara/core';
import type { Row } from './sql/program.js';
import type { SqlValue } from './sql/statement.js';
import type {
  ClaimedMessage,
  JsonObject,
  JsonValue,
  LedgerOperation,
  LedgerPayment,
  LedgerSavedMethod,
  OperationKind,
  OperationStatus,
  OutboxMessage,
  OutboxStatus,
} from './types.js';

const int = (value: unknown): number => Number(value);
const text = (value: unknown): string => String(value);
const optionalText = (value: unknown): string | undefined =>
  value === null || value === undefined ? undefined : String(value);
const optionalInt = (value: unknown): number | undefined =>
  value === null || value === undefined ? undefined : Number(value);
const optionalDate = (value: unknown): Date | undefined =>
  value === null || value === undefined ? undefined : new Date(Number(value));

const EMPTY = '{}';

export function parseJson<T extends JsonValue>(value: unknown, fallback: T): T {
  if (value === null || value === undefined) return fallback;
  if (value === EMPTY && typeof fallback === 'object' && fallback !== null && !Array.isArray(fallback)) {
    return {} as T;
  }
  return JSON.parse(String(value)) as T;
}

/** Parameter values: undefined and null are NULL, Dates are epoch ms, booleans 0/1, objects JSON. */
export function sqlValue(value: unknown): SqlValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.getTime();
  return JSON.stringify(value);
}

export function paymentFromRow(row: Row): LedgerPayment {
  return {
    key: text(row.key),
    gateway: text(row.gateway),
    paymentId: optionalText(row.payment_id),
    orderId: text(row.order_id),
    attempt: int(row.attempt),
    amount: int(row.amount),
    currency: text(row.currency),
    captureMode: text(row.capture_mode) as CaptureMode,
    status: text(row.status) as PaymentStatus,
    capturedAmount: int(row.captured_amount),
    refundedAmount: int(row.refunded_amount),
    authorizationExpiresAt: optionalDate(row.authorization_expires_at),
    customerKey: optionalText(row.customer_key),
    nextAction:
      row.next_action === null || row.next_action === undefined
        ? undefined
        : (JSON.parse(String(row.next_action)) as NextAction),
    idempotencyKey: optionalText(row.idempotency_key),
    metadata: parseJson<JsonObject>(row.metadata, {}),
    version: int(row.version),
    createdAt: new Date(int(row.created_at)),
    updatedAt: new Date(int(row.updated_at)),
  };
}

export function operationFromRow(row: Row): LedgerOperation {
  return {
    id: text(row.id),
    kind: text(row.kind) as OperationKind,
    paymentKey: text(row.payment_key),
    orderId: text(row.order_id),
    amount: optionalInt(row.amount),
    currency: text(row.currency),
    status: text(row.status) as OperationStatus,
    gatewayId: optionalText(row.gateway_id),
    reason: optionalText(row.reason),
    failure: optionalText(row.failure),
    metadata: parseJson<JsonObject>(row.metadata, {}),
    createdAt: new Date(int(row.created_at)),
    updatedAt: new Date(int(row.updated_at)),
  };
}

export function messageFromRow(row: Row): OutboxMessage {
  return {
    id: text(row.id),
    topic: text(row.topic),
    stream: text(row.stream),
    sequence: int(row.sequence),
    payload: JSON.parse(String(row.payload)) as unknown,
    status: text(row.status) as OutboxStatus,
    attempts: int(row.attempts),
    availableAt: new Date(int(row.available_at)),
    lastError: optionalText(row.last_error),
    createdAt: new Date(int(row.created_at)),
    deliveredAt: optionalDate(row.delivered_at),
  };
}

export function claimedFromRow(row: Row): ClaimedMessage {
  return { ...messageFromRow(row), fence: int(row.fence), leaseUntil: new Date(int(row.lease_until)) };
}

export function savedMethodFromRow(row: Row): LedgerSavedMethod {
  return {
    id: text(row.id),
    customerKey: text(row.customer_key),
    gateway: text(row.gateway),
    token: text(row.token),
    brand: optionalText(row.brand),
    last4: optionalText(row.last4),
    expiryMonth: optionalInt(row.expiry_month),
    expiryYear: optionalInt(row.expiry_year),
    holderName: optionalText(row.holder_name),
    sourcePaymentId: text(row.source_payment_id),
    createdAt: new Date(int(row.created_at)),
  };
}
