import {
  assertCurrency,
  assertMinorUnits,
  InvalidRequestError,
  InvalidResponseError,
  NO_ACTION,
  type CaptureMode,
  type ChargeSavedMethodInput,
  type CreatePaymentInput,
  type GatewayEventType,
  type Payment,
  type PaymentFailure,
  type PaymentStatus,
  type Refund,
  type SavedMethod,
} from '@tijara/core';
import type { CreatePurchaseRequest, Purchase, PurchaseView, RefundObject } from './schemas/index.js';
import { isKnownPurchaseStatus, normalizePurchaseStatus, PURCHASE_STATUS_MAP } from './status-mapping.js';

/** Statuses in which money was taken from the buyer (before any refund). */
const CAPTURED_STATUSES: ReadonlySet<string> = new Set([
  'paid',
  'cleared',
  'settled',
  'refunded',
  'pending_refund',
  'chargeback',
  'pending_recurring_token_delete',
]);

/** The total, under whichever name the deployment uses (CHIP `total`, seed `total_amount`). */
export function purchaseTotal(purchase: PurchaseView): number {
  return purchase.purchase?.total ?? purchase.purchase?.total_amount ?? purchase.payment?.amount ?? 0;
}

function capturedAmount(purchase: PurchaseView, total: number): number {
  if (!CAPTURED_STATUSES.has(purchase.status)) return 0;
  if (purchase.status === 'pending_recurring_token_delete' && !purchase.payment) return 0;
  return purchase.payment?.amount ?? total;
}

/**
 * Refunds lower `refundable_amount`; the gateway reports no running refunded total. Only trusted while the status
 * says refunds happened, because `refundable_amount` is also 0 for methods that cannot be refunded at all.
 */
function refundedAmount(purchase: PurchaseView, captured: number): number {
  if (purchase.status !== 'refunded' && purchase.status !== 'pending_refund') return 0;
  if (purchase.refundable_amount === undefined) return purchase.status === 'refunded' ? captured : 0;
  return Math.min(captured, Math.max(0, captured - purchase.refundable_amount));
}

function toInt(value: number | string | null | undefined): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const n = Number(value);
  return Number.isInteger(n) ? n : undefined;
}

/** The card display fields Ummah reports (in `transaction_data.extra`, or on a client's recurring token). */
export interface CardDisplayFields {
  readonly card_brand?: string | null | undefined;
  readonly masked_pan?: string | null | undefined;
  readonly expiry_month?: number | string | null | undefined;
  readonly expiry_year?: number | string | null | undefined;
  readonly cardholder_name?: string | null | undefined;
}

/** Brand, last four digits, expiry and holder of a saved card, from whichever of them Ummah gave. */
export function cardDisplayOf(
  fields: CardDisplayFields | null | undefined,
): Omit<SavedMethod, 'token' | 'customerId'> {
  const last4 = fields?.masked_pan ? /(\d{4})\s*$/.exec(fields.masked_pan)?.[1] : undefined;
  const month = toInt(fields?.expiry_month);
  const year = toInt(fields?.expiry_year);
  return {
    ...(fields?.card_brand ? { brand: fields.card_brand } : {}),
    ...(last4 ? { last4 } : {}),
    ...(month !== undefined ? { expiryMonth: month } : {}),
    ...(year !== undefined ? { expiryYear: year < 100 ? 2000 + year : year } : {}),
    ...(fields?.cardholder_name ? { holderName: fields.cardholder_name } : {}),
  };
}

/** Card display data of a purchase that saved its method; the token is the purchase id. */
export function savedMethodOf(purchase: PurchaseView): SavedMethod | undefined {
  if (!purchase.is_recurring_token) return undefined;
  return {
    token: purchase.id,
    ...(purchase.client_id ? { customerId: purchase.client_id } : {}),
    ...cardDisplayOf(purchase.transaction_data?.extra),
  };
}

const fromEpoch = (seconds: number | null | undefined) =>
  typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000) : undefined;

/**
 * Ummah documents no lifetime for a hold; card schemes let an authorization go after about seven days, which is what
 * `authorizationExpiresAt` reports unless the merchant's acquirer says otherwise (`holdValidityDays`).
 */
export const DEFAULT_HOLD_VALIDITY_DAYS = 7;

export interface PaymentMappingOptions {
  readonly fallbackTestMode?: boolean;
  readonly holdValidityDays?: number;
}

/** When the purchase reached `hold`, from its status history (or its last update). */
function heldSince(purchase: PurchaseView): Date | undefined {
  const entry = [...(purchase.status_history ?? [])].reverse().find((e) => e.status === 'hold');
  return fromEpoch(entry?.timestamp ?? purchase.updated_on ?? purchase.created_on);
}

