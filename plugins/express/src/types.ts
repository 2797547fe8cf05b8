import type { IncomingMessage } from 'node:http';
import type {
  CaptureMode,
  CreateStoresOptions,
  DomainEvent,
  DomainEventType,
  GatewayDriver,
  LineItem,
  Logger,
  NextAction,
  PaymentStatus,
  SettlementRecord,
  Stores,
} from '@tijara/core';
import type { Ledger } from '@tijara/ledger';

/** How the buyer paid: on the gateway's hosted page, or off-session with a saved method (one click). */
export type PaymentKind = 'hosted' | 'saved_method';

/**
 * One payment attempt for one order, as the plugin shows it (read from `@tijara/ledger`). An order has one row per
 * attempt (a declined card followed by a retry is two rows); rows exist only for payments the gateway really
 * created.
 */
export interface LedgerPayment extends SettlementRecord {
  /** The gateway the payment was made on (the name it is mounted under). */
  readonly gateway: string;
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
  /** Where the buyer was sent to pay (the GET redirect's URL), when that is what the gateway asked for. */
  readonly checkoutUrl: string | undefined;
  /** What the gateway asked the buyer to do when the payment was created. */
  readonly nextAction: NextAction | undefined;
  readonly idempotencyKey: string;
  /** Incremented by every settlement; names the domain events of the next one. */
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

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
  /** The gateway the payment was made on. */
  readonly gateway: string;
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

/** What the plugin does when a store event handler keeps failing. */
export interface DeliveryOptions {
  /**
   * Failed hand-overs of one event before it is set aside and `onExhausted` runs (default 10). Events are handed
   * over again by the gateway's retry, the payment's next settlement and every reconcile sweep; later events of
   * the same payment wait behind a set-aside one, so their order holds.
   */
  readonly maxAttempts?: number;
  /** The alert: an event could not be handed over after `maxAttempts`. Revive it with `ledger.outbox.revive(id)`. */
  readonly onExhausted?: (event: PaymentEvent, error: unknown) => void | Promise<void>;
}

/** What the store can show for a next action that is not a plain redirect. */
export interface ActionPageContext {
  readonly orderId: string;
  readonly nextAction: NextAction;
  readonly payment: LedgerPayment;
}

export interface TijaraExpressOptions {
  /** The gateway, for a store on one gateway (its webhook is at `<mountPath>/webhook`). */
  readonly driver?: GatewayDriver;
  /**
   * Several gateways in one app, by the name each is mounted under: `{ ummah: driverA, postpay: driverB }`. Each
   * gets its webhook at `<mountPath>/webhook/<name>`; checkout takes a `gateway` field (default `defaultGateway`).
   * One ledger holds them all and records each payment's gateway.
   */
  readonly gateways?: Readonly<Record<string, GatewayDriver>>;
  /** The gateway of a checkout that names none (default: `driver`, or the first of `gateways`). */
  readonly defaultGateway?: string;
  /** Origin (and optional base path) buyers reach the app at, e.g. `https://shop.example`; used in return URLs. */
  readonly publicUrl: string;
  /** Where the router will be mounted (default `/payments`); checked when Express mounts it. */
  readonly mountPath?: string;
  /**
   * The ledger (`@tijara/ledger`), and by default dedupe and locks too: `sqlite:<path>` (default
   * `sqlite:.tijara/payments.sqlite`), `postgres://…`, or an open Ledger.
   */
  readonly database?: string | Ledger;
  /**
   * Dedupe and locks elsewhere, e.g. `redis://…` for several instances (the ledger stays in `database`). This is
   * the slower path: the event id and the settlement cannot share one transaction, so each payment's settlement
   * takes a lease lock and several round trips (see docs/scaling-out.md).
   */
  readonly stores?: string | Stores;
  /** Options for stores opened from a URL, e.g. `{ prefix: 'myshop:' }` for Redis keys. */
  readonly storeOptions?: CreateStoresOptions;
  readonly getOrder: GetOrder;
  readonly on?: PaymentEventHandlers;
  /** Retries and the alert for store event handlers that fail. */
  readonly deliveries?: DeliveryOptions;
  /** Where to send the buyer back to (default: `/cart` after a cancel, else `/orders/<id>`). Same-site only. */
  readonly returnUrl?: (context: ReturnContext) => string;
  /**
   * The page for a next action that is not a GET redirect — a gateway widget without a page of its own, or a form
   * to post — when the checkout is a browser form post. Return HTML, or undefined for the plugin's plain page.
   */
  readonly actionPage?: (context: ActionPageContext) => string | undefined;
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
  /** Which gateway to pay on (a name of `gateways`; default `defaultGateway`). */
  readonly gateway?: string;
  /** The buyer's request, passed to `getOrder` for its ownership check. */
  readonly request?: IncomingMessage;
}

export type CheckoutResult =
  /** Send the buyer to the gateway's hosted page. */
  | { readonly kind: 'redirect'; readonly url: string; readonly payment: LedgerPayment }
  /**
   * The gateway wants something else of the buyer: a form posted to it (`redirect` with method POST), or its
   * widget in the store's page.
   */
  | { readonly kind: 'action'; readonly nextAction: NextAction; readonly payment: LedgerPayment }
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
