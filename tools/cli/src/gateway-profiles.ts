import type { RunningSandbox } from '@tijara/sandbox';
import type { GatewayConnectionRecord, SandboxState } from './local-state.js';

/** A flag of the webhook commands that gives a gateway setting (`--api-base`, `--secret-key`…). */
export type ConnectionFlag = 'apiBase' | 'secretKey' | 'merchantId' | 'brandId';

/** One setting a store configures a gateway's driver with. */
export interface GatewaySetting {
  /** Its name in a connection record (`.tijara/sandbox.json`, `/__sandbox/info`): the driver option's name. */
  readonly key: string;
  /** The environment variable a store reads it from, as the driver's README names it; the commands read it too. */
  readonly env: string;
  /** How `tijara sandbox` labels it (at most 11 characters, for the column). */
  readonly label: string;
  readonly flag?: ConnectionFlag;
  /** Redacted from error lines. */
  readonly secret?: boolean;
}

/** What the CLI knows about connecting to one gateway, the same for every command. */
export interface GatewayProfile {
  readonly name: string;
  readonly title: string;
  /** The first is always the base URL (`baseUrl`). */
  readonly settings: readonly GatewaySetting[];
  /** Where a sandbox serves it, under the sandbox's URL (used when nothing else names the base URL). */
  readonly sandboxPath: string;
  /** The key of its base URL in `GET /__sandbox/info` → `gateways.<name>`. */
  readonly infoBaseKey: string;
  /** Its connection on a running sandbox, for the banner and `.tijara/sandbox.json`. */
  connection(sandbox: RunningSandbox): GatewayConnectionRecord;
  /** What else the banner says about it: pages, test cards, how webhooks are signed. */
  notes(sandboxUrl: string): readonly string[];
}

export const ummahProfile: GatewayProfile = {
  name: 'ummah',
  title: 'Ummah',
  settings: [
    { key: 'baseUrl', env: 'UMMAH_API_BASE', label: 'API base', flag: 'apiBase' },
    { key: 'secretKey', env: 'UMMAH_SECRET_KEY', label: 'Secret key', flag: 'secretKey', secret: true },
    { key: 'brandId', env: 'UMMAH_BRAND_ID', label: 'Brand id', flag: 'brandId' },
  ],
  sandboxPath: '/api/v1/',
  infoBaseKey: 'apiBase',
  connection: (sandbox) => ({
    baseUrl: sandbox.apiBase,
    secretKey: sandbox.secretKey,
    brandId: sandbox.brandId,
  }),
  notes: (url) => [
    `Checkout    ${url}/checkout/<purchase id>/ (test card 4242 4242 4242 4242)`,
    "Webhooks    X-Signature (RSA), verified with each webhook's public_key",
  ],
};

export const postpayProfile: GatewayProfile = {
  name: 'postpay',
  title: 'Postpay',
  settings: [
    { key: 'baseUrl', env: 'POSTPAY_BASE_URL', label: 'API base', flag: 'apiBase' },
    { key: 'merchantId', env: 'POSTPAY_MERCHANT_ID', label: 'Merchant id', flag: 'merchantId' },
    { key: 'secretKey', env: 'POSTPAY_SECRET_KEY', label: 'Secret key', flag: 'secretKey', secret: true },
  ],
  sandboxPath: '/postpay',
  infoBaseKey: 'baseUrl',
  connection: (sandbox) => {
    const postpay = sandbox.gateways.postpay;
    return {
      baseUrl: postpay.baseUrl(sandbox.url),
      merchantId: postpay.merchantId,
      secretKey: postpay.secretKey,
    };
  },
  notes: () => [
    "Checkout    test card 4111 1111 1111 1111 approves (SMS code: the phone's last 4 digits)",
    'Webhooks    X-Postpay-Signature (HMAC), with the secret of each hook you create (POSTPAY_HOOK_SECRET)',
  ],
};

