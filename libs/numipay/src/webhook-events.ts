import {
  InvalidRequestError,
  type GatewayEvent,
  type GatewayEventType,
  type PaymentStatus,
} from '@tijara/core';
import { webhookPayloadSchema, type WebhookPayload } from './schemas.js';
import { normalizeDepositStatus } from './status-mapping.js';

const EVENT_FOR_STATUS: Readonly<Record<PaymentStatus, GatewayEventType>> = {
  pending: 'payment.created',
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

const PAYOUT_TYPES: ReadonlySet<string> = new Set(['withdrawal', 'payout']);

export function isPayoutType(type: string | null | undefined): boolean {
  return PAYOUT_TYPES.has((type ?? '').toLowerCase());
}

/** The JSON of a verified delivery; a verified body that is not JSON is still refused as a bad request. */
export function parseVerifiedJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new InvalidRequestError('Numipay webhook body is not JSON', {
      gateway: 'numipay',
      code: 'invalid_json',
    });
  }
}

/**
 * A verified delivery as a normalized event. The payload carries no event id or time: the id is the transaction
 * and its status (a redelivery of the same news is a duplicate), and the event never carries a `payment`, so the
 * pipeline re-reads the status from Numipay every time and the fetched status is final, not the payload's.
 * Deposits name the store's payment by `tracking_id`; payouts (`withdrawal`) are `payout.updated` with no payment.
 */
export function parseNumipayEvent(json: unknown, now: () => Date = () => new Date()): GatewayEvent {
  const parsed = webhookPayloadSchema.safeParse(json);
  if (!parsed.success) {
    throw new InvalidRequestError('Numipay webhook payload lacks transaction_id or status', {
      gateway: 'numipay',
      code: 'invalid_webhook_payload',
      raw: json,
    });
  }
  const payload: WebhookPayload = parsed.data;
  const payout = isPayoutType(payload.transaction_type);
  const type: GatewayEventType = payout
    ? 'payout.updated'
    : EVENT_FOR_STATUS[normalizeDepositStatus(payload.status)];
  const paymentId = !payout && payload.tracking_id ? payload.tracking_id : undefined;
  return {
    id: `${payload.transaction_id}:${payload.status.toLowerCase()}`,
    type,
    rawType: `${payload.transaction_type ?? 'transaction'}.${payload.status}`,
    ...(paymentId ? { paymentId } : {}),
    createdAt: now(),
    raw: payload,
  };
}
