import { ModuleProvider, Modules } from '@medusajs/framework/utils';
import { createUhmiDriver } from '@tijara/uhmi';
import { z } from 'zod';
import { TijaraPaymentProvider, type GatewayDefinition } from '../../gateway-provider.js';
import type { CommonOptions } from '../../options.js';

export interface UhmiProviderOptions extends CommonOptions {
  /** The sell account's API key (sent as a Bearer token). */
  readonly apiKey: string;
  /** Default `https://uhmi.io/api/v1/`; set it for the sandbox. */
  readonly baseUrl?: string;
  /** Widget.js, and a page that hosts the widget for one payment (`{payment_id}` replaced). */
  readonly widgetScriptUrl?: string;
  readonly widgetPageUrl?: string;
  /** Treat an `open` transaction as paid, as Uhmi's own plugin does (default off: it is not final). */
  readonly openCountsAsPaid?: boolean;
  /** A test account (e.g. the sandbox); Uhmi itself has no test mode. */
  readonly testMode?: boolean;
}

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const uhmi: GatewayDefinition<UhmiProviderOptions> = {
  name: 'uhmi',
  options: {
    apiKey: z.string().min(1, 'is required'),
    baseUrl: httpUrl.optional(),
    widgetScriptUrl: httpUrl.optional(),
    widgetPageUrl: z.string().includes('{payment_id}', { error: 'must contain {payment_id}' }).optional(),
    openCountsAsPaid: z.boolean().optional(),
    testMode: z.boolean().optional(),
  },
  secretOptions: ['apiKey'],
  createDriver: (options, logger) =>
    createUhmiDriver({
      apiKey: options.apiKey,
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
      widget: {
        ...(options.widgetScriptUrl ? { scriptUrl: options.widgetScriptUrl } : {}),
        ...(options.widgetPageUrl ? { pageUrl: options.widgetPageUrl } : {}),
      },
      ...(options.openCountsAsPaid !== undefined ? { openCountsAsPaid: options.openCountsAsPaid } : {}),
      ...(options.testMode !== undefined ? { testMode: options.testMode } : {}),
      logger,
    }),
};

/** `pp_uhmi_<id>`: Uhmi's pay-per-content widget (EUR), settled from the transaction the widget returns. */
export class UhmiPaymentProvider extends TijaraPaymentProvider {
  static override identifier = 'uhmi';
  static override gateway: GatewayDefinition = uhmi;
}

export default ModuleProvider(Modules.PAYMENT, { services: [UhmiPaymentProvider] });
