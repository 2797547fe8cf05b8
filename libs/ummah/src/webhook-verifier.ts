import type { KeyObject } from 'node:crypto';
import {
  parsePublicKey as parseGatewayPublicKey,
  RsaSignatureVerifier,
  type HeaderBag,
  type KeySource,
  type Logger,
  type PublicKeyInput,
  type WebhookSignatureVerifier,
} from '@tijara/core';

export { normalizePem, type PublicKeyInput } from '@tijara/core';

export interface UmmahWebhookKeyOptions {
  /**
   * Keys to accept: each Webhook's `public_key` and/or the company callback key from `GET /public_key/`. Give old
   * and new during a rotation; any one verifying is enough.
   */
  readonly publicKeys?: readonly PublicKeyInput[];
  /**
   * When no key verifies (or none is configured), fetch the company callback key from `GET /public_key/` and try
   * once more (default true). Turn off when you only receive webhook deliveries and pin their keys.
   */
  readonly fetchCompanyKey?: boolean;
  /** Your own source of fresh keys (e.g. re-reading the Webhook objects); called on the same schedule. */
  readonly refreshKeys?: () => Promise<readonly PublicKeyInput[]>;
  /**
   * At most one refresh per this many ms (default 60 000), so a flood of forged signatures cannot turn into a
   * flood of requests to the gateway. Concurrent failures share one refresh.
   */
  readonly minRefreshIntervalMs?: number;
}

export interface WebhookVerifierDependencies {
  /** `GET /public_key/`, returning PEM text. */
  readonly fetchCompanyKey?: () => Promise<string>;
  readonly logger?: Logger;
  /** Clock, injectable so the refresh limit is testable without waiting. */
  readonly now?: () => number;
}

const UMMAH = { id: 'ummah', name: 'Ummah' } as const;

/** Parse a public key once; a private key or garbage is a configuration mistake, reported without echoing it. */
export function parsePublicKey(input: PublicKeyInput): KeyObject {
  return parseGatewayPublicKey(input, UMMAH);
}

/**
 * Verifies `X-Signature` (base64 RSA PKCS#1 v1.5 over SHA-256 of the raw body) against every accepted key.
 * On failure it refreshes once (company key and/or the refreshKeys hook), rate limited, then tries again:
 * that is how a key rotation is picked up without a restart.
 */
export class UmmahWebhookVerifier implements WebhookSignatureVerifier {
  readonly #verifier: RsaSignatureVerifier;

  constructor(options: UmmahWebhookKeyOptions = {}, deps: WebhookVerifierDependencies = {}) {
    const sources: KeySource<PublicKeyInput>[] = [];
    const { fetchCompanyKey } = deps;
    if (options.fetchCompanyKey !== false && fetchCompanyKey)
      sources.push(async () => [await fetchCompanyKey()]);
    if (options.refreshKeys) sources.push(options.refreshKeys);
    this.#verifier = new RsaSignatureVerifier({
      gateway: UMMAH,
      header: 'X-Signature',
      encoding: 'base64',
      digest: 'sha256',
      publicKeys: options.publicKeys,
      sources,
      minRefreshIntervalMs: options.minRefreshIntervalMs,
      configureHint: 'set webhooks.publicKeys (Webhook.public_key or GET /public_key/)',
      logger: deps.logger,
      now: deps.now,
    });
  }

  /** Number of keys currently accepted (configured + learned by refreshing). */
  get keyCount(): number {
    return this.#verifier.keys.size;
  }

  get canRefresh(): boolean {
    return this.#verifier.keys.canRefresh;
  }

  /** Add a key at run time (e.g. the public_key of a Webhook you just created). */
  addKey(input: PublicKeyInput): void {
    this.#verifier.keys.add(input);
  }

  /** Resolves with the verified bytes; rejects with SignatureVerificationError saying what is wrong. */
  verify(rawBody: unknown, headers: HeaderBag): Promise<Buffer> {
    return this.#verifier.verify(rawBody, headers);
  }
}
