import type { Logger } from '@tijara/core';
import type { GatewayOption } from '@tijara/shopify';
import { createUmmahDriver, UMMAH_CAPABILITIES } from '@tijara/ummah';

/**
 * The gateways a merchant can connect in the app's settings page. `baseUrl` points Ummah at the local sandbox in
 * local mode (unset: Ummah's production API).
 */
export function gateways(options: { ummahBaseUrl?: string; logger?: Logger }): GatewayOption[] {
  return [
    {
      name: 'ummah',
      label: 'Ummah (cards)',
      capabilities: UMMAH_CAPABILITIES,
      fields: [
        {
          name: 'secretKey',
          label: 'Secret key',
          secret: true,
          help: 'sk_test_… for test mode, sk_live_… for live',
        },
        { name: 'brandId', label: 'Brand ID', help: 'Dashboard → Developers → Brands' },
      ],
      createDriver: (credentials) =>
        createUmmahDriver({
          secretKey: credentials.secretKey as string,
          brandId: credentials.brandId as string,
          ...(options.ummahBaseUrl ? { baseUrl: options.ummahBaseUrl } : {}),
          ...(options.logger ? { logger: options.logger } : {}),
        }),
      externalHandle: (credentials) => credentials.brandId,
    },
  ];
}
