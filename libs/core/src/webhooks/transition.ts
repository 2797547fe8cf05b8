import { AmountMismatchError } from '../errors.js';
import type { Payment, PaymentStatus } from '../gateway.js';

/** What a store keeps about the payment of one order; the pipeline moves it forward. */
export interface SettlementRecord {
  readonly orderId: string;
  readonly paymentId: string;
  /** Expected total in minor units. */
  readonly amount: number;
  readonly currency: string;
  /** Last settled normalized status. */
  readonly status: PaymentStatus;
  /** Refunded so far, as last settled (minor units). */
  readonly refundedAmount: number;
}

/** The events a store reacts to. Each is delivered once per real change of the order's payment. */
export type DomainEventType =
  | 'payment.authorized'
  | 'payment.paid'
  | 'payment.failed'
  | 'payment.refunded'
  | 'payment.canceled'
  | 'payment.disputed';

export interface DomainEvent {
  readonly type: DomainEventType;
  readonly orderId: string;
  readonly paymentId: string;
  /**
   * The money this event is about, in minor units: the authorized amount, the captured amount, the newly
   * refunded amount (not the running total), or the order total for failures and cancellations.
   */
  readonly amount: number;
  readonly currency: string;
  /** The payment status after the event. */
  readonly status: PaymentStatus;
  /** Running refunded total after the event. */
  readonly refundedAmount: number;
  readonly payment: Payment;
}

export interface TransitionPlan {
  readonly next: SettlementRecord;
  readonly events: readonly DomainEvent[];
}

const PAID_FAMILY: ReadonlySet<PaymentStatus> = new Set(['paid', 'partially_refunded', 'refunded']);
const OPEN: ReadonlySet<PaymentStatus> = new Set(['pending', 'processing', 'authorized', 'failed']);

const PAID_OR_LATER: readonly PaymentStatus[] = ['paid', 'partially_refunded', 'refunded', 'disputed'];

/**
 * Which moves the gateway's truth may make from the status a store last settled. Anything else is a
 * stale or out-of-order report of an earlier state and is ignored. Failed, canceled and expired payments
 * may still become paid: when the gateway says money was taken, the order must record it.
 */
const ALLOWED: Record<PaymentStatus, ReadonlySet<PaymentStatus>> = {
  pending: new Set(['processing', 'authorized', 'failed', 'canceled', 'expired', ...PAID_OR_LATER]),
  processing: new Set(['authorized', 'failed', 'canceled', 'expired', ...PAID_OR_LATER]),
  authorized: new Set(['canceled', 'expired', 'failed', ...PAID_OR_LATER]),
  failed: new Set(['processing', 'authorized', 'canceled', 'expired', ...PAID_OR_LATER]),
  canceled: new Set(PAID_OR_LATER),
  expired: new Set(PAID_OR_LATER),
  paid: new Set(['partially_refunded', 'refunded', 'disputed']),
  partially_refunded: new Set(['refunded', 'disputed']),
  refunded: new Set(['disputed']),
  disputed: new Set(['paid', 'partially_refunded', 'refunded']),
};

/** True when moving from `from` to `to` would go backwards (a stale or out-of-order report). */
export function isRegression(from: PaymentStatus, to: PaymentStatus): boolean {
  return from !== to && !ALLOWED[from].has(to);
}

/**
 * Compare what the store last settled with what the gateway says now, and decide which domain events
 * happened in between. Pure: no I/O, so it is tested exhaustively and shared by every plugin.
 * Throws AmountMismatchError when the gateway's payment is not for the order's amount and currency.
 */
export function planTransition(record: SettlementRecord, payment: Payment): TransitionPlan {
  if (payment.currency !== record.currency || payment.amount !== record.amount) {
    throw new AmountMismatchError(
      `Payment ${payment.id} is for ${payment.amount} ${payment.currency} but order ${record.orderId} expects ${record.amount} ${record.currency}`,
      { code: 'amount_mismatch', gateway: undefined },
    );
  }
  const from = record.status;
  const to = payment.status;
  const events: DomainEvent[] = [];
  const base = { orderId: record.orderId, paymentId: payment.id, currency: payment.currency, payment };
  const refundedNow = Math.max(record.refundedAmount, payment.refundedAmount);

  if (isRegression(from, to)) return { next: record, events };

  if (to !== from) {
    if (to === 'authorized' && OPEN.has(from)) {
      events.push({
        ...base,
        type: 'payment.authorized',
        amount: payment.amount,
        status: to,
        refundedAmount: 0,
      });
    } else if (PAID_FAMILY.has(to) && !PAID_FAMILY.has(from) && from !== 'disputed') {
      events.push({
        ...base,
        type: 'payment.paid',
        amount: payment.capturedAmount || payment.amount,
        status: 'paid',
        refundedAmount: record.refundedAmount,
      });
    } else if (to === 'failed' && OPEN.has(from)) {
      events.push({ ...base, type: 'payment.failed', amount: payment.amount, status: to, refundedAmount: 0 });
    } else if ((to === 'canceled' || to === 'expired') && OPEN.has(from)) {
      events.push({
        ...base,
        type: 'payment.canceled',
        amount: payment.amount,
        status: to,
        refundedAmount: 0,
      });
    } else if (to === 'disputed') {
      events.push({
        ...base,
        type: 'payment.disputed',
        amount: payment.amount,
        status: to,
        refundedAmount: refundedNow,
      });
    }
  }

  if (payment.refundedAmount > record.refundedAmount && (PAID_FAMILY.has(to) || to === 'disputed')) {
    events.push({
      ...base,
      type: 'payment.refunded',
      amount: payment.refundedAmount - record.refundedAmount,
      status: to,
      refundedAmount: payment.refundedAmount,
    });
  }

  const next: SettlementRecord = { ...record, status: to, refundedAmount: refundedNow };
  return { next, events };
}
