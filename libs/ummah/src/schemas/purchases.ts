import { z } from 'zod';
import {
  callbackUrl,
  cancelRedirectUrl,
  choice,
  countryCode,
  currencyCode,
  email,
  emptyRequestSchema,
  epochSeconds,
  messages,
  NON_FIELD_KEY,
  optionalBoolean,
  optionalString,
  redirectUrl,
  requiredInteger,
  requiredString,
} from './common.js';

/** Every purchase status the gateway documents, in the order of seed 004 (plus the one ummah.md adds). */
export const PURCHASE_STATUSES = [
  'created',
  'sent',
  'viewed',
  'error',
  'cancelled',
  'overdue',
  'expired',
  'blocked',
  'hold',
  'released',
  'pending_release',
  'pending_capture',
  'preauthorized',
  'paid',
  'pending_execute',
  'pending_charge',
  'cleared',
  'settled',
  'chargeback',
  'pending_refund',
  'refunded',
  'pending_recurring_token_delete',
] as const;
export const purchaseStatusSchema = z.enum(PURCHASE_STATUSES);
export type PurchaseStatus = z.infer<typeof purchaseStatusSchema>;

export const PLATFORMS = ['web', 'api', 'ios', 'android', 'macos', 'windows'] as const;

// --- requests -----------------------------------------------------------------------------------------

export const productRequestSchema = z.looseObject({
  name: requiredString(256),
  /** Unit price in minor units. */
  price: requiredInteger(0),
  /** The gateway accepts fractional quantities (it echoes them back as decimal strings). */
  quantity: z
    .union([z.number(), z.string().regex(/^\d+(\.\d+)?$/)], { error: messages.number })
    .refine((q) => Number(q) > 0, { error: 'Ensure this value is greater than 0.' })
    .optional(),
  discount: requiredInteger(0).optional(),
  tax_percent: z.union([z.number(), z.string()], { error: messages.number }).optional(),
  category: optionalString(256),
});
export type ProductRequest = z.input<typeof productRequestSchema>;

/** `purchase` block of a Purchase or BillingTemplate: products, currency and invoice fields. */
export const purchaseDetailsRequestSchema = z.looseObject(
  {
    products: z
      .array(productRequestSchema, {
        error: (i) => (i.input === undefined ? messages.required : messages.list),
      })
      .min(1, { error: messages.emptyList }),
    currency: currencyCode().optional(),
    total_override: requiredInteger(0).nullable().optional(),
    due_strict: optionalBoolean(),
    timezone: optionalString(64),
    language: optionalString(16),
    notes: optionalString(10000),
    email_message: optionalString(10000),
  },
  { error: (i) => (i.input === undefined ? messages.required : messages.object) },
);
export type PurchaseDetailsRequest = z.input<typeof purchaseDetailsRequestSchema>;

/** Client contact details embedded in a purchase (`client`), or the body of `POST /clients/`. */
export const clientDetailsRequestSchema = z.looseObject(
  {
    email: email(),
    full_name: optionalString(128),
    phone: optionalString(32),
    street_address: optionalString(128),
    country: countryCode(),
    city: optionalString(128),
    zip_code: optionalString(32),
    state: optionalString(128),
    legal_name: optionalString(128),
    brand_name: optionalString(128),
    registration_number: optionalString(32),
    tax_number: optionalString(32),
    personal_code: optionalString(32),
  },
  { error: (i) => (i.input === undefined ? messages.required : messages.object) },
);
export type ClientDetailsRequest = z.input<typeof clientDetailsRequestSchema>;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `POST /purchases/` */
export const createPurchaseRequestSchema = z
  .looseObject({
    brand_id: requiredString(64),
    client: clientDetailsRequestSchema.optional(),
    client_id: z.string({ error: messages.string }).nullable().optional(),
    purchase: purchaseDetailsRequestSchema,
    reference: optionalString(128),
    success_redirect: redirectUrl(),
    failure_redirect: redirectUrl(),
    cancel_redirect: cancelRedirectUrl(),
    success_callback: callbackUrl(),
    creator_agent: optionalString(32),
    platform: choice(PLATFORMS).optional(),
    send_receipt: optionalBoolean(),
    skip_capture: optionalBoolean(),
    force_recurring: optionalBoolean(),
    payment_method_whitelist: z.array(z.string(), { error: messages.list }).optional(),
    due: requiredInteger(0).optional(),
    issued: optionalString(64),
  })
  .superRefine(
    (value, ctx) => {
      const hasClient = value.client !== undefined;
      const hasClientId = value.client_id !== undefined && value.client_id !== null;
      if (!hasClient && !hasClientId) {
        ctx.addIssue({ code: 'custom', path: ['client'], message: messages.required });
      } else if (hasClient && hasClientId) {
        ctx.addIssue({
          code: 'custom',
          path: [NON_FIELD_KEY],
          message: 'Specify either client or client_id, not both.',
        });
      }
    },
    // By default zod skips this once any field failed, so a body missing both the client and (say) the products
    // would report the products now and the client on the next attempt. Run it whenever the body is an object:
    // it reads only whether the two keys are set, which holds even while other fields are invalid.
    { when: (payload) => isRecord(payload.value) },
  );
