import { z } from 'zod';
import { isValidPrice, tryPriceToMinorUnits } from './price.js';

/**
 * The Uhmi API (seed 001) as zod schemas. Request schemas enforce every documented limit before a request leaves,
 * with Uhmi's own wording (`The 'price' parameter is invalid or missing.`), so a field refused here reads like the
 * gateway's 400 and the sandbox can answer with the same words. Response schemas type only what the driver reads;
 * everything else passes through.
 */

export const PAYMENT_TYPES = ['content', 'donation', 'subscription'] as const;
export type PaymentType = (typeof PAYMENT_TYPES)[number];

/** The seed names the field ("the frequency/period") without listing values; these are the periods it implies. */
export const SUBSCRIPTION_INTERVALS = ['day', 'week', 'month', 'year'] as const;
export type SubscriptionInterval = (typeof SUBSCRIPTION_INTERVALS)[number];

export const LIMITS = {
  titleMaxLength: 160,
  maxIntervalCount: 52,
  maxTrialDays: 365,
  /** "up to 1kb of additional data", measured as the UTF-8 bytes of its JSON. */
  maxMetadataBytes: 1024,
} as const;

export const invalidParameter = (name: string) => `The '${name}' parameter is invalid or missing.`;

/** A string that encodes to UTF-8: no lone surrogate, which Uhmi would refuse with a 415. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isWellFormedText(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

function text(name: string, maxLength?: number) {
  let schema = z
    .string({ error: invalidParameter(name) })
    .trim()
    .min(1, { error: invalidParameter(name) })
    .refine(isWellFormedText, { error: `The '${name}' parameter is not valid UTF-8 text.` });
  if (maxLength !== undefined) {
    schema = schema.refine((value) => [...value].length <= maxLength, {
      error: `The '${name}' parameter may have at most ${maxLength} characters.`,
    });
  }
  return schema;
}

function url(name: string) {
  return text(name).refine(
    (value) => {
      try {
        return ['http:', 'https:'].includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { error: `The '${name}' parameter must be an http(s) URL.` },
  );
}

const bool = (name: string) => z.boolean({ error: invalidParameter(name) });

function boundedInt(name: string, min: number, max: number) {
  return z
    .number({ error: invalidParameter(name) })
    .int({ error: invalidParameter(name) })
    .min(min, { error: `The '${name}' parameter must be at least ${min}.` })
    .max(max, { error: `The '${name}' parameter may be at most ${max}.` });
}

/**
 * A price in decimal euros (number or decimal string): 0 for free, else 0.01 to 150, at most two decimals. Sent
 * as a JSON number, which spells every such price exactly.
 */
export const priceSchema = z
  .union([z.number(), z.string()], { error: invalidParameter('price') })
  .refine(
    (value) => {
      const cents = tryPriceToMinorUnits(value);
      return cents !== undefined && isValidPrice(cents);
    },
    { error: invalidParameter('price') },
  )
  .transform((value) => Number(value));

const metadataValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const metadataSchema = z
  .record(z.string(), metadataValue, { error: invalidParameter('metadata') })
  .refine((value) => Buffer.byteLength(JSON.stringify(value), 'utf8') <= LIMITS.maxMetadataBytes, {
    error: `The 'metadata' parameter may hold at most ${LIMITS.maxMetadataBytes} bytes.`,
  })
  // JSON.stringify escapes a lone surrogate, so the keys and values themselves are checked.
  .refine(
    (value) => Object.entries(value).every(([k, v]) => isWellFormedText(k) && isWellFormedText(String(v))),
    {
      error: `The 'metadata' parameter is not valid UTF-8 text.`,
    },
  );

const paymentFields = {
  type: z.enum(PAYMENT_TYPES, { error: invalidParameter('type') }),
  title: text('title', LIMITS.titleMaxLength),
  price: priceSchema,
  pwyw: bool('pwyw'),
  category: text('category', 100),
  refundable: bool('refundable'),
  repeatable: bool('repeatable'),
  cover: url('cover'),
  interval: z.enum(SUBSCRIPTION_INTERVALS, { error: invalidParameter('interval') }),
  interval_count: boundedInt('interval_count', 1, LIMITS.maxIntervalCount),
  trial_days: boundedInt('trial_days', 0, LIMITS.maxTrialDays),
  metadata: metadataSchema,
  success_url: url('success_url'),
};

