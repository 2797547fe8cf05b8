import { createHash } from 'node:crypto';
import { ConfigurationError } from '../errors.js';
import { gatewayIdOf, gatewayNameOf, type GatewayLabel } from './signed-webhook.js';

/**
 * A shared webhook secret (HMAC key, signature password) as the bytes signatures are made with. Surrounding
 * whitespace is dropped, since secrets pasted into environment files often carry a newline; an empty secret is a
 * configuration mistake, reported without echoing anything.
 */
export function parseSharedSecret(input: string | Buffer, gateway: GatewayLabel, keyName: string): Buffer {
  const secret = typeof input === 'string' ? Buffer.from(input.trim(), 'utf8') : input;
  if (secret.length === 0) {
    throw new ConfigurationError(`${gatewayNameOf(gateway)} ${keyName} is empty`, {
      gateway: gatewayIdOf(gateway),
      code: 'invalid_secret',
    });
  }
  return secret;
}

/** Identifies a secret by a hash of it, so the ring can deduplicate without keeping a second copy in a key. */
export function secretFingerprint(secret: Buffer): string {
  return createHash('sha256').update(secret).digest('hex');
}