export type CreatePurchaseRequest = z.input<typeof createPurchaseRequestSchema>;

/** `POST /purchases/{id}/capture/`: amount ≤ the held amount; omit for all of it. */
export const capturePurchaseRequestSchema = z.looseObject({ amount: requiredInteger(1).optional() });
export type CapturePurchaseRequest = z.input<typeof capturePurchaseRequestSchema>;

/** `POST /purchases/{id}/refund/` */
export const refundPurchaseRequestSchema = z.looseObject({
  amount: requiredInteger(1).optional(),
  reference: optionalString(128),
});
export type RefundPurchaseRequest = z.input<typeof refundPurchaseRequestSchema>;

/** `POST /purchases/{id}/mark_as_paid/` */
export const markAsPaidRequestSchema = z.looseObject({ paid_on: requiredInteger(0).optional() });
export type MarkAsPaidRequest = z.input<typeof markAsPaidRequestSchema>;

/** `POST /purchases/{id}/charge/`: the token is the id of an earlier purchase with `is_recurring_token`. */
export const chargePurchaseRequestSchema = z.looseObject({ recurring_token: requiredString(64) });
export type ChargePurchaseRequest = z.input<typeof chargePurchaseRequestSchema>;

/** Actions without a body: cancel, release, resend_invoice, delete_recurring_token. */
export const purchaseActionRequestSchema = emptyRequestSchema;

/** `GET /payment_methods/` and `GET /payout_methods/` */
export const paymentMethodsQuerySchema = z.looseObject({
  brand_id: requiredString(64),
  currency: currencyCode(),
  country: countryCode(),
  recurring: optionalBoolean(),
  skip_capture: optionalBoolean(),
  preauthorization: optionalBoolean(),
  amount: requiredInteger(0).optional(),
  language: optionalString(16),
});
export type PaymentMethodsQuery = z.input<typeof paymentMethodsQuerySchema>;

// --- responses ----------------------------------------------------------------------------------------

export const productSchema = z.looseObject({
  name: z.string().optional(),
  price: z.number().optional(),
  quantity: z.union([z.number(), z.string()]).optional(),
  discount: z.number().optional(),
  tax_percent: z.union([z.number(), z.string()]).optional(),
  category: z.string().nullable().optional(),
});

export const purchaseDetailsSchema = z.looseObject({
  currency: z.string().optional(),
  products: z.array(productSchema).optional(),
  /** CHIP's name for the total. */
  total: z.number().optional(),
  /** The seed's name for the total. */
  total_amount: z.number().optional(),
  total_override: z.number().nullable().optional(),
  subtotal_override: z.number().nullable().optional(),
  language: z.string().optional(),
  notes: z.string().nullable().optional(),
  due_strict: z.boolean().optional(),
  timezone: z.string().optional(),
});
export type PurchaseDetails = z.infer<typeof purchaseDetailsSchema>;

