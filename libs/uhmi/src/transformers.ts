import {
  InvalidRequestError,
  InvalidResponseError,
  MoneyError,
  NO_ACTION,
  type CreatePaymentInput,
  type NextAction,
  type Payment,
  type PaymentStatus,
} from '@tijara/core';
import { MAX_PRICE, minorUnitsToPrice, priceToMinorUnits, UHMI_CURRENCY } from './price.js';
import {
  LIMITS,
  type CreatePaymentRequest,
  type PaymentType,
  type SubscriptionInterval,
  type UhmiPayment,
  type UhmiTransaction,
} from './schemas.js';
import { normalizePaymentStatus, normalizeTransactionStatus } from './status-mapping.js';

/** Metadata keys the driver keeps on a Uhmi payment for itself; the merchant's own keys sit beside them. */
export const METADATA_KEYS = {
  /** The store's reference for the order (CreatePaymentInput.reference). */
  reference: 'tijara_reference',
  /** The transaction that paid the payment, written once a return resolved it (see the README). */
  transaction: 'tijara_transaction_id',
} as const;

export interface SubscriptionOptions {
  readonly interval: SubscriptionInterval;
  /** Every `intervalCount` intervals (1–52, default 1). */
  readonly intervalCount?: number;
  /** Days before the first collection (0–365). */
  readonly trialDays?: number;
}

/** How the driver creates payments for orders; every field maps to one of the seed's payment fields. */
export interface PaymentDefaults {
  /** `content` (default) or `donation`; `subscription` comes from `subscription`. */
  readonly type?: Exclude<PaymentType, 'subscription'>;
  readonly subscription?: SubscriptionOptions;
  /** Let the buyer pay more than the order's amount (pay what you want); amounts then settle "at least". */
  readonly payWhatYouWant?: boolean;
  readonly category?: string;
  /** Give the buyer Uhmi's 24-hour refund window (default false; never with subscriptions). */
  readonly refundable?: boolean;
  /** Let one payment be paid several times (default false: one order, one payment). */
  readonly repeatable?: boolean;
  /** Background image URL (600×800 recommended). */
  readonly cover?: string;
}

export interface WidgetOptions {
  /** Uhmi's Widget.js (default https://uhmi.io/widget.js, unconfirmed: the seed names no URL). */
  readonly scriptUrl?: string;
  /** A page that hosts the widget for one payment; `{payment_id}` is replaced (e.g. the sandbox's page). */
  readonly pageUrl?: string;
}

export const DEFAULT_WIDGET_SCRIPT_URL = 'https://uhmi.io/widget.js';

export interface PaymentMappingOptions {
  readonly widget: WidgetOptions;
  readonly openCountsAsPaid: boolean;
  readonly testMode: boolean;
}

function invalid(message: string, field: string): InvalidRequestError {
  return new InvalidRequestError(message, {
    gateway: 'uhmi',
    code: 'invalid_parameter',
    details: { [field]: [message] },
  });
}

/** Cut on a code point boundary, so a title never ends in half an emoji. */
function truncate(text: string, max: number): string {
  const points = [...text];
  return points.length <= max ? text : `${points.slice(0, max - 1).join('')}…`;
}

/** The Uhmi payment for one order: its amount as the price, its reference in the metadata. */
export function toCreatePaymentRequest(
  input: CreatePaymentInput,
  defaults: PaymentDefaults = {},
): CreatePaymentRequest {
  if (input.amount > MAX_PRICE) {
    throw invalid(`Uhmi prices go up to 150 EUR; ${input.amount} cents is more`, 'price');
  }
  let price: number;
  try {
    price = minorUnitsToPrice(input.amount);
  } catch (error) {
    if (error instanceof MoneyError) throw invalid(error.message, 'price');
    throw error;
  }
  const reserved = Object.values(METADATA_KEYS) as string[];
  const clash = Object.keys(input.metadata ?? {}).find((key) => reserved.includes(key));
  if (clash) throw invalid(`metadata key ${clash} is reserved for the driver`, 'metadata');
  const metadata = { ...input.metadata, [METADATA_KEYS.reference]: input.reference };
  // Room is kept for the transaction id a resolved return writes later (see the driver).
  const withLink = { ...metadata, [METADATA_KEYS.transaction]: 'x'.repeat(128) };
  if (Buffer.byteLength(JSON.stringify(withLink), 'utf8') > LIMITS.maxMetadataBytes) {
    throw invalid(
      `metadata and the order reference must leave room for the driver's transaction link within Uhmi's ${LIMITS.maxMetadataBytes} bytes`,
      'metadata',
    );
  }
  const subscription = defaults.subscription;
  const title = truncate(input.description?.trim() || `Order ${input.reference}`, LIMITS.titleMaxLength);
  return {
    type: subscription ? 'subscription' : (defaults.type ?? 'content'),
    title,
    price,
    pwyw: defaults.payWhatYouWant ?? false,
    ...(defaults.category !== undefined ? { category: defaults.category } : {}),
    ...(subscription ? {} : { refundable: defaults.refundable ?? false }),
    repeatable: defaults.repeatable ?? false,
    ...(defaults.cover !== undefined ? { cover: defaults.cover } : {}),
    ...(subscription
      ? {
          interval: subscription.interval,
          interval_count: subscription.intervalCount ?? 1,
          ...(subscription.trialDays !== undefined ? { trial_days: subscription.trialDays } : {}),
        }
      : {}),
    metadata,
    success_url: input.returnUrls.success,
  };
}

