import { z } from 'zod';
import {
  choice,
  epochSeconds,
  listResponseSchema,
  messages,
  optionalBoolean,
  optionalString,
  requiredString,
  webhookCallbackUrl,
} from './common.js';
import { purchaseSchema, refundSchema } from './purchases.js';

/** Event names the gateway sends (design/ummah.md and seed 000). Others may appear and are kept raw. */
export const UMMAH_EVENT_TYPES = [
  'purchase.created',
  'purchase.viewed',
  'purchase.paid',
  'purchase.payment_failure',
  'purchase.pending_execute',
  'purchase.preauthorized',
  'purchase.hold',
  'purchase.pending_capture',
  'purchase.captured',
  'purchase.pending_release',
  'purchase.released',
  'purchase.pending_refund',
  'purchase.refunded',
  'purchase.cancelled',
  'purchase.settled',
  'purchase.pending_charge',
  'purchase.recurring_token_deleted',
  'purchase.subscription_charge_failure',
  'payment.refunded',
  'billing_template.client_activated',
] as const;
export type UmmahEventType = (typeof UMMAH_EVENT_TYPES)[number];

export const DELIVERY_SOURCE_TYPES = ['purchase', 'payment', 'payout', 'billing_template_client'] as const;

// --- requests -----------------------------------------------------------------------------------------

const webhookFields = {
  callback: webhookCallbackUrl(),
  title: optionalString(100),
  events: z.array(requiredString(64), { error: messages.list }).optional(),
  all_events: optionalBoolean(),
};

/** `POST /webhooks/` and `PUT /webhooks/{id}/` (callback required). */
export const createWebhookRequestSchema = z.looseObject(webhookFields);
export type CreateWebhookRequest = z.input<typeof createWebhookRequestSchema>;

export const updateWebhookRequestSchema = createWebhookRequestSchema;
export type UpdateWebhookRequest = z.input<typeof updateWebhookRequestSchema>;

/** `PATCH /webhooks/{id}/` */
export const patchWebhookRequestSchema = createWebhookRequestSchema.partial();
export type PatchWebhookRequest = z.input<typeof patchWebhookRequestSchema>;

/** `GET /webhooks/deliveries/?id=…&source_type=…` */
export const webhookDeliveriesQuerySchema = z.looseObject({
  id: requiredString(64),
  source_type: choice(DELIVERY_SOURCE_TYPES),
});
export type WebhookDeliveriesQuery = z.input<typeof webhookDeliveriesQuerySchema>;

// --- responses ----------------------------------------------------------------------------------------

/** A Webhook endpoint; its `public_key` verifies that webhook's deliveries. */
export const webhookSchema = z.looseObject({
  id: z.string(),
  type: z.string().optional(),
  title: z.string().nullable().optional(),
  callback: z.string(),
  events: z.array(z.string()).optional(),
  all_events: z.boolean().optional(),
  public_key: z.string().optional(),
  created_on: epochSeconds.optional(),
  updated_on: epochSeconds.optional(),
});
export type Webhook = z.infer<typeof webhookSchema>;

export const webhookListSchema = listResponseSchema(webhookSchema);
export type WebhookList = z.infer<typeof webhookListSchema>;

export const webhookDeliverySchema = z.looseObject({
  id: z.string(),
  event: z.string().optional(),
  status: z.string().optional(),
  response_code: z.number().nullable().optional(),
  sent_at: z.number().nullable().optional(),
  payload: z.unknown().optional(),
});
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;

export const webhookDeliveryListSchema = listResponseSchema(webhookDeliverySchema);
export type WebhookDeliveryList = z.infer<typeof webhookDeliveryListSchema>;

/** `GET /public_key/`: `{"public_key": "<PEM>"}` (seed) or the PEM as a bare JSON string (CHIP). */
export const publicKeyResponseSchema = z.union([z.string(), z.looseObject({ public_key: z.string() })]);
export type PublicKeyResponse = z.infer<typeof publicKeyResponseSchema>;

// --- webhook and callback bodies ----------------------------------------------------------------------

/** The documented envelope: `{id, type, created_on, object}`. */
export const webhookEnvelopeSchema = z.looseObject({
  id: z.string(),
  type: z.string(),
  created_on: epochSeconds.optional(),
  object: z.looseObject({ id: z.string().optional() }),
});
export type WebhookEnvelope = z.infer<typeof webhookEnvelopeSchema>;

/** CHIP's shape: the Purchase itself with a top-level `event_type` (success callbacks carry no event_type). */
export const purchaseEventBodySchema = purchaseSchema.extend({ event_type: z.string().optional() });
export type PurchaseEventBody = z.infer<typeof purchaseEventBodySchema>;

/** CHIP's refund notification: a Payment object with `event_type: "payment.refunded"` and `related_to`. */
export const paymentEventBodySchema = refundSchema.extend({ event_type: z.string() });
export type PaymentEventBody = z.infer<typeof paymentEventBodySchema>;
