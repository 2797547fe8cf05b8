import { createHash, timingSafeEqual } from 'node:crypto';
import type { HeaderBag } from '../gateway.js';
import type { KeyRing } from './key-ring.js';
import { sharedSecretRing, type SharedSecretOptions } from './shared-secret.js';
import {
  assertDigestAlgorithm,
  gatewayNameOf,
  readSignedWebhook,
  signatureError,
  SIGNATURE_ERROR_CODES,
  type GatewayLabel,
  type WebhookSignatureVerifier,
} from './signed-webhook.js';

export interface DigestSignatureVerifierOptions extends SharedSecretOptions {
  /** The hash (default sha1, Numipay's). */
  readonly algorithm?: string;
  /**
   * The part of the parsed body the gateway serialised and signed, for the fallback (default: all of it). The
   * raw bytes are always tried first.
   */
  readonly signedPart?: (parsed: unknown) => unknown;
  /** How messages name one secret (default `<gateway> signature password`). */
  readonly keyName?: string;
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/;

function digestOf(algorithm: string, data: Buffer, secret: Buffer): Buffer {
  return createHash(algorithm).update(data).update(secret).digest();
}

/**
 * Verifies a keyless digest of body + secret (Numipay's `x-signature` = uppercase hex SHA-1 of
 * `JSON.stringify(data) + signature_password`), against a KeyRing of secrets, in constant time.
 *
 * The gateway hashes its own serialisation of the data, not the bytes it sends, so the digest is checked over
 * the raw body first (the usual case: both are the same compact JSON) and then over the body parsed and
 * re-serialised the way `JSON.stringify` does. Such a scheme authenticates the data but carries no timestamp:
 * a driver must still treat the status it re-reads from the gateway as final.
 */
export class DigestSignatureVerifier implements WebhookSignatureVerifier {
  readonly keys: KeyRing<Buffer, string>;
  readonly #gateway: GatewayLabel;
  readonly #header: string;
  readonly #algorithm: string;
  readonly #length: number;
  readonly #signedPart: (parsed: unknown) => unknown;

  constructor(options: DigestSignatureVerifierOptions) {
    const { gateway } = options;
    this.#gateway = gateway;
    this.#header = options.header;
    this.#algorithm = options.algorithm ?? 'sha1';
    assertDigestAlgorithm(this.#algorithm, gateway);
    this.#length = createHash(this.#algorithm).digest().length;
    this.#signedPart = options.signedPart ?? ((parsed) => parsed);
    this.keys = sharedSecretRing(options, options.keyName ?? `${gatewayNameOf(gateway)} signature password`);
  }

  async verify(rawBody: unknown, headers: HeaderBag): Promise<Buffer> {
    const { body, signature: text } = readSignedWebhook(rawBody, headers, this.#gateway, this.#header);
    if (text.length !== this.#length * 2 || !HEX.test(text)) {
      throw signatureError(
        this.#gateway,
        `${this.#header} is not a hex ${this.#algorithm} digest`,
        SIGNATURE_ERROR_CODES.malformed,
      );
    }
    const signature = Buffer.from(text, 'hex');
    let reserialized: Buffer | null | undefined;
    const fallback = (): Buffer | null => {
      if (reserialized !== undefined) return reserialized;
      try {
        const json = JSON.stringify(this.#signedPart(JSON.parse(body.toString('utf8'))));
        reserialized = json === undefined ? null : Buffer.from(json, 'utf8');
      } catch {
        // Not JSON: only the raw bytes can have been signed.
        reserialized = null;
      }
      // Identical bytes were already tried.
      if (reserialized?.equals(body)) reserialized = null;
      return reserialized;
    };
    await this.keys.verify((secret) => {
      if (timingSafeEqual(digestOf(this.#algorithm, body, secret), signature)) return true;
      const other = fallback();
      return other !== null && timingSafeEqual(digestOf(this.#algorithm, other, secret), signature);
    });
    return body;
  }
}

export interface DigestTestHeaderOptions {
  /** The data to sign: bytes or text as sent, or an object serialised with `JSON.stringify` as the gateway does. */
  readonly payload: string | Buffer | object;
  readonly secret: string;
  readonly algorithm?: string;
}

/** The uppercase hex digest a gateway would send for `payload` (for tests, the sandbox and the CLI). */
export function generateDigestTestHeader(options: DigestTestHeaderOptions): string {
  const { payload } = options;
  const data = Buffer.isBuffer(payload)
    ? payload
    : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload), 'utf8');
  return digestOf(options.algorithm ?? 'sha1', data, Buffer.from(options.secret.trim(), 'utf8'))
    .toString('hex')
    .toUpperCase();
}
