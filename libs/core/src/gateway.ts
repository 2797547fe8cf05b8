import { UnsupportedOperationError } from './errors.js';

/** Normalized payment status shared by every driver. The gateway's own status is kept as `rawStatus`. */
export const PAYMENT_STATUSES = [
  'pending',
  'processing',
  'authorized',
  'paid',
  'partially_refunded',
  'refunded',
  'canceled',
  'failed',
  'expired',
  'disputed',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** Statuses after which nothing more happens without a new action by the merchant. */
export const FINAL_STATUSES: ReadonlySet<PaymentStatus> = new Set([
  'paid',
  'partially_refunded',
  'refunded',
  'canceled',
  'failed',
  'expired',
  'disputed',
]);

export type CaptureMode = 'automatic' | 'manual';

/** What a driver can do. The conformance suite checks that what is declared is what works. */
export interface Capabilities {
  /** Capture modes supported by createPayment. */
  readonly captureModes: readonly CaptureMode[];
  readonly partialCapture: boolean;
  readonly release: boolean;
  readonly cancel: boolean;
  readonly refund: boolean;
  readonly partialRefund: boolean;
  readonly savedMethods: boolean;
  readonly signedWebhooks: boolean;
  /** ISO 4217 codes, or 'any' when the gateway does not restrict them. */
  readonly currencies: readonly string[] | 'any';
  readonly testMode: boolean;
}

export type CapabilityName = Exclude<keyof Capabilities, 'captureModes' | 'currencies' | 'testMode'>;

/** Card display data for a saved method. Never contains the card number. */
export interface SavedMethod {
  /** The token to charge later (for Ummah: the id of the purchase that saved the card). */
  readonly token: string;
  readonly brand?: string;
  readonly last4?: string;
  readonly expiryMonth?: number;
  readonly expiryYear?: number;
  readonly holderName?: string;
}

export interface Customer {
  readonly email: string;
  readonly name?: string;
  readonly phone?: string;
  /** The gateway's client id, when the store keeps one. */
  readonly gatewayCustomerId?: string;
}

export interface LineItem {
  readonly name: string;
  /** Unit price in minor units. */
  readonly price: number;
  readonly quantity: number;
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
  /** Caller's key wins; otherwise the driver creates one per logical operation and reuses it on retries. */
  readonly idempotencyKey?: string;
  readonly signal?: AbortSignal;
}

export interface RefundInput {
  /** Minor units; omit for the full refundable amount. */
  readonly amount?: number;
  readonly reference?: string;
}

/** A payment as the gateway sees it now, normalized. */
export interface Payment {
  readonly id: string;
  readonly status: PaymentStatus;
  readonly rawStatus: string;
  /** Total in minor units. */
  readonly amount: number;
  readonly currency: string;
  /** Captured so far (minor units). */
  readonly capturedAmount: number;
  /** Refunded so far (minor units). */
  readonly refundedAmount: number;
  /** What can still be refunded (minor units). */
  readonly refundableAmount: number;
  readonly reference?: string;
  /** Hosted page to send the buyer to, while the payment awaits them. */
  readonly checkoutUrl?: string;
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
  readonly reference?: string;
  readonly raw: unknown;
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
  /** The payment as carried in the payload; may be stale — the pipeline decides whether to re-fetch. */
  readonly payment?: Payment;
  readonly refund?: Refund;
  /** When the gateway says the event happened. */
  readonly createdAt: Date;
  readonly raw: unknown;
}

export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>> | Headers;

/** The contract every gateway driver implements. Amounts are integer minor units. */
export interface GatewayDriver {
  readonly name: string;
  readonly capabilities: Capabilities;
  createPayment(input: CreatePaymentInput, options?: OperationOptions): Promise<Payment>;
  retrievePayment(id: string, options?: OperationOptions): Promise<Payment>;
  capture(id: string, amount?: number, options?: OperationOptions): Promise<Payment>;
  release(id: string, options?: OperationOptions): Promise<Payment>;
  cancel(id: string, options?: OperationOptions): Promise<Payment>;
  refund(id: string, input?: RefundInput, options?: OperationOptions): Promise<Refund>;
  chargeSavedMethod(
    token: string,
    input: ChargeSavedMethodInput,
    options?: OperationOptions,
  ): Promise<Payment>;
  deleteSavedMethod(token: string, options?: OperationOptions): Promise<void>;
  /** Authenticate the exact raw bytes and parse them into a normalized event. */
  verifyWebhook(rawBody: Buffer | Uint8Array | string, headers: HeaderBag): Promise<GatewayEvent>;
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