export const clientDetailsSchema = z.looseObject({
  email: z.string().nullable().optional(),
  full_name: z.string().nullable().optional(),
  phone: z.string().nullable().optional(),
  country: z.string().nullable().optional(),
});

/** Executed transaction of a paid purchase (`payment`), null while unpaid. */
export const paymentDetailsSchema = z.looseObject({
  amount: z.number().optional(),
  currency: z.string().optional(),
  net_amount: z.number().optional(),
  fee_amount: z.number().optional(),
  pending_amount: z.number().optional(),
  paid_on: z.number().nullable().optional(),
  payment_type: z.string().optional(),
  is_outgoing: z.boolean().optional(),
  method: z.string().optional(),
  is_recurring_token: z.boolean().optional(),
});

/** Card display data the gateway puts in `transaction_data.extra`. */
export const cardExtraSchema = z.looseObject({
  masked_pan: z.string().nullable().optional(),
  card_brand: z.string().nullable().optional(),
  card_type: z.string().nullable().optional(),
  expiry_month: z.union([z.number(), z.string()]).nullable().optional(),
  expiry_year: z.union([z.number(), z.string()]).nullable().optional(),
  cardholder_name: z.string().nullable().optional(),
});

export const transactionDataSchema = z.looseObject({
  payment_method: z.string().nullable().optional(),
  flow: z.string().nullable().optional(),
  extra: cardExtraSchema.nullable().optional(),
  country: z.string().nullable().optional(),
  attempts: z.array(z.looseObject({})).optional(),
});

export const statusHistoryEntrySchema = z.looseObject({
  status: z.string(),
  timestamp: z.number().optional(),
  related_object: z
    .looseObject({ type: z.string().optional(), id: z.string().optional() })
    .nullable()
    .optional(),
});

/**
 * A Purchase. `status` is a plain string on purpose: a status the gateway adds later must not turn a
 * successful call into a validation error (the mapper handles unknown statuses).
 */
export const purchaseSchema = z.looseObject({
  id: z.string(),
  type: z.string().optional(),
  status: z.string(),
  brand_id: z.string().optional(),
  client_id: z.string().nullable().optional(),
  client: clientDetailsSchema.nullable().optional(),
  purchase: purchaseDetailsSchema.optional(),
  payment: paymentDetailsSchema.nullable().optional(),
  transaction_data: transactionDataSchema.nullable().optional(),
  status_history: z.array(statusHistoryEntrySchema).optional(),
  checkout_url: z.string().nullable().optional(),
  invoice_url: z.string().nullable().optional(),
  direct_post_url: z.string().nullable().optional(),
  success_redirect: z.string().nullable().optional(),
  failure_redirect: z.string().nullable().optional(),
  cancel_redirect: z.string().nullable().optional(),
  success_callback: z.string().nullable().optional(),
  reference: z.string().nullable().optional(),
  reference_generated: z.string().nullable().optional(),
  creator_agent: z.string().nullable().optional(),
  is_test: z.boolean().optional(),
  is_recurring_token: z.boolean().optional(),
  recurring_token: z.string().nullable().optional(),
  skip_capture: z.boolean().optional(),
  force_recurring: z.boolean().optional(),
  marked_as_paid: z.boolean().optional(),
  refundable_amount: z.number().optional(),
  refund_availability: z.string().optional(),
  billing_template_id: z.string().nullable().optional(),
  product: z.string().optional(),
  due: z.number().nullable().optional(),
  created_on: epochSeconds.optional(),
  updated_on: epochSeconds.optional(),
  viewed_on: epochSeconds.nullable().optional(),
});
export type Purchase = z.infer<typeof purchaseSchema>;

/**
 * The part of a Purchase a Payment is made of: exactly the fields `toPayment` reads, typed as in `purchaseSchema`.
 * Reads that only settle (the driver's `retrievePayment`, webhooks) validate this view and keep the gateway's
 * object as it came, instead of building a checked copy of all of its fields: `z.object` looks at these keys
 * alone, where `purchaseSchema`'s loose objects walk and copy every key at every level. The bench measured that
 * copy as most of the driver's CPU above got's (docs/benchmarks.md). `UmmahClient` still answers with the whole
 * `purchaseSchema`.
 */
