import type { IncomingMessage } from 'node:http';
import type {
  CaptureMode,
  CreateStoresOptions,
  DomainEvent,
  DomainEventType,
  GatewayDriver,
  LineItem,
  Logger,
  PaymentStatus,
  Stores,
} from '@tijara/core';
import type { LedgerPayment, PaymentKind, PaymentLedger } from './ledger/types.js';

/** What the store tells the plugin about an order. Amounts are integer minor units. */
export interface StoreOrder {
  readonly id: string;
  /** Total to charge, in minor units. It must not change once checkout has started (make a new order instead). */
  readonly amount: number;
  readonly currency: string;
  readonly customer: {
    /** The store's customer id. Without one, no card can be saved for this buyer. */
    readonly id?: string;
    readonly email: string;
    readonly name?: string;
    readonly phone?: string;
  };
  readonly lineItems?: readonly LineItem[];
  /** `manual` holds the money until the merchant captures it (default `automatic`). */
  readonly capture?: CaptureMode;
  readonly description?: string;
}

/**
 * Look an order up. `request` is the buyer's request when the lookup comes from a checkout route: return
 * undefined when that buyer may not pay for this order. Without `request` (settlement, admin) always return it.
 */
export type GetOrder = (orderId: string, request?: IncomingMessage) => Promise<StoreOrder | undefined>;

/** A domain event as the store receives it, exactly once per real change of a payment. */
export interface PaymentEvent extends DomainEvent {
  /** Stable across redeliveries; a store that wants belt and braces can dedupe its side effects on it. */
  readonly id: string;
  /** Which checkout attempt of the order this payment is. */
  readonly attempt: number;
  readonly kind: PaymentKind;
}

export type PaymentEventHandler = (event: PaymentEvent) => Promise<void> | void;

/** One handler per event type; `payment.disputed` is optional like the rest. */
export type PaymentEventHandlers = Partial<Record<DomainEventType, PaymentEventHandler>>;

/** Where the buyer is sent back to in the store. */
export interface ReturnContext {
  readonly orderId: string;
  /**
   * `success`, `failure`, `cancel`: the hosted page's redirects; `charged`: a one-click payment went through
   * (or is processing); `declined`: a one-click payment was refused.
   */
  readonly outcome: 'success' | 'failure' | 'cancel' | 'charged' | 'declined';
  /** The payment's status after settling, when known. */
  readonly status?: PaymentStatus;
  /** A short, safe reason code for `declined` (e.g. `card_declined`, `invalid_saved_method`). */
  readonly reason?: string;
}

export interface WebhookOptions {
  /** Largest accepted body (default 256 KiB). */
  readonly limitBytes?: number;
  /**
   * Where an upstream `express.json({ verify: keepRawBody })` left the raw bytes (default `rawBody`). Setting it
   * also tells the mount check that a JSON parser ahead of the router is intended.
   */
  readonly rawBodyProperty?: string;
}

export interface ReconcileOptions {
  /** Time between sweeps (default 60 s). */
  readonly intervalMs?: number;
  /** Only payments pending at least this long are re-queried (default 2 minutes). */
  readonly minAgeMs?: number;
  /** Payments older than this are left alone (default 24 h; the gateway expires them). */
  readonly maxAgeMs?: number;
}

export interface AdminOptions {
  /**
   * Decide whether this request may use the admin routes (capture, release, refund, delete a saved method).
   * Without it the admin routes are not mounted; the functions on the TijaraExpress object always work.
   */
  readonly authorize: (request: IncomingMessage) => boolean | Promise<boolean>;
}

export interface TijaraExpressOptions {
  readonly driver: GatewayDriver;
  /** Origin (and optional base path) buyers reach the app at, e.g. `https://shop.example`; used in return URLs. */
  readonly publicUrl: string;
  /** Where the router will be mounted (default `/payments`); checked when Express mounts it. */
  readonly mountPath?: string;
  /**
   * The ledger, and by default dedupe and locks too: `sqlite:<path>` (default `sqlite:.tijara/payments.sqlite`),
   * `postgres://…`, or an open PaymentLedger (then `stores` is required).
   */
  readonly database?: string | PaymentLedger;
  /** Dedupe and locks elsewhere, e.g. `redis://…` for several instances (the ledger stays in `database`). */
  readonly stores?: string | Stores;
  /** Options for stores opened from a URL, e.g. `{ prefix: 'myshop:' }` for Redis keys. */
  readonly storeOptions?: CreateStoresOptions;
  readonly getOrder: GetOrder;
  readonly on?: PaymentEventHandlers;
  /** Where to send the buyer back to (default: `/cart` after a cancel, else `/orders/<id>`). Same-site only. */
  readonly returnUrl?: (context: ReturnContext) => string;
  readonly webhook?: WebhookOptions;
  /** Sweep pending payments on a timer; `false` to only sweep when `reconcile()` is called. */
  readonly reconcile?: ReconcileOptions | false;
  readonly admin?: AdminOptions;
  /** Payloads older than this are re-read from the gateway (default 5 minutes); never dropped. */
  readonly replayWindowMs?: number;
  readonly logger?: Logger;
  /** Literal secrets (e.g. the gateway key) to scrub from every log line, besides the known shapes. */
  readonly secrets?: readonly string[];
}

export interface CheckoutOptions {
  /** Ask the gateway to keep the card for one-click payments (needs `customer.id`). */
  readonly saveMethod?: boolean;
  /** The buyer's request, passed to `getOrder` for its ownership check. */
  readonly request?: IncomingMessage;
}

export type CheckoutResult =
  /** Send the buyer to the gateway's hosted page. */
  | { readonly kind: 'redirect'; readonly url: string; readonly payment: LedgerPayment }
  /** No page needed: the order is already paid or held, or a one-click charge went through or is processing. */
  | { readonly kind: 'settled'; readonly payment: LedgerPayment };

export interface RefundRequest {
  /** Minor units; omit for everything still refundable. */
  readonly amount?: number;
  /**
   * Your id for this refund, e.g. generated when the refund form was rendered: submitting it twice refunds once.
   * Generated when omitted.
   */
  readonly refundId?: string;
  readonly reason?: string;
}