export const uhmiProfile: GatewayProfile = {
  name: 'uhmi',
  title: 'Uhmi',
  settings: [
    { key: 'baseUrl', env: 'UHMI_BASE_URL', label: 'API base', flag: 'apiBase' },
    { key: 'apiKey', env: 'UHMI_API_KEY', label: 'API key', flag: 'secretKey', secret: true },
    { key: 'widgetScript', env: 'UHMI_WIDGET_SCRIPT', label: 'Widget.js' },
    { key: 'widgetPage', env: 'UHMI_WIDGET_PAGE', label: 'Widget page' },
  ],
  sandboxPath: '/uhmi/api/v1/',
  infoBaseKey: 'apiBase',
  connection: (sandbox) => {
    const uhmi = sandbox.gateways.uhmi;
    return {
      baseUrl: uhmi.apiBase(sandbox.url),
      apiKey: uhmi.apiKey,
      widgetScript: uhmi.widgetScript(sandbox.url),
      widgetPage: uhmi.widgetPage(sandbox.url),
    };
  },
  notes: () => [
    'Webhooks    none: the widget posts transaction_id to success_url; re-read GET /transactions/{id}',
  ],
};

export const numipayProfile: GatewayProfile = {
  name: 'numipay',
  title: 'Numipay',
  settings: [
    { key: 'baseUrl', env: 'NUMIPAY_BASE_URL', label: 'Base URL', flag: 'apiBase' },
    { key: 'apiKey', env: 'NUMIPAY_API_KEY', label: 'API key', flag: 'secretKey', secret: true },
    { key: 'signaturePassword', env: 'NUMIPAY_SIGNATURE_PASSWORD', label: 'Signature', secret: true },
    { key: 'cashierUrl', env: 'NUMIPAY_CASHIER_URL', label: 'Cashier' },
  ],
  sandboxPath: '/numipay/',
  infoBaseKey: 'baseUrl',
  connection: (sandbox) => {
    const numipay = sandbox.gateways.numipay;
    return {
      baseUrl: numipay.baseUrl(sandbox.url),
      apiKey: numipay.apiKey,
      signaturePassword: numipay.signaturePassword,
      cashierUrl: numipay.cashierUrl(sandbox.url),
    };
  },
  notes: () => [
    "Webhooks    x-signature (SHA-1 with the signature password), to each request's settings.callback_url, else the account's URL",
  ],
};

/** Every gateway the CLI can connect to, in the order the banner shows them. */
export const GATEWAY_PROFILES: readonly GatewayProfile[] = [
  ummahProfile,
  postpayProfile,
  uhmiProfile,
  numipayProfile,
];

export function gatewayProfile(name: string): GatewayProfile | undefined {
  return GATEWAY_PROFILES.find((profile) => profile.name === name);
}

/** Every gateway the sandbox serves and this CLI knows, with its connection, in the banner's order. */
export function sandboxConnections(
  sandbox: RunningSandbox,
): Array<{ readonly profile: GatewayProfile; readonly record: GatewayConnectionRecord }> {
  return GATEWAY_PROFILES.filter((profile) => profile.name in sandbox.gateways).map((profile) => ({
    profile,
    record: profile.connection(sandbox),
  }));
}

/**
 * What `.tijara/sandbox.json` says about a running sandbox: Ummah's connection at the top level (as always) and
 * every gateway's under `gateways`. For a program that runs its own sandbox (`writeSandboxStateIn`).
 */
export function sandboxState(sandbox: RunningSandbox, pid = process.pid): SandboxState {
  return {
    url: sandbox.url,
    apiBase: sandbox.apiBase,
    secretKey: sandbox.secretKey,
    brandId: sandbox.brandId,
    pid,
    gateways: Object.fromEntries(
      sandboxConnections(sandbox).map(({ profile, record }) => [profile.name, record]),
    ),
  };
}

/** Environment variables that hold a secret, for redaction. */
export const SECRET_ENV_NAMES: readonly string[] = [
  ...GATEWAY_PROFILES.flatMap((profile) => profile.settings.filter((s) => s.secret).map((s) => s.env)),
  'POSTPAY_HOOK_SECRET',
  'TIJARA_WEBHOOK_SECRET',
];

const SHELL_SAFE = /^[A-Za-z0-9_./:@%+=,-]+$/;

/** `export NAME=value`, quoted when the value holds anything a shell would expand (`?`, `{`, spaces…). */
export function exportLine(name: string, value: string): string {
  return `export ${name}=${SHELL_SAFE.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`}`;
}
