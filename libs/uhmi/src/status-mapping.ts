import type { PaymentStatus } from '@tijara/core';

/**
 * Uhmi transaction status → core's normalized status. The seed shows `paid`; Uhmi's own plugin also knows `open`
 * (a transaction the buyer started that is not final). The rest are the outcomes a widget payment can have,
 * including the buyer's own refund within 24 hours of a refundable payment.
 *
 * - `open` → pending: not final, so nothing is released on it, unless the driver is configured with
 *   `openCountsAsPaid` (what Uhmi's own plugin does; off by default, see the README).
 * - an unknown status → processing: not final, so reconciliation keeps asking; the raw status is kept.
 */
export const TRANSACTION_STATUS_MAP: Readonly<Record<string, PaymentStatus>> = {
  open: 'pending',
  pending: 'processing',
  processing: 'processing',
  paid: 'paid',
  failed: 'failed',
  canceled: 'canceled',
  cancelled: 'canceled',
  expired: 'expired',
  refunded: 'refunded',
  charged_back: 'disputed',
  chargeback: 'disputed',
};

/**
 * Uhmi payment status (of the payment itself, before any transaction) → normalized. An `active` payment awaits a
 * buyer; one that is no longer active can no longer be paid.
 */
export const PAYMENT_STATUS_MAP: Readonly<Record<string, PaymentStatus>> = {
  active: 'pending',
  inactive: 'canceled',
  disabled: 'canceled',
  deleted: 'canceled',
  archived: 'canceled',
};

export const UNKNOWN_STATUS_FALLBACK: PaymentStatus = 'processing';

export interface TransactionStatusOptions {
  /** Treat `open` as `paid` (Uhmi's own plugin does). Off by default: an open transaction may never be paid. */
  readonly openCountsAsPaid?: boolean;
}

export function normalizeTransactionStatus(
  raw: string,
  options: TransactionStatusOptions = {},
): PaymentStatus {
  const key = raw.toLowerCase();
  if (key === 'open' && options.openCountsAsPaid) return 'paid';
  return Object.hasOwn(TRANSACTION_STATUS_MAP, key)
    ? (TRANSACTION_STATUS_MAP[key] as PaymentStatus)
    : UNKNOWN_STATUS_FALLBACK;
}

export function normalizePaymentStatus(raw: string): PaymentStatus {
  const key = raw.toLowerCase();
  return Object.hasOwn(PAYMENT_STATUS_MAP, key)
    ? (PAYMENT_STATUS_MAP[key] as PaymentStatus)
    : UNKNOWN_STATUS_FALLBACK;
}
