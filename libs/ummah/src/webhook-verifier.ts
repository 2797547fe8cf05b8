import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import {
  ConfigurationError,
  readHeader,
  SignatureVerificationError,
  silentLogger,
  TijaraError,
  type HeaderBag,
  type Logger,
} from '@tijara/core';

/** A public key as PEM text (real newlines or escaped `\n`, optionally JSON-quoted) or a parsed KeyObject. */
export type PublicKeyInput = string | KeyObject;

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

/** Keys learned by refreshing are kept up to this many, newest first, so rotation overlap works without growing forever. */
const MAX_REFRESHED_KEYS = 8;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function fail(message: string, code: string, cause?: unknown): SignatureVerificationError {
  return new SignatureVerificationError(message, { gateway: 'ummah', code, ...(cause ? { cause } : {}) });
}

/** PEM text as the gateway hands it out: maybe JSON-quoted, maybe with literal `\n` escapes. */
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
export function parsePublicKey(input: PublicKeyInput): KeyObject {
  if (typeof input !== 'string') {
    if (input.type !== 'public') {
      throw new ConfigurationError('Ummah webhook keys must be public keys; a private key was given', {
        gateway: 'ummah',
        code: 'invalid_public_key',
      });
    }
    return input;
  }
  const pem = normalizePem(input);
  if (/PRIVATE KEY/.test(pem)) {
    throw new ConfigurationError('Ummah webhook keys must be public keys; a private key was given', {
      gateway: 'ummah',
      code: 'invalid_public_key',
      secrets: [input],
    });
  }
  try {
    return createPublicKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw new ConfigurationError('Ummah webhook public key is not a valid PEM public key', {
      gateway: 'ummah',
      code: 'invalid_public_key',
      cause: error,
    });
  }
}

