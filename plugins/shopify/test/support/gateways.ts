import type { Logger } from '@tijara/core';
import { createPostpayDriver, POSTPAY_CAPABILITIES } from '@tijara/postpay';
import { createUmmahDriver, UMMAH_CAPABILITIES } from '@tijara/ummah';
import type { RunningSandbox } from '@tijara/sandbox';
import { createUhmiDriver, UHMI_CAPABILITIES } from '@tijara/uhmi';
import { numipayGateway } from '../../examples/numipay-gateway.js';
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

/** Postpay as a merchant connects it: merchant id, secret key, and the secret of the hook they created. */
export function postpayOnSandbox(baseUrl: string, logger?: Logger): GatewayOption {
  return {
    name: 'postpay',
    label: 'Postpay',
    capabilities: POSTPAY_CAPABILITIES,
    fields: [
      { name: 'merchantId', label: 'Merchant ID' },
      { name: 'secretKey', label: 'Secret key', secret: true },
      { name: 'hookSecret', label: 'Hook secret', secret: true, required: false },
    ],
    createDriver: (credentials) =>
      createPostpayDriver({
        merchantId: credentials.merchantId as string,
        secretKey: credentials.secretKey as string,
        baseUrl,
        webhooks: { secrets: credentials.hookSecret ? [credentials.hookSecret] : [] },
        ...(logger ? { logger } : {}),
      }),
    externalHandle: (credentials) => credentials.merchantId,
  };
}

/** Numipay as the README offers it, with the host and default cashier page of the test's sandbox. */
export function numipayOnSandbox(sandbox: RunningSandbox & { url: string }, logger?: Logger): GatewayOption {
  const numipay = sandbox.gateways.numipay;
  return numipayGateway({
    baseUrl: numipay.baseUrl(sandbox.url),
    cashierUrl: numipay.cashierUrl(sandbox.url),
    ...(logger ? { logger } : {}),
  });
}

/** Uhmi offered honestly: the capabilities its driver declares (no webhooks, no refund, EUR, pay what you want). */
export function uhmiOnSandbox(
  sandbox: RunningSandbox & { url: string },
  payWhatYouWant = false,
): GatewayOption {
  return {
    name: 'uhmi',
    label: 'Uhmi',
    capabilities: payWhatYouWant ? { ...UHMI_CAPABILITIES, amountPolicy: 'at_least' } : UHMI_CAPABILITIES,
    fields: [{ name: 'apiKey', label: 'API key', secret: true }],
    createDriver: (credentials) =>
      createUhmiDriver({
        apiKey: credentials.apiKey as string,
        baseUrl: `${sandbox.url}/uhmi/api/v1/`,
        payments: { type: 'content', ...(payWhatYouWant ? { payWhatYouWant: true } : {}) },
      }),
  };
}
