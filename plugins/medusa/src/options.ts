import { MedusaError } from '@medusajs/framework/utils';
import { redactString, type CaptureMode } from '@tijara/core';
import { z } from 'zod';

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/** Options every Tijara provider takes, next to its gateway's own. */
export const commonOptionsShape = {
  /**
   * The storefront page the gateway sends the buyer back to (`?session_id=…&result=…` is appended); it calls
   * `POST /store/carts/:id/complete`.
   */
  returnUrl: httpUrl,
  /**
   * Medusa's public URL, where the gateway can reach `/hooks/payment/<gateway>_<id>`. Without it the gateway gets
   * no per-payment callback: configure its webhooks yourself, and the reconcile job settles what they miss.
   */
  backendUrl: httpUrl.optional(),
  /** The `id` of this provider's entry in medusa-config (default: the gateway's name); it names the hook URL. */
  providerId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be letters, digits, "_" or "-" (the id of the provider entry)')
    .optional(),
  /** `automatic` (default) takes the money at checkout; `manual` holds it until the order is captured. */
  capture: z.enum(['automatic', 'manual']).default('automatic'),
  /** Origins a storefront may name in `data.return_url` (default: the origin of `returnUrl`). */
  allowedReturnOrigins: z.array(httpUrl).optional(),
  /** Shown on the gateway's page (default "Order <session id>"). */
  description: z.string().min(1).max(255).optional(),
};

export interface CommonOptions {
  readonly returnUrl: string;
  readonly backendUrl?: string | undefined;
  readonly providerId?: string | undefined;
  readonly capture: CaptureMode;
  readonly allowedReturnOrigins?: readonly string[] | undefined;
  readonly description?: string | undefined;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.') || '(options)';
  // zod's default messages never quote the rejected value; ours do not either.
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message))
    return `${path}: is required`;
  return `${path}: ${issue.message}`;
}

/**
 * Validate a provider's options at load, listing every problem at once. Values of `secretKeys` (and anything
 * shaped like a key) never appear in the message.
 */
export function parseProviderOptions<T>(
  schema: z.ZodType<T>,
  options: unknown,
  context: { readonly gateway: string; readonly secretKeys: readonly string[] },
): T {
  const parsed = schema.safeParse(options ?? {});
  if (parsed.success) return parsed.data;
  const secrets = secretValues(options, context.secretKeys);
  const problems = parsed.error.issues.map((issue) => `  - ${redactString(describeIssue(issue), secrets)}`);
  throw new MedusaError(
    MedusaError.Types.INVALID_ARGUMENT,
    `Invalid options for the Tijara ${context.gateway} payment provider (${problems.length} problem${
      problems.length === 1 ? '' : 's'
    }):\n${problems.join('\n')}`,
  );
}

/** The string values of the named option fields, to scrub from any message. */
export function secretValues(options: unknown, keys: readonly string[]): string[] {
  if (typeof options !== 'object' || options === null) return [];
  const record = options as Record<string, unknown>;
  return keys.flatMap((key) => {
    const value = record[key];
    if (typeof value === 'string') return [value];
    if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
    return [];
  });
}
