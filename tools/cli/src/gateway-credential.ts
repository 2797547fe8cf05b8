import type { CliIo } from './cli-io.js';
import { CliError, UsageError } from './cli-errors.js';
import type { GatewaySigner } from './gateway-signers.js';
import { readPrivateKey } from './key-files.js';

export interface CredentialFlags {
  key?: string;
  secret?: string;
}

/** The signing credential a gateway needs, from `--key`, `--secret` or `TIJARA_WEBHOOK_SECRET`. */
export function gatewayCredential(io: CliIo, signer: GatewaySigner, flags: CredentialFlags): string {
  if (signer.credential === 'none') throw new CliError(signer.scheme);
  if (signer.credential === 'private-key') {
    if (flags.secret !== undefined)
      throw new UsageError(`${signer.name} signs with a key file: use --key, not --secret`);
    if (!flags.key) throw new UsageError(`${signer.name} signs with an RSA private key: pass --key <file>`);
    return readPrivateKey(io, flags.key);
  }
  if (flags.key !== undefined)
    throw new UsageError(`${signer.name} signs with a shared secret: use --secret, not --key`);
  const secret = flags.secret ?? io.env['TIJARA_WEBHOOK_SECRET'];
  if (!secret) {
    throw new CliError(
      `${signer.name} signs with a shared secret: pass --secret or set TIJARA_WEBHOOK_SECRET`,
    );
  }
  return secret;
}
