import { z } from 'zod';
import {
  choice,
  epochSeconds,
  listResponseSchema,
  messages,
  optionalString,
  requiredBoolean,
  requiredInteger,
  requiredString,
} from './common.js';
import { purchaseDetailsRequestSchema, purchaseDetailsSchema, purchaseSchema } from './purchases.js';

export const SUBSCRIPTION_PERIOD_UNITS = ['days', 'weeks', 'months', 'years'] as const;
export const SUBSCRIBER_STATUSES = ['active', 'subscription_paused'] as const;

// --- requests -----------------------------------------------------------------------------------------

const billingTemplateFields = {
  brand_id: requiredString(64),
  title: optionalString(256),
  purchase: purchaseDetailsRequestSchema,
  is_subscription: requiredBoolean(),
  subscription_period: requiredInteger(1).optional(),
  subscription_period_units: choice(SUBSCRIPTION_PERIOD_UNITS).optional(),
  number_of_billing_cycles: requiredInteger(0).optional(),
  subscription_due_period: requiredInteger(0).optional(),
  subscription_due_period_units: choice(SUBSCRIPTION_PERIOD_UNITS).optional(),
  subscription_charge_period_end: z.boolean({ error: messages.boolean }).optional(),
  subscription_trial_periods: requiredInteger(0).optional(),
  send_invoice_on_charge_failure: z.boolean({ error: messages.boolean }).optional(),
  send_invoice_on_add_subscriber: z.boolean({ error: messages.boolean }).optional(),
  send_receipt: z.boolean({ error: messages.boolean }).optional(),
};

/** `POST /billing_templates/`: a subscription needs its period and period units. */
export const createBillingTemplateRequestSchema = z
  .looseObject(billingTemplateFields)
  .superRefine((value, ctx) => {
    if (value.is_subscription !== true) return;
    if (value.subscription_period === undefined) {
      ctx.addIssue({ code: 'custom', path: ['subscription_period'], message: messages.required });
    }
    if (value.subscription_period_units === undefined) {
      ctx.addIssue({ code: 'custom', path: ['subscription_period_units'], message: messages.required });
    }
  });
export type CreateBillingTemplateRequest = z.input<typeof createBillingTemplateRequestSchema>;

/** `PUT /billing_templates/{id}/`: the seed requires only `purchase` and `is_subscription`. */
export const updateBillingTemplateRequestSchema = z.looseObject({
  ...billingTemplateFields,
  brand_id: requiredString(64).optional(),
});
export type UpdateBillingTemplateRequest = z.input<typeof updateBillingTemplateRequestSchema>;

/** `POST /billing_templates/{id}/add_subscriber/` and `POST /billing_templates/{id}/send_invoice/` */
export const addSubscriberRequestSchema = z.looseObject({ client_id: requiredString(64) });
export type AddSubscriberRequest = z.input<typeof addSubscriberRequestSchema>;

export const sendInvoiceRequestSchema = z.looseObject({ client_id: requiredString(64) });
export type SendInvoiceRequest = z.input<typeof sendInvoiceRequestSchema>;

/** `PATCH /billing_templates/{id}/clients/{client_id}/`: pause or resume. */
export const patchSubscriberRequestSchema = z.looseObject({ status: choice(SUBSCRIBER_STATUSES).optional() });
export type PatchSubscriberRequest = z.input<typeof patchSubscriberRequestSchema>;

/** `POST /billing/`: a one-time invoice to one or several existing clients. */
export const createInvoiceRequestSchema = z.looseObject({
  brand_id: requiredString(64),
  clients: z
    .array(z.looseObject({ client_id: requiredString(64) }), {
      error: (i) => (i.input === undefined ? messages.required : messages.list),
    })
    .min(1, { error: messages.emptyList }),
  purchase: purchaseDetailsRequestSchema,
  reference: optionalString(128),
  due: requiredInteger(0).optional(),
});
export type CreateInvoiceRequest = z.input<typeof createInvoiceRequestSchema>;

// --- responses ----------------------------------------------------------------------------------------

export const billingTemplateSchema = z.looseObject({
  id: z.string(),
  type: z.string().optional(),
  brand_id: z.string().optional(),
  title: z.string().nullable().optional(),
  is_subscription: z.boolean().optional(),
  subscription_period: z.number().nullable().optional(),
  subscription_period_units: z.string().nullable().optional(),
  number_of_billing_cycles: z.number().nullable().optional(),
  purchase: purchaseDetailsSchema.optional(),
  is_test: z.boolean().optional(),
  created_on: epochSeconds.optional(),
  updated_on: epochSeconds.optional(),
});
export type BillingTemplate = z.infer<typeof billingTemplateSchema>;

export const billingTemplateListSchema = listResponseSchema(billingTemplateSchema);
export type BillingTemplateList = z.infer<typeof billingTemplateListSchema>;

/** A subscriber (the API calls it a billing template client). */
export const subscriberSchema = z.looseObject({
  id: z.string(),
  type: z.string().optional(),
  client_id: z.string().optional(),
  client: z.looseObject({ email: z.string().nullable().optional() }).nullable().optional(),
  is_subscription: z.boolean().optional(),
  status: z.string().optional(),
  next_billing_on: z.number().nullable().optional(),
  recurring_token: z.string().nullable().optional(),
  created_on: epochSeconds.optional(),
  updated_on: epochSeconds.optional(),
});
export type Subscriber = z.infer<typeof subscriberSchema>;

export const subscriberListSchema = listResponseSchema(subscriberSchema);
export type SubscriberList = z.infer<typeof subscriberListSchema>;

/** `add_subscriber` answers the subscriber and, when billing starts now, the purchase to pay. */
export const addSubscriberResponseSchema = z.looseObject({
  billing_template_client: subscriberSchema,
  purchase: purchaseSchema.nullable().optional(),
});
export type AddSubscriberResponse = z.infer<typeof addSubscriberResponseSchema>;

/** `POST /billing/` answers one purchase per client: a bare array (seed) or `{purchases: […]}`. */
export const createInvoiceResponseSchema = z.union([
  z.array(purchaseSchema),
  z.looseObject({ purchases: z.array(purchaseSchema) }),
]);
export type CreateInvoiceResponse = z.infer<typeof createInvoiceResponseSchema>;
