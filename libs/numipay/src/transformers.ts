import { createHash } from 'node:crypto';
import {
  assertCurrency,
  decimalFromMinorUnits,
  InvalidRequestError,
  MoneyError,
  minorUnitsFromDecimal,
  NO_ACTION,
  redact,
  type CreatePaymentInput,
  type Customer,
  type NextAction,
  type Payment,
  type PaymentFailure,
} from '@tijara/core';
import type {
  NumipayCustomer,
  NumipayMode,
  ServerToServerResponse,
  TransactionListItem,
  TransactionStatusResponse,
} from './schemas.js';
import { normalizeDepositStatus } from './status-mapping.js';
import type { TrackingId } from './tracking-id.js';

/** What a store may add to a payment for Numipay beyond core's input (all optional). */
export interface NumipayPaymentExtras {
  /** The buyer's IP address, which Numipay's request envelope carries. */
  readonly ip?: string;
  /** The merchant's id for the buyer; default the customer's `reference`, else a hash of the e-mail. */
  readonly userId?: string;
  /** Customer fields beyond what core's Customer holds (`kyc_status`, `dob`, `phone`, `max_deposit_limit`…). */
  readonly customer?: Partial<NumipayCustomer>;
  /** Cashier theme (`dark`…). */
  readonly theme?: string;
  /** Direct integration: the provider to send the buyer to (settings → providers); overrides the driver's. */
  readonly providerId?: number;
}

export type NumipayPaymentInput = CreatePaymentInput & { readonly numipay?: NumipayPaymentExtras };

/** The `request` fields every call shares. */
export type EnvelopeBase = {
  mode: NumipayMode;
  theme?: string;
  settings?: Record<string, unknown>;
  user_id: string;
  tracking_id: string;
  ip?: string;
  amount: number;
  currency: string;
  customer?: NumipayCustomer;
};

function invalid(message: string, field: string): InvalidRequestError {
  return new InvalidRequestError(message, {
    gateway: 'numipay',
    code: 'invalid_request',
    details: { [field]: [message] },
  });
}

/** The decimal amount Numipay takes, exactly (`1005` EUR → `10.05`). */
export function toNumipayAmount(amount: number, currency: string): number {
  if (amount <= 0) throw invalid('amount must be greater than 0', 'amount');
  try {
    return decimalFromMinorUnits(amount, currency);
  } catch (error) {
    if (error instanceof MoneyError) throw invalid(error.message, 'amount');
    throw error;
  }
}

/** The merchant's user id: the store's customer reference, else a stable pseudonym of the e-mail (never the e-mail). */
export function userIdFor(customer: Customer, extras: NumipayPaymentExtras = {}): string {
  if (extras.userId) return extras.userId;
  if (customer.reference) return customer.reference;
  if (customer.gatewayCustomerId) return customer.gatewayCustomerId;
  const digest = createHash('sha256').update(customer.email.trim().toLowerCase()).digest('hex');
  return `guest-${digest.slice(0, 24)}`;
}

function splitName(customer: Customer): { first_name?: string; last_name?: string } {
  const first = customer.billingAddress?.firstName;
  const last = customer.billingAddress?.lastName;
  if (first || last) return { ...(first ? { first_name: first } : {}), ...(last ? { last_name: last } : {}) };
  const parts = customer.name?.trim().split(/\s+/).filter(Boolean) ?? [];
  if (parts.length === 0) return {};
  if (parts.length === 1) return { first_name: parts[0] as string };
  return { first_name: parts.slice(0, -1).join(' '), last_name: parts[parts.length - 1] as string };
}

/** Core's customer in Numipay's words; what core does not hold comes from the extras. */
export function toNumipayCustomer(
  customer: Customer,
  extras: Partial<NumipayCustomer> = {},
): NumipayCustomer {
  const address = customer.billingAddress;
  const street = address ? [address.line1, address.line2].filter(Boolean).join(', ') : undefined;
  return {
    ...splitName(customer),
    email: customer.email,
    ...(address?.postalCode ? { zip_code: address.postalCode } : {}),
    ...(street ? { address: street } : {}),
    ...(address?.city ? { city: address.city } : {}),
    ...(address?.country ? { country_code: address.country.toUpperCase() } : {}),
    ...extras,
  };
}

/**
 * Where the buyer comes back to. The seed's `settings` object is empty in every example; the driver puts the
 * store's return URLs there under these names (unconfirmed; replace them with the `settings` option).
 */
export function defaultSettings(input: CreatePaymentInput): Record<string, unknown> {
  return {
    success_url: input.returnUrls.success,
    failure_url: input.returnUrls.failure,
    ...(input.returnUrls.cancel ? { cancel_url: input.returnUrls.cancel } : {}),
    ...(input.callbackUrl ? { callback_url: input.callbackUrl } : {}),
  };
}

export function toEnvelopeBase(
  input: NumipayPaymentInput,
  context: { mode: NumipayMode; trackingId: string; settings: Record<string, unknown> },
): EnvelopeBase {
  const currency = assertCurrency(input.currency);
  const extras = input.numipay ?? {};
  return {
    mode: context.mode,
    ...(extras.theme ? { theme: extras.theme } : {}),
    settings: context.settings,
    user_id: userIdFor(input.customer, extras),
    tracking_id: context.trackingId,
    ...(extras.ip ? { ip: extras.ip } : {}),
    amount: toNumipayAmount(input.amount, currency),
    currency,
    customer: toNumipayCustomer(input.customer, extras.customer),
  };
}

