import type { CaptureMode, SettlementRecord } from '@tijara/core';

/** How the buyer paid: on the gateway's hosted page, or off-session with a saved method (one click). */
export type PaymentKind = 'hosted' | 'saved_method';

/**
 * One payment attempt for one order: the core's SettlementRecord plus what checkout needs. An order has one
 * row per attempt (a declined card followed by a retry is two rows); rows exist only for payments the gateway
 * really created.
 */
export interface LedgerPayment extends SettlementRecord {
  /** 1, 2, … per order; part of the idempotency key, so a retried checkout never creates a second payment. */
  readonly attempt: number;
  readonly kind: PaymentKind;
  readonly captureMode: CaptureMode;
  /** Whether the store asked the gateway to keep the card. */
  readonly saveMethod: boolean;
  /** The store's customer id, when the buyer has one; saved methods are kept per customer. */
  readonly customerKey: string | undefined;
  /** Captured so far, as last settled (minor units). */
  readonly capturedAmount: number;
  readonly checkoutUrl: string | undefined;
  readonly idempotencyKey: string;
  /** Incremented by every settlement; names the domain events of the next one (see `deliveryKey`). */
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export type NewLedgerPayment = Omit<
  LedgerPayment,
  'version' | 'createdAt' | 'updatedAt' | 'refundedAmount'
> & {
  readonly refundedAmount?: number;
};

export type RefundStatus = 'pending' | 'succeeded' | 'failed';

/**
 * A refund the merchant asked for. Written before the gateway is called, so its id (the idempotency key) is
 * durable: a crash or a retried request repeats the same refund instead of making a second one.
 */
export interface LedgerRefund {
  readonly id: string;
  readonly paymentId: string;
  readonly orderId: string;
  readonly amount: number;
  readonly currency: string;
  readonly status: RefundStatus;
  readonly gatewayRefundId: string | undefined;
  readonly reason: string | undefined;
  /** Why the gateway refused it (a safe, redacted message), for failed refunds. */
  readonly failure: string | undefined;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export type NewLedgerRefund = Pick<LedgerRefund, 'id' | 'paymentId' | 'orderId' | 'amount' | 'currency'> & {
  readonly reason?: string;
};

/** A card a customer chose to keep. `token` is the gateway's and never leaves the server. */
export interface LedgerSavedMethod {
  /** The ledger's own id, safe to put in a form. */
  readonly id: string;
  readonly customerKey: string;
  readonly token: string;
  readonly brand: string | undefined;
  readonly last4: string | undefined;
  readonly expiryMonth: number | undefined;
  readonly expiryYear: number | undefined;
  readonly holderName: string | undefined;
  /** The payment that saved it. */
  readonly sourcePaymentId: string;
  readonly createdAt: Date;
}

export type NewLedgerSavedMethod = Omit<LedgerSavedMethod, 'createdAt'>;

export interface SettlementUpdate {
  readonly next: SettlementRecord;
  readonly capturedAmount: number;
  /** The row's version the settlement was planned on; the update is refused if another writer moved it. */
  readonly expectedVersion: number;
}

/** A domain event waiting to be handed to the store (an outbox row). */
export interface PendingDelivery {
  /** `<paymentId>:<version>:<index>`: stable across retries, so stores can also dedupe on it. */
  readonly id: string;
  readonly paymentId: string;
  /** Order of delivery within the payment. */
  readonly sequence: number;
  /** The event as JSON (see `serializeEvent`). */
  readonly body: string;
}

/**
 * The plugin's own records. Two implementations (SQLite, PostgreSQL) pass the same tests. Every method is one
 * atomic statement or transaction, so several processes may share one ledger.
 */
export interface PaymentLedger {
  /** Insert a new attempt. False (and nothing written) when the order already has a row for this attempt. */
  insertPayment(payment: NewLedgerPayment): Promise<boolean>;
  getPayment(paymentId: string): Promise<LedgerPayment | undefined>;
  /** The order's attempts, oldest first. */
  listPayments(orderId: string): Promise<LedgerPayment[]>;
  /**
   * What the reconciler should look at: payments still awaiting an outcome, created between `createdAfter` and
   * `createdBefore`, and any payment with an event the store has not accepted yet (its callback threw).
   */
  listUnsettled(createdBefore: Date, createdAfter: Date, limit: number): Promise<string[]>;
  /**
   * In one transaction: persist what a settlement decided, move the row to the next version and queue its
   * domain events. Throws ConflictError when the row is no longer at `expectedVersion`.
   */
  applySettlement(
    paymentId: string,
    update: SettlementUpdate,
    deliveries: readonly PendingDelivery[],
  ): Promise<void>;
  /** Queued events of a payment not yet handed to the store, in order. */
  pendingDeliveries(paymentId: string): Promise<PendingDelivery[]>;
  markDelivered(id: string): Promise<void>;

  /** Insert a refund. False (and nothing written) when a refund with this id exists. */
  insertRefund(refund: NewLedgerRefund): Promise<boolean>;
  getRefund(id: string): Promise<LedgerRefund | undefined>;
  listRefunds(paymentId: string): Promise<LedgerRefund[]>;
  updateRefund(
    id: string,
    update: { status: RefundStatus; gatewayRefundId?: string | undefined; failure?: string | undefined },
  ): Promise<void>;

  /** Insert or refresh a saved method (one row per customer and token); returns the stored row. */
  saveMethod(method: NewLedgerSavedMethod): Promise<LedgerSavedMethod>;
  listSavedMethods(customerKey: string): Promise<LedgerSavedMethod[]>;
  getSavedMethod(id: string): Promise<LedgerSavedMethod | undefined>;
  deleteSavedMethod(id: string): Promise<void>;

  close(): Promise<void>;
}
