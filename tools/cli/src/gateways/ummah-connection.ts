import { UmmahClient } from '@tijara/ummah';
import type { CliIo } from '../cli-io.js';
import { CliError } from '../cli-errors.js';
import { requireSetting, resolveConnection, type ConnectionFlags } from '../gateway-connection.js';
import { ummahProfile } from '../gateway-profiles.js';
import type { SandboxControl } from '../sandbox-control.js';

export interface UmmahConnection {
  readonly client: UmmahClient;
  readonly apiBase: string;
  readonly secretKey: string;
  readonly brandId: string | undefined;
  /** Present when the API base belongs to a Tijara sandbox (its control API answered). */
  readonly sandbox: SandboxControl | undefined;
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** Ummah's API client for the resolved settings; the brand id may come from the sandbox's control API. */
export async function connectUmmah(io: CliIo, flags: ConnectionFlags): Promise<UmmahConnection> {
  const connection = await resolveConnection(io, ummahProfile, flags);
  const apiBase = withSlash(connection.baseUrl);
  const secretKey = requireSetting(connection, 'secretKey');
  // A CLI is interactive: fail fast on a dead endpoint instead of the library's patient retry schedule.
  const client = new UmmahClient({
    secretKey,
    baseUrl: apiBase,
    maxAttempts: 2,
    backoffBaseMs: 200,
    jitterMs: 50,
  });
  const brandId = connection.settings['brandId'] ?? connection.sandbox?.info.brandId;
  return { client, apiBase, secretKey, brandId, sandbox: connection.sandbox };
}

export function requireBrandId(connection: UmmahConnection): string {
  if (!connection.brandId) throw new CliError('no brand id: pass --brand-id or set UMMAH_BRAND_ID');
  return connection.brandId;
}
