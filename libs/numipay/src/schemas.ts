import { assertCurrency, currencyExponent, MoneyError, minorUnitsFromDecimal } from '@tijara/core';
import { z } from 'zod';

/**
 * The Numipay API (seed 002) as zod schemas. Every request wraps its fields in `{"request": {…}}`. Request schemas
 * check what the seed shows before anything leaves; messages name the field, never its value (card data passes
 * through here). Response schemas type what the driver reads and let everything else through.
 */

export const MODES = ['test', 'live'] as const;
export type NumipayMode = (typeof MODES)[number];

const required = (field: string) => `${field} is required`;

function text(field: string, max = 255) {
  return z
    .string({ error: required(field) })
    .trim()
    .min(1, { error: `${field} may not be blank` })
    .max(max, { error: `${field} may have at most ${max} characters` });
}

/** A positive decimal amount, as the JSON number Numipay takes (`10.05`); exactness is checked per currency. */
const amount = z
  .number({ error: 'amount must be a decimal number' })
  .positive({ error: 'amount must be greater than 0' })
  .refine(Number.isFinite, { error: 'amount must be a decimal number' });

const currency = z.string({ error: required('currency') }).refine(
  (value) => {
    try {
      assertCurrency(value);
      return true;
    } catch {
      return false;
    }
  },
  { error: 'currency must be an ISO 4217 code' },
);

export const phoneSchema = z.looseObject({
  country: z.string().regex(/^[A-Z]{2}$/, { error: 'phone.country must be an ISO 3166-1 alpha-2 code' }),
  number: z.union([z.number().int().nonnegative(), z.string().regex(/^\d{4,15}$/)], {
    error: 'phone.number must be digits',
  }),
  prefix: z.union([z.number().int().positive(), z.string().regex(/^\+?\d{1,4}$/)], {
    error: 'phone.prefix must be a country calling code',
  }),
});

export const customerSchema = z.looseObject({
  max_deposit_limit: z.number().nonnegative().optional(),
  first_name: text('customer.first_name', 100).optional(),
  last_name: text('customer.last_name', 100).optional(),
  kyc_status: text('customer.kyc_status', 50).optional(),
  email: z.email({ error: 'customer.email must be an email address' }).optional(),
  zip_code: text('customer.zip_code', 20).optional(),
  address: text('customer.address').optional(),
  city: text('customer.city', 100).optional(),
  /** DD/MM/YYYY, as the seed writes it. */
  dob: z
    .string()
    .regex(/^(0[1-9]|[12]\d|3[01])\/(0[1-9]|1[0-2])\/\d{4}$/, { error: 'customer.dob must be DD/MM/YYYY' })
    .optional(),
  country_code: z
    .string()
    .regex(/^[A-Z]{2}$/, { error: 'customer.country_code must be an ISO 3166-1 alpha-2 code' })
    .optional(),
  phone: phoneSchema.optional(),
});
export type NumipayCustomer = z.input<typeof customerSchema>;

/** The fields every `request` envelope shares. */
const envelopeFields = {
  mode: z.enum(MODES, { error: 'mode must be "test" or "live"' }),
  theme: text('theme', 50).optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
  user_id: text('user_id', 100),
  tracking_id: text('tracking_id', 100),
  ip: z.union([z.ipv4(), z.ipv6()], { error: 'ip must be an IP address' }).optional(),
  amount,
  currency,
  customer: customerSchema.optional(),
};

/** The amount must be exact in the currency (no third decimal on EUR): refused, never rounded. */
function exactAmount(value: { amount: number; currency: string }, ctx: z.RefinementCtx): void {
  try {
    currencyExponent(value.currency);
    minorUnitsFromDecimal(value.amount, value.currency);
  } catch (error) {
    if (!(error instanceof MoneyError)) throw error;
    ctx.addIssue({
      code: 'custom',
      path: ['amount'],
      message: `amount is not an exact ${value.currency} amount`,
    });
  }
}

function envelope<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.object({
    request: z
      .looseObject({ ...envelopeFields, ...shape })
      .superRefine((value, ctx) => exactAmount(value as { amount: number; currency: string }, ctx)),
  });
}

/** Hosted cashier (deposit) → `{token}`. `amount_restricted` keeps the buyer from changing the amount. */
export const depositCashierRequestSchema = envelope({ amount_restricted: z.boolean().optional() });

