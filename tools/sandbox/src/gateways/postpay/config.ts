import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { MetaStore } from '../../engine/database.js';
import { SEED_FEE_TERMS, type FeeTerms } from './fees.js';

/** Postpay's options (`gatewayOptions.postpay`). */
export const postpayOptionsSchema = z
  .object({
    merchantId: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/)
      .optional(),
    secretKey: z
      .string()
      .regex(/^sk_test_\S+$/)
      .optional(),
    /** How long a checkout's token (its `redirect_url`) stays usable; the seed's example says one hour. */
    checkoutTtlMinutes: z
      .number()
      .positive()
      .max(7 * 24 * 60)
      .optional(),
    /** How long an approval stays capturable before capture answers 410 `expired`. */
    captureWindowHours: z
      .number()
      .positive()
      .max(90 * 24)
      .optional(),
    /** The merchant's fee terms on settlement lines (default: the seed's example, 1.00 + 4.5 % + 5 % tax). */
    fees: z
      .object({
        feeAmount: z.int().min(0),
        feeRate: z.int().min(0).max(10_000),
        feeTaxRate: z.int().min(0).max(10_000),
      })
      .optional(),
    /** Instalments shown on the hosted page when a checkout does not fix them. */
    defaultInstalments: z.int().min(1).max(12).optional(),
  })
  .strict();

export type PostpayOptions = z.input<typeof postpayOptionsSchema>;

export interface PostpayConfig {
  readonly merchantId: string;
  readonly secretKey: string;
  readonly checkoutTtlMs: number;
  readonly captureWindowMs: number;
  readonly fees: FeeTerms;
  readonly defaultInstalments: number;
}

export const DEFAULT_CHECKOUT_TTL_MINUTES = 60;
/** The sandbox's choice: seed 003 documents that approvals expire, not when. */
export const DEFAULT_CAPTURE_WINDOW_HOURS = 72;

/** Restore the merchant from the database, or mint one; given options win and are remembered. */
export function loadConfig(meta: MetaStore, raw: unknown): PostpayConfig {
  const options = postpayOptionsSchema.parse(raw ?? {});
  const remembered = (key: string, given: string | undefined, make: () => string): string => {
    const value = given ?? meta.get(key) ?? make();
    meta.set(key, value);
    return value;
  };
  return {
    merchantId: remembered('merchant_id', options.merchantId, () => `id_${randomBytes(8).toString('hex')}`),
    secretKey: remembered(
      'secret_key',
      options.secretKey,
      () => `sk_test_${randomBytes(20).toString('hex')}`,
    ),
    checkoutTtlMs: (options.checkoutTtlMinutes ?? DEFAULT_CHECKOUT_TTL_MINUTES) * 60_000,
    captureWindowMs: (options.captureWindowHours ?? DEFAULT_CAPTURE_WINDOW_HOURS) * 3_600_000,
    fees: options.fees ?? SEED_FEE_TERMS,
    defaultInstalments: options.defaultInstalments ?? 4,
  };
}
