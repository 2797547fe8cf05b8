import type { Command } from 'commander';
import { UmmahClient } from '@tijara/ummah';
import type { CliIo } from './cli-io.js';
import { CliError } from './cli-errors.js';
import { DEFAULT_SANDBOX_PORT } from './commands/sandbox.js';
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
    .option('--api-base <url>', `gateway API base URL (env UMMAH_API_BASE, default ${DEFAULT_API_BASE})`, parseUrl)
    .option('--secret-key <key>', 'secret API key (env UMMAH_SECRET_KEY; default: asked from a local sandbox)')
    .option('--brand-id <id>', 'brand id for new purchases (env UMMAH_BRAND_ID; default: asked from a sandbox)');
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/**
 * Resolve flags, then environment, then (for a sandbox) the sandbox's own info. A sandbox is recognised by its
 * control API, which also fills in the key and brand id so `tijara sandbox` + any gateway command just works.
 */
export async function connect(io: CliIo, flags: ConnectionFlags): Promise<GatewayConnection> {
  const apiBase = withSlash(flags.apiBase ?? io.env['UMMAH_API_BASE'] ?? DEFAULT_API_BASE);
  let secretKey = flags.secretKey ?? io.env['UMMAH_SECRET_KEY'];
  let brandId = flags.brandId ?? io.env['UMMAH_BRAND_ID'];

  const sandbox = await SandboxControl.detect(apiBase, secretKey);
  if (sandbox) {
    secretKey ??= sandbox.info.secretKey;
    brandId ??= sandbox.info.brandId;
  }
  if (!secretKey) {
    throw new CliError(
      `no secret key: pass --secret-key or set UMMAH_SECRET_KEY (no sandbox answered at ${new URL(apiBase).origin})`,
    );
  }
  // A CLI is interactive: fail fast on a dead endpoint instead of the library's patient retry schedule.
  const client = new UmmahClient({ secretKey, baseUrl: apiBase, maxAttempts: 2, backoffBaseMs: 200, jitterMs: 50 });
  return { client, apiBase, secretKey, brandId, sandbox };
}

export function requireBrandId(connection: GatewayConnection): string {
  if (!connection.brandId) throw new CliError('no brand id: pass --brand-id or set UMMAH_BRAND_ID');
  return connection.brandId;
}
