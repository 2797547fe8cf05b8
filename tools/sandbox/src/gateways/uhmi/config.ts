import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { MetaStore } from '../../engine/database.js';

/** Uhmi's options (`gatewayOptions.uhmi`). */
export const uhmiOptionsSchema = z
  .object({
    /** The account's API key; default remembered in the database, else a generated one. */
    apiKey: z.string().min(8).optional(),
  })
  .strict();

export type UhmiOptions = z.input<typeof uhmiOptionsSchema>;

export interface UhmiConfig {
  readonly apiKey: string;
}

/** Restore the account from the database, or mint it; a given key wins and is remembered. */
export function loadConfig(meta: MetaStore, raw: unknown): UhmiConfig {
  const options = uhmiOptionsSchema.parse(raw ?? {});
  const apiKey =
    options.apiKey ?? meta.get('api_key') ?? `uhmi_test_${randomBytes(24).toString('base64url')}`;
  meta.set('api_key', apiKey);
  return { apiKey };
}
