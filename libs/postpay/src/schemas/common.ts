import { z } from 'zod';
import { currencyExponent, summarizeFieldDetails as summarize, type FieldDetails } from '@tijara/core';

/**
 * Building blocks shared by every Postpay schema.
 *
 * Request schemas enforce what seed 003 documents (required fields, choices, integer amounts) and speak Django
 * REST framework's messages, which Postpay's 400 bodies use (`"refund_id": ["This field is required."]`), so a
 * request refused before sending reads like the gateway's own refusal, and the sandbox answers with the same
 * words. Response schemas are loose: what the driver relies on is typed, everything else passes through.
 */
export const messages = {
  required: 'This field is required.',
  notNull: 'This field may not be null.',
  blank: 'This field may not be blank.',
  string: 'Not a valid string.',
  integer: 'A valid integer is required.',
  boolean: 'Must be a valid boolean.',
  email: 'Enter a valid email address.',
  url: 'Enter a valid URL.',
  object: 'Expected a dictionary of items.',
  list: 'Expected a list of items.',
  emptyList: 'This list may not be empty.',
  date: 'Date has wrong format. Use one of these formats instead: YYYY-MM-DD.',
  datetime:
    'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].',
  unknownField: 'Unknown field.',
  maxLength: (n: number) => `Ensure this field has no more than ${n} characters.`,
  minValue: (n: number) => `Ensure this value is greater than or equal to ${n}.`,
  maxValue: (n: number) => `Ensure this value is less than or equal to ${n}.`,
  choice: (input: unknown) => `"${String(input)}" is not a valid choice.`,
  currency: (input: unknown) => `"${String(input)}" is not a valid ISO 4217 currency code.`,
  country: (input: unknown) => `"${String(input)}" is not a valid ISO 3166 alpha-2 country code.`,
} as const;

/** Key for errors that belong to no single field (Django REST framework's name for it). */
export const NON_FIELD_ERRORS = 'non_field_errors';

/** Error callback: "required" when the key is absent, "not null" for null, `invalid` otherwise. */
export function typeError(invalid: string) {
  return (issue: { input?: unknown }) =>
    issue.input === undefined ? messages.required : issue.input === null ? messages.notNull : invalid;
}

export function requiredString(maxLength?: number) {
  let schema = z.string({ error: typeError(messages.string) }).min(1, { error: messages.blank });
  if (maxLength !== undefined) schema = schema.max(maxLength, { error: messages.maxLength(maxLength) });
  return schema;
}

export function optionalString(maxLength?: number) {
  let schema = z.string({ error: typeError(messages.string) });
  if (maxLength !== undefined) schema = schema.max(maxLength, { error: messages.maxLength(maxLength) });
  return schema.optional();
}

/** An integer amount in minor units (fils for AED). Seed 003 calls the type "Decimal"; every example is cents. */
export const amount = (min = 0) =>
  z.int({ error: typeError(messages.integer) }).min(min, { error: messages.minValue(min) });

export const optionalBoolean = () => z.boolean({ error: typeError(messages.boolean) }).optional();

export function choice<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, {
    error: (issue) =>
      issue.input === undefined
        ? messages.required
        : issue.input === null
          ? messages.notNull
          : messages.choice(issue.input),
  });
}

export function isIsoCurrency(value: string): boolean {
  if (!/^[A-Z]{3}$/.test(value)) return false;
  try {
    currencyExponent(value);
    return true;
  } catch {
    return false;
  }
}

/** Upper-case ISO 4217 code, checked against the data set core's money helpers use. */
export const currencyCode = () =>
  z
    .string({ error: typeError(messages.string) })
    .refine(isIsoCurrency, { error: (issue) => messages.currency(issue.input) });

export const countryCode = () =>
  z
    .string({ error: typeError(messages.string) })
    .regex(/^[A-Z]{2}$/, { error: (issue) => messages.country(issue.input) });

export const email = () =>
  z
    .string({ error: typeError(messages.string) })
    .max(254, { error: messages.maxLength(254) })
    .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, { error: messages.email });

/** An absolute http(s) URL. */
export function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'https:' || protocol === 'http:';
}

export const httpUrl = () =>
  z
    .string({ error: typeError(messages.string) })
    .max(2000, { error: messages.maxLength(2000) })
    .refine(isHttpUrl, { error: messages.url });

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

export function isIsoDate(value: string): boolean {
  return ISO_DATE.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));
}

export function isIsoDatetime(value: string): boolean {
  return ISO_DATETIME.test(value) && !Number.isNaN(Date.parse(value));
}

export const isoDate = () =>
  z.string({ error: typeError(messages.string) }).refine(isIsoDate, { error: messages.date });

export const isoDatetime = () =>
  z.string({ error: typeError(messages.string) }).refine(isIsoDatetime, { error: messages.datetime });

/** `field: message; other.field: message` for error messages (non-field errors without a prefix). */
export function summarizeFieldDetails(details: FieldDetails, limit = 5): string {
  return summarize(details, limit, NON_FIELD_ERRORS);
}

/** `{ count, next, previous, results }`, the envelope of every list. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.looseObject({
    count: z.int().min(0),
    next: z.string().nullable(),
    previous: z.string().nullable(),
    results: z.array(item),
  });
}

/** DELETE answers 204 with no body. */
export const emptyResponseSchema = z.unknown();

/** `{"error": {"code", "message", "fields"?}}`, every error the seed documents. */
export const errorBodySchema = z.looseObject({
  error: z.looseObject({
    code: z.string(),
    message: z.string(),
    fields: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
