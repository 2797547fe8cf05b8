/**
 * The gateways the store runs on (`TIJARA_GATEWAY=ummah|postpay|uhmi|numipay`): what the pages say about each
 * (`GATEWAY_PROFILES`, plain data), and `connectGateway`, which configures a driver from the sandbox's connection
 * settings (what `GET /__sandbox/info` lists under `gateways`, with Ummah's key, in the driver options' own names:
 * the `gateways` of `.tijara/sandbox.json`) and points the gateway's webhooks at the store where it has them.
 * Everything else in the store reads the driver's capabilities, not the gateway's name.
 */
import { randomBytes } from 'node:crypto';
import type { SandboxState } from '@tijara/cli';
import type { GatewayDriver, Logger } from '@tijara/core';
import { createNumipayDriver } from '@tijara/numipay';
import { createPostpayDriver, type PostpayDriver } from '@tijara/postpay';
import { createUhmiDriver, MAX_PRICE } from '@tijara/uhmi';
import { createUmmahDriver, type UmmahDriver } from '@tijara/ummah';
import { registerStoreWebhook } from './webhook-registration.js';

export const GATEWAY_NAMES = ['ummah', 'postpay', 'uhmi', 'numipay'] as const;
export type GatewayName = (typeof GATEWAY_NAMES)[number];

/** What the store's pages and banner say about a gateway. */
export interface GatewayProfile {
  readonly name: GatewayName;
  readonly title: string;
  /** The currency the store sells in on this gateway (catalog prices are minor units of it). */
  readonly currency: string;
  /** Where the buyer pays, for the cart: "on Postpay's page". */
  readonly payPlace: string;
  /** How to pay and fail on the sandbox; `backticks` mark what to type. Shown in the footer and the banner. */
  readonly testHint: string;
  /** The gateway wants a delivery address with every payment. */
  readonly needsAddress: boolean;
  /** The largest payment the gateway takes, in minor units, when it has a limit. */
  readonly maxAmount?: number;
}

export const GATEWAY_PROFILES: Readonly<Record<GatewayName, GatewayProfile>> = {
  ummah: {
    name: 'ummah',
    title: 'Ummah',
    currency: 'MYR',
    payPlace: "on the gateway's payment page",
    testHint:
      '`4242 4242 4242 4242` pays, `4000 0000 0000 0002` is declined, `4000 0000 0000 3220` asks for 3-D Secure (any future expiry, CVC `123`)',
    needsAddress: false,
  },
  postpay: {
    name: 'postpay',
    title: 'Postpay',
    currency: 'AED',
    payPlace: "on Postpay's page, in four instalments",
    testHint:
      "`4111 1111 1111 1111` is approved, `4000 0000 0000 0002` is denied; the SMS code is the phone's last 4 digits (any future expiry, CVC `123`)",
    needsAddress: true,
  },
  uhmi: {
    name: 'uhmi',
    title: 'Uhmi',
    currency: 'EUR',
    payPlace: "in Uhmi's widget",
    testHint:
      "Uhmi's widget: `Pay with Uhmi` pays, `Simulate a failed payment` fails; Uhmi takes up to EUR 150.00 per payment",
    needsAddress: false,
    maxAmount: MAX_PRICE,
  },
  numipay: {
    name: 'numipay',
    title: 'Numipay',
    currency: 'GBP',
    payPlace: "at Numipay's cashier",
    testHint: "Numipay's cashier: `Pay` pays, `Simulate a declined payment` declines",
    needsAddress: false,
  },
};

export function isGatewayName(value: string): value is GatewayName {
  return (GATEWAY_NAMES as readonly string[]).includes(value);
}

/** The profile of a driver (by its name); Ummah's for a driver the store has no profile of. */
export function profileOf(driver: Pick<GatewayDriver, 'name'>): GatewayProfile {
  return isGatewayName(driver.name) ? GATEWAY_PROFILES[driver.name] : GATEWAY_PROFILES.ummah;
}

/** The control API's token, when the sandbox has one (it must beyond loopback). */
function controlHeaders(controlToken: string | undefined): Record<string, string> {
  return controlToken ? { authorization: `Bearer ${controlToken}` } : {};
}

export interface ConnectedGateway {
  readonly profile: GatewayProfile;
  readonly driver: GatewayDriver;
  /** The gateway's keys and secrets, to scrub from every log line. */
  readonly secrets: readonly string[];
  /**
   * Point the gateway's webhooks at the store (replacing the store's earlier registration, since the port may
   * have changed). Uhmi has none: the widget's return is all it tells.
   */
  registerWebhook(webhookUrl: string): Promise<void>;
}

export interface ConnectOptions {
  /** A logger per component (`ummah`, `postpay`…); secrets are scrubbed by the caller's logger. */
  readonly logger: (component: string) => Logger;
  /** The sandbox's control token, if it has one. */
  readonly controlToken?: string;
  /** Ummah only: more webhook public keys to trust (e.g. `tijara webhooks trigger --key`). */
  readonly ummahPublicKeys?: readonly string[];
}

