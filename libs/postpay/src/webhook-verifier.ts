import { generateHmacTestHeader, HmacSignatureVerifier, type HeaderBag, type Logger } from '@tijara/core';

/** The header every hook delivery carries: `<unix seconds>:<hex HMAC-SHA256 of "<seconds>:<raw body>">`. */
export const SIGNATURE_HEADER = 'X-Postpay-Signature';

export interface PostpayWebhookOptions {
  /**
   * The `secret` of each hook you created (`POST /hooks`). Give the old and the new one while rotating (a
   * `PATCH /hooks/{id}` with a new secret); any one that verifies is enough.
   */
  readonly secrets?: readonly string[];
  /** Largest accepted |now − timestamp|, both ways (default 300 s). */
  readonly toleranceSeconds?: number;
  /** Clock in ms, for tests of the tolerance. */
  readonly now?: () => number;
}

/**
 * Verifies `X-Postpay-Signature` over the exact raw body with core's timestamped HMAC verifier: constant-time
 * comparison against every configured secret, then the timestamp within the tolerance of now. Postpay's API never
 * shows a hook's secret back, so a rotation is picked up by configuring both secrets, not by re-reading hooks.
 */
export class PostpayWebhookVerifier {
  readonly #verifier: HmacSignatureVerifier;

  constructor(options: PostpayWebhookOptions = {}, logger?: Logger) {
    this.#verifier = new HmacSignatureVerifier({
      gateway: { id: 'postpay', name: 'Postpay' },
      header: SIGNATURE_HEADER,
      secrets: options.secrets ?? [],
      keyName: 'Postpay hook secret',
      configureHint: 'pass the secret of your hook as webhooks.secrets when creating the Postpay driver',
      ...(options.toleranceSeconds !== undefined ? { toleranceSeconds: options.toleranceSeconds } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(logger ? { logger } : {}),
    });
  }

  /** Accept a hook's secret from now on (e.g. that of a hook you just created). */
  addSecret(secret: string): void {
    this.#verifier.keys.add(secret);
  }

  /** Resolves with the verified bytes; rejects with SignatureVerificationError saying what is wrong. */
  verify(rawBody: unknown, headers: HeaderBag): Promise<Buffer> {
    return this.#verifier.verify(rawBody, headers);
  }
}

/**
 * Headers of a delivery signed as Postpay signs it, for tests and local tools: `X-Postpay-Signature` over the exact
 * bytes of `body` with `secret`, at `timestamp` (Unix seconds, default now).
 */
export function postpayTestWebhookHeaders(
  body: string | Buffer,
  secret: string,
  timestamp?: number,
): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-postpay-signature': generateHmacTestHeader({
      payload: body,
      secret,
      ...(timestamp !== undefined ? { timestamp } : {}),
    }),
  };
}
