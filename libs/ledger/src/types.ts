import type { CaptureMode, NextAction, PaymentStatus } from '@tijara/core';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * One payment: what a plugin asked the gateway for and what has been settled on it since. Keyed by the plugin's
 * own id (`key`: an Express order attempt, a Shopify payment session) and, once the gateway created it, by the
 * gateway's payment id. An order's attempts (a declined card, then a retry) are rows with attempts 1, 2, ….
 */
export interface LedgerPayment {
  /** The plugin's own id for this payment; unique. */
  readonly key: string;
  /** The driver's name (`ummah`, `postpay`, …): payment ids are unique per gateway. */
  readonly gateway: string;
  /** The gateway's payment id; undefined until the gateway created the payment (see `payments.attach`). */
  readonly paymentId: string | undefined;
  /** The order (or checkout, or Shopify payment group) the payment is for. */
  readonly orderId: string;
  /** 1, 2, … per order. */
  readonly attempt: number;
  /** Expected total (minor units). */
  readonly amount: number;
  readonly currency: string;
  readonly captureMode: CaptureMode;
  /** Last settled status. */
  readonly status: PaymentStatus;
  readonly capturedAmount: number;
  readonly refundedAmount: number;
  readonly authorizationExpiresAt: Date | undefined;
  /** The store's customer id, when the buyer has one (saved methods are kept per customer). */
  readonly customerKey: string | undefined;
  /** Where the buyer was sent (to send them there again on a retried request). */
  readonly nextAction: NextAction | undefined;
  /** The key the gateway call that created the payment was made with. */
  readonly idempotencyKey: string | undefined;
  /** The plugin's own data about the payment. */
  readonly metadata: JsonObject;
  /** Moves on with every change; guards against lost updates. */
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface NewPayment {
  readonly key: string;
  readonly gateway: string;
  readonly paymentId?: string;
  readonly orderId: string;
  /** Default 1. */
  readonly attempt?: number;
  readonly amount: number;
  readonly currency: string;
  readonly captureMode: CaptureMode;
  /**
   * Default `pending`: a row starts where every payment starts, so the first settlement announces what really
   * happened.
   */
  readonly status?: PaymentStatus;
  readonly customerKey?: string;
  readonly nextAction?: NextAction;
  readonly idempotencyKey?: string;
  readonly metadata?: JsonObject;
}

/** What `payments.update` may change outside a settlement. */
export interface PaymentPatch {
  /** Refuse the update (LedgerConflictError) unless the row is still at this version. */
  readonly expectedVersion?: number;
  readonly status?: PaymentStatus;
  readonly nextAction?: NextAction | null;
  /** Merged into the row's metadata (a key set to null is removed). */
  readonly metadata?: JsonObject;
}

export type OperationKind = 'refund' | 'capture' | 'void';
export type OperationStatus = 'pending' | 'succeeded' | 'failed';

/**
 * A merchant's action on a payment — a refund, a capture, a void — keyed by the merchant's (or platform's) own
 * id, written before the gateway is called: a crash or a retried request repeats the same operation with the same
 * id instead of making a second one.
 */
export interface LedgerOperation {
  readonly id: string;
  readonly kind: OperationKind;
  /** The payment's ledger key. */
  readonly paymentKey: string;
  readonly orderId: string;
  /** Minor units; undefined for a void. */
  readonly amount: number | undefined;
  readonly currency: string;
  readonly status: OperationStatus;
  /** The gateway's id for it (e.g. its refund id), once known. */
  readonly gatewayId: string | undefined;
  readonly reason: string | undefined;
  /** Why the gateway refused it (a safe, redacted message), for failed operations. */
  readonly failure: string | undefined;
  readonly metadata: JsonObject;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface NewOperation {
  readonly id: string;
  readonly kind: OperationKind;
  readonly paymentKey: string;
  /**
   * Minor units. For a refund, omitted means everything still refundable (decided in the same transaction as
   * the cap). For a capture, omitted means the whole authorized amount. Ignored for a void.
   */
  readonly amount?: number;
  readonly reason?: string;
  readonly metadata?: JsonObject;
}

export interface RecordOperationOptions {
  /**
   * Refunds: the most that may be refunded in total on this payment (default: its captured amount, or its
   * amount when nothing was recorded as captured). Captures: the most that may be captured in total (default:
   * its amount). Operations that are not failed count against it, pending ones included.
   */
  readonly cap?: number;
  /**
   * What the gateway says is still refundable or capturable now, when the caller has just asked it: the
   * operation must also fit in that.
   */
  readonly available?: number;
}

export interface RecordedOperation {
  readonly operation: LedgerOperation;
  /** False when an operation with this id existed (with the same terms) and is answered instead. */
  readonly created: boolean;
}

/** A card a customer chose to keep. `token` is the gateway's and never leaves the server. */
export interface LedgerSavedMethod {
  /** The ledger's own id, safe to put in a form. */
  readonly id: string;
  readonly customerKey: string;
  readonly gateway: string;
  readonly token: string;
  readonly brand: string | undefined;
  readonly last4: string | undefined;
  readonly expiryMonth: number | undefined;
  readonly expiryYear: number | undefined;
  readonly holderName: string | undefined;
  /** The gateway payment that saved it. */
  readonly sourcePaymentId: string;
  readonly createdAt: Date;
}

export type NewSavedMethod = Omit<LedgerSavedMethod, 'createdAt' | 'id'> & { readonly id?: string };

export type OutboxStatus = 'pending' | 'delivered' | 'dead';

/**
 * A message waiting to be handed to someone outside the ledger: a store callback, a GraphQL mutation to
 * Shopify. Messages of one stream are handed over one at a time, in order; each is delivered at least once.
 */
export interface OutboxMessage {
  /** Stable across retries: receivers can dedupe on it. */
  readonly id: string;
  readonly topic: string;
  /** Ordering key (e.g. the payment's ledger key). */
  readonly stream: string;
  /** Global insertion order. */
  readonly sequence: number;
  /**
   * The payload: parsed from its JSON, or, for a message handed over right after the commit that queued it, the
   * very object it was queued with.
   */
  readonly payload: unknown;
  readonly status: OutboxStatus;
  /** Failed deliveries so far. */
  readonly attempts: number;
  /** Not retried by a worker before this time (backoff). */
  readonly availableAt: Date;
  readonly lastError: string | undefined;
  readonly createdAt: Date;
  readonly deliveredAt: Date | undefined;
}

/** A message this process holds a lease on. Only the holder of the current `fence` can complete or fail it. */
export interface ClaimedMessage extends OutboxMessage {
  readonly fence: number;
  readonly leaseUntil: Date;
}

export interface NewOutboxMessage {
  /** Default: a random id. Enqueueing an id that exists is a no-op (so retried enqueues do not double). */
  readonly id?: string;
  readonly topic: string;
  readonly stream: string;
  /** Stored as JSON (`JSON.stringify`). */
  readonly payload: unknown;
  /** Not delivered before this time (default now). */
  readonly availableAt?: Date;
}
