import { createHash, createPublicKey, verify as verifyWithKey, type KeyObject } from 'node:crypto';
import { ConfigurationError, type TijaraErrorOptions } from '../errors.js';
import type { HeaderBag } from '../gateway.js';
import type { Logger } from '../logger.js';
import { KeyRing, type KeySource } from './key-ring.js';
import {
  assertDigestAlgorithm,
  gatewayIdOf,
  gatewayNameOf,
  readSignedWebhook,
  signatureError,
  SIGNATURE_ERROR_CODES,
  type GatewayLabel,
  type WebhookSignatureVerifier,
} from './signed-webhook.js';

/** A public key as PEM text (real newlines or escaped `\n`, optionally JSON-quoted) or a parsed KeyObject. */
export type PublicKeyInput = string | KeyObject;

/** PEM text as gateways hand it out: maybe JSON-quoted, maybe with literal `\n` escapes. */
export function normalizePem(text: string): string {
  let pem = text.trim();
  if (pem.startsWith('"')) {
    try {
      pem = String(JSON.parse(pem));
    } catch {
      // Not JSON after all; keep the text as it is.
    }
  }
  return pem
    .replace(/\\r\\n|\\n/g, '\n')
    .replace(/\r\n/g, '\n')
    .trim();
}

/** Parse a public key once; a private key or garbage is a configuration mistake, reported without echoing it. */
export function parsePublicKey(input: PublicKeyInput, gateway: GatewayLabel): KeyObject {
  const invalid = (message: string, extra: TijaraErrorOptions) =>
    new ConfigurationError(`${gatewayNameOf(gateway)} ${message}`, {
      gateway: gatewayIdOf(gateway),
      code: 'invalid_public_key',
      ...extra,
    });
  if (typeof input !== 'string') {
    if (input.type !== 'public') {
      throw invalid('webhook keys must be public keys; a private key was given', {});
    }
    return input;
  }
  const pem = normalizePem(input);
  if (/PRIVATE KEY/.test(pem)) {
    throw invalid('webhook keys must be public keys; a private key was given', { secrets: [input] });
  }
  try {
    return createPublicKey({ key: pem, format: 'pem' });
  } catch (error) {
    // The cause is node's parse error, which names the format, never the key's bytes.
    throw invalid('webhook public key is not a valid PEM public key', { cause: error });
  }
}

/** Identifies a public key by a hash of its SPKI encoding, so the same key in two spellings is one key. */
export function publicKeyFingerprint(key: KeyObject): string {
  return createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX = /^(?:[0-9a-fA-F]{2})+$/;

export interface RsaSignatureVerifierOptions {
  readonly gateway: GatewayLabel;
  /** The header carrying the signature, as messages name it (`X-Signature`); read case-insensitively. */
  readonly header: string;
  /** How the header encodes the signature (default base64). */
  readonly encoding?: 'base64' | 'hex';
  /** The digest signed with RSA PKCS#1 v1.5 (default sha256). */
  readonly digest?: string;
  readonly publicKeys?: readonly PublicKeyInput[];
  readonly sources?: readonly KeySource<PublicKeyInput>[];
  readonly minRefreshIntervalMs?: number;
  readonly maxRefreshedKeys?: number;
  /** How to configure a key, appended to the error when there is none. */
  readonly configureHint?: string;
  readonly logger?: Logger;
  readonly now?: () => number;
}

/** Verifies an RSA PKCS#1 v1.5 signature over the raw body, carried in one header, against a KeyRing of public keys. */
export class RsaSignatureVerifier implements WebhookSignatureVerifier {
  readonly keys: KeyRing<KeyObject, PublicKeyInput>;
  readonly #gateway: GatewayLabel;
  readonly #header: string;
  readonly #encoding: 'base64' | 'hex';
  readonly #digest: string;

  constructor(options: RsaSignatureVerifierOptions) {
    const { gateway } = options;
    this.#gateway = gateway;
    this.#header = options.header;
    this.#encoding = options.encoding ?? 'base64';
    this.#digest = options.digest ?? 'sha256';
    assertDigestAlgorithm(this.#digest, gateway);
    this.keys = new KeyRing<KeyObject, PublicKeyInput>({
      gateway,
      parse: (input) => parsePublicKey(input, gateway),
      fingerprint: publicKeyFingerprint,
      names: { signature: options.header, key: `${gatewayNameOf(gateway)} public key` },
      noKeyCode: 'no_public_key',
      keys: options.publicKeys,
      sources: options.sources,
      minRefreshIntervalMs: options.minRefreshIntervalMs,
      maxRefreshedKeys: options.maxRefreshedKeys,
      configureHint: options.configureHint,
      logger: options.logger,
      now: options.now,
    });
  }

  async verify(rawBody: unknown, headers: HeaderBag): Promise<Buffer> {
    const { body, signature: text } = readSignedWebhook(rawBody, headers, this.#gateway, this.#header);
    if (!(this.#encoding === 'hex' ? HEX : BASE64).test(text)) {
      throw signatureError(
        this.#gateway,
        `${this.#header} is not valid ${this.#encoding}`,
        SIGNATURE_ERROR_CODES.malformed,
      );
    }
    const signature = Buffer.from(text, this.#encoding);
    await this.keys.verify((key) => {
      try {
        return verifyWithKey(this.#digest, body, key, signature);
      } catch {
        // A configured key of another kind (Ed25519 takes no digest) did not make this signature.
        return false;
      }
    });
    return body;
  }
}
