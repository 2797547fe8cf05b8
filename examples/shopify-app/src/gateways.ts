import type { Logger } from '@tijara/core';
import { createPostpayDriver, POSTPAY_CAPABILITIES } from '@tijara/postpay';
import type { GatewayOption } from '@tijara/shopify';
import { createUmmahDriver, UMMAH_CAPABILITIES } from '@tijara/ummah';

/**
 * The gateways a merchant can connect in the app's settings page. The base URLs point them at the local sandbox in
 * local mode (unset: the gateways' own APIs; Postpay picks sandbox or live from the key's prefix).
 */
export function gateways(options: {
  ummahBaseUrl?: string;
  postpayBaseUrl?: string;
  logger?: Logger;
}): GatewayOption[] {
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
    {
      name: 'postpay',
      label: 'Postpay (buy now, pay later)',
      capabilities: POSTPAY_CAPABILITIES,
      fields: [
        { name: 'merchantId', label: 'Merchant ID' },
        { name: 'secretKey', label: 'Secret key', secret: true, help: 'sk_test_… for Postpay’s sandbox' },
        {
          name: 'hookSecret',
          label: 'Hook secret',
          secret: true,
          required: false,
          help: 'The secret of the hook you created in Postpay for the webhook URL below',
        },
      ],
      createDriver: (credentials) =>
        createPostpayDriver({
          merchantId: credentials.merchantId as string,
          secretKey: credentials.secretKey as string,
          ...(options.postpayBaseUrl ? { baseUrl: options.postpayBaseUrl } : {}),
          webhooks: { secrets: credentials.hookSecret ? [credentials.hookSecret] : [] },
          ...(options.logger ? { logger: options.logger } : {}),
        }),
      externalHandle: (credentials) => credentials.merchantId,
    },
  ];
}
