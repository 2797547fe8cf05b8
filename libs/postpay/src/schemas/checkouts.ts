import { z } from 'zod';
import {
  amount,
  choice,
  countryCode,
  currencyCode,
  email,
  httpUrl,
  isoDate,
  isoDatetime,
  messages,
  optionalString,
  requiredString,
  typeError,
} from './common.js';

/** Seed 003 ⚬ Address. */
export const addressSchema = z.object({
  first_name: requiredString(),
  last_name: requiredString(),
  phone: optionalString(),
  alt_phone: optionalString(),
  line1: requiredString(),
  line2: optionalString(),
  city: requiredString(),
  state: optionalString(),
  country: countryCode(),
  postal_code: requiredString(),
});
export type Address = z.infer<typeof addressSchema>;

/** Seed 003 ⚬ Shipping: the amount excludes tax. */
export const shippingSchema = z.object({
  id: optionalString(),
  name: requiredString(),
  amount: amount(),
  address: addressSchema,
});

/** Seed 003 ⚬ Customer: the liable customer of the order. */
export const customerSchema = z.object({
  id: optionalString(),
  email: email(),
  first_name: optionalString(),
  last_name: optionalString(),
  gender: choice(['male', 'female', 'other']).optional(),
  account: choice(['new', 'existing', 'guest']).optional(),
  date_of_birth: isoDate().optional(),
  date_joined: isoDatetime().optional(),
  default_address: addressSchema.optional(),
});

/** Seed 003 ⚬ Item: the unit price excludes tax and discounts. */
export const itemSchema = z.object({
  reference: requiredString(),
  name: requiredString(),
  description: optionalString(),
  url: httpUrl(),
  image_url: httpUrl().optional(),
  unit_price: amount(),
  qty: z.int({ error: typeError(messages.integer) }).min(1, { error: messages.minValue(1) }),
});

/** Seed 003 ⚬ Discount: the amount excludes tax. */
export const discountSchema = z.object({
  code: requiredString(),
  name: optionalString(),
  amount: amount(),
});

/** Seed 003 ⚬ Merchant: where the buyer comes back to, with `order_id` and `status` in the query. */
export const merchantSchema = z.object({
  confirmation_url: httpUrl(),
  cancel_url: httpUrl(),
});

const list = <T extends z.ZodType>(item: T) => z.array(item, { error: typeError(messages.list) });

/**
 * What an order's lines add up to: items + shipping + tax − discounts. The seed's own example holds it
 * (84000 − 8400 + 2000 + 3880 = 81480); a checkout whose total says otherwise is refused with the sum it should be.
 */
export function expectedTotal(checkout: {
  readonly items: ReadonlyArray<{ readonly unit_price: number; readonly qty: number }>;
  readonly shipping: { readonly amount: number };
  readonly tax_amount: number;
  readonly discounts?: ReadonlyArray<{ readonly amount: number }> | undefined;
}): number {
  const items = checkout.items.reduce((sum, item) => sum + item.unit_price * item.qty, 0);
  const discounts = (checkout.discounts ?? []).reduce((sum, discount) => sum + discount.amount, 0);
  return items + checkout.shipping.amount + checkout.tax_amount - discounts;
}

export const totalMismatchMessage = (expected: number) =>
  `Ensure the total equals items + shipping + tax - discounts (${expected}).`;

/** `POST /checkouts`. */
export const createCheckoutRequestSchema = z
  .object({
    order_id: requiredString(),
    total_amount: amount(1),
    tax_amount: amount(),
    currency: currencyCode(),
    num_instalments: z
      .int({ error: typeError(messages.integer) })
      .min(1, { error: messages.minValue(1) })
      .optional(),
    shipping: shippingSchema,
    billing_address: addressSchema.optional(),
    customer: customerSchema,
    items: list(itemSchema).min(1, { error: messages.emptyList }),
    discounts: list(discountSchema).optional(),
    merchant: merchantSchema.optional(),
    metadata: z.record(z.string(), z.unknown(), { error: typeError(messages.object) }).optional(),
  })
  .superRefine((checkout, ctx) => {
    const expected = expectedTotal(checkout);
    if (expected !== checkout.total_amount) {
      ctx.addIssue({ code: 'custom', path: ['total_amount'], message: totalMismatchMessage(expected) });
    }
  });
export type CreateCheckoutRequest = z.input<typeof createCheckoutRequestSchema>;

/** `POST /checkouts` → where to send the buyer, and until when the token is valid. */
export const checkoutSchema = z.looseObject({
  token: z.string().min(1),
  expires: z.string().nullish(),
  redirect_url: z.string().refine((value) => URL.canParse(value), { error: messages.url }),
});
export type Checkout = z.infer<typeof checkoutSchema>;
