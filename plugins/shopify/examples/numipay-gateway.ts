import { ConfigurationError, type Logger } from '@tijara/core';
import { createNumipayDriver, DEFAULT_PATHS, NUMIPAY_CAPABILITIES, NumipayDriver } from '@tijara/numipay';
import type { GatewayOption } from '@tijara/shopify';

export interface NumipayGatewayOptions {
  /**
   * Numipay's API host, the same for every merchant: your setting, never a merchant's (the app would call any
   * host a merchant typed). Default `https://api.numipay.co/` — unconfirmed, like every path below.
   */
  readonly baseUrl?: string;
  /** The cashier page when a merchant leaves that field blank (with `{token}`). */
  readonly cashierUrl?: string;
  readonly logger?: Logger;
}

/** A cashier page a merchant typed: https, with the token's place. The buyer's browser is sent there. */
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

/** Numipay as a merchant connects it: API key, signature password, and the paths Numipay gave them. */
export function numipayGateway(options: NumipayGatewayOptions = {}): GatewayOption {
  const unconfirmed = (path: string) =>
    `Leave blank for ${path} (unconfirmed: use the path Numipay gave you)`;
  return {
    name: 'numipay',
    label: 'Numipay',
    capabilities: NUMIPAY_CAPABILITIES,
    fields: [
      {
        name: 'apiKey',
        label: 'API key',
        secret: true,
        help: 'Back office → Settings → Credentials (a DEV key in test mode)',
      },
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
        (['depositCashier', 'transactionStatus', 'transactions'] as const)
          .filter((name) => credentials[name])
          .map((name) => [name, credentials[name] as string]),
      );
      const cashierUrl = credentials.cashierUrl ? cashierPage(credentials.cashierUrl) : options.cashierUrl;
      return createNumipayDriver({
        apiKey: credentials.apiKey as string,
        mode: testMode ? 'test' : 'live', // travels in every request; the shop's test mode decides
        paths,
        webhooks: { signaturePasswords: [credentials.signaturePassword as string] },
        ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
        ...(cashierUrl ? { cashierUrl } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
      });
    },
    // Today's transactions: only Numipay answers a list to this key at this host and path, so a wrong key, host
    // or path is caught before Shopify is told the shop is ready. (The signature password can only be proved by
    // Numipay's first webhook.)
    checkCredentials: async (driver) => {
      if (!(driver instanceof NumipayDriver)) throw new Error('not a Numipay driver');
      await driver.listTransactions();
    },
  };
}
