import { ModuleProvider, Modules } from '@medusajs/framework/utils';
import { createNumipayDriver } from '@tijara/numipay';
import { z } from 'zod';
import { TijaraPaymentProvider, type GatewayDefinition } from '../../gateway-provider.js';
import type { CommonOptions } from '../../options.js';

export interface NumipayProviderOptions extends CommonOptions {
  /** Back office → Settings → Credentials (a DEV key in test mode). */
  readonly apiKey: string;
  /** `test` or `live`: sent in every request, it cannot be told from the key. */
  readonly mode: 'test' | 'live';
  /** The API host (the default in `@tijara/numipay` is unconfirmed). */
  readonly baseUrl?: string;
  /** The hosted cashier page, with `{token}`. */
  readonly cashierUrl?: string;
  /** Endpoint paths, when your Numipay documentation names other ones than the driver's defaults. */
  readonly paths?: Readonly<Record<string, string>>;
  /** The webhook signature password(s) (old and new while rotating). */
  readonly signaturePasswords?: readonly string[];
  /** The currencies your Numipay providers accept (default: any). */
  readonly currencies?: readonly string[];
}

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const numipay: GatewayDefinition<NumipayProviderOptions> = {
  name: 'numipay',
  options: {
    apiKey: z.string().min(1, 'is required'),
    mode: z.enum(['test', 'live']),
    baseUrl: httpUrl.optional(),
    cashierUrl: z.string().includes('{token}', { error: 'must contain {token}' }).optional(),
    paths: z.record(z.string(), z.string().min(1)).optional(),
    signaturePasswords: z.array(z.string().min(1)).optional(),
    currencies: z.array(z.string().length(3)).min(1).optional(),
  },
  secretOptions: ['apiKey', 'signaturePasswords'],
  createDriver: (options, logger) =>
    createNumipayDriver({
      apiKey: options.apiKey,
      mode: options.mode,
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
      ...(options.cashierUrl ? { cashierUrl: options.cashierUrl } : {}),
      ...(options.paths ? { paths: options.paths } : {}),
      ...(options.currencies ? { currencies: options.currencies } : {}),
      webhooks: { signaturePasswords: options.signaturePasswords ?? [] },
      logger,
    }),
};

/** `pp_numipay_<id>`: Numipay's hosted cashier, settled from status reads and signed webhooks. */
export class NumipayPaymentProvider extends TijaraPaymentProvider {
  static override identifier = 'numipay';
  static override gateway: GatewayDefinition = numipay;
}

export default ModuleProvider(Modules.PAYMENT, { services: [NumipayPaymentProvider] });
