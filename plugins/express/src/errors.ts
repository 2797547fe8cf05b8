import { ConflictError, NotFoundError } from '@tijara/core';

/** The store's `getOrder` does not know the order (or will not show it to this buyer). */
export class OrderNotFoundError extends NotFoundError {
  readonly orderId: string;
  constructor(orderId: string) {
    super(`Order ${orderId} was not found`, { code: 'order_not_found' });
    this.orderId = orderId;
  }
}

/** The order has no payment in the state this action needs (nothing held to capture, nothing paid to refund…). */
export class NoPaymentError extends ConflictError {
  readonly orderId: string;
  constructor(orderId: string, message: string, code = 'no_payment') {
    super(message, { code });
    this.orderId = orderId;
  }
}

/** A refund above what is left to refund, refused by the ledger before anything is written or sent. */
export { RefundLimitError, type RefundLimitDetails } from '@tijara/ledger';

/** A store callback threw; the event stays queued and is delivered again on the next settlement of the payment. */
export class StoreCallbackError extends Error {
  readonly code = 'store_callback_failed';
  readonly eventType: string;
  readonly orderId: string;
  constructor(eventType: string, orderId: string, cause: unknown) {
    super(`The store's ${eventType} handler for order ${orderId} failed; the event will be delivered again`, {
      cause,
    });
    this.name = 'StoreCallbackError';
    this.eventType = eventType;
    this.orderId = orderId;
  }
}
