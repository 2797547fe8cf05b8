import { InvalidRequestError, type TijaraErrorOptions } from '@tijara/core';

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

/** A capture above what is left of the authorization. Raised before anything is written: nothing changed. */
export class CaptureLimitError extends InvalidRequestError {
  readonly requested: number;
  readonly capturable: number;
  readonly currency: string;
  constructor(details: { requested: number; capturable: number; currency: string }) {
    super(
      `Cannot capture ${details.requested} ${details.currency} minor units: only ${details.capturable} can still be captured`,
      { code: 'capture_exceeds_authorized', details: { amount: [`At most ${details.capturable}`] } },
    );
    this.requested = details.requested;
    this.capturable = details.capturable;
    this.currency = details.currency;
  }
}
