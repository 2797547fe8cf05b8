/**
 * The four requests Shopify sends a payments app, validated with zod. Unknown fields pass (Shopify adds fields
 * between versions); the fields the app acts on must be there and well-formed, or the request is refused before
 * anything is recorded or charged.
 */
import { z } from 'zod';
import { InvalidRequestError, MoneyError, readHeader, toMinorUnits, type HeaderBag } from '@tijara/core';
import { assertApiVersion, assertShopDomain } from './shop-domain.js';

const decimal = z.string().regex(/^\d+(\.\d+)?$/, 'expected a decimal string such as "123.00"');
const currency = z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code');
const id = z.string().min(1).max(255);
const gid = (type: string) =>
  z.string().regex(new RegExp(`^gid://shopify/${type}/[^/]+$`), `expected gid://shopify/${type}/<id>`);
const text = z.string().nullish();

const address = z.looseObject({
  given_name: text,
  family_name: text,
  line1: text,
  line2: text,
  city: text,
  postal_code: text,
  province: text,
  country_code: text,
  company: text,
});

const customer = z.looseObject({
  email: text,
  phone_number: text,
  locale: text,
  billing_address: address.nullish(),
  shipping_address: address.nullish(),
});

export const paymentSessionBody = z.looseObject({
  id,
  gid: gid('PaymentSession'),
  group: text,
  session_id: text,
  amount: decimal,
  currency,
  test: z.boolean(),
  merchant_locale: text,
  payment_method: z.looseObject({
    type: z.literal('offsite'),
    // Shopify puts cancel_url under payment_method.data, not at the top level.
    data: z.looseObject({ cancel_url: z.url({ protocol: /^https?$/ }) }),
  }),
  proposed_at: z.string(),
  customer: customer.nullish(),
  kind: z.enum(['sale', 'authorization']),
});

export const refundSessionBody = z.looseObject({
  id,
  gid: gid('RefundSession'),
  payment_id: id,
  amount: decimal,
  currency,
  test: z.boolean().optional(),
  merchant_locale: text,
  proposed_at: z.string(),
});

export const captureSessionBody = refundSessionBody.extend({ gid: gid('CaptureSession') });

export const voidSessionBody = z.looseObject({
  id,
  gid: gid('VoidSession'),
  payment_id: id,
  test: z.boolean().optional(),
  merchant_locale: text,
  proposed_at: z.string(),
});

export type PaymentSessionBody = z.infer<typeof paymentSessionBody>;
export type RefundSessionBody = z.infer<typeof refundSessionBody>;
export type CaptureSessionBody = z.infer<typeof captureSessionBody>;
export type VoidSessionBody = z.infer<typeof voidSessionBody>;

/** What every session request carries in its headers. */
export interface ShopifyRequestContext {
  readonly shop: string;
  readonly apiVersion: string;
  readonly requestId: string | undefined;
}

export function readRequestContext(headers: HeaderBag): ShopifyRequestContext {
  const shop = readHeader(headers, 'shopify-shop-domain');
  const version = readHeader(headers, 'shopify-api-version');
  const missing = [...(shop ? [] : ['Shopify-Shop-Domain']), ...(version ? [] : ['Shopify-Api-Version'])];
  if (missing.length > 0) {
    throw new InvalidRequestError(`Missing header: ${missing.join(', ')}`, { code: 'missing_header' });
  }
  return {
    shop: assertShopDomain(shop),
    apiVersion: assertApiVersion(version),
    requestId: readHeader(headers, 'shopify-request-id'),
  };
}

/** Parse raw JSON bytes with a schema; a typed InvalidRequestError names every bad field. */
export function parseBody<T>(schema: z.ZodType<T>, rawBody: Buffer | Uint8Array | string): T {
  let json: unknown;
  try {
    json = JSON.parse(typeof rawBody === 'string' ? rawBody : Buffer.from(rawBody).toString('utf8'));
  } catch {
    throw new InvalidRequestError('The body is not JSON', { code: 'invalid_json' });
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const details: Record<string, string[]> = {};
    for (const issue of result.error.issues) {
      const path = issue.path.join('.') || '__all__';
      (details[path] ??= []).push(issue.message);
    }
    throw new InvalidRequestError(`Invalid session request: ${Object.keys(details).join(', ')}`, {
      code: 'invalid_session_request',
      details,
    });
  }
  return result.data;
}

/** A positive amount in minor units; refuses what would round (`"1.005"` USD) or is zero. */
export function positiveMinorUnits(amount: string, currencyCode: string): number {
  const minor = toMinorUnits(amount, currencyCode);
  if (minor <= 0)
    throw new MoneyError(`Amount must be greater than zero, got "${amount}"`, { code: 'invalid_amount' });
  return minor;
}