function fingerprint(key: KeyObject): string {
  return createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

/** The exact bytes to verify; a parsed object is refused with the usual fix spelled out. */
export function rawBodyBytes(rawBody: unknown): Buffer {
  if (Buffer.isBuffer(rawBody)) return rawBody;
  if (rawBody instanceof Uint8Array)
    return Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
  if (typeof rawBody === 'string') return Buffer.from(rawBody, 'utf8');
  if (rawBody === undefined || rawBody === null) {
    throw fail(
      'No request body to verify: pass the raw request body (a Buffer), e.g. express.raw({ type: "application/json" })',
      'missing_body',
    );
  }
  throw fail(
    `The webhook body is a parsed ${Array.isArray(rawBody) ? 'array' : typeof rawBody}, not bytes: pass the raw ` +
      'request body, e.g. express.raw({ type: "application/json" }) instead of express.json(); re-serialized JSON ' +
      'never matches the signature',
    'parsed_body',
  );
}

/**
 * Verifies `X-Signature` (base64 RSA PKCS#1 v1.5 over SHA-256 of the raw body) against every accepted key.
 * Keys are parsed once and cached. On failure it refreshes once (company key and/or the refreshKeys hook), rate
 * limited, then tries again: that is how a key rotation is picked up without a restart.
 */
export class UmmahWebhookVerifier {
  readonly #configured = new Map<string, KeyObject>();
  readonly #refreshed = new Map<string, KeyObject>();
  readonly #options: UmmahWebhookKeyOptions;
  readonly #deps: WebhookVerifierDependencies;
  readonly #logger: Logger;
  readonly #now: () => number;
  #lastRefreshAt: number | undefined;
  #inflight: Promise<void> | undefined;

  constructor(options: UmmahWebhookKeyOptions = {}, deps: WebhookVerifierDependencies = {}) {
    this.#options = options;
    this.#deps = deps;
    this.#logger = deps.logger ?? silentLogger;
    this.#now = deps.now ?? Date.now;
    for (const input of options.publicKeys ?? []) {
      const key = parsePublicKey(input);
      this.#configured.set(fingerprint(key), key);
    }
  }

  /** Number of keys currently accepted (configured + learned by refreshing). */
  get keyCount(): number {
    return this.#keys().length;
  }

  get canRefresh(): boolean {
    return (
      Boolean(this.#options.refreshKeys) ||
      (this.#options.fetchCompanyKey !== false && !!this.#deps.fetchCompanyKey)
    );
  }

  /** Add a key at run time (e.g. the public_key of a Webhook you just created). */
  addKey(input: PublicKeyInput): void {
    const key = parsePublicKey(input);
    this.#configured.set(fingerprint(key), key);
  }

  /** Resolves with the verified bytes; rejects with SignatureVerificationError saying what is wrong. */
  async verify(rawBody: unknown, headers: HeaderBag): Promise<Buffer> {
    const body = rawBodyBytes(rawBody);
    if (body.length === 0) throw fail('The webhook body is empty; nothing was signed', 'empty_body');
    const header = headers ? readHeader(headers, 'x-signature')?.trim() : undefined;
    if (!header) {
      throw fail('Missing X-Signature header: this request was not signed by Ummah', 'missing_signature');
    }
    if (!BASE64.test(header)) throw fail('X-Signature is not valid base64', 'malformed_signature');
    const signature = Buffer.from(header, 'base64');

    if (this.#keys().length > 0 && this.#matches(body, signature)) return body;
    if (!this.canRefresh) {
      if (this.#keys().length === 0) {
        throw fail(
          'No Ummah public key configured: set webhooks.publicKeys (Webhook.public_key or GET /public_key/)',
          'no_public_key',
        );
      }
      throw fail(
        'X-Signature does not match the body with any configured Ummah public key',
        'invalid_signature',
      );
    }
    const refreshed = await this.#refresh();
    if (this.#keys().length === 0) {
      throw fail(
        'No Ummah public key available: none configured and the refresh found none',
        'no_public_key',
      );
    }
    if (refreshed && this.#matches(body, signature)) return body;
    throw fail(
      refreshed
        ? 'X-Signature does not match the body with any Ummah public key, even after refreshing the keys'
        : 'X-Signature does not match the body with any Ummah public key (keys were refreshed recently; not again yet)',
      'invalid_signature',
    );
  }

  #keys(): KeyObject[] {
    return [...this.#configured.values(), ...this.#refreshed.values()];
  }

  #matches(body: Buffer, signature: Buffer): boolean {
    for (const key of this.#keys()) {
      try {
        if (verify('sha256', body, key, signature)) return true;
      } catch {
        // A signature of the wrong length for this key is just a mismatch.
      }
    }
    return false;
  }

  /** True when a refresh ran (now or concurrently); false when the rate limit skipped it. */
  async #refresh(): Promise<boolean> {
    if (this.#inflight) {
      await this.#inflight;
      return true;
    }
    const now = this.#now();
    const interval = this.#options.minRefreshIntervalMs ?? 60_000;
    if (this.#lastRefreshAt !== undefined && now - this.#lastRefreshAt < interval) return false;
    this.#lastRefreshAt = now;
    this.#inflight = this.#load().finally(() => {
      this.#inflight = undefined;
    });
    await this.#inflight;
    return true;
  }

  async #load(): Promise<void> {
    const found: KeyObject[] = [];
    const errors: unknown[] = [];
    const sources: Array<Promise<readonly PublicKeyInput[]>> = [];
    if (this.#options.fetchCompanyKey !== false && this.#deps.fetchCompanyKey) {
      sources.push(this.#deps.fetchCompanyKey().then((pem) => [pem]));
    }
    if (this.#options.refreshKeys) sources.push(this.#options.refreshKeys());
    for (const result of await Promise.allSettled(sources)) {
      if (result.status === 'rejected') {
        errors.push(result.reason);
        continue;
      }
      for (const input of result.value) {
        try {
          found.push(parsePublicKey(input));
        } catch (error) {
          errors.push(error);
        }
      }
    }
    for (const key of found) {
      const id = fingerprint(key);
      this.#refreshed.delete(id);
      this.#refreshed.set(id, key);
    }
    while (this.#refreshed.size > MAX_REFRESHED_KEYS) {
      const oldest = this.#refreshed.keys().next().value as string;
      this.#refreshed.delete(oldest);
    }
    this.#logger.info(
      { gateway: 'ummah', keys: found.length, failures: errors.length },
      'webhook keys refreshed',
    );
    if (found.length === 0 && errors.length > 0) {
      // Could not learn any key (gateway down?): report that, not a forged signature, so the delivery is retried.
      const first = errors[0];
      if (first instanceof TijaraError) throw first;
      throw fail('Refreshing the Ummah public keys failed', 'key_refresh_failed', first);
    }
  }
}
