import { ConflictError, InvalidRequestError, NotFoundError, type TijaraErrorOptions } from '@tijara/core';

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

export interface RefundLimitDetails {
  /** What was asked for, in minor units. */
  readonly requested: number;
  /** What can still be refunded, in minor units. */
  readonly refundable: number;
  readonly currency: string;
}

/** A refund above what is left to refund. Raised before anything is written or sent: nothing changed. */
export class RefundLimitError extends InvalidRequestError {
  readonly requested: number;
  readonly refundable: number;
  readonly currency: string;
  constructor(details: RefundLimitDetails, options: TijaraErrorOptions = {}) {
    super(
      details.refundable === 0
        ? `Nothing is left to refund (asked for ${details.requested} ${details.currency} minor units)`
        : `Cannot refund ${details.requested} ${details.currency} minor units: only ${details.refundable} ` +
            `can still be refunded`,
      {
        code: 'refund_exceeds_refundable',
        details: { amount: [`At most ${details.refundable}`] },
        ...options,
      },
    );
    this.requested = details.requested;
    this.refundable = details.refundable;
    this.currency = details.currency;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      requested: this.requested,
      refundable: this.refundable,
      currency: this.currency,
    };
  }
}

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
