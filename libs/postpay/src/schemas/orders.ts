import { z } from 'zod';
import { addressSchema, customerSchema, discountSchema, itemSchema, shippingSchema } from './checkouts.js';
import { amount, messages, optionalString, pageSchema, requiredString, typeError } from './common.js';

/**
 * Order statuses. Seed 003 lists pending, approved, captured and denied; `cancelled` is what the buyer's cancel
 * leaves (the return's `CANCELLED`), and `expired` what an approval never captured becomes (capture answers 410).
 * A status outside this list is still accepted and kept raw (see status-mapping.ts).
 */
export const ORDER_STATUSES = ['pending', 'approved', 'captured', 'denied', 'cancelled', 'expired'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** An order as lists and settlement transactions show it. */
export const orderSummarySchema = z.looseObject({
  order_id: z.string().min(1),
  status: z.string().min(1),
  status_changed: z.string().nullish(),
  total_amount: z.int().min(0),
  tax_amount: z.int().min(0).nullish(),
  currency: z.string().length(3),
  created: z.string().nullish(),
});
export type OrderSummary = z.infer<typeof orderSummarySchema>;

/** `GET /orders/{order_id}` and the capture answer: the summary with what the checkout sent. */
export const orderSchema = orderSummarySchema.extend({
  shipping: shippingSchema.partial().loose().nullish(),
  billing_address: addressSchema.partial().loose().nullish(),
  customer: customerSchema.partial().loose().nullish(),
  items: z.array(itemSchema.partial().loose()).nullish(),
  discounts: z.array(discountSchema.partial().loose()).nullish(),
});
export type Order = z.infer<typeof orderSchema>;

export const orderPageSchema = pageSchema(orderSummarySchema);
export type OrderPage = z.infer<typeof orderPageSchema>;

/** A refund of a captured order; the merchant chose its id. */
export const refundSchema = z.looseObject({
  refund_id: z.string().min(1),
  amount: z.int().min(0),
  full: z.boolean().nullish(),
  description: z.string().nullish(),
  created: z.string().nullish(),
});
export type RefundObject = z.infer<typeof refundSchema>;

export const refundPageSchema = pageSchema(refundSchema);
export type RefundPage = z.infer<typeof refundPageSchema>;

/**
 * `POST /orders/{order_id}/refunds`. `amount` left out refunds what is left; the sum of an order's refunds never
 * exceeds what was captured (409 `limit_exceeded`), and a refund id is used once (409 `conflict`).
 */
export const createRefundRequestSchema = z.object({
  refund_id: requiredString(),
  amount: amount(1).optional(),
  description: optionalString(),
});
export type CreateRefundRequest = z.input<typeof createRefundRequestSchema>;

/** Capture takes no body: it finalises the whole approved order. */
export const captureRequestSchema = z.object({}, { error: typeError(messages.object) });
