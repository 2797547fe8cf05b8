import { z } from 'zod';
import { currencyExponent } from '@tijara/core';

/**
 * Building blocks shared by every Ummah schema.
 *
 * Request schemas enforce the documented limits and speak the gateway's own (Django REST framework)
 * messages, so a field rejected client-side reads exactly like the gateway's 400 would, and the sandbox
 * emulator can answer with the same words. Unknown request keys pass through untouched: the gateway
 * ignores what it does not know, and the CHIP family keeps adding optional fields.
 *
 * Response schemas are loose: only what the driver relies on is typed, everything else passes through.
 */

export const messages = {
  required: 'This field is required.',
  notNull: 'This field may not be null.',
  blank: 'This field may not be blank.',
  string: 'Not a valid string.',
  integer: 'A valid integer is required.',
  number: 'A valid number is required.',
  boolean: 'Must be a valid boolean.',
  email: 'Enter a valid email address.',
  url: 'Enter a valid URL.',
  httpsCallback: 'Callback URLs must use HTTPS.',
  object: 'Expected a dictionary of items.',
  list: 'Expected a list of items.',
  emptyList: 'This list may not be empty.',
  maxLength: (n: number) => `Ensure this field has no more than ${n} characters.`,
  exactLength: (n: number) => `Ensure this field has exactly ${n} characters.`,
  minValue: (n: number) => `Ensure this value is greater than or equal to ${n}.`,
  choice: (input: unknown) => `"${String(input)}" is not a valid choice.`,
  currency: (input: unknown) => `"${String(input)}" is not a valid ISO 4217 currency code.`,
} as const;

/** Key used for errors that belong to no single field (CHIP's own name for it). */
export const NON_FIELD_KEY = '__all__';

/** Error callback: "required" when the key is absent, "not null" for null, `invalid` otherwise. */
function typeError(invalid: string) {
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

export const requiredInteger = (min?: number) => {
  let schema = z.int({ error: typeError(messages.integer) });
  if (min !== undefined) schema = schema.min(min, { error: messages.minValue(min) });
  return schema;
};

export const optionalBoolean = () => z.boolean({ error: typeError(messages.boolean) }).optional();
export const requiredBoolean = () => z.boolean({ error: typeError(messages.boolean) });

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

/** 3-letter ISO 4217 code, checked against the same data set core's money helpers use. */
export const currencyCode = () =>
  z
    .string({ error: typeError(messages.string) })
    .refine((value) => isIsoCurrency(value), { error: (issue) => messages.currency(issue.input) });

function isIsoCurrency(value: string): boolean {
  if (!/^[A-Za-z]{3}$/.test(value)) return false;
  try {
    currencyExponent(value);
    return true;
  } catch {
    return false;
  }
}

/** 2-letter ISO 3166 country code. */
export const countryCode = () =>
  z
    .string({ error: typeError(messages.string) })
    .regex(/^[A-Za-z]{2}$/, { error: messages.exactLength(2) })
    .optional();

export const email = () =>
  z
    .string({ error: typeError(messages.string) })
    .max(254, { error: messages.maxLength(254) })
    .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, { error: messages.email });

/** The URL when `value` is an absolute http(s) URL, else undefined (never throws). */
function parseHttpUrl(value: string): URL | undefined {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  return url && (url.protocol === 'https:' || url.protocol === 'http:') ? url : undefined;
}

const isHttpUrl = (value: string): boolean => parseHttpUrl(value) !== undefined;

/**
 * Loopback hosts: `localhost`, all of 127.0.0.0/8 and `[::1]`. The URL parser has already normalised the host
 * (`127.1` and `0x7f.0.0.1` arrive as `127.0.0.1`), so a dotted-quad match is exact.
 */
function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}

/**
 * Where the gateway POSTs signed deliveries (`success_callback`, `Webhook.callback`): HTTPS only. Plain HTTP is let
 * through for loopback hosts so the local sandbox and tests can receive on 127.0.0.1; this is the one place that
 * rule lives (the sandbox validates with this schema too). One check, so a non-URL is reported as such, never thrown.
 */
