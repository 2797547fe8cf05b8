import type { Logger } from '@tijara/core';
import { createUmmahDriver, UMMAH_CAPABILITIES } from '@tijara/ummah';
import type { GatewayOption } from '../../src/index.js';

/** Ummah as a merchant connects it (secret key and brand id in the settings page), on a sandbox's API. */
export function ummahOnSandbox(apiBase: string, logger?: Logger): GatewayOption {
  return {
    name: 'ummah',
    label: 'Ummah',
    capabilities: UMMAH_CAPABILITIES,
    fields: [
      { name: 'secretKey', label: 'Secret key', secret: true },
      { name: 'brandId', label: 'Brand ID' },
    ],
    createDriver: (credentials) =>
      createUmmahDriver({
        secretKey: credentials.secretKey as string,
        brandId: credentials.brandId as string,
        baseUrl: apiBase,
        ...(logger ? { logger } : {}),
        // Tests must not wait out the production backoff.
        backoffBaseMs: 50,
        jitterMs: 10,
      }),
    externalHandle: (credentials) => credentials.brandId,
  };
}