/** The hosted cashier page for a token; `{token}` in the template is replaced. */
export function cashierAction(token: string, cashierUrl: string): NextAction {
  return {
    type: 'redirect',
    method: 'GET',
    url: cashierUrl.replaceAll('{token}', encodeURIComponent(token)),
  };
}

export interface PaymentContext {
  readonly tracking: TrackingId;
  readonly testMode: boolean;
  readonly reference?: string | undefined;
}

/** A payment from a raw Numipay status; the amount and currency are those the tracking id was made for. */
export function toPayment(
  rawStatus: string,
  context: PaymentContext,
  nextAction: NextAction,
  raw: unknown,
): Payment {
  const status = normalizeDepositStatus(rawStatus);
  const { amount, currency } = context.tracking;
  const captured = status === 'paid' || status === 'refunded' || status === 'disputed' ? amount : 0;
  return {
    id: context.tracking.id,
    status,
    rawStatus,
    amount,
    currency,
    capturedAmount: captured,
    refundedAmount: status === 'refunded' ? amount : 0,
    // Numipay has no refund API: nothing is refundable through the driver.
    refundableAmount: 0,
    ...(context.reference !== undefined ? { reference: context.reference } : {}),
    nextAction: status === 'pending' ? nextAction : NO_ACTION,
    testMode: context.testMode,
    raw,
  };
}

/**
 * Stripe's decline codes, the vocabulary `PaymentFailure.declineCode` speaks: a Numipay reason that names one of
 * them in words ("Insufficient funds") is given that code, so plugins can map it (Shopify's rejection reasons).
 * Any other reason is kept as the message alone.
 */
const DECLINE_CODES: ReadonlySet<string> = new Set([
  'authentication_required',
  'card_not_supported',
  'card_velocity_exceeded',
  'currency_not_supported',
  'do_not_honor',
  'expired_card',
  'fraudulent',
  'generic_decline',
  'incorrect_cvc',
  'incorrect_number',
  'insufficient_funds',
  'invalid_account',
  'lost_card',
  'pickup_card',
  'processing_error',
  'stolen_card',
  'try_again_later',
  'withdrawal_count_limit_exceeded',
]);

/** Why a failed payment failed, from Numipay's reason text (already redacted by the caller). */
export function failureOf(reason: string | undefined): PaymentFailure | undefined {
  const message = reason?.trim();
  if (!message) return undefined;
  const words = message
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return DECLINE_CODES.has(words) ? { declineCode: words, message } : { message };
}

/** A failed payment gains its failure, when Numipay said why. */
function withFailure(payment: Payment, reason: string | undefined): Payment {
  if (payment.status !== 'failed') return payment;
  const failure = failureOf(reason);
  return failure ? { ...payment, failure } : payment;
}

/** Status endpoint answer → Payment. */
export function statusToPayment(response: TransactionStatusResponse, context: PaymentContext): Payment {
  // A rejection reason may quote the card; core's redaction masks anything shaped like a card number.
  const safe = redact(response);
  return withFailure(toPayment(response.transaction_status, context, NO_ACTION, safe), rejectionReason(safe));
}

/** The seed's `error` beside a `rejected` server-to-server answer, as text. */
export function rejectionReason(response: {
  error?: unknown;
  rejected_reason?: unknown;
}): string | undefined {
  const value = response.error ?? response.rejected_reason;
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const message = (value as { message?: unknown }).message;
    return typeof message === 'string' ? message : JSON.stringify(value);
  }
  return undefined;
}

/** Server-to-server answer → Payment: a non-empty `url` is the 3-D Secure page the buyer must visit. */
export function serverToServerToPayment(response: ServerToServerResponse, context: PaymentContext): Payment {
  const url = response.url?.trim();
  const action: NextAction = url ? { type: 'redirect', method: 'GET', url } : NO_ACTION;
  const payment = withFailure(
    toPayment(response.transaction_status, context, action, response),
    rejectionReason(response),
  );
  // A 3-D Secure step pending on the buyer is awaiting them whatever the status word.
  return url && payment.status === 'processing'
    ? { ...payment, status: 'pending', nextAction: action }
    : payment;
}

/** A transaction of the list, amounts in minor units. */
export interface NumipayTransaction {
  readonly transactionId: string;
  readonly type: string;
  readonly rawStatus: string;
  readonly date: string | undefined;
  readonly amount: number;
  readonly currency: string;
  /** What the buyer paid in their own currency, when Numipay converted it. */
  readonly userAmount?: { readonly amount: number; readonly currency: string };
  readonly provider: string | undefined;
  readonly raw: TransactionListItem;
}

function minor(value: number | string, currency: string, field: string): number {
  try {
    return minorUnitsFromDecimal(value, currency);
  } catch (error) {
    throw new MoneyError(`Numipay transaction ${field} ${String(value)} ${currency} is not exact`, {
      gateway: 'numipay',
      code: 'invalid_amount',
      cause: error,
    });
  }
}

export function toTransaction(item: TransactionListItem): NumipayTransaction {
  const currency = assertCurrency(item.currency);
  const userCurrency = item.user_currency ? assertCurrency(item.user_currency) : undefined;
  return {
    transactionId: item.transaction_id,
    type: item.transaction_type,
    rawStatus: item.status,
    date: item.transaction_date ?? undefined,
    amount: minor(item.amount, currency, 'amount'),
    currency,
    ...(userCurrency && item.user_amount != null
      ? {
          userAmount: {
            amount: minor(item.user_amount, userCurrency, 'user_amount'),
            currency: userCurrency,
          },
        }
      : {}),
    provider: item.payment_provider ?? undefined,
    raw: item,
  };
}