/**
 * Purchase → core Payment; `raw` is the object as given (a whole Purchase, or the gateway's object checked as a
 * `PurchaseView`). Throws InvalidResponseError when the purchase carries no currency.
 */
export function toPayment(
  purchase: PurchaseView | Purchase,
  options: PaymentMappingOptions | boolean = {},
): Payment {
  const { fallbackTestMode = false, holdValidityDays = DEFAULT_HOLD_VALIDITY_DAYS } =
    typeof options === 'boolean' ? { fallbackTestMode: options } : options;
  const currency = purchase.purchase?.currency ?? purchase.payment?.currency;
  if (!currency) {
    throw new InvalidResponseError(`Ummah purchase ${purchase.id} has no currency`, {
      gateway: 'ummah',
      code: 'missing_currency',
      raw: purchase,
    });
  }
  const amount = purchaseTotal(purchase);
  const captured = capturedAmount(purchase, amount);
  const refunded = refundedAmount(purchase, captured);
  const status = normalizePurchaseStatus(purchase.status, {
    capturedAmount: captured,
    refundedAmount: refunded,
  });
  const refundable = captured > 0 ? (purchase.refundable_amount ?? captured - refunded) : 0;
  const savedMethod = savedMethodOf(purchase);
  const createdAt = fromEpoch(purchase.created_on);
  const updatedAt = fromEpoch(purchase.updated_on);
  return {
    id: purchase.id,
    status,
    rawStatus: purchase.status,
    amount,
    currency: currency.toUpperCase(),
    capturedAmount: captured,
    refundedAmount: refunded,
    refundableAmount: Math.max(0, refundable),
    ...(purchase.reference ? { reference: purchase.reference } : {}),
    nextAction:
      status === 'pending' && purchase.checkout_url
        ? { type: 'redirect', url: purchase.checkout_url, method: 'GET' }
        : NO_ACTION,
    ...(status === 'authorized' ? holdExpiry(purchase, holdValidityDays) : {}),
    ...(status === 'failed' ? failureOf(purchase) : {}),
    ...(purchase.client_id ? { customerId: purchase.client_id } : {}),
    ...(savedMethod ? { savedMethod } : {}),
    testMode: purchase.is_test ?? fallbackTestMode,
    ...(createdAt ? { createdAt } : {}),
    ...(updatedAt ? { updatedAt } : {}),
    raw: purchase,
  };
}

/** The last attempt's error: `{code, message, decline_code}` in `transaction_data.attempts`. */
function failureOf(purchase: PurchaseView): { failure?: PaymentFailure } {
  const attempts = purchase.transaction_data?.attempts ?? [];
  const error = (attempts[attempts.length - 1] as { error?: unknown } | undefined)?.error;
  if (!error || typeof error !== 'object') return {};
  const { code, message, decline_code: declineCode } = error as Record<string, unknown>;
  const failure: PaymentFailure = {
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof declineCode === 'string' ? { declineCode } : {}),
    ...(typeof message === 'string' ? { message } : {}),
  };
  return Object.keys(failure).length > 0 ? { failure } : {};
}

function holdExpiry(purchase: PurchaseView, days: number): { authorizationExpiresAt?: Date } {
  const since = heldSince(purchase);
  return since ? { authorizationExpiresAt: new Date(since.getTime() + days * 86_400_000) } : {};
}

/** The seed's refund object or CHIP's Payment → core Refund. */
export function toRefund(refund: RefundObject, context: { paymentId: string; currency?: string }): Refund {
  const raw = (refund.status ?? '').toLowerCase();
  let status: Refund['status'];
  if (raw === '' || ['refunded', 'success', 'succeeded', 'paid'].includes(raw)) status = 'succeeded';
  else if (['error', 'failed', 'blocked', 'cancelled', 'canceled'].includes(raw)) status = 'failed';
  else status = 'pending';
  return {
    id: refund.id,
    paymentId: refund.purchase ?? refund.related_to?.id ?? context.paymentId,
    amount: refund.amount,
    currency: (refund.currency ?? context.currency ?? '').toUpperCase(),
    status,
    ...(refund.reference ? { reference: refund.reference } : {}),
    raw: refund,
  };
}

