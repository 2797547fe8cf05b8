import type { CliIo } from './cli-io.js';
import { CliError, UsageError } from './cli-errors.js';
import type { GatewaySigner } from './gateway-signers.js';
import { readPrivateKey } from './key-files.js';

export interface CredentialFlags {
  key?: string;
  secret?: string;
}

/**
 * A shared secret from `--secret`, the gateway's own variable (POSTPAY_HOOK_SECRET, NUMIPAY_SIGNATURE_PASSWORD) or
 * TIJARA_WEBHOOK_SECRET; undefined when none is set.
 */
export function sharedSecret(io: CliIo, signer: GatewaySigner, flags: CredentialFlags): string | undefined {
  return (
    flags.secret ??
    ((signer.secretEnv ? io.env[signer.secretEnv] : undefined) || undefined) ??
    (io.env['TIJARA_WEBHOOK_SECRET'] || undefined)
  );
}

/** Where `sharedSecret` looks, for messages. */
export function secretSources(signer: GatewaySigner): string {
  return signer.secretEnv
    ? `pass --secret or set ${signer.secretEnv} (or TIJARA_WEBHOOK_SECRET)`
    : 'pass --secret or set TIJARA_WEBHOOK_SECRET';
}

/** The signing credential a gateway needs, from `--key`, or a shared secret (see `sharedSecret`). */
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
  const secret = sharedSecret(io, signer, flags);
  if (!secret) throw new CliError(`${signer.name} signs with a shared secret: ${secretSources(signer)}`);
  return secret;
}
