/**
 * How the plugin keeps its orders' payments in `@tijara/ledger`, and how it shows them: a payment row is keyed
 * `express:<orderId>:<attempt>`, its checkout kind and card choice live in the row's metadata, and the store's
 * events are outbox messages whose payload is the PaymentEvent itself.
 */
import { redirectUrlOf, type Payment } from '@tijara/core';
import type {
  LedgerOperation,
  LedgerPayment as StoredPayment,
  Settlement,
  SettlementMessage,
} from '@tijara/ledger';
import type { LedgerPayment, LedgerRefund, PaymentEvent, PaymentKind } from './types.js';

export function paymentKey(orderId: string, attempt: number): string {
  return `express:${orderId}:${attempt}`;
}

export function paymentView(p: StoredPayment): LedgerPayment {
  return {
    gateway: p.gateway,
    paymentId: p.paymentId ?? '',
    orderId: p.orderId,
    attempt: p.attempt,
    kind: (p.metadata.kind as PaymentKind | undefined) ?? 'hosted',
    amount: p.amount,
    currency: p.currency,
    captureMode: p.captureMode,
    saveMethod: p.metadata.saveMethod === true,
    customerKey: p.customerKey,
    status: p.status,
    capturedAmount: p.capturedAmount,
    refundedAmount: p.refundedAmount,
    authorizationExpiresAt: p.authorizationExpiresAt,
    checkoutUrl: p.nextAction ? redirectUrlOf(p.nextAction) : undefined,
    nextAction: p.nextAction,
    idempotencyKey: p.idempotencyKey ?? '',
    version: p.version,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

export function refundView(operation: LedgerOperation, paymentId: string): LedgerRefund {
  return {
    id: operation.id,
    paymentId,
    orderId: operation.orderId,
    amount: operation.amount ?? 0,
    currency: operation.currency,
    status: operation.status,
    gatewayRefundId: operation.gatewayId,
    reason: operation.reason,
    failure: operation.failure,
    createdAt: operation.createdAt,
    updatedAt: operation.updatedAt,
  };
}

/**
 * A settlement's domain events as the store will receive them. The id `<paymentId>:<version>:<index>` is stable
 * across every redelivery of the event.
 */
export function eventMessages(settlement: Settlement): SettlementMessage[] {
  const { payment } = settlement;
  return settlement.events.map((event, index) => {
    const id = `${event.paymentId}:${payment.version}:${index}`;
    const body: PaymentEvent = {
      ...event,
      id,
      gateway: payment.gateway,
      attempt: payment.attempt,
      kind: (payment.metadata.kind as PaymentKind | undefined) ?? 'hosted',
    };
    return { id, topic: event.type, payload: body };
  });
}

/** A PaymentEvent from an outbox payload: the object itself right after its commit, or parsed JSON later. */
export function reviveEvent(payload: unknown): PaymentEvent {
  const event = payload as PaymentEvent & { payment: DatedPayment };
  const payment = event.payment;
  return {
    ...event,
    payment: {
      ...payment,
      ...(payment.createdAt ? { createdAt: new Date(payment.createdAt) } : {}),
      ...(payment.updatedAt ? { updatedAt: new Date(payment.updatedAt) } : {}),
      ...(payment.authorizationExpiresAt
        ? { authorizationExpiresAt: new Date(payment.authorizationExpiresAt) }
        : {}),
    },
  };
}

type DatedPayment = Payment & {
  createdAt?: Date | string;
  updatedAt?: Date | string;
  authorizationExpiresAt?: Date | string;
};