/** The documented combinations: subscription fields only on subscriptions, which are never refundable. */
function checkCombination(
  value: {
    type?: PaymentType | undefined;
    refundable?: boolean | undefined;
    interval?: unknown;
    interval_count?: unknown;
    trial_days?: unknown;
  },
  ctx: z.RefinementCtx,
  creating: boolean,
): void {
  const add = (field: string, message: string) => ctx.addIssue({ code: 'custom', message, path: [field] });
  if (value.type === 'subscription') {
    if (creating && value.interval === undefined) add('interval', invalidParameter('interval'));
    if (value.refundable === true) {
      add('refundable', `The 'refundable' parameter is not possible in combination with a subscription.`);
    }
  } else if (value.type !== undefined) {
    for (const field of ['interval', 'interval_count', 'trial_days'] as const) {
      if (value[field] !== undefined) add(field, `The '${field}' parameter only applies to subscriptions.`);
    }
  }
}

/** `POST /payments`: type, title and price are required (the seed's example sends every field). */
export const createPaymentRequestSchema = z
  .looseObject({
    type: paymentFields.type,
    title: paymentFields.title,
    price: paymentFields.price,
    pwyw: paymentFields.pwyw.optional(),
    category: paymentFields.category.optional(),
    refundable: paymentFields.refundable.optional(),
    repeatable: paymentFields.repeatable.optional(),
    cover: paymentFields.cover.optional(),
    interval: paymentFields.interval.optional(),
    interval_count: paymentFields.interval_count.optional(),
    trial_days: paymentFields.trial_days.optional(),
    metadata: paymentFields.metadata.optional(),
    success_url: paymentFields.success_url.optional(),
  })
  .superRefine((value, ctx) => checkCombination(value, ctx, true));

/** `PATCH /payments/{id}`: any subset; what is left out stays unchanged. */
export const updatePaymentRequestSchema = z
  .looseObject({
    type: paymentFields.type.optional(),
    title: paymentFields.title.optional(),
    price: paymentFields.price.optional(),
    pwyw: paymentFields.pwyw.optional(),
    category: paymentFields.category.optional(),
    refundable: paymentFields.refundable.optional(),
    repeatable: paymentFields.repeatable.optional(),
    cover: paymentFields.cover.optional(),
    interval: paymentFields.interval.optional(),
    interval_count: paymentFields.interval_count.optional(),
    trial_days: paymentFields.trial_days.optional(),
    metadata: paymentFields.metadata.optional(),
    success_url: paymentFields.success_url.optional(),
  })
  .superRefine((value, ctx) => checkCombination(value, ctx, false));

export type CreatePaymentRequest = z.input<typeof createPaymentRequestSchema>;
export type UpdatePaymentRequest = z.input<typeof updatePaymentRequestSchema>;

/** PHP back ends answer an empty object as `[]`; both mean "no metadata". */
const responseMetadata = z
  .union([z.record(z.string(), z.unknown()), z.array(z.unknown())])
  .nullish()
  .transform((value) => (Array.isArray(value) || value == null ? {} : value));

/** A payment as Uhmi answers it. `price` stays as sent (number or string) for exact conversion. */
export const paymentSchema = z.looseObject({
  payment_id: z.string().min(1),
  status: z.string(),
  created_at: z.string().nullish(),
  type: z.string().nullish(),
  title: z.string().nullish(),
  price: z.union([z.number(), z.string()]),
  pwyw: z.unknown().optional(),
  metadata: responseMetadata,
  success_url: z.string().nullish(),
});
export type UhmiPayment = z.output<typeof paymentSchema>;

/**
 * A transaction: the seed's example answers the payment's fields with the transaction's `status` (`paid`) and the
 * `payment_id` it paid; `price` is what the buyer paid (more than the payment's price with pay-what-you-want). An
 * id of its own, when present, is kept.
 */
export const transactionSchema = paymentSchema.extend({
  transaction_id: z.string().nullish(),
});
export type UhmiTransaction = z.output<typeof transactionSchema>;

/** `DELETE /payments/{id}` answers the text `Payment deleted` (a JSON string, or plain text). */
export const deletePaymentResponseSchema = z.unknown();

/** `{"error": {"code": 400, "message": "The 'price' parameter is invalid or missing."}}` */
export const errorBodySchema = z.looseObject({
  error: z.looseObject({
    code: z.union([z.number(), z.string()]).optional(),
    message: z.string().optional(),
  }),
});
