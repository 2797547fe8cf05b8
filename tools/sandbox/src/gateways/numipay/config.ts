import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { MetaStore } from '../../engine/database.js';

/** Numipay's options (`gatewayOptions.numipay`). */
export const numipayOptionsSchema = z
  .object({
    /** The merchant's DEV API key; default remembered, else generated. */
    apiKey: z.string().min(8).optional(),
    /** The signature password webhooks are signed with; default remembered, else generated. */
    signaturePassword: z.string().min(8).optional(),
    /** Where webhooks go when a request's `settings.callback_url` names none (the back office's setting). */
    webhookUrl: z.url().optional(),
  })
  .strict();

export type NumipayOptions = z.input<typeof numipayOptionsSchema>;

export interface NumipayConfig {
  readonly apiKey: string;
  readonly signaturePassword: string;
  webhookUrl: string | undefined;
}

/** Restore the account from the database, or mint it; given options win and are remembered. */
export function loadConfig(meta: MetaStore, raw: unknown): NumipayConfig {
  const options = numipayOptionsSchema.parse(raw ?? {});
  const remembered = (key: string, given: string | undefined, make: () => string): string => {
    const value = given ?? meta.get(key) ?? make();
    meta.set(key, value);
    return value;
  };
  const webhookUrl = options.webhookUrl ?? meta.get('webhook_url');
  if (webhookUrl) meta.set('webhook_url', webhookUrl);
  return {
    apiKey: remembered('api_key', options.apiKey, () => `npk_dev_${randomBytes(24).toString('base64url')}`),
    signaturePassword: remembered(
      'signature_password',
      options.signaturePassword,
      () => `spg_test_sandbox${randomBytes(24).toString('base64url')}`,
    ),
    webhookUrl,
  };
}
