import { createHmac, timingSafeEqual } from 'node:crypto';
import { ConfigurationError } from '../errors.js';
import type { HeaderBag } from '../gateway.js';
import type { KeyRing } from './key-ring.js';
import { sharedSecretRing, type SharedSecretOptions } from './shared-secret.js';
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

/** How a timestamped HMAC signature is carried in its header and what it is computed over. */
export interface HmacScheme {
  /** The timestamp (as sent) and the signature bytes in a header value; undefined when it is not in this format. */
  parse(header: string): { readonly timestamp: string; readonly signature: Buffer } | undefined;
  /** The exact bytes the gateway signs, from the header's timestamp text and the raw body. */
  payload(timestamp: string, body: Buffer): Buffer;
  /** The header value for a timestamp and a MAC (for test signers). */
  format(timestamp: string, mac: Buffer): string;
}

const COLON_HEX = /^(\d{1,12}):((?:[0-9a-fA-F]{2})+)$/;

/**
 * `<timestamp>:<hex>` where hex is the lowercase HMAC of `"<timestamp>:<raw body>"` and the timestamp is Unix
 * seconds (Postpay's `X-Postpay-Signature`). Signing the timestamp with the body is what makes the replay window
 * enforceable: changing the timestamp breaks the signature.
 */
export const TIMESTAMP_COLON_HEX: HmacScheme = Object.freeze({
  parse(header: string) {
    const match = COLON_HEX.exec(header);
    if (!match) return undefined;
    return { timestamp: match[1] as string, signature: Buffer.from(match[2] as string, 'hex') };
  },
  payload: (timestamp: string, body: Buffer) => Buffer.concat([Buffer.from(`${timestamp}:`, 'utf8'), body]),
  format: (timestamp: string, mac: Buffer) => `${timestamp}:${mac.toString('hex')}`,
});

/** ±5 minutes: enough for clock drift and delivery delays, short enough that a captured delivery goes stale. */
export const DEFAULT_TIMESTAMP_TOLERANCE_SECONDS = 300;

export interface HmacSignatureVerifierOptions extends SharedSecretOptions {
  /** Largest accepted |now − timestamp|, both ways (default 300 s). */
  readonly toleranceSeconds?: number;
  /** The HMAC's hash (default sha256). */
  readonly algorithm?: string;
  /** Header format and signed bytes (default `TIMESTAMP_COLON_HEX`). */
  readonly scheme?: HmacScheme;
  /** How messages name one secret (default `<gateway> webhook secret`). */
  readonly keyName?: string;
}

/**
 * Verifies a timestamped HMAC (Postpay's `X-Postpay-Signature: <ts>:<hex>`) against a KeyRing of shared secrets:
 * the MAC is compared in constant time, then the timestamp must be within the tolerance of now, in either
 * direction — a stale signature is a replay, a future one a forgery or a wrong clock.
 */
export class HmacSignatureVerifier implements WebhookSignatureVerifier {
  readonly keys: KeyRing<Buffer, string>;
  readonly #gateway: GatewayLabel;
  readonly #header: string;
  readonly #algorithm: string;
  readonly #scheme: HmacScheme;
  readonly #toleranceSeconds: number;
  readonly #now: () => number;

  constructor(options: HmacSignatureVerifierOptions) {
    const { gateway } = options;
    this.#gateway = gateway;
    this.#header = options.header;
    this.#algorithm = options.algorithm ?? 'sha256';
    this.#scheme = options.scheme ?? TIMESTAMP_COLON_HEX;
    this.#now = options.now ?? Date.now;
    assertDigestAlgorithm(this.#algorithm, gateway);
    const tolerance = options.toleranceSeconds ?? DEFAULT_TIMESTAMP_TOLERANCE_SECONDS;
    if (!(tolerance > 0) || !Number.isFinite(tolerance)) {
      throw new ConfigurationError(`${gatewayNameOf(gateway)} toleranceSeconds must be a positive number`, {
        gateway: gatewayIdOf(gateway),
        code: 'invalid_tolerance',
      });
    }
    this.#toleranceSeconds = tolerance;
    this.keys = sharedSecretRing(options, options.keyName ?? `${gatewayNameOf(gateway)} webhook secret`);
  }

  async verify(rawBody: unknown, headers: HeaderBag): Promise<Buffer> {
    const { body, signature: text } = readSignedWebhook(rawBody, headers, this.#gateway, this.#header);
    const parsed = this.#scheme.parse(text);
    if (!parsed) {
      throw signatureError(
        this.#gateway,
        `${this.#header} is not in the expected format`,
        SIGNATURE_ERROR_CODES.malformed,
      );
    }
    const payload = this.#scheme.payload(parsed.timestamp, body);
    await this.keys.verify((secret) => {
      const mac = createHmac(this.#algorithm, secret).update(payload).digest();
      return mac.length === parsed.signature.length && timingSafeEqual(mac, parsed.signature);
    });
    // After the MAC, so only a genuine delivery is reported as stale: that points at a replay or a clock.
    const skew = Math.round(this.#now() / 1000) - Number(parsed.timestamp);
    if (Math.abs(skew) > this.#toleranceSeconds) {
      const when = skew > 0 ? `${skew} s old` : `${-skew} s in the future`;
      throw signatureError(
        this.#gateway,
        `${this.#header} timestamp is ${when}, outside the ${this.#toleranceSeconds} s tolerance ` +
          '(a replayed delivery, or a clock that is wrong here or at the gateway)',
        SIGNATURE_ERROR_CODES.expired,
      );
    }
    return body;
  }
}

export interface HmacTestHeaderOptions {
  /** The exact body that will be sent. */
  readonly payload: string | Buffer;
  readonly secret: string;
  /** Unix seconds (default now). Give an old or future one to test the tolerance. */
  readonly timestamp?: number;
  readonly algorithm?: string;
  readonly scheme?: HmacScheme;
}

/**
 * The signature header value a gateway would send for `payload` (like stripe-node's `generateTestHeaderString`):
 * for tests, the sandbox and `tijara webhooks sign`. Verifies with an HmacSignatureVerifier given `secret`.
 */
export function generateHmacTestHeader(options: HmacTestHeaderOptions): string {
  const scheme = options.scheme ?? TIMESTAMP_COLON_HEX;
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const body = typeof options.payload === 'string' ? Buffer.from(options.payload, 'utf8') : options.payload;
  const mac = createHmac(options.algorithm ?? 'sha256', options.secret.trim())
    .update(scheme.payload(timestamp, body))
    .digest();
  return scheme.format(timestamp, mac);
}
