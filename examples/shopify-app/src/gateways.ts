import { ConfigurationError, type Logger } from '@tijara/core';
import { createNumipayDriver, DEFAULT_PATHS, NUMIPAY_CAPABILITIES, NumipayDriver } from '@tijara/numipay';
import { createPostpayDriver, POSTPAY_CAPABILITIES } from '@tijara/postpay';
import type { GatewayOption } from '@tijara/shopify';
import { createUmmahDriver, UMMAH_CAPABILITIES } from '@tijara/ummah';

/**
 * The gateways a merchant can connect in the app's settings page. The base URLs point them at the local sandbox in
 * local mode (unset: the gateways' own APIs; Postpay picks sandbox or live from the key's prefix). Uhmi is not
 * offered: its capabilities cannot serve Shopify's sessions (no refund, no webhooks), and the app would refuse it.
 */
export function gateways(options: {
  ummahBaseUrl?: string;
  postpayBaseUrl?: string;
  /** Numipay's host for every merchant (unconfirmed default https://api.numipay.co/), never a merchant's input. */
  numipayBaseUrl?: string;
  /** The cashier page when a merchant leaves that field blank (with `{token}`). */
  numipayCashierUrl?: string;
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
    numipay(options),
  ];
}

/** A cashier page a merchant typed: https, with the token's place (the buyer's browser is sent there). */
function cashierPage(value: string): string {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url?.protocol !== 'https:' || !value.includes('{token}')) {
    throw new ConfigurationError('the cashier page URL must be an https:// URL containing {token}', {
      gateway: 'numipay',
      code: 'invalid_cashier_url',
    });
  }
  return value;
}

/**
 * Numipay: API key and signature password, and the paths its documentation does not confirm (blank: the driver's
 * defaults). Checked by listing today's transactions, which proves the key, the host and the path.
 */
function numipay(options: {
  numipayBaseUrl?: string;
  numipayCashierUrl?: string;
  logger?: Logger;
}): GatewayOption {
  const unconfirmed = (path: string) =>
    `Leave blank for ${path} (unconfirmed: use the path Numipay gave you)`;
  const pathFields = ['depositCashier', 'transactionStatus', 'transactions'] as const;
  return {
    name: 'numipay',
    label: 'Numipay (hosted cashier)',
    capabilities: NUMIPAY_CAPABILITIES,
    fields: [
      { name: 'apiKey', label: 'API key', secret: true, help: 'Back office → Settings → Credentials' },
      {
        name: 'signaturePassword',
        label: 'Signature password',
        secret: true,
        help: 'Back office → Settings → Credentials: checks the x-signature of every webhook',
      },
      {
        name: 'depositCashier',
        label: 'Cashier path',
        required: false,
        help: unconfirmed(DEFAULT_PATHS.depositCashier),
      },
      {
        name: 'transactionStatus',
        label: 'Transaction status path',
        required: false,
        help: unconfirmed(DEFAULT_PATHS.transactionStatus),
      },
      {
        name: 'transactions',
        label: 'Transactions list path',
        required: false,
        help: unconfirmed(DEFAULT_PATHS.transactions),
      },
      {
        name: 'cashierUrl',
        label: 'Cashier page URL',
        required: false,
        help: 'Where buyers open the cashier, with {token}; leave blank for the default',
      },
    ],
    createDriver: (credentials, { testMode }) => {
      const paths = Object.fromEntries(
        pathFields.filter((name) => credentials[name]).map((name) => [name, credentials[name] as string]),
      );
      const cashierUrl = credentials.cashierUrl
        ? cashierPage(credentials.cashierUrl)
        : options.numipayCashierUrl;
      return createNumipayDriver({
        apiKey: credentials.apiKey as string,
        mode: testMode ? 'test' : 'live',
        paths,
        webhooks: { signaturePasswords: [credentials.signaturePassword as string] },
        ...(options.numipayBaseUrl ? { baseUrl: options.numipayBaseUrl } : {}),
        ...(cashierUrl ? { cashierUrl } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
      });
    },
    checkCredentials: async (driver) => {
      if (!(driver instanceof NumipayDriver)) throw new Error('not a Numipay driver');
      await driver.listTransactions();
    },
  };
}
