import { z } from 'zod';
import { InvalidResponseError, type GatewayEvent, type Payment, type Refund } from '@tijara/core';
import {
  checkedInPlace,
  paymentEventBodySchema,
  purchaseViewSchema,
  refundSchema,
  type PurchaseView,
} from './schemas/index.js';
import {
  eventTypeForStatus,
  normalizeEventType,
  toPayment,
  toRefund,
  type PaymentMappingOptions,
} from './transformers.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalidBody(message: string, raw: unknown): InvalidResponseError {
  return new InvalidResponseError(message, { gateway: 'ummah', code: 'invalid_webhook_body', raw });
}

/** An envelope's purchase, checked as the view a Payment is read through; its `raw` is the object as sent. */
const purchaseInPlace = checkedInPlace(purchaseViewSchema);

/**
 * A bare Purchase as CHIP and `success_callback` send it: the fields a Payment is made of, and the event name.
 * Checked as a view, so the Payment's `raw` is the body as sent (see `purchaseViewSchema`).
 */
const purchaseEventInPlace = checkedInPlace(purchaseViewSchema.extend({ event_type: z.string().optional() }));

/** A payload's purchase may be partial (the seed's envelope example is); then only its id is known. */
function paymentFrom(purchase: PurchaseView, mapping: PaymentMappingOptions): Payment | undefined {
  try {
    return toPayment(purchase, mapping);
  } catch {
    return undefined;
  }
}

/** A refund names its purchase by id (`purchase: "<id>"` or `related_to`); a Purchase nests `purchase: {…}`. */
const isRefundObject = (object: Record<string, unknown>) =>
  object.type === 'payment' || typeof object.purchase === 'string' || isRecord(object.related_to);

function fromEpoch(seconds: unknown): Date | undefined {
  return typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000) : undefined;
}

function refundEvent(
  id: string | undefined,
  rawType: string,
  object: Record<string, unknown>,
  createdOn: unknown,
  raw: unknown,
) {
  const parsed = refundSchema.safeParse(object);
  if (!parsed.success)
    throw invalidBody('Ummah refund notification does not look like a refund Payment', raw);
  const refundObject = parsed.data;
  const paymentId = refundObject.purchase ?? refundObject.related_to?.id;
  const refund: Refund = toRefund(refundObject, { paymentId: paymentId ?? refundObject.id });
  return {
    id: id ?? `${refundObject.id}:${rawType}:${refundObject.updated_on ?? refundObject.created_on ?? ''}`,
    type: normalizeEventType(rawType),
    rawType,
    ...(paymentId ? { paymentId } : {}),
    refund,
    createdAt:
      fromEpoch(createdOn) ?? fromEpoch(refundObject.updated_on ?? refundObject.created_on) ?? new Date(),
    raw,
  } satisfies GatewayEvent;
}

/**
 * A verified body → GatewayEvent. Accepts the documented envelope `{id, type, created_on, object}`, CHIP's
 * Purchase with a top-level `event_type`, CHIP's `payment.refunded` Payment (`related_to` names the purchase),
 * and a bare Purchase as sent to `success_callback` (its type then follows the purchase status). Events without
 * an id get `${object id}:${type}:${updated_on}`, stable across the gateway's retries of one delivery.
 */
export function parseUmmahEvent(body: unknown, options: PaymentMappingOptions | boolean = {}): GatewayEvent {
  const mapping = typeof options === 'boolean' ? { fallbackTestMode: options } : options;
  if (!isRecord(body)) throw invalidBody('Ummah webhook body is not a JSON object', body);

  // The documented envelope, checked as `webhookEnvelopeSchema` would (see `ummahEventId`) without copying the
  // purchase's every key first: the purchase is validated on its own just below.
  if (ummahEventId(body) !== undefined) {
    const {
      id,
      type: rawType,
      created_on: createdOn,
      object,
    } = body as { id: string; type: string; created_on?: number; object: Record<string, unknown> };
    if (isRefundObject(object)) {
      return refundEvent(id, rawType, object, createdOn, body);
    }
    const purchase = purchaseInPlace.safeParse(object);
    const payment = purchase.success ? paymentFrom(purchase.data, mapping) : undefined;
    const objectId = typeof object.id === 'string' ? object.id : undefined;
    const isPurchaseEvent = rawType.startsWith('purchase.');
    return {
      id,
      type: normalizeEventType(rawType),
      rawType,
      ...(isPurchaseEvent && objectId ? { paymentId: objectId } : {}),
      ...(payment ? { payment } : {}),
      createdAt: fromEpoch(createdOn) ?? fromEpoch(object.updated_on) ?? new Date(),
      raw: body,
    };
  }

  if (
    body.event_type === 'payment.refunded' ||
    (typeof body.event_type === 'string' && body.type === 'payment')
  ) {
    const parsed = paymentEventBodySchema.safeParse(body);
    if (!parsed.success)
      throw invalidBody('Ummah refund notification does not look like a refund Payment', body);
    return refundEvent(undefined, parsed.data.event_type, body, undefined, body);
  }

  const purchase = purchaseEventInPlace.safeParse(body);
  if (!purchase.success) {
    throw invalidBody('Ummah webhook body is neither an event envelope nor a Purchase', body);
  }
  const data = purchase.data;
  const payment = paymentFrom(data, mapping);
  // A success callback carries no event name: the purchase status says what happened.
  const rawType = data.event_type ?? 'success_callback';
  const type = data.event_type
    ? normalizeEventType(data.event_type)
    : payment
      ? eventTypeForStatus(payment.status)
      : 'other';
  return {
    id: `${data.id}:${rawType}:${data.updated_on ?? data.created_on ?? ''}`,
    type,
    rawType,
    paymentId: data.id,
    ...(payment ? { payment } : {}),
    createdAt: fromEpoch(data.updated_on ?? data.created_on) ?? new Date(),
    raw: body,
  };
}

/**
 * The event id of a verified body, read without validating the object it carries: the documented envelope's
 * `id`, accepted exactly when `webhookEnvelopeSchema` would accept the envelope (the test compares them). CHIP's
 * shapes build their id from the object, so for them this answers undefined and the full parse decides.
 */
export function ummahEventId(body: unknown): string | undefined {
  // The envelope schema's own checks, spelled out: the schema passes the object's every key through, which on a
  // full purchase costs as much as the rest of answering a redelivery.
  if (!isRecord(body) || 'event_type' in body) return undefined;
  const { id, type, created_on: createdOn, object } = body;
  if (typeof id !== 'string' || typeof type !== 'string' || !isRecord(object)) return undefined;
  if (createdOn !== undefined && (typeof createdOn !== 'number' || !Number.isFinite(createdOn)))
    return undefined;
  if (object.id !== undefined && typeof object.id !== 'string') return undefined;
  return id;
}

/**
 * The payment a verified body is about, read as cheaply as `ummahEventId`: the purchase id of a documented
 * `purchase.*` envelope, which is what `parseUmmahEvent` reports as its `paymentId`; undefined otherwise.
 */
export function ummahEventPaymentId(body: unknown): string | undefined {
  if (ummahEventId(body) === undefined) return undefined;
  const { type, object } = body as { type: string; object: Record<string, unknown> };
  if (!type.startsWith('purchase.') || isRefundObject(object)) return undefined;
  return typeof object.id === 'string' ? object.id : undefined;
}

/** Parse verified bytes as JSON; an authentic but unparseable body is a gateway fault, reported as such. */
export function parseVerifiedJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new InvalidResponseError('Ummah webhook body is signed but is not JSON', {
      gateway: 'ummah',
      code: 'invalid_webhook_body',
      cause: error,
    });
  }
}
