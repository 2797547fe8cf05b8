import { UnsupportedOperationError } from './errors.js';
import type { PaymentStatus } from './status.js';

export type CaptureMode = 'automatic' | 'manual';

/**
 * How the gateway decides that a payment covers an order: `exact` (the default) wants the order's amount and
 * currency; `at_least` accepts more than asked (pay-what-you-want gateways, where the buyer may give more).
 */
export type AmountPolicy = 'exact' | 'at_least';

/** What a driver can do. The conformance suite checks that what is declared is what works. */
export interface Capabilities {
  /** Capture modes supported by createPayment. */
  readonly captureModes: readonly CaptureMode[];
  readonly partialCapture: boolean;
  readonly release: boolean;
  readonly cancel: boolean;
  readonly refund: boolean;
  readonly partialRefund: boolean;
  /** Several refunds may be made on one payment (up to what was captured). */
  readonly multipleRefunds: boolean;
  readonly savedMethods: boolean;
  /**
   * The gateway keeps customers and lists their saved methods (`ensureCustomer`, `listSavedMethods`). Without it,
   * a store that saves methods keeps the list itself.
   */
  readonly customers: boolean;
  readonly signedWebhooks: boolean;
  /** `resolveReturn` turns what the buyer brings back into a payment (needed where no webhook tells). */
  readonly returnResolution: boolean;
  /**
   * An approval is not a sale: a payment created with `capture: 'automatic'` reaches `authorized` and must then
   * be captured by the suite (the pipeline does it, exactly once). Postpay works this way.
   */
  readonly captureOnApproval: boolean;
  readonly amountPolicy: AmountPolicy;
  /**
   * The gateway honours an idempotency key on its mutating calls. Without it the transport never re-sends a
   * request the gateway may have received; the driver re-reads the state instead.
   */
  readonly idempotencyKeys: boolean;
  /** ISO 4217 codes, or 'any' when the gateway does not restrict them. */
  readonly currencies: readonly string[] | 'any';
  readonly testMode: boolean;
}

/** The yes/no capabilities an operation can require. */
export type CapabilityName =
  | 'partialCapture'
  | 'release'
  | 'cancel'
  | 'refund'
  | 'partialRefund'
  | 'multipleRefunds'
  | 'savedMethods'
  | 'customers'
  | 'signedWebhooks'
  | 'returnResolution';

/** Card display data for a saved method. Never contains the card number. */
export interface SavedMethod {
  /** The token to charge later (for Ummah: the id of the purchase that saved the card). */
  readonly token: string;
  /** The gateway customer the method belongs to, when the gateway keeps customers. */
  readonly customerId?: string;
  readonly brand?: string;
  readonly last4?: string;
  readonly expiryMonth?: number;
  readonly expiryYear?: number;
  readonly holderName?: string;
}

export interface Address {
  readonly firstName?: string;
  readonly lastName?: string;
  readonly line1: string;
  readonly line2?: string;
  readonly city: string;
  readonly state?: string;
  /** ISO 3166-1 alpha-2. */
  readonly country: string;
  readonly postalCode?: string;
  readonly phone?: string;
}

export interface Customer {
  readonly email: string;
  readonly name?: string;
  readonly phone?: string;
  /** The gateway's customer id (from `ensureCustomer`), when the store keeps one. */
  readonly gatewayCustomerId?: string;
  /** The store's own customer id, for gateways that want one. */
  readonly reference?: string;
  readonly billingAddress?: Address;
  readonly shippingAddress?: Address;
}

export interface LineItem {
  readonly name: string;
  /** Unit price in minor units. */
  readonly price: number;
  readonly quantity: number;
  /** SKU or similar. */
  readonly reference?: string;
  /** The product's page, for gateways that show it. */
  readonly url?: string;
}

export interface ReturnUrls {
  readonly success: string;
  readonly failure: string;
  readonly cancel?: string;
}

