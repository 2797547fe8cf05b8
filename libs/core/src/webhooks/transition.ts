import { AmountMismatchError } from '../errors.js';
import type { AmountPolicy, CaptureMode, Payment } from '../gateway.js';
import { isRegression, type PaymentStatus } from '../status.js';

/** What a store keeps about the payment of one order; the pipeline moves it forward. */
export interface SettlementRecord {
  readonly orderId: string;
  readonly paymentId: string;
  /** Expected total in minor units. */
  readonly amount: number;
  readonly currency: string;
  /** Last settled normalized status. */
  readonly status: PaymentStatus;
  /**
   * How the store asked the payment to be captured. On a capture-on-approval gateway an `automatic` payment that
   * reaches `authorized` is captured by the pipeline; a `manual` one waits for the merchant.
   */
  readonly captureMode: CaptureMode;
  /** Refunded so far, as last settled (minor units). */
  readonly refundedAmount: number;
  /** Captured so far, as last settled (minor units); 0 when the store does not keep it. */
  readonly capturedAmount?: number;
  /** For holds, as last settled. */
  readonly authorizationExpiresAt?: Date | undefined;
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

/** What a settlement changes on the store's record: exactly the fields a ledger persists. */
export interface SettlementChange {
  readonly status: PaymentStatus;
  /** Running refunded total (minor units). */
  readonly refundedAmount: number;
  /** Captured so far (minor units). */
  readonly capturedAmount: number;
  /** For holds: when the gateway lets it go. */
  readonly authorizationExpiresAt: Date | undefined;
}

export interface TransitionPlan {
  /** The record with the change applied. */
  readonly next: SettlementRecord;
  /** The change alone, for a ledger to persist. */
  readonly change: SettlementChange;
  readonly events: readonly DomainEvent[];
}

export interface TransitionOptions {
  /** The driver's `capabilities.amountPolicy` (default `exact`). */
  readonly amountPolicy?: AmountPolicy;
}

/** Whether the gateway's payment covers the order under the driver's amount policy. */
export function coversOrder(
  record: Pick<SettlementRecord, 'amount' | 'currency'>,
  payment: Pick<Payment, 'amount' | 'currency'>,
  policy: AmountPolicy = 'exact',
): boolean {
  if (payment.currency !== record.currency) return false;
  return policy === 'at_least' ? payment.amount >= record.amount : payment.amount === record.amount;
}

const PAID_FAMILY: ReadonlySet<PaymentStatus> = new Set(['paid', 'partially_refunded', 'refunded']);
const OPEN: ReadonlySet<PaymentStatus> = new Set(['pending', 'processing', 'authorized', 'failed']);

export { isRegression };

/**
 * Compare what the store last settled with what the gateway says now, and decide which domain events
 * happened in between. Pure: no I/O, so it is tested exhaustively and shared by every plugin.
 * Throws AmountMismatchError when the gateway's payment is not for the order's amount and currency.
 */
export function planTransition(
  record: SettlementRecord,
  payment: Payment,
  options: TransitionOptions = {},
): TransitionPlan {
  const policy = options.amountPolicy ?? 'exact';
  if (!coversOrder(record, payment, policy)) {
    const expected = policy === 'at_least' ? `at least ${record.amount}` : String(record.amount);
    throw new AmountMismatchError(
      `Payment ${payment.id} is for ${payment.amount} ${payment.currency} but order ${record.orderId} expects ${expected} ${record.currency}`,
      { code: 'amount_mismatch', gateway: undefined },
    );
  }
  const from = record.status;
  const to = payment.status;
  const events: DomainEvent[] = [];
  const base = { orderId: record.orderId, paymentId: payment.id, currency: payment.currency, payment };
  const refundedNow = Math.max(record.refundedAmount, payment.refundedAmount);

  const unchanged: SettlementChange = {
    status: from,
    refundedAmount: record.refundedAmount,
    capturedAmount: record.capturedAmount ?? 0,
    authorizationExpiresAt: record.authorizationExpiresAt,
  };
  if (isRegression(from, to)) return { next: record, change: unchanged, events };

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

  const change: SettlementChange = {
    status: to,
    refundedAmount: refundedNow,
    capturedAmount: Math.max(record.capturedAmount ?? 0, payment.capturedAmount),
    authorizationExpiresAt: to === 'authorized' ? payment.authorizationExpiresAt : undefined,
  };
  const next: SettlementRecord = { ...record, ...change };
  return { next, change, events };
}
