import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ConfigurationError } from '@tijara/core';

const VERSION = 'v1';

/**
 * Gateway credentials at rest: AES-256-GCM with a random IV, the shop's domain as associated data (a row copied
 * to another shop does not decrypt), and a version prefix for a later key or algorithm change.
 */
export class CredentialBox {
  readonly #key: Buffer;

  constructor(key: string) {
    this.#key = parseKey(key);
  }

  seal(shop: string, credentials: Readonly<Record<string, string>>): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(shop));
    const body = Buffer.concat([cipher.update(JSON.stringify(credentials), 'utf8'), cipher.final()]);
    return [
      VERSION,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      body.toString('base64url'),
    ].join('.');
  }

  /** Throws when the box was sealed with another key or for another shop. */
  open(shop: string, sealed: string): Record<string, string> {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || body === undefined) {
      throw new ConfigurationError('Stored gateway credentials are in an unknown format');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(shop));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      const text = Buffer.concat([
        decipher.update(Buffer.from(body, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
      return JSON.parse(text) as Record<string, string>;
    } catch (error) {
      throw new ConfigurationError(
        'Stored gateway credentials cannot be decrypted (was encryptionKey changed?); enter them again in the settings',
        { cause: error, code: 'credentials_undecryptable' },
      );
    }
  }
}

/** 32 bytes as 64 hex characters or base64/base64url. */
export function parseKey(key: string): Buffer {
  const text = typeof key === 'string' ? key.trim() : '';
  const bytes = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (bytes.length !== 32) {
    throw new ConfigurationError(
      'encryptionKey must be 32 random bytes, as 64 hex characters or base64 (e.g. `openssl rand -hex 32`)',
    );
  }
  return bytes;
}
