import { z } from 'zod';
import type { MetaStore } from '../../engine/database.js';
import { newId, newSecretKey } from '../../engine/ids.js';
import { generateRsaKeyPair, type RsaKeyPair } from './signing.js';

/** The brand id of the reference's own examples, so they run against the sandbox unchanged. */
export const DEFAULT_BRAND_ID = '409eb80e-3782-4b1d-afa8-b779759266a5';

/** What the merchant is called on pages and in `issuer_details` until a store says otherwise. */
export const DEFAULT_BRAND_NAME = 'Sandbox Store';

/** Ummah's options (`startSandbox`'s top-level `secretKey`, `brandId`… or `gatewayOptions.ummah`). */
export const ummahOptionsSchema = z
  .object({
    secretKey: z.string().min(1).optional(),
    brandId: z.string().min(1).optional(),
    /** The merchant's brand name on hosted pages and in `issuer_details.brand_name`. */
    brandName: z.string().min(1).max(128).optional(),
    currency: z.string().length(3).optional(),
    publicKeyShape: z.enum(['string', 'object']).optional(),
  })
  .strict();

export type UmmahOptions = z.input<typeof ummahOptionsSchema>;

/** The emulated account; the mutable parts (brand name) change through the control API. */
export interface UmmahConfig {
  readonly secretKey: string;
  readonly brandId: string;
  readonly companyId: string;
  readonly companyName: string;
  brandName: string;
  /** Brand currency: what a purchase without `purchase.currency` is in. */
  readonly currency: string;
  /** `GET /public_key/` answers a bare JSON string of PEM (CHIP) or `{"public_key": …}` (seed 000). */
  readonly publicKeyShape: 'string' | 'object';
  /** Signs `success_callback` deliveries; its public half is `GET /public_key/`. */
  readonly companyKeys: RsaKeyPair;
}

/** Restore the account from the database, or mint it; given options win and are remembered. */
export async function loadConfig(meta: MetaStore, raw: unknown): Promise<UmmahConfig> {
  const options = ummahOptionsSchema.parse(raw ?? {});
  const remembered = (key: string, given: string | undefined, make: () => string): string => {
    const value = given ?? meta.get(key) ?? make();
    meta.set(key, value);
    return value;
  };
  let companyKeys: RsaKeyPair;
  const publicKey = meta.get('company_public_key');
  const privateKey = meta.get('company_private_key');
  if (publicKey && privateKey) companyKeys = { publicKey, privateKey };
  else {
    companyKeys = await generateRsaKeyPair();
    meta.set('company_public_key', companyKeys.publicKey);
    meta.set('company_private_key', companyKeys.privateKey);
  }
  return {
    secretKey: remembered('secret_key', options.secretKey, newSecretKey),
    brandId: remembered('brand_id', options.brandId, () => DEFAULT_BRAND_ID),
    companyId: remembered('company_id', undefined, newId),
    companyName: 'Tijara Sandbox Merchant',
    brandName: remembered('brand_name', options.brandName, () => DEFAULT_BRAND_NAME),
    currency: remembered('currency', options.currency?.toUpperCase(), () => 'USD'),
    publicKeyShape: options.publicKeyShape ?? 'string',
    companyKeys,
  };
}
