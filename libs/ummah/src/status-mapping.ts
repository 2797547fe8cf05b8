import type { PaymentStatus } from '@tijara/core';
import { PURCHASE_STATUSES, type PurchaseStatus } from './schemas/index.js';

/**
 * Ummah purchase status → core's normalized status. A `Record` over the documented list, so adding a status to
 * PURCHASE_STATUSES without mapping it is a compile error (and the exhaustive test fails too).
 *
 * Decisions worth knowing:
 * - `overdue` → pending: the due date has passed but the buyer can still pay (seed 004). Calling it expired would
 *   be final and make a store cancel an order that may still be paid. Only `expired` (due_strict) is expired.
 * - `preauthorized` → paid: a zero-amount card verification that saved the card. There is nothing to capture or
 *   release, so "authorized" would leave it open forever; it is complete, with a captured amount of 0.
 * - every `pending_*` → processing, including `pending_refund` and `pending_recurring_token_delete` on a paid
 *   purchase: the money is still captured, and core's transition rules treat paid → processing as a stale report.
 * - `refunded` → refunded, or partially_refunded when less than the captured amount was refunded
 *   (see normalizePurchaseStatus).
 */
export const PURCHASE_STATUS_MAP: Readonly<Record<PurchaseStatus, PaymentStatus>> = {
  created: 'pending',
  sent: 'pending',
  viewed: 'pending',
  overdue: 'pending',
  error: 'failed',
  blocked: 'failed',
  cancelled: 'canceled',
  released: 'canceled',
  expired: 'expired',
  hold: 'authorized',
  preauthorized: 'paid',
  pending_release: 'processing',
  pending_capture: 'processing',
  pending_execute: 'processing',
  pending_charge: 'processing',
  pending_refund: 'processing',
  pending_recurring_token_delete: 'processing',
  paid: 'paid',
  cleared: 'paid',
  settled: 'paid',
  chargeback: 'disputed',
  refunded: 'refunded',
};

/**
 * A status the gateway adds later is treated as `processing`: not final, so nothing is fulfilled or cancelled on
 * it and reconciliation keeps asking until a known status arrives. The raw status is kept on the Payment.
 */
export const UNKNOWN_STATUS_FALLBACK: PaymentStatus = 'processing';

export function isKnownPurchaseStatus(status: string): status is PurchaseStatus {
  return (PURCHASE_STATUSES as readonly string[]).includes(status);
}

/** Pure: the normalized status of a purchase, given its raw status and what was captured and refunded. */
export function normalizePurchaseStatus(
  rawStatus: string,
  amounts: { readonly capturedAmount: number; readonly refundedAmount: number } = {
    capturedAmount: 0,
    refundedAmount: 0,
  },
): PaymentStatus {
  if (!isKnownPurchaseStatus(rawStatus)) return UNKNOWN_STATUS_FALLBACK;
  const status = PURCHASE_STATUS_MAP[rawStatus];
  if (
    status === 'refunded' &&
    amounts.refundedAmount > 0 &&
    amounts.refundedAmount < amounts.capturedAmount
  ) {
    return 'partially_refunded';
  }
  return status;
}