const EVENT_TYPES: Readonly<Record<string, GatewayEventType>> = {
  'purchase.created': 'payment.created',
  'purchase.viewed': 'other',
  'purchase.paid': 'payment.paid',
  'purchase.captured': 'payment.paid',
  'purchase.settled': 'payment.paid',
  'purchase.preauthorized': 'payment.paid',
  'purchase.hold': 'payment.authorized',
  'purchase.payment_failure': 'payment.failed',
  'purchase.pending_execute': 'payment.processing',
  'purchase.pending_capture': 'payment.processing',
  'purchase.pending_release': 'payment.processing',
  'purchase.pending_refund': 'payment.processing',
  'purchase.pending_charge': 'payment.processing',
  'purchase.released': 'payment.canceled',
  'purchase.cancelled': 'payment.canceled',
  'purchase.refunded': 'payment.refunded',
  'payment.refunded': 'payment.refunded',
  'purchase.recurring_token_deleted': 'saved_method.deleted',
  'purchase.subscription_charge_failure': 'subscription.charge_failed',
  'billing_template.client_activated': 'other',
};

const EVENT_FOR_STATUS: Readonly<Record<PaymentStatus, GatewayEventType>> = {
  pending: 'other',
  processing: 'payment.processing',
  authorized: 'payment.authorized',
  paid: 'payment.paid',
  partially_refunded: 'payment.refunded',
  refunded: 'payment.refunded',
  canceled: 'payment.canceled',
  failed: 'payment.failed',
  expired: 'payment.expired',
  disputed: 'payment.disputed',
};

/**
 * Gateway event name → normalized type. Names not listed but shaped `purchase.<status>` (e.g. a future
 * `purchase.expired` or `purchase.chargeback`) follow the status mapping; anything else is 'other'.
 */
export function normalizeEventType(rawType: string): GatewayEventType {
  const known = EVENT_TYPES[rawType];
  if (known) return known;
  const status = /^purchase\.([a-z_]+)$/.exec(rawType)?.[1];
  if (status && isKnownPurchaseStatus(status)) return EVENT_FOR_STATUS[PURCHASE_STATUS_MAP[status]];
  return 'other';
}

/** The event type a purchase's own status implies (for success callbacks, which carry no event name). */
export function eventTypeForStatus(status: PaymentStatus): GatewayEventType {
  return EVENT_FOR_STATUS[status];
}

export interface PurchaseRequestSettings {
  readonly brandId: string;
  readonly creatorAgent: string;
  readonly capture: CaptureMode;
  readonly saveMethod: boolean;
}

/** core CreatePaymentInput → `POST /purchases/` body. Amounts are checked here, the documented limits by the schema. */
export function toCreatePurchaseRequest(
  input: CreatePaymentInput | ChargeSavedMethodInput,
  settings: PurchaseRequestSettings,
): CreatePurchaseRequest {
  const amount = assertMinorUnits(input.amount);
  const currency = assertCurrency(input.currency);
  if (!input.customer?.email && !input.customer?.gatewayCustomerId) {
    throw new InvalidRequestError('Ummah needs the customer email (or the gateway client id)', {
      gateway: 'ummah',
      code: 'invalid_request',
      details: { 'client.email': ['This field is required.'] },
    });
  }
  let products: CreatePurchaseRequest['purchase']['products'];
  let totalOverride: number | undefined;
  if (input.lineItems && input.lineItems.length > 0) {
    let sum = 0;
    products = input.lineItems.map((item, index) => {
      assertMinorUnits(item.price, `lineItems[${index}].price`);
      sum += item.price * item.quantity;
      return { name: item.name, price: item.price, quantity: item.quantity };
    });
    // Line items that do not add up (shipping, discounts kept elsewhere) are still shown; the total is pinned.
    if (sum !== amount) totalOverride = amount;
  } else {
    products = [{ name: input.description ?? `Order ${input.reference}`, price: amount, quantity: 1 }];
  }
  const customer = input.customer;
  return {
    brand_id: settings.brandId,
    ...(customer.gatewayCustomerId
      ? { client_id: customer.gatewayCustomerId }
      : {
          client: {
            email: customer.email,
            ...(customer.name ? { full_name: customer.name } : {}),
            ...(customer.phone ? { phone: customer.phone } : {}),
          },
        }),
    purchase: {
      currency,
      products,
      ...(totalOverride !== undefined ? { total_override: totalOverride } : {}),
      ...(input.description && input.lineItems?.length ? { notes: input.description } : {}),
    },
    reference: input.reference,
    ...(input.returnUrls
      ? {
          success_redirect: input.returnUrls.success,
          failure_redirect: input.returnUrls.failure,
          ...(input.returnUrls.cancel ? { cancel_redirect: input.returnUrls.cancel } : {}),
        }
      : {}),
    ...(input.callbackUrl ? { success_callback: input.callbackUrl } : {}),
    ...(settings.capture === 'manual' ? { skip_capture: true } : {}),
    ...(settings.saveMethod ? { force_recurring: true } : {}),
    creator_agent: settings.creatorAgent,
    platform: 'api',
  };
}
