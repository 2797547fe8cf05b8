import type { Command } from 'commander';
import type { CliIo } from './cli-io.js';
import { CliError } from './cli-errors.js';
import { CONTROL_TOKEN_ENV, DEFAULT_SANDBOX_PORT } from './commands/sandbox.js';
import type { GatewayProfile } from './gateway-profiles.js';
import { readSandboxState, storedConnection } from './local-state.js';
import { parseUrl } from './option-parsers.js';
import { SandboxControl } from './sandbox-control.js';

/** Where gateway commands go when nothing says otherwise: the sandbox `tijara sandbox` starts. */
export const DEFAULT_SANDBOX_URL = `http://127.0.0.1:${DEFAULT_SANDBOX_PORT}`;

export interface ConnectionFlags {
  apiBase?: string;
  secretKey?: string;
  brandId?: string;
  merchantId?: string;
}

/** `--api-base`, `--secret-key`, `--merchant-id`, `--brand-id`; each gateway reads its own environment variables. */
export function addConnectionOptions(command: Command): Command {
  return command
    .option(
      '--api-base <url>',
      'the gateway API base URL (env UMMAH_API_BASE, POSTPAY_BASE_URL, NUMIPAY_BASE_URL; default: the sandbox ' +
        `started in this directory, else ${DEFAULT_SANDBOX_URL})`,
      parseUrl,
    )
    .option(
      '--secret-key <key>',
      "the gateway's secret API key (env UMMAH_SECRET_KEY, POSTPAY_SECRET_KEY, NUMIPAY_API_KEY; default: that " +
        'of the sandbox started here)',
    )
    .option(
      '--merchant-id <id>',
      "Postpay: the merchant id (env POSTPAY_MERCHANT_ID; default: the sandbox's)",
    )
    .option(
      '--brand-id <id>',
      'Ummah: brand id for new purchases (env UMMAH_BRAND_ID; default: asked from the sandbox)',
    );
}

/** A gateway's settings as resolved for one command. */
export interface ResolvedConnection {
  readonly profile: GatewayProfile;
  readonly baseUrl: string;
  /** Every other setting by key (`secretKey`, `merchantId`…), undefined where nothing gave one. */
  readonly settings: Readonly<Record<string, string | undefined>>;
  /** Present when the base URL belongs to a Tijara sandbox (its control API answered). */
  readonly sandbox: SandboxControl | undefined;
}

function originOf(url: string): string {
  return new URL(url).origin;
}

/**
 * Flags win, then the gateway's environment variables, then the sandbox `tijara sandbox` runs from this directory
 * (its `.tijara/sandbox.json` names every gateway's connection), then what that sandbox — or the one at the default
 * address — says in `GET /__sandbox/info`. Stored and served credentials are used only for the sandbox they belong
 * to, never sent to a base URL given by hand.
 */
export async function resolveConnection(
  io: CliIo,
  profile: GatewayProfile,
  flags: ConnectionFlags,
): Promise<ResolvedConnection> {
  const [base, ...others] = profile.settings;
  const local = readSandboxState(io.cwd);
  const stored = local ? storedConnection(local, profile.name) : undefined;
  const explicitBase = flags.apiBase ?? (base ? io.env[base.env] : undefined);
  const root = originOf(explicitBase ?? stored?.['baseUrl'] ?? local?.url ?? DEFAULT_SANDBOX_URL);
  const sandbox = await SandboxControl.detect(root, io.env[CONTROL_TOKEN_ENV] || undefined);
  const served = sandbox?.info.gateways[profile.name];
  const baseUrl =
    explicitBase ?? stored?.['baseUrl'] ?? served?.[profile.infoBaseKey] ?? `${root}${profile.sandboxPath}`;
  const fromStore = stored?.['baseUrl'] !== undefined && originOf(stored['baseUrl']) === originOf(baseUrl);
  const fromSandbox = sandbox !== undefined && sandbox.origin === originOf(baseUrl);

  const settings: Record<string, string | undefined> = {};
  for (const setting of others) {
    settings[setting.key] =
      (setting.flag ? flags[setting.flag] : undefined) ??
      (io.env[setting.env] || undefined) ??
      (fromStore ? stored?.[setting.key] : undefined) ??
      (fromSandbox ? served?.[setting.key] : undefined);
  }
  return { profile, baseUrl, settings, sandbox };
}

/** A setting the command cannot do without, or a message that says where to give it. */
export function requireSetting(connection: ResolvedConnection, key: string): string {
  const value = connection.settings[key];
  if (value) return value;
  const setting = connection.profile.settings.find((s) => s.key === key);
  const flag = setting?.flag
    ? `pass --${setting.flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}, `
    : '';
  throw new CliError(
    `no ${setting?.label.toLowerCase() ?? key} for ${connection.profile.title} at ${connection.baseUrl}: ` +
      `${flag}set ${setting?.env ?? key}, or run \`tijara sandbox\` in this directory`,
  );
}
