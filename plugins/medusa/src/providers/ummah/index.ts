import { ModuleProvider, Modules } from '@medusajs/framework/utils';
import { createUmmahDriver } from '@tijara/ummah';
import { z } from 'zod';
import { TijaraPaymentProvider, type GatewayDefinition } from '../../gateway-provider.js';
import type { CommonOptions } from '../../options.js';

export interface UmmahProviderOptions extends CommonOptions {
  /** `sk_test_…` / `sk_live_…` (Ummah dashboard → Developers). */
  readonly secretKey: string;
  readonly brandId: string;
  /** Default `https://gate.ummah.com/api/v1/`; set it for the sandbox or another CHIP-compatible deployment. */
  readonly baseUrl?: string;
  /** `public_key` of each Ummah webhook sent to Medusa; the per-payment callback key is fetched by itself. */
  readonly webhookPublicKeys?: readonly string[];
}

const ummah: GatewayDefinition<UmmahProviderOptions> = {
  name: 'ummah',
  options: {
    secretKey: z.string().min(1, 'is required'),
    brandId: z.string().min(1, 'is required'),
    baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    webhookPublicKeys: z.array(z.string().min(1)).optional(),
  },
  secretOptions: ['secretKey'],
  createDriver: (options, logger) =>
    createUmmahDriver({
      secretKey: options.secretKey,
      brandId: options.brandId,
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
      webhooks: { publicKeys: options.webhookPublicKeys ?? [] },
      logger,
    }),
};

/** `pp_ummah_<id>`: Ummah (CHIP Collect) hosted checkout, manual capture, refunds and saved cards. */
export class UmmahPaymentProvider extends TijaraPaymentProvider {
  static override identifier = 'ummah';
  static override gateway: GatewayDefinition = ummah;
}

export default ModuleProvider(Modules.PAYMENT, { services: [UmmahPaymentProvider] });
