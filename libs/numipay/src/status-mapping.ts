import type { PaymentStatus } from '@tijara/core';

/**
 * Numipay transaction status → core's normalized status, for deposits. The seed shows `successful`, `rejected`
 * and `pending`; the others are the outcomes an orchestrator reports through its providers. Matching ignores case.
 *
 * - `pending` → pending: the buyer may still be at the cashier or the 3-D Secure step. It is not final, so the
 *   reconciler keeps asking.
 * - `approved` → paid: for a deposit, the provider approved the payment.
 * - an unknown status → processing: not final; the raw status is kept on the Payment.
 */
export const DEPOSIT_STATUS_MAP: Readonly<Record<string, PaymentStatus>> = {
  created: 'pending',
  pending: 'pending',
  processing: 'processing',
  in_progress: 'processing',
  successful: 'paid',
  success: 'paid',
  approved: 'paid',
  completed: 'paid',
  rejected: 'failed',
  declined: 'failed',
  failed: 'failed',
  error: 'failed',
  cancelled: 'canceled',
  canceled: 'canceled',
  expired: 'expired',
  refunded: 'refunded',
  chargeback: 'disputed',
};

export const UNKNOWN_STATUS_FALLBACK: PaymentStatus = 'processing';

export function normalizeDepositStatus(raw: string): PaymentStatus {
  const key = raw.trim().toLowerCase();
  return Object.hasOwn(DEPOSIT_STATUS_MAP, key)
    ? (DEPOSIT_STATUS_MAP[key] as PaymentStatus)
    : UNKNOWN_STATUS_FALLBACK;
}

/**
 * Where a payout stands. A payout waits for the merchant's approval in `pending`, and stays `pending` after it
 * while the provider pays out (the seed's approve answer says so): the status alone cannot tell the two apart.
 */
export type PayoutStatus = 'pending' | 'processing' | 'paid' | 'rejected' | 'failed' | 'canceled';

export const PAYOUT_STATUS_MAP: Readonly<Record<string, PayoutStatus>> = {
  created: 'pending',
  pending: 'pending',
  processing: 'processing',
  in_progress: 'processing',
  approved: 'processing',
  successful: 'paid',
  success: 'paid',
  completed: 'paid',
  rejected: 'rejected',
  declined: 'rejected',
  failed: 'failed',
  error: 'failed',
  cancelled: 'canceled',
  canceled: 'canceled',
};

export function normalizePayoutStatus(raw: string): PayoutStatus {
  const key = raw.trim().toLowerCase();
  return Object.hasOwn(PAYOUT_STATUS_MAP, key) ? (PAYOUT_STATUS_MAP[key] as PayoutStatus) : 'processing';
}
