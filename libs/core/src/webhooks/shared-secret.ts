import { createHash } from 'node:crypto';
import { ConfigurationError } from '../errors.js';
import type { Logger } from '../logger.js';
import { KeyRing, type KeySource } from './key-ring.js';
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

/** What every shared-secret verifier takes to build its ring. */
export interface SharedSecretOptions {
  readonly gateway: GatewayLabel;
  /** The header carrying the signature, as messages name it; read case-insensitively. */
  readonly header: string;
  /** Secrets to accept: give old and new during a rotation; any one verifying is enough. */
  readonly secrets?: readonly string[];
  /** Asked for fresh secrets (e.g. re-reading the hooks) when none verifies; rate limited like every KeyRing. */
  readonly sources?: readonly KeySource<string>[];
  readonly minRefreshIntervalMs?: number;
  readonly maxRefreshedKeys?: number;
  readonly configureHint?: string;
  readonly logger?: Logger;
  /** Clock in ms, injectable so refresh limits (and timestamps) are testable without waiting. */
  readonly now?: () => number;
}

/** The KeyRing of shared secrets an HMAC or digest verifier checks against; `keyName` names one in messages. */
export function sharedSecretRing(options: SharedSecretOptions, keyName: string): KeyRing<Buffer, string> {
  const { gateway } = options;
  return new KeyRing<Buffer, string>({
    gateway,
    parse: (input) => parseSharedSecret(input, gateway, keyName),
    fingerprint: secretFingerprint,
    names: { signature: options.header, key: keyName },
    noKeyCode: 'no_secret',
    keys: options.secrets,
    sources: options.sources,
    minRefreshIntervalMs: options.minRefreshIntervalMs,
    maxRefreshedKeys: options.maxRefreshedKeys,
    configureHint: options.configureHint,
    logger: options.logger,
    now: options.now,
  });
}
