import { InvalidResponseError, type GatewayEvent, type GatewayEventType } from '@tijara/core';
import {
  orderSummarySchema,
  transactionSchema,
  type OrderSummary,
  type Transaction,
} from './schemas/index.js';
import { knownOrderStatus } from './status-mapping.js';
import { toPayment, type PaymentMappingOptions } from './transformers.js';

/**
 * Hook deliveries. Seed 003 documents the hooks (events `order` and `transaction`, the signature) but not the body;
 * the driver reads the envelope the sandbox sends, `{"id", "event", "created", "data"}` with `data` the order or
 * the settlement transaction as the API shows it, and also a bare order or transaction, so a delivery in either
 * shape is understood. The payload is never the last word: see parsePostpayEvent.
 */
export const ORDER_EVENT_TYPES: Readonly<Record<string, GatewayEventType>> = {
  pending: 'payment.created',
  approved: 'payment.authorized',
  captured: 'payment.paid',
  denied: 'payment.failed',
  cancelled: 'payment.canceled',
  expired: 'payment.expired',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalidBody(message: string, raw: unknown): InvalidResponseError {
  return new InvalidResponseError(message, { gateway: 'postpay', code: 'invalid_webhook_body', raw });
}

function date(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

function orderEvent(
  id: string | undefined,
  order: OrderSummary,
  created: unknown,
  raw: unknown,
  mapping: PaymentMappingOptions,
): GatewayEvent {
  const known = knownOrderStatus(order.status);
  // A captured order's payload cannot say what was refunded, so the payment is left out and the pipeline re-reads.
  const complete = known !== undefined && known !== 'captured';
  return {
    id: id ?? `order:${order.order_id}:${order.status}:${order.status_changed ?? ''}`,
    type: (known && ORDER_EVENT_TYPES[known]) ?? 'other',
    rawType: `order.${order.status}`,
    paymentId: order.order_id,
    ...(complete ? { payment: toPayment(order, mapping) } : {}),
    createdAt: date(created) ?? date(order.status_changed) ?? date(order.created) ?? new Date(),
    raw,
  };
}

function transactionEvent(
  id: string | undefined,
  transaction: Transaction,
  created: unknown,
  raw: unknown,
): GatewayEvent {
  const type: GatewayEventType =
    transaction.type === 'order'
      ? 'payment.paid'
      : transaction.type === 'refund'
        ? 'payment.refunded'
        : 'other';
  const paymentId = transaction.order?.order_id;
  return {
    id: id ?? `transaction:${transaction.id}`,
    type,
    rawType: `transaction.${transaction.type}`,
    ...(paymentId ? { paymentId } : {}),
    createdAt: date(created) ?? date(transaction.created) ?? new Date(),
    raw,
  };
}

/**
 * A verified body → GatewayEvent. An order event carries the order's new status; a transaction event a line of the
 * settlement (an `order` line means captured, a `refund` line a refund). Events without an id get a stable one from
 * the object (`order:<order_id>:<status>:<status_changed>`, `transaction:<id>`), the same on every retry.
 */
export function parsePostpayEvent(body: unknown, mapping: PaymentMappingOptions): GatewayEvent {
  if (!isRecord(body)) throw invalidBody('Postpay hook body is not a JSON object', body);
  const kind =
    typeof body.event === 'string' ? body.event : typeof body.type === 'string' ? body.type : undefined;
  const data = isRecord(body.data) ? body.data : isRecord(body.object) ? body.object : undefined;
  const id = typeof body.id === 'string' && body.id !== '' ? body.id : undefined;

  if (data && (kind === 'order' || kind === 'transaction')) {
    if (kind === 'order') {
      const order = orderSummarySchema.safeParse(data);
      if (!order.success) throw invalidBody('Postpay order event does not carry an order', body);
      return orderEvent(id, order.data, body.created, body, mapping);
    }
    const transaction = transactionSchema.safeParse(data);
    if (!transaction.success)
      throw invalidBody('Postpay transaction event does not carry a transaction', body);
    return transactionEvent(id, transaction.data, body.created, body);
  }

  const order = orderSummarySchema.safeParse(body);
  if (order.success) return orderEvent(undefined, order.data, undefined, body, mapping);
  const transaction = transactionSchema.safeParse(body);
  if (transaction.success) return transactionEvent(undefined, transaction.data, undefined, body);
  throw invalidBody('Postpay hook body is neither an event, an order nor a transaction', body);
}

/** Verified bytes as JSON; an authentic but unparseable body is a gateway fault, reported as such. */
export function parseVerifiedJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new InvalidResponseError('Postpay hook body is signed but is not JSON', {
      gateway: 'postpay',
      code: 'invalid_webhook_body',
      cause: error,
    });
  }
}