/** Direct integration: straight to one provider (its id under settings → providers). */
export const directPaymentRequestSchema = envelope({
  provider_id: z
    .number({ error: required('provider_id') })
    .int()
    .positive({ error: 'provider_id must be positive' }),
});

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Card data: validated by shape only; messages never repeat a value. */
export const cardDetailsSchema = z.object({
  holder_name: text('card_details.holder_name', 100),
  card_number: z
    .string({ error: required('card_details.card_number') })
    .regex(/^\d{12,19}$/, { error: 'card_details.card_number must be 12 to 19 digits' })
    .refine(luhn, { error: 'card_details.card_number fails the Luhn check' }),
  cvc: z
    .string({ error: required('card_details.cvc') })
    .regex(/^\d{3,4}$/, { error: 'card_details.cvc must be 3 or 4 digits' }),
  exp_month: z
    .string({ error: required('card_details.exp_month') })
    .regex(/^(0[1-9]|1[0-2])$/, { error: 'card_details.exp_month must be 01 to 12' }),
  exp_year: z
    .string({ error: required('card_details.exp_year') })
    .regex(/^\d{4}$/, { error: 'card_details.exp_year must be YYYY' }),
});
export type CardDetails = z.input<typeof cardDetailsSchema>;

/** Server-to-server card payment (PCI DSS scope): `routing_id` picks the route, `card_details` the card. */
export const serverToServerRequestSchema = envelope({
  routing_id: z
    .number({ error: required('routing_id') })
    .int()
    .positive({ error: 'routing_id must be positive' }),
  card_details: cardDetailsSchema,
});

/** Payout cashier (withdrawal) → `{token}`. */
export const payoutCashierRequestSchema = envelope({});

/** Approve or reject a pending payout. */
export const payoutDecisionRequestSchema = z.object({ transaction_id: text('transaction_id', 100) });

export const transactionsQuerySchema = z.object({
  from: z
    .string()
    .regex(/^\d{2}-\d{2}-\d{4}$/, { error: 'from must be DD-MM-YYYY' })
    .optional(),
  to: z
    .string()
    .regex(/^\d{2}-\d{2}-\d{4}$/, { error: 'to must be DD-MM-YYYY' })
    .optional(),
});

export type DepositCashierRequest = z.input<typeof depositCashierRequestSchema>;
export type DirectPaymentRequest = z.input<typeof directPaymentRequestSchema>;
export type ServerToServerRequest = z.input<typeof serverToServerRequestSchema>;
export type PayoutCashierRequest = z.input<typeof payoutCashierRequestSchema>;

export const tokenResponseSchema = z.looseObject({ token: z.string().min(1) });

/** The seed shows no response for direct integration: a URL to send the buyer to, or a cashier token. */
export const directPaymentResponseSchema = z
  .looseObject({
    url: z.string().nullish(),
    token: z.string().nullish(),
    transaction_id: z.string().nullish(),
    transaction_status: z.string().nullish(),
  })
  .refine((value) => Boolean(value.url) || Boolean(value.token), {
    error: 'neither url nor token in the answer',
  });

/** `{url, transaction_status}`: a non-empty `url` is the 3-D Secure step; `rejected` comes with an `error`. */
export const serverToServerResponseSchema = z.looseObject({
  url: z.string().nullish(),
  transaction_status: z.string(),
  error: z.unknown().optional(),
  transaction_id: z.string().nullish(),
});
export type ServerToServerResponse = z.output<typeof serverToServerResponseSchema>;

export const approvePayoutResponseSchema = z.looseObject({
  message: z.string().nullish(),
  transaction_status: z.string().nullish(),
});
export const rejectPayoutResponseSchema = z.looseObject({});

export const transactionStatusSchema = z.looseObject({
  transaction_status: z.string(),
  rejected_reason: z.string().nullish(),
});
export type TransactionStatusResponse = z.output<typeof transactionStatusSchema>;

const decimal = z.union([z.number(), z.string()]);

export const transactionListItemSchema = z.looseObject({
  transaction_id: z.string(),
  gateway_transaction_id: z.string().nullish(),
  provider_transaction_id: z.string().nullish(),
  transaction_type: z.string(),
  transaction_date: z.string().nullish(),
  status: z.string(),
  payment_provider: z.string().nullish(),
  customer_id: z.union([z.number(), z.string()]).nullish(),
  amount: decimal,
  currency: z.string(),
  user_amount: decimal.nullish(),
  user_currency: z.string().nullish(),
  fx_amount: decimal.nullish(),
});
export type TransactionListItem = z.output<typeof transactionListItemSchema>;
export const transactionListSchema = z.array(transactionListItemSchema);

/** A webhook delivery: the seed's payload, signed whole with `x-signature`. */
export const webhookPayloadSchema = z.looseObject({
  transaction_id: z.string().min(1),
  user_id: z.union([z.string(), z.number()]).nullish(),
  tracking_id: z.string().nullish(),
  status: z.string().min(1),
  currency: z.string().nullish(),
  amount: decimal.nullish(),
  transaction_type: z.string().nullish(),
});
export type WebhookPayload = z.output<typeof webhookPayloadSchema>;