export interface CreatePaymentInput {
  /** Total in minor units. */
  readonly amount: number;
  readonly currency: string;
  /** The store's own id for the order or session; shown to the buyer and echoed in webhooks. */
  readonly reference: string;
  readonly customer: Customer;
  readonly lineItems?: readonly LineItem[];
  /** Tax included in `amount` (minor units), for gateways that ask. */
  readonly taxAmount?: number;
  /** Shipping included in `amount` (minor units), for gateways that ask. */
  readonly shipping?: { readonly name: string; readonly amount: number };
  readonly description?: string;
  readonly capture: CaptureMode;
  /** Ask the gateway to keep the payment method for later off-session charges. */
  readonly saveMethod?: boolean;
  readonly returnUrls: ReturnUrls;
  /** Where the gateway should send the signed per-payment callback, if it has one. */
  readonly callbackUrl?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface ChargeSavedMethodInput extends Omit<
  CreatePaymentInput,
  'returnUrls' | 'saveMethod' | 'capture'
> {
  readonly capture?: CaptureMode;
  readonly returnUrls?: ReturnUrls;
}

/** Options every operation accepts. */
export interface OperationOptions {
  /**
   * Names one logical operation: the caller's key wins; otherwise the driver creates one. Drivers of gateways
   * with idempotency keys send it; the others derive merchant-chosen ids from it (a refund id, an order id), so
   * repeating the operation with the same key finds the first one instead of acting twice.
   */
  readonly idempotencyKey?: string;
  readonly signal?: AbortSignal;
}

export interface RefundInput {
  /** Minor units; omit for the full refundable amount. */
  readonly amount?: number;
  /** The merchant's id for this refund: refunding again with the same reference returns the first refund. */
  readonly reference?: string;
  readonly reason?: string;
}

/**
 * What the buyer must do next for a payment:
 * - `redirect`: send the buyer to `url` (`GET`), or post `fields` to it (`POST`, an auto-submitting form);
 * - `widget`: render the gateway's widget in the store's page (`script` to load, `params` to give it; `url`, when
 *   present, is a page that hosts the widget on its own);
 * - `none`: nothing for the buyer to do (paid, held, processing, final, or an off-session charge).
 */
export type NextAction =
  | {
      readonly type: 'redirect';
      readonly url: string;
      readonly method: 'GET' | 'POST';
      readonly fields?: Readonly<Record<string, string>>;
    }
  | {
      readonly type: 'widget';
      readonly script?: string;
      readonly url?: string;
      readonly params: Readonly<Record<string, string>>;
    }
  | { readonly type: 'none' };

export const NO_ACTION: NextAction = Object.freeze({ type: 'none' });

/** Why a payment failed, as the gateway said it. Never holds card data. */
export interface PaymentFailure {
  /** The gateway's error code (`card_declined`). */
  readonly code?: string;
  /** The issuer's reason, in Stripe's vocabulary where the gateway uses it (`insufficient_funds`). */
  readonly declineCode?: string;
  /** The gateway's message, fit for the merchant (not necessarily for the buyer). */
  readonly message?: string;
}

/** A payment as the gateway sees it now, normalized. */
export interface Payment {
  readonly id: string;
  readonly status: PaymentStatus;
  readonly rawStatus: string;
  /** Total in minor units (for `at_least` gateways: what the buyer actually pays, once known). */
  readonly amount: number;
  readonly currency: string;
  /** Captured so far (minor units). */
  readonly capturedAmount: number;
  /** Refunded so far (minor units). */
  readonly refundedAmount: number;
  /** What can still be refunded (minor units). */
  readonly refundableAmount: number;
  readonly reference?: string;
  /** What the buyer must do next; `none` unless the payment awaits them. */
  readonly nextAction: NextAction;
  /** For `authorized` holds: when the gateway lets the hold go if it is not captured. */
  readonly authorizationExpiresAt?: Date;
  /**
   * For `failed` payments, when the gateway says why (plugins map it: Shopify's rejection reasons, a store's
   * message). Optional: a driver whose gateway gives no reason leaves it out.
   */
  readonly failure?: PaymentFailure;
  /** The gateway customer the payment belongs to, when the gateway keeps customers. */
  readonly customerId?: string;
  readonly savedMethod?: SavedMethod;
  readonly testMode: boolean;
  readonly createdAt?: Date;
  readonly updatedAt?: Date;
  /** The gateway's object, unchanged. */
  readonly raw: unknown;
}

export interface Refund {
  readonly id: string;
  readonly paymentId: string;
  readonly amount: number;
  readonly currency: string;
  readonly status: 'succeeded' | 'pending' | 'failed';
  /** The merchant's refund id, when the gateway keeps one. */
  readonly reference?: string;
  readonly raw: unknown;
}

/** What a buyer brings back to the store from the gateway. Never trusted as such. */
export interface ReturnParams {
  /** The return URL's query parameters. */
  readonly query: Readonly<Record<string, string | undefined>>;
  /** Form fields, when the gateway (or its widget) posts the buyer back. */
  readonly form?: Readonly<Record<string, string | undefined>>;
  /** The payment the store sent the buyer to pay, when it knows (e.g. from its own return URL). */
  readonly paymentId?: string;
}

/** A return turned into the payment it is about, as the gateway tells it now (never as the parameters claim). */
export interface ReturnResolution {
  /** Read from the gateway (or verified) just now; safe to settle on. */
  readonly payment: Payment;
  /**
   * What the gateway's redirect claimed (`approved`, `declined`, `canceled`), for the buyer's page only: the
   * settlement decides on `payment`.
   */
  readonly claimed?: 'approved' | 'declined' | 'canceled';
}

/** Normalized webhook event types. */
export type GatewayEventType =
  | 'payment.created'
  | 'payment.processing'
  | 'payment.authorized'
  | 'payment.paid'
  | 'payment.failed'
  | 'payment.canceled'
  | 'payment.expired'
  | 'payment.refunded'
  | 'payment.disputed'
  | 'saved_method.deleted'
  | 'subscription.charge_failed'
  | 'payout.updated'
  | 'other';

/** An authenticated, parsed gateway notification. */
export interface GatewayEvent {
  /** Unique event id (or a stable fallback built from object id + type + update time). */
  readonly id: string;
  readonly type: GatewayEventType;
  /** The gateway's event name, e.g. `purchase.paid`. */
  readonly rawType: string;
  /** The payment the event is about, when there is one. */
  readonly paymentId?: string;
  /**
   * The payment as carried in the payload; may be stale — the pipeline decides whether to re-fetch. Drivers of
   * gateways whose payloads are partial (no amounts, only a status) leave it out, so the pipeline re-reads.
   */
  readonly payment?: Payment;
  readonly refund?: Refund;
  /** When the gateway says the event happened. */
  readonly createdAt: Date;
  readonly raw: unknown;
}

export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>> | Headers;

/**
 * A webhook whose signature has been verified, with its event built only when it is needed: the pipeline answers
 * a redelivery from the event id alone, before the body is validated.
 */
export interface VerifiedWebhook {
  /**
   * The event's id, read from the verified body without validating the rest; undefined when the id can only be
   * known from the full event (the pipeline then builds it first). Must equal `(await event()).id`.
   */
  readonly eventId: string | undefined;
  /**
   * The payment the event is about, when it can be read as cheaply; lets the pipeline look the event id and the
   * payment up in one read. When set it must equal `(await event()).paymentId` (the pipeline checks).
   */
  readonly paymentId?: string;
  /** Validate the body and build the normalized event, exactly as `verifyWebhook` would. */
  event(): GatewayEvent | Promise<GatewayEvent>;
}

/** The contract every gateway driver implements. Amounts are integer minor units. */
export interface GatewayDriver {
  readonly name: string;
  readonly capabilities: Capabilities;
  createPayment(input: CreatePaymentInput, options?: OperationOptions): Promise<Payment>;
  /** The source of truth: the payment as the gateway has it now. */
  retrievePayment(id: string, options?: OperationOptions): Promise<Payment>;
  /**
   * Settle a hold (or a capture-on-approval approval). Capturing a payment that is already captured answers the
   * captured payment without error (see `already-done.ts`).
   */
  capture(id: string, amount?: number, options?: OperationOptions): Promise<Payment>;
  /** Let a hold go; releasing a released hold answers it without error. */
  release(id: string, options?: OperationOptions): Promise<Payment>;
  /** Stop an unpaid payment; cancelling a cancelled one answers it without error. Never cancels a paid one. */
  cancel(id: string, options?: OperationOptions): Promise<Payment>;
  /** Refunding again with the same `reference` (or idempotency key) answers the first refund. */
  refund(id: string, input?: RefundInput, options?: OperationOptions): Promise<Refund>;
  chargeSavedMethod(
    token: string,
    input: ChargeSavedMethodInput,
    options?: OperationOptions,
  ): Promise<Payment>;
  deleteSavedMethod(token: string, options?: OperationOptions): Promise<void>;
  /** Create (or find) the gateway's customer for a store customer. Needs `customers`. */
  ensureCustomer?(customer: Customer, options?: OperationOptions): Promise<{ readonly id: string }>;
  /** The saved methods of a gateway customer. Needs `customers`. */
  listSavedMethods?(customerId: string, options?: OperationOptions): Promise<SavedMethod[]>;
  /** Turn a buyer's return into a payment read from the gateway. Needs `returnResolution`. */
  resolveReturn?(params: ReturnParams, options?: OperationOptions): Promise<ReturnResolution>;
  /** Authenticate the exact raw bytes and parse them into a normalized event. */
  verifyWebhook(rawBody: Buffer | Uint8Array | string, headers: HeaderBag): Promise<GatewayEvent>;
  /**
   * Optional: `verifyWebhook` in two steps — authenticate the exact raw bytes now (throwing
   * SignatureVerificationError like `verifyWebhook`), build the event later — so that a redelivery, the common
   * case, costs a signature check, a JSON parse and one dedupe lookup. Drivers without it are settled through
   * `verifyWebhook`.
   */
  openWebhook?(rawBody: Buffer | Uint8Array | string, headers: HeaderBag): Promise<VerifiedWebhook>;
}

/** Throw UnsupportedOperationError unless the driver declares the capability. */
export function requireCapability(
  driver: Pick<GatewayDriver, 'name' | 'capabilities'>,
  capability: CapabilityName,
) {
  if (!driver.capabilities[capability]) {
    throw new UnsupportedOperationError(`${driver.name} does not support ${capability}`, {
      gateway: driver.name,
      code: 'unsupported_operation',
    });
  }
}

/** Read one header from a plain object (any case) or a WHATWG Headers. */
export function readHeader(headers: HeaderBag, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(
    headers as Record<string, string | readonly string[] | undefined>,
  )) {
    if (key.toLowerCase() === lower) return Array.isArray(value) ? value[0] : (value as string | undefined);
  }
  return undefined;
}

/** The URL to send the buyer to for a GET redirect, or undefined when the next action is something else. */
export function redirectUrlOf(action: NextAction): string | undefined {
  return action.type === 'redirect' && action.method === 'GET' ? action.url : undefined;
}