/** What the buyer does with an unpaid payment: the widget, given the payment id. */
export function widgetAction(paymentId: string, widget: WidgetOptions): NextAction {
  const url = widget.pageUrl?.replaceAll('{payment_id}', encodeURIComponent(paymentId));
  return {
    type: 'widget',
    script: widget.scriptUrl ?? DEFAULT_WIDGET_SCRIPT_URL,
    params: { payment_id: paymentId },
    ...(url ? { url } : {}),
  };
}

function priceOf(object: { price: number | string }, what: string): number {
  try {
    return priceToMinorUnits(object.price);
  } catch (error) {
    throw new InvalidResponseError(
      `Uhmi ${what} has a price that is not an exact euro amount: ${String(object.price)}`,
      {
        gateway: 'uhmi',
        code: 'invalid_price',
        raw: object,
        cause: error,
      },
    );
  }
}

function dateOf(value: string | null | undefined): Date | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function referenceOf(payment: UhmiPayment | undefined): string | undefined {
  const value = payment?.metadata[METADATA_KEYS.reference];
  return typeof value === 'string' ? value : undefined;
}

/** The transaction a payment was linked to by a resolved return, if any. */
export function linkedTransactionId(payment: UhmiPayment): string | undefined {
  const value = payment.metadata[METADATA_KEYS.transaction];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A payment nobody has paid yet (as far as Uhmi can tell us): awaiting the buyer at the widget. */
export function paymentToPayment(payment: UhmiPayment, options: PaymentMappingOptions): Payment {
  const status = normalizePaymentStatus(payment.status);
  const amount = priceOf(payment, `payment ${payment.payment_id}`);
  const reference = referenceOf(payment);
  const createdAt = dateOf(payment.created_at);
  return {
    id: payment.payment_id,
    status,
    rawStatus: payment.status,
    amount,
    currency: UHMI_CURRENCY,
    capturedAmount: 0,
    refundedAmount: 0,
    refundableAmount: 0,
    ...(reference !== undefined ? { reference } : {}),
    nextAction: status === 'pending' ? widgetAction(payment.payment_id, options.widget) : NO_ACTION,
    testMode: options.testMode,
    ...(createdAt ? { createdAt } : {}),
    raw: { payment },
  };
}

const CAPTURED: ReadonlySet<PaymentStatus> = new Set(['paid', 'refunded', 'disputed']);

/**
 * The payment as its transaction tells it. `amount` is what the buyer paid (with pay-what-you-want, at least the
 * payment's price). There is no merchant refund, so nothing is refundable through the driver; a refund the buyer
 * asked Uhmi for shows as `refunded`.
 */
export function transactionToPayment(
  transaction: UhmiTransaction,
  options: PaymentMappingOptions,
  payment?: UhmiPayment,
): Payment {
  const status = normalizeTransactionStatus(transaction.status, options);
  const amount = priceOf(transaction, `transaction of payment ${transaction.payment_id}`);
  const captured = CAPTURED.has(status) ? amount : 0;
  const reference = referenceOf(payment) ?? referenceOf(transaction);
  const createdAt = dateOf(transaction.created_at);
  return {
    id: transaction.payment_id,
    status,
    rawStatus: transaction.status,
    amount,
    currency: UHMI_CURRENCY,
    capturedAmount: captured,
    refundedAmount: status === 'refunded' ? amount : 0,
    refundableAmount: 0,
    ...(reference !== undefined ? { reference } : {}),
    nextAction: status === 'pending' ? widgetAction(transaction.payment_id, options.widget) : NO_ACTION,
    testMode: options.testMode,
    ...(createdAt ? { createdAt } : {}),
    raw: payment ? { payment, transaction } : { transaction },
  };
}
