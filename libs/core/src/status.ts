/**
 * The one status vocabulary. Every package asks this module what a normalized status means — whether it is final,
 * whether money stands behind it, what can still be captured, released, cancelled or refunded, and what the
 * reconciler must keep sweeping — instead of keeping its own sets.
 */

/** Normalized payment status shared by every driver. The gateway's own status is kept as `rawStatus`. */
export const PAYMENT_STATUSES = [
  /** Awaiting the buyer (a hosted page, a widget, a redirect not yet taken). */
  'pending',
  /** The buyer acted; the gateway or the bank has not decided yet (`pending_*`). */
  'processing',
  /**
   * Funds are held: a manual-capture hold, or an approval that is not a sale yet on a gateway whose approvals need
   * a capture to finalise (`captureOnApproval`).
   */
  'authorized',
  /** Captured, nothing refunded. */
  'paid',
  'partially_refunded',
  'refunded',
  /** Cancelled before payment, or a hold released. No money was taken. */
  'canceled',
  /** Declined, blocked or errored. The buyer may try again on a new attempt. */
  'failed',
  /** Never paid in time (or an approval never captured in time). */
  'expired',
  /** A chargeback: the money is contested. */
  'disputed',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

const set = (...statuses: PaymentStatus[]): ReadonlySet<PaymentStatus> => new Set(statuses);

/** Statuses after which nothing more happens without a new action by the merchant. */
export const FINAL_STATUSES = set(
  'paid',
  'partially_refunded',
  'refunded',
  'canceled',
  'failed',
  'expired',
  'disputed',
);

/** Money stands behind the payment (held or captured): never start another payment for the same order. */
export const FUNDED_STATUSES = set('authorized', 'paid', 'partially_refunded', 'refunded', 'disputed');

/** Captured at some point: the order was a sale. */
export const CAPTURED_STATUSES = set('paid', 'partially_refunded', 'refunded', 'disputed');

/** The payment can never take money any more. */
export const CLOSED_STATUSES = set('canceled', 'expired');

/** Still waiting for an outcome that will come without the merchant acting. */
export const AWAITING_STATUSES = set('pending', 'processing');

export function isFinal(status: PaymentStatus): boolean {
  return FINAL_STATUSES.has(status);
}

export function isFunded(status: PaymentStatus): boolean {
  return FUNDED_STATUSES.has(status);
}

export function isCaptured(status: PaymentStatus): boolean {
  return CAPTURED_STATUSES.has(status);
}

export function isClosed(status: PaymentStatus): boolean {
  return CLOSED_STATUSES.has(status);
}

/** A hold that can be captured (in full or, where the gateway allows, in part). */
export function isCapturable(status: PaymentStatus): boolean {
  return status === 'authorized';
}

/** A hold that can be let go. */
export function isReleasable(status: PaymentStatus): boolean {
  return status === 'authorized';
}

/** An unpaid payment that can be stopped: the buyer has not paid, or was declined and could try again. */
export function isCancelable(status: PaymentStatus): boolean {
  return status === 'pending' || status === 'failed';
}

/** Something captured is left to refund (the amount decides how much). */
export function isRefundable(status: PaymentStatus): boolean {
  return status === 'paid' || status === 'partially_refunded';
}

/** How a payment was asked to settle; decides whether an `authorized` payment is waiting for someone. */
export interface SweepContext {
  /** The capture mode the payment was created with. */
  readonly captureMode: 'automatic' | 'manual';
  /** The driver's `capabilities.captureOnApproval`: an approval must still be captured to become a sale. */
  readonly captureOnApproval: boolean;
}

/**
 * What the reconciler keeps re-reading: payments waiting for the buyer or the bank, and approvals that the suite
 * itself must still capture (automatic capture on a capture-on-approval gateway) — a crash between approval and
 * capture must not leave a buyer approved and the merchant unpaid. A manual-capture hold waits for the merchant,
 * not for the gateway, and is not swept.
 */
export function needsSweep(status: PaymentStatus, context: SweepContext): boolean {
  if (AWAITING_STATUSES.has(status)) return true;
  return status === 'authorized' && context.captureMode === 'automatic' && context.captureOnApproval;
}

/**
 * Whether the suite must capture this payment now: an approval on a capture-on-approval gateway for a payment the
 * store wanted captured automatically.
 */
export function needsCaptureOnApproval(status: PaymentStatus, context: SweepContext): boolean {
  return status === 'authorized' && context.captureMode === 'automatic' && context.captureOnApproval;
}

/**
 * Which moves the gateway's truth may make from the status a store last settled. Anything else is a stale or
 * out-of-order report of an earlier state and is ignored. Failed, canceled and expired payments may still become
 * paid: when the gateway says money was taken, the order must record it.
 */
const FORWARD: Record<PaymentStatus, ReadonlySet<PaymentStatus>> = (() => {
  const paidOrLater: PaymentStatus[] = ['paid', 'partially_refunded', 'refunded', 'disputed'];
  return {
    pending: set('processing', 'authorized', 'failed', 'canceled', 'expired', ...paidOrLater),
    processing: set('authorized', 'failed', 'canceled', 'expired', ...paidOrLater),
    authorized: set('canceled', 'expired', 'failed', ...paidOrLater),
    failed: set('processing', 'authorized', 'canceled', 'expired', ...paidOrLater),
    canceled: set(...paidOrLater),
    expired: set(...paidOrLater),
    paid: set('partially_refunded', 'refunded', 'disputed'),
    partially_refunded: set('refunded', 'disputed'),
    refunded: set('disputed'),
    disputed: set('paid', 'partially_refunded', 'refunded'),
  };
})();

/** True when moving from `from` to `to` would go backwards (a stale or out-of-order report). */
export function isRegression(from: PaymentStatus, to: PaymentStatus): boolean {
  return from !== to && !FORWARD[from].has(to);
}
