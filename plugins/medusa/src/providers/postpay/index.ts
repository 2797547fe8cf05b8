import { ModuleProvider, Modules } from '@medusajs/framework/utils';
import { createPostpayDriver } from '@tijara/postpay';
import { z } from 'zod';
import { TijaraPaymentProvider, type GatewayDefinition } from '../../gateway-provider.js';
import type { CommonOptions } from '../../options.js';

export interface PostpayProviderOptions extends CommonOptions {
  /** Postpay dashboard → Settings → API keys. */
  readonly merchantId: string;
  /** `sk_test_…` (Postpay's sandbox) or `sk_live_…`. */
  readonly secretKey: string;
  /** Default from the key (sandbox.postpay.io or api.postpay.io); set it for the local sandbox. */
  readonly baseUrl?: string;
  /** The `secret` of each Postpay hook that posts to Medusa (old and new while rotating). */
  readonly hookSecrets?: readonly string[];
  /** The product page Postpay shows for the order (default: the origin of `returnUrl`). */
  readonly storeUrl?: string;
  /** Fix the number of instalments. */
  readonly numInstalments?: number;
}

const postpay: GatewayDefinition<PostpayProviderOptions> = {
  name: 'postpay',
  options: {
    merchantId: z.string().min(1, 'is required'),
    secretKey: z.string().min(1, 'is required'),
    baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    hookSecrets: z.array(z.string().min(1)).optional(),
    storeUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    numInstalments: z.number().int().min(1).max(12).optional(),
  },
  secretOptions: ['secretKey', 'hookSecrets'],
  createDriver: (options, logger) =>
    createPostpayDriver({
      merchantId: options.merchantId,
      secretKey: options.secretKey,
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
      ...(options.storeUrl ? { storeUrl: options.storeUrl } : {}),
      ...(options.numInstalments ? { numInstalments: options.numInstalments } : {}),
      webhooks: { secrets: options.hookSecrets ?? [] },
      logger,
    }),
};

/** `pp_postpay_<id>`: Postpay buy now, pay later — hosted checkout, approvals captured once, refunds. */
export class PostpayPaymentProvider extends TijaraPaymentProvider {
  static override identifier = 'postpay';
  static override gateway: GatewayDefinition = postpay;
}

export default ModuleProvider(Modules.PAYMENT, { services: [PostpayPaymentProvider] });