export const purchaseViewSchema = z.object({
  id: z.string(),
  status: z.string(),
  client_id: z.string().nullable().optional(),
  purchase: z
    .object({
      currency: z.string().optional(),
      total: z.number().optional(),
      total_amount: z.number().optional(),
    })
    .optional(),
  payment: z.object({ amount: z.number().optional(), currency: z.string().optional() }).nullable().optional(),
  transaction_data: z
    .object({
      extra: z
        .object({
          masked_pan: z.string().nullable().optional(),
          card_brand: z.string().nullable().optional(),
          expiry_month: z.union([z.number(), z.string()]).nullable().optional(),
          expiry_year: z.union([z.number(), z.string()]).nullable().optional(),
          cardholder_name: z.string().nullable().optional(),
        })
        .nullable()
        .optional(),
      attempts: z.array(z.looseObject({})).optional(),
    })
    .nullable()
    .optional(),
  status_history: z.array(z.object({ status: z.string(), timestamp: z.number().optional() })).optional(),
  checkout_url: z.string().nullable().optional(),
  reference: z.string().nullable().optional(),
  is_test: z.boolean().optional(),
  is_recurring_token: z.boolean().optional(),
  refundable_amount: z.number().optional(),
  created_on: epochSeconds.optional(),
  updated_on: epochSeconds.optional(),
});
export type PurchaseView = z.infer<typeof purchaseViewSchema>;

/**
 * A schema that checks `view` and answers the value it was given, untouched: the view's guarantees for the fields
 * it names, every other field as the gateway sent it. Issues keep their paths, so a mismatch is reported exactly
 * as the full schema would report it.
 */
export function checkedInPlace<View>(view: z.ZodType<View>): z.ZodType<View> {
  return z.unknown().transform((value, ctx) => {
    const checked = view.safeParse(value);
    if (checked.success) return value as View;
    for (const issue of checked.error.issues) ctx.issues.push(issue as (typeof ctx.issues)[number]);
    return z.NEVER;
  }) as unknown as z.ZodType<View>;
}

/** What action endpoints answer: the whole Purchase (CHIP) or just `{"status": "…"}` (seed). */
export const purchaseActionResponseSchema = z.union([purchaseSchema, z.looseObject({ status: z.string() })]);
export type PurchaseActionResponse = z.infer<typeof purchaseActionResponseSchema>;

/**
 * A refund: the seed's `{id, status: "refunded", amount, currency, purchase, method, created_on}` or CHIP's
 * Payment object (`status: "success"`, `payment_type: "refund"`, `related_to: {type, id}`).
 */
export const refundSchema = z.looseObject({
  id: z.string(),
  type: z.string().optional(),
  status: z.string().optional(),
  amount: z.number(),
  currency: z.string().optional(),
  purchase: z.string().optional(),
  related_to: z.looseObject({ type: z.string().optional(), id: z.string() }).nullable().optional(),
  payment_type: z.string().optional(),
  method: z.string().optional(),
  reference: z.string().nullable().optional(),
  is_test: z.boolean().optional(),
  created_on: epochSeconds.optional(),
  updated_on: epochSeconds.optional(),
});
export type RefundObject = z.infer<typeof refundSchema>;

export const paymentMethodsSchema = z.looseObject({
  available_payment_methods: z.array(z.string()),
  by_country: z.record(z.string(), z.array(z.string())).optional(),
  country_names: z.record(z.string(), z.string()).optional(),
  names: z.record(z.string(), z.string()).optional(),
  logos: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
  card_methods: z.array(z.string()).optional(),
});
export type PaymentMethods = z.infer<typeof paymentMethodsSchema>;

export const payoutMethodsSchema = z.looseObject({
  available_payout_methods: z.array(z.string()),
  names: z.record(z.string(), z.string()).optional(),
  logos: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
  card_methods: z.array(z.string()).optional(),
});
export type PayoutMethods = z.infer<typeof payoutMethodsSchema>;