function callbackUrlChecks(schema: z.ZodString) {
  return schema.superRefine((value, ctx) => {
    const url = parseHttpUrl(value);
    if (!url) ctx.addIssue({ code: 'custom', message: messages.url });
    else if (url.protocol !== 'https:' && !isLoopbackHost(url.hostname)) {
      ctx.addIssue({ code: 'custom', message: messages.httpsCallback });
    }
  });
}

const urlString = () =>
  z.string({ error: typeError(messages.string) }).max(500, { error: messages.maxLength(500) });

/** Redirect URLs (where the buyer's browser goes): any http(s) URL, at most 500 characters. */
export const redirectUrl = () => urlString().refine(isHttpUrl, { error: messages.url }).optional();

/** `cancel_redirect` additionally may not contain `<>'"` or spaces (it is rendered into the checkout page). */
export const cancelRedirectUrl = () =>
  urlString()
    .refine(isHttpUrl, { error: messages.url })
    .refine((value) => !/[<>'" ]/.test(value), {
      error: `This field can't contain any of the symbols <>'" or spaces.`,
    })
    .optional();

/** `success_callback`: HTTPS (or loopback HTTP), at most 500 characters, optional. */
export const callbackUrl = () => callbackUrlChecks(urlString()).optional();

/** `Webhook.callback`: the same rule, required. */
export const webhookCallbackUrl = () => callbackUrlChecks(urlString());

/** Epoch seconds as the gateway sends them. */
export const epochSeconds = z.number();

/** Field path → messages, as the gateway reports 400s (e.g. `{ "client.email": ["This field is required."] }`). */
export type FieldDetails = Record<string, string[]>;

/** Turn a zod error into gateway-style field details keyed by dotted path (`purchase.products.0.price`). */
export function fieldDetailsFromZodError(error: z.ZodError): FieldDetails {
  const details: FieldDetails = {};
  for (const issue of error.issues) {
    const key = issue.path.length === 0 ? NON_FIELD_KEY : issue.path.map(String).join('.');
    const list = (details[key] ??= []);
    if (!list.includes(issue.message)) list.push(issue.message);
  }
  return details;
}

/** `field: message; other.field: message` for error messages (non-field errors without a prefix). */
export function summarizeFieldDetails(details: FieldDetails, limit = 5): string {
  return Object.entries(details)
    .slice(0, limit)
    .map(([field, list]) => (field === NON_FIELD_KEY ? list.join(' ') : `${field}: ${list.join(' ')}`))
    .join('; ');
}

/** `{ results, next, previous }`, the envelope of every list endpoint. */
export function listResponseSchema<T extends z.ZodType>(item: T) {
  return z.looseObject({
    results: z.array(item),
    next: z.string().nullable().optional(),
    previous: z.string().nullable().optional(),
  });
}

/** Seed action endpoints answer `{"status": "cancelled"}`; CHIP answers with the whole object. */
export const statusOnlySchema = z.looseObject({ status: z.string() });
export type StatusOnly = z.infer<typeof statusOnlySchema>;

/** Query for list endpoints: pagination and filters are forwarded as given. */
export const listQuerySchema = z.looseObject({
  page: z
    .int({ error: messages.integer })
    .min(1, { error: messages.minValue(1) })
    .optional(),
});
export type ListQuery = z.input<typeof listQuerySchema>;

export const emptyRequestSchema = z.looseObject({});

/** DELETE answers 204 with no body. */
export const emptyResponseSchema = z.unknown();

// --- error bodies -------------------------------------------------------------------------------------

/** `{"error": "Bad Request", "details": {"field": ["…"]}}` and `{"error": "card_declined", "message", "details"}` */
export const errorBodySchema = z.looseObject({
  error: z.string().optional(),
  message: z.string().optional(),
  detail: z.string().optional(),
  code: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** CHIP's `{"__all__": [{"code": "…", "message": "…"}]}` and per-field lists of the same shape. */
export const chipErrorItemSchema = z.looseObject({
  code: z.string().optional(),
  message: z.string().optional(),
});
export const chipErrorBodySchema = z.looseObject({
  __all__: z.array(z.union([chipErrorItemSchema, z.string()])),
});
