import type { PaymentStatus } from '@tijara/core';
import { ORDER_STATUSES, type OrderStatus } from './schemas/index.js';

/**
 * Postpay order status → core's normalized status. A `Record` over the known list, so a status added to
 * ORDER_STATUSES without a mapping is a compile error.
 *
 * - `approved` → authorized: the buyer was approved, but an approval is not a sale until the merchant captures it
 *   (seed 003, workflow step 5). The driver declares `captureOnApproval`, so core's pipeline captures it.
 * - `captured` → paid, or partially_refunded / refunded by what the order's refunds add up to (the order itself
 *   keeps `captured`; see normalizeOrderStatus).
 * - `denied` → failed: the buyer may try again, as a new order.
 */
export const ORDER_STATUS_MAP: Readonly<Record<OrderStatus, PaymentStatus>> = {
  pending: 'pending',
  approved: 'authorized',
  captured: 'paid',
  denied: 'failed',
  cancelled: 'canceled',
  expired: 'expired',
};

/**
 * Statuses Postpay may add (or spell differently) are `processing`: not final, so nothing is fulfilled or
 * cancelled on them and the reconciler keeps asking. `refunded`, which some Postpay integrations report for an
 * order refunded in full, is read as captured-then-refunded, since money did move.
 */
export const UNKNOWN_STATUS_FALLBACK: PaymentStatus = 'processing';

const ALIASES: Readonly<Record<string, OrderStatus>> = {
  canceled: 'cancelled',
  refunded: 'captured',
};

export function isKnownOrderStatus(status: string): status is OrderStatus {
  return (ORDER_STATUSES as readonly string[]).includes(status);
}

/** The known status a raw one stands for (case-insensitive, with the aliases above), if any. */
export function knownOrderStatus(rawStatus: string): OrderStatus | undefined {
  const lower = rawStatus.toLowerCase();
  if (isKnownOrderStatus(lower)) return lower;
  return ALIASES[lower];
}

/** Whether the order's money was taken from the buyer (before any refund). */
export function isCapturedOrderStatus(rawStatus: string): boolean {
  return knownOrderStatus(rawStatus) === 'captured';
}

/** Pure: the normalized status of an order, given its raw status and what was captured and refunded. */
export function normalizeOrderStatus(
  rawStatus: string,
  amounts: { readonly capturedAmount: number; readonly refundedAmount: number } = {
    capturedAmount: 0,
    refundedAmount: 0,
  },
): PaymentStatus {
  const known = knownOrderStatus(rawStatus);
  if (!known) return UNKNOWN_STATUS_FALLBACK;
  const status = ORDER_STATUS_MAP[known];
  if (status !== 'paid') return status;
  if (amounts.capturedAmount > 0 && amounts.refundedAmount >= amounts.capturedAmount) return 'refunded';
  if (amounts.refundedAmount > 0) return 'partially_refunded';
  // `refunded` with no refunds listed (a list the driver could not read) is still a refund in full.
  return rawStatus.toLowerCase() === 'refunded' ? 'refunded' : 'paid';
}
