import type { CreateCheckoutRequest, HookEvent, OrderStatus } from '@tijara/postpay';

/** A checkout's order, as the sandbox keeps it (`id` is the merchant's `order_id`). */
export interface OrderRecord {
  id: string;
  status: OrderStatus;
  created_ms: number;
  status_changed_ms: number;
  total_amount: number;
  tax_amount: number;
  currency: string;
  /** The validated checkout request, as the merchant sent it. */
  checkout: CreateCheckoutRequest;
  /** The checkout token (its page is `/checkout/<token>`) and when it stops working. */
  token: string;
  token_expires_ms: number;
  /** When the buyer was approved; the capture window runs from here. */
  approved_ms: number | null;
  /** Approved with the card whose instalment payment is declined at capture (402 `capture_error`). */
  capture_declines: boolean;
  /** Refunded so far (minor units). */
  refunded: number;
}

export interface RefundRecord {
  /** `<order_id>/<refund_id>`: refund ids are the merchant's, unique per order. */
  id: string;
  order_id: string;
  refund_id: string;
  amount: number;
  full: boolean;
  description: string;
  created_ms: number;
}

export type TransactionType = 'order' | 'refund' | 'instalment' | 'regularization';

/** A settlement line: what the next payout cycle pays (or takes back), after fees. */
export interface TransactionRecord {
  id: string;
  type: TransactionType;
  order_id: string;
  currency: string;
  amount: number;
  fee_amount: number;
  fee_rate: number;
  fee_tax_rate: number;
  total_amount: number;
  description: string;
  created_ms: number;
  /** Null until the payout cycle that pays it (the first midnight UTC after it was made). */
  paid_ms: number | null;
}

export interface HookRecord {
  id: string;
  active: boolean;
  events: HookEvent[];
  url: string;
  /** Keys the HMAC of every delivery; never shown back. */
  secret: string;
  created_ms: number;
  modified_ms: number;
}

/** Django's rendering of a datetime: microseconds and `Z` (`2020-05-08T10:58:04.095618Z`). */
export function isoMicros(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Whole seconds, as the seed shows hook timestamps (`2020-05-06T02:14:16Z`). */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The order as lists, transactions and hook deliveries show it. */
export function orderSummary(order: OrderRecord): Record<string, unknown> {
  return {
    order_id: order.id,
    status: order.status,
    status_changed: isoMicros(order.status_changed_ms),
    total_amount: order.total_amount,
    tax_amount: order.tax_amount,
    currency: order.currency,
    created: isoMicros(order.created_ms),
  };
}

/** `GET /orders/{order_id}` and the capture answer: the summary with what the checkout described. */
export function orderDetail(order: OrderRecord): Record<string, unknown> {
  const { shipping, billing_address, customer, items, discounts } = order.checkout;
  return {
    ...orderSummary(order),
    shipping,
    ...(billing_address ? { billing_address } : {}),
    customer,
    items,
    discounts: discounts ?? [],
  };
}

export function refundView(refund: RefundRecord): Record<string, unknown> {
  return {
    refund_id: refund.refund_id,
    amount: refund.amount,
    full: refund.full,
    description: refund.description,
    created: isoMicros(refund.created_ms),
  };
}

export function transactionView(
  transaction: TransactionRecord,
  order: OrderRecord | undefined,
): Record<string, unknown> {
  return {
    id: transaction.id,
    type: transaction.type,
    currency: transaction.currency,
    amount: transaction.amount,
    fee_amount: transaction.fee_amount,
    fee_rate: transaction.fee_rate,
    fee_tax_rate: transaction.fee_tax_rate,
    total_amount: transaction.total_amount,
    description: transaction.description,
    created: isoMicros(transaction.created_ms),
    paid: transaction.paid_ms === null ? null : isoMicros(transaction.paid_ms),
    order: order ? orderSummary(order) : null,
  };
}

export interface LastResponse {
  readonly code: number | null;
  readonly status: 'unused' | 'success' | 'failed';
}

export function hookView(hook: HookRecord, last: LastResponse): Record<string, unknown> {
  return {
    id: hook.id,
    active: hook.active,
    events: hook.events,
    url: hook.url,
    last_response: last,
    created: isoSeconds(hook.created_ms),
    modified: isoSeconds(hook.modified_ms),
  };
}
