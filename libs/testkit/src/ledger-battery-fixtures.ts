/**
 * The gateway payment, settlement change and store event of a payment settled as paid, which the ledger battery
 * and its child process commit through the journal.
 */
import type { DomainEvent, JournalRecord, Payment, PaymentStatus } from '@tijara/core';

/** A minimal normalized gateway payment for journal checks. */
function gatewayPayment(id: string, status: PaymentStatus, amount: number, refunded = 0): Payment {
  return {
    id,
    status,
    rawStatus: status,
    amount,
    currency: 'KWD',
    capturedAmount:
      status === 'paid' || status === 'partially_refunded' || status === 'refunded' ? amount : 0,
    refundedAmount: refunded,
    refundableAmount: amount - refunded,
    nextAction: { type: 'none' },
    testMode: true,
    raw: { id },
  };
}

/** The store event of `record` settled as paid. */
export function paidEvent(record: JournalRecord): DomainEvent {
  return {
    type: 'payment.paid',
    orderId: record.orderId,
    paymentId: record.paymentId,
    amount: record.amount,
    currency: record.currency,
    status: 'paid',
    refundedAmount: 0,
    payment: gatewayPayment(record.paymentId, 'paid', record.amount),
  };
}

/** The journal change that settles a payment of `amount` as paid. */
export const paidChange = (amount: number) => ({
  status: 'paid' as const,
  refundedAmount: 0,
  capturedAmount: amount,
  authorizationExpiresAt: undefined,
});
