import {
  assertCurrency,
  assertMinorUnits,
  InvalidRequestError,
  NO_ACTION,
  type Address,
  type CreatePaymentInput,
  type Customer,
  type FieldDetails,
  type NextAction,
  type Payment,
  type Refund,
} from '@tijara/core';
import { referenceOf } from './order-ids.js';
import {
  messages,
  summarizeFieldDetails,
  type Checkout,
  type CreateCheckoutRequest,
  type Order,
  type OrderSummary,
  type RefundObject,
} from './schemas/index.js';
import { isCapturedOrderStatus, normalizeOrderStatus } from './status-mapping.js';

type PostpayAddress = NonNullable<CreateCheckoutRequest['billing_address']>;
type PostpayItem = CreateCheckoutRequest['items'][number];

/** Seed 003's own placeholder for addresses without a postal code, which most Gulf addresses are. */
export const NO_POSTAL_CODE = '00000';

export interface CheckoutOptions {
  /** The order id of this attempt (see order-ids.ts). */
  readonly orderId: string;
  /**
   * The product page Postpay requires of every item, for line items without a `url`. Defaults to the origin of
   * the success return URL (the store's own site).
   */
  readonly storeUrl?: string;
  /** Fix the number of instalments the buyer pays in (they cannot change it at checkout). */
  readonly numInstalments?: number;
}

function invalid(details: FieldDetails): InvalidRequestError {
  return new InvalidRequestError(`Postpay checkout was not sent: ${summarizeFieldDetails(details)}`, {
    gateway: 'postpay',
    code: 'invalid_request',
    details,
  });
}

function splitName(name: string | undefined): { first?: string; last?: string } {
  const words = (name ?? '').trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return {};
  if (words.length === 1) return { first: words[0] as string };
  return { first: words.slice(0, -1).join(' '), last: words.at(-1) as string };
}

/** A core address as Postpay's, names and phone completed from the customer; missing names are reported. */
function toAddress(
  address: Address,
  customer: Customer,
  path: string,
  details: FieldDetails,
): PostpayAddress {
  const names = splitName(customer.name);
  const first = address.firstName ?? names.first;
  const last = address.lastName ?? names.last;
  if (!first) details[`${path}.first_name`] = [messages.required];
  if (!last) details[`${path}.last_name`] = [messages.required];
  const phone = address.phone ?? customer.phone;
  return {
    first_name: first ?? '',
    last_name: last ?? '',
    ...(phone ? { phone } : {}),
    line1: address.line1,
    ...(address.line2 ? { line2: address.line2 } : {}),
    city: address.city,
    ...(address.state ? { state: address.state } : {}),
    country: address.country.toUpperCase(),
    postal_code: address.postalCode || NO_POSTAL_CODE,
  };
}

/** Line items as Postpay items; a fractional quantity becomes one line of its exact total. */
function toItems(input: CreatePaymentInput, url: string, details: FieldDetails): PostpayItem[] {
  return (input.lineItems ?? []).map((item, index) => {
    const reference = item.reference ?? `item-${index + 1}`;
    assertMinorUnits(item.price, `lineItems[${index}].price`);
    if (Number.isInteger(item.quantity) && item.quantity >= 1) {
      return { reference, name: item.name, url: item.url ?? url, unit_price: item.price, qty: item.quantity };
    }
    const total = item.price * item.quantity;
    if (!(item.quantity > 0) || !Number.isSafeInteger(total)) {
      details[`items.${index}.qty`] = [
        `Quantity ${item.quantity} at ${item.price} is not a whole number of minor units; Postpay takes whole items.`,
      ];
    }
    return {
      reference,
      name: `${item.name} × ${item.quantity}`,
      url: item.url ?? url,
      unit_price: total,
      qty: 1,
    };
  });
}

/**
 * CreatePaymentInput → `POST /checkouts`. Postpay checks that items + shipping + tax − discounts equals the total;
 * the store's lines may not (order-level discounts, fees), so the difference is sent as one discount, or as one
 * "other charges" item when the lines add up to less. Without line items the whole order is one item.
 */