function setting(sandbox: SandboxState, gateway: GatewayName, key: string): string {
  const value = sandbox.gateways?.[gateway]?.[key];
  if (typeof value !== 'string' || value === '') {
    throw new Error(`The sandbox at ${sandbox.url} does not serve ${gateway} (no ${key})`);
  }
  return value;
}

/**
 * The driver for `name`, configured from the sandbox's connection settings (`sandboxState(sandbox)` of
 * `@tijara/cli`), and how to register the store's webhook on it.
 */
export function connectGateway(
  name: GatewayName,
  sandbox: SandboxState,
  options: ConnectOptions,
): ConnectedGateway {
  const profile = GATEWAY_PROFILES[name];
  const logger = options.logger(name);
  switch (name) {
    case 'ummah': {
      const secretKey = setting(sandbox, name, 'secretKey');
      const driver: UmmahDriver = createUmmahDriver({
        secretKey,
        brandId: setting(sandbox, name, 'brandId'),
        baseUrl: setting(sandbox, name, 'baseUrl'),
        logger,
        webhooks: {
          publicKeys: [...(options.ummahPublicKeys ?? [])],
          // A signature no known key verifies makes the store look again (rate limited): a webhook registered
          // since start-up, such as the one `tijara webhooks listen` creates, is then trusted.
          refreshKeys: () => accountWebhookKeys(driver),
          minRefreshIntervalMs: 5_000,
        },
      });
      return {
        profile,
        driver,
        secrets: [secretKey],
        registerWebhook: async (url) => void (await registerStoreWebhook(driver, url)),
      };
    }
    case 'postpay': {
      const secretKey = setting(sandbox, name, 'secretKey');
      // The hook's signing secret: new at every start, known to the store and the gateway only.
      const hookSecret = randomBytes(24).toString('base64url');
      const driver = createPostpayDriver({
        merchantId: setting(sandbox, name, 'merchantId'),
        secretKey,
        baseUrl: setting(sandbox, name, 'baseUrl'),
        webhooks: { secrets: [hookSecret] },
        logger,
      });
      return {
        profile,
        driver,
        secrets: [secretKey, hookSecret],
        registerWebhook: (url) => registerPostpayHook(driver, url, hookSecret),
      };
    }
    case 'uhmi': {
      const apiKey = setting(sandbox, name, 'apiKey');
      const driver = createUhmiDriver({
        apiKey,
        baseUrl: setting(sandbox, name, 'baseUrl'),
        testMode: true,
        // One order, one payment, no buyer refund window: goods, not content.
        payments: { type: 'content', refundable: false, repeatable: false },
        // The sandbox's page for one payment's widget, which the store shows in a frame.
        widget: {
          scriptUrl: setting(sandbox, name, 'widgetScript'),
          pageUrl: setting(sandbox, name, 'widgetPage'),
        },
        logger,
      });
      return { profile, driver, secrets: [apiKey], registerWebhook: async () => undefined };
    }
    case 'numipay': {
      const apiKey = setting(sandbox, name, 'apiKey');
      const signaturePassword = setting(sandbox, name, 'signaturePassword');
      const driver = createNumipayDriver({
        apiKey,
        mode: 'test',
        baseUrl: setting(sandbox, name, 'baseUrl'),
        cashierUrl: setting(sandbox, name, 'cashierUrl'),
        webhooks: { signaturePasswords: [signaturePassword] },
        logger,
      });
      return {
        profile,
        driver,
        secrets: [apiKey, signaturePassword],
        // Numipay's webhook URL is an account setting (its back office); the sandbox's control API stands in.
        registerWebhook: async (url) => {
          const response = await fetch(`${sandbox.url}/__sandbox/numipay/webhook-url`, {
            method: 'PUT',
            headers: { 'content-type': 'application/json', ...controlHeaders(options.controlToken) },
            body: JSON.stringify({ url }),
          });
          if (!response.ok) throw new Error(`Could not set Numipay's webhook URL (${response.status})`);
        },
      };
    }
  }
}

/**
 * The public keys of every webhook registered on the store's own Ummah account: a webhook there was created with
 * the store's secret key, e.g. by `tijara webhooks listen`, which forwards its deliveries here.
 */
async function accountWebhookKeys(driver: UmmahDriver): Promise<string[]> {
  const keys: string[] = [];
  for await (const webhook of driver.client.webhooks.list())
    if (webhook.public_key) keys.push(webhook.public_key);
  return keys;
}

/**
 * Subscribe the store to Postpay's order and settlement events. Hooks have no title, so the store's earlier hooks
 * are the ones for its webhook path on its host (any port): they are deleted, since their secret is gone.
 */
async function registerPostpayHook(driver: PostpayDriver, url: string, secret: string): Promise<void> {
  const target = new URL(url);
  for await (const hook of driver.client.hooks.list()) {
    const earlier = URL.parse(hook.url);
    if (earlier && earlier.hostname === target.hostname && earlier.pathname === target.pathname)
      await driver.client.hooks.delete(hook.id);
  }
  await driver.client.hooks.create({ events: ['order', 'transaction'], url, secret });
}
