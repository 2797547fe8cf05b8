import type { Command } from 'commander';
import { UmmahClient } from '@tijara/ummah';
import type { CliIo } from './cli-io.js';
import { CliError } from './cli-errors.js';
import { CONTROL_TOKEN_ENV, DEFAULT_SANDBOX_PORT } from './commands/sandbox.js';
import { readSandboxState } from './local-state.js';
import { parseUrl } from './option-parsers.js';
import { SandboxControl } from './sandbox-control.js';

/** Where gateway commands go when nothing says otherwise: the sandbox `tijara sandbox` starts. */
export const DEFAULT_API_BASE = `http://127.0.0.1:${DEFAULT_SANDBOX_PORT}/api/v1/`;

export interface ConnectionFlags {
  apiBase?: string;
  secretKey?: string;
  brandId?: string;
}

export interface GatewayConnection {
  readonly client: UmmahClient;
  readonly apiBase: string;
  readonly secretKey: string;
  readonly brandId: string | undefined;
  /** Present when the API base belongs to a Tijara sandbox (its control API answered). */
  readonly sandbox: SandboxControl | undefined;
}

/** `--api-base`, `--secret-key`, `--brand-id`, each with its environment variable. */
export function addConnectionOptions(command: Command): Command {
  return command
    .option(
      '--api-base <url>',
      `gateway API base URL (env UMMAH_API_BASE; default: the sandbox started in this directory, else ${DEFAULT_API_BASE})`,
      parseUrl,
    )
    .option(
      '--secret-key <key>',
      'secret API key (env UMMAH_SECRET_KEY; default: that of the sandbox started here)',
    )
    .option(
      '--brand-id <id>',
      'brand id for new purchases (env UMMAH_BRAND_ID; default: asked from the sandbox)',
    );
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/**
 * Flags win, then the environment, then the sandbox `tijara sandbox` is running from this directory (it leaves
 * its address and key in .tijara/sandbox.json), then the default address. A sandbox is recognised by its
 * control API, which also supplies the brand id and lets `webhooks trigger` pay purchases.
 */
export async function connect(io: CliIo, flags: ConnectionFlags): Promise<GatewayConnection> {
  const local = readSandboxState(io.cwd);
  const explicitBase = flags.apiBase ?? io.env['UMMAH_API_BASE'];
  const apiBase = withSlash(explicitBase ?? local?.apiBase ?? DEFAULT_API_BASE);
  const sameAsLocal = local !== undefined && new URL(local.apiBase).origin === new URL(apiBase).origin;
  const secretKey =
    flags.secretKey ?? io.env['UMMAH_SECRET_KEY'] ?? (sameAsLocal ? local.secretKey : undefined);

  const sandbox = await SandboxControl.detect(apiBase, io.env[CONTROL_TOKEN_ENV] || undefined);
  const brandId =
    flags.brandId ??
    io.env['UMMAH_BRAND_ID'] ??
    (sameAsLocal ? local.brandId : undefined) ??
    sandbox?.info.brandId;
  if (!secretKey) {
    throw new CliError(
      `no secret key for ${apiBase}: pass --secret-key, set UMMAH_SECRET_KEY, or run \`tijara sandbox\` in this directory`,
    );
  }
  // A CLI is interactive: fail fast on a dead endpoint instead of the library's patient retry schedule.
  const client = new UmmahClient({
    secretKey,
    baseUrl: apiBase,
    maxAttempts: 2,
    backoffBaseMs: 200,
    jitterMs: 50,
  });
  return { client, apiBase, secretKey, brandId, sandbox };
}

export function requireBrandId(connection: GatewayConnection): string {
  if (!connection.brandId) throw new CliError('no brand id: pass --brand-id or set UMMAH_BRAND_ID');
  return connection.brandId;
}