export function toCheckoutRequest(
  input: CreatePaymentInput,
  options: CheckoutOptions,
): CreateCheckoutRequest {
  const currency = assertCurrency(input.currency);
  const total = assertMinorUnits(input.amount, 'amount');
  const tax = assertMinorUnits(input.taxAmount ?? 0, 'taxAmount');
  const shippingAmount = assertMinorUnits(input.shipping?.amount ?? 0, 'shipping.amount');
  const details: FieldDetails = {};
  const storeUrl =
    options.storeUrl ??
    (URL.canParse(input.returnUrls.success) ? new URL(input.returnUrls.success).origin : '');

  const shippingAddress = input.customer.shippingAddress ?? input.customer.billingAddress;
  if (!shippingAddress) details['shipping.address'] = [messages.required];
  const address = shippingAddress
    ? toAddress(shippingAddress, input.customer, 'shipping.address', details)
    : undefined;
  const billing = input.customer.billingAddress
    ? toAddress(input.customer.billingAddress, input.customer, 'billing_address', details)
    : undefined;

  let items = toItems(input, storeUrl, details);
  const discounts: NonNullable<CreateCheckoutRequest['discounts']> = [];
  if (items.length === 0) {
    const unitPrice = total - tax - shippingAmount;
    if (unitPrice < 0) details.total_amount = [messages.minValue(tax + shippingAmount)];
    items = [
      {
        reference: input.reference,
        name: input.description ?? `Order ${input.reference}`,
        url: storeUrl,
        unit_price: Math.max(0, unitPrice),
        qty: 1,
      },
    ];
  } else {
    const lines = items.reduce((sum, item) => sum + item.unit_price * item.qty, 0) + shippingAmount + tax;
    if (lines > total)
      discounts.push({ code: 'order-discount', name: 'Order discount', amount: lines - total });
    if (lines < total) {
      items.push({
        reference: 'other-charges',
        name: 'Other charges',
        url: storeUrl,
        unit_price: total - lines,
        qty: 1,
      });
    }
  }
  if (Object.keys(details).length > 0) throw invalid(details);

  const names = splitName(input.customer.name);
  const customerId = input.customer.reference ?? input.customer.gatewayCustomerId;
  return {
    order_id: options.orderId,
    total_amount: total,
    tax_amount: tax,
    currency,
    ...(options.numInstalments !== undefined ? { num_instalments: options.numInstalments } : {}),
    shipping: {
      name: input.shipping?.name ?? 'Shipping',
      amount: shippingAmount,
      address: address as PostpayAddress,
    },
    ...(billing ? { billing_address: billing } : {}),
    customer: {
      ...(customerId ? { id: customerId } : {}),
      email: input.customer.email,
      ...(names.first ? { first_name: names.first } : {}),
      ...(names.last ? { last_name: names.last } : {}),
    },
    items,
    ...(discounts.length > 0 ? { discounts } : {}),
    merchant: {
      confirmation_url: input.returnUrls.success,
      cancel_url: input.returnUrls.cancel ?? input.returnUrls.failure,
    },
    ...(input.metadata ? { metadata: { ...input.metadata } } : {}),
  };
}

export interface PaymentMappingOptions {
  /** From the secret key's prefix. */
  readonly testMode: boolean;
  /** What the order's refunds add up to (the order object does not say). */
  readonly refundedAmount?: number;
  /**
   * How long an approval stays capturable, when the merchant's Postpay agreement says; `authorizationExpiresAt`
   * is then the approval time plus this. Seed 003 documents the expiry (410) but not its length.
   */
  readonly captureWindowMs?: number;
}

function date(value: string | null | undefined): Date | undefined {
  if (!value) return undefined;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

/** An order (summary or detail) → core Payment. */
export function toPayment(order: Order | OrderSummary, options: PaymentMappingOptions): Payment {
  const captured = isCapturedOrderStatus(order.status) ? order.total_amount : 0;
  const refunded = Math.min(captured, options.refundedAmount ?? 0);
  const status = normalizeOrderStatus(order.status, { capturedAmount: captured, refundedAmount: refunded });
  const changedAt = date(order.status_changed);
  const createdAt = date(order.created);
  const reference = referenceOf(order.order_id);
  const expiresAt =
    status === 'authorized' && options.captureWindowMs !== undefined && changedAt
      ? new Date(changedAt.getTime() + options.captureWindowMs)
      : undefined;
  return {
    id: order.order_id,
    status,
    rawStatus: order.status,
    amount: order.total_amount,
    currency: order.currency.toUpperCase(),
    capturedAmount: captured,
    refundedAmount: refunded,
    refundableAmount: captured - refunded,
    ...(reference !== undefined ? { reference } : {}),
    nextAction: NO_ACTION,
    ...(expiresAt ? { authorizationExpiresAt: expiresAt } : {}),
    testMode: options.testMode,
    ...(createdAt ? { createdAt } : {}),
    ...(changedAt ? { updatedAt: changedAt } : {}),
    raw: order,
  };
}

/** The payment a new checkout is: awaiting the buyer at `redirect_url`. */
export function checkoutPayment(
  request: CreateCheckoutRequest,
  checkout: Checkout,
  reference: string,
  testMode: boolean,
): Payment {
  const nextAction: NextAction = { type: 'redirect', url: checkout.redirect_url, method: 'GET' };
  return {
    id: request.order_id,
    status: 'pending',
    rawStatus: 'pending',
    amount: request.total_amount,
    currency: request.currency,
    capturedAmount: 0,
    refundedAmount: 0,
    refundableAmount: 0,
    reference,
    nextAction,
    testMode,
    raw: checkout,
  };
}

/** Refunds are immediate in Postpay: one that exists has succeeded. */
export function toRefund(refund: RefundObject, context: { paymentId: string; currency: string }): Refund {
  return {
    id: refund.refund_id,
    paymentId: context.paymentId,
    amount: refund.amount,
    currency: context.currency,
    status: 'succeeded',
    reference: refund.refund_id,
    raw: refund,
  };
}

/** The sum of a list of refunds. */
export function refundedTotal(refunds: Iterable<Pick<RefundObject, 'amount'>>): number {
  let total = 0;
  for (const refund of refunds) total += refund.amount;
  return total;
}
